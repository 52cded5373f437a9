"""Shared fixtures: a real Docker Engine, never a stand-in.

In CI (``CI=true``) a missing engine fails the run; on a learner's machine the engine tests are
skipped with the reason, so the pure tests still run. Plain helpers the tests call live in
``tests/support.py``, not here.
"""

from __future__ import annotations

import pytest
from support import skip_or_fail

from helpers.errors import TutorialError


def pytest_collection_modifyitems(items):
    """Mark every test that uses the real engine ``engine`` (``-m "not engine"`` runs the rest)."""
    for item in items:
        if "client" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def client():
    """A client for the real engine the helpers resolve (the lab's, in CI)."""
    from helpers.engine import connect

    try:
        docker_client = connect()
        docker_client.ping()
    except TutorialError as exc:
        skip_or_fail(f"a real Docker Engine is needed: {exc}")
    return docker_client


@pytest.fixture
def series_lock_released():
    """For a test that takes the series lock: released in teardown, pass or fail, so a failed
    test never leaves the next notebook waiting."""
    from helpers import series_lock

    yield
    series_lock.release()
