"""Shared fixtures: a real Docker Engine, never a stand-in.

In CI (``CI=true``) a missing engine fails the run; on a learner's machine the engine tests are
skipped with the reason, so the pure tests still run.
"""

from __future__ import annotations

import os
import re

import pytest

from helpers.errors import TutorialError

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def client():
    """A client for the real engine the helpers resolve (the lab's, in CI)."""
    from helpers.engine import connect

    try:
        docker_client = connect()
        docker_client.ping()
    except TutorialError as exc:
        if IN_CI:
            pytest.fail(f"CI needs a real Docker Engine: {exc}")
        pytest.skip(f"no Docker Engine: {exc}")
    return docker_client


def assert_one_sentence(message: str) -> None:
    """A learner-facing error: one line, one sentence that names the cause and the fix."""
    assert "\n" not in message, message
    assert "Traceback" not in message, message
    assert message.endswith("."), message
    assert ":" in message, f"no fix after the cause: {message}"
    assert len(re.findall(r"[.!?] [A-Z]", message)) == 0, f"more than one sentence: {message}"
