"""The restart-policy table notebook 05 teaches is what a real engine does.

The observation runs on a scratch dockerd of the lab's build (see
:mod:`helpers.policy_observation`), so the engine the learner uses is never restarted.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import skip_or_fail

from helpers import policy_observation
from helpers.registry_api import registry_answers

REFRESH = "python -m helpers.policy_observation --write, then make notebooks NB=05"


@pytest.fixture(scope="module")
def observed(client):
    """A fresh observation on a scratch engine (root, dockerd and the lab registry needed)."""
    missing = [
        reason
        for reason, ok in (
            ("root", os.geteuid() == 0),
            ("dockerd", shutil.which("dockerd") is not None),
            ("the lab registry", registry_answers()),
        )
        if not ok
    ]
    if missing:
        skip_or_fail(f"observing restart policies needs {', '.join(missing)}")
    return policy_observation.observe()


def test_recorded_table_matches_a_fresh_observation(observed):
    recorded = policy_observation.load()
    assert observed["outcomes"] == recorded["outcomes"], f"the engine disagrees: {REFRESH}"
    assert observed["exit_codes_at_shutdown"] == recorded["exit_codes_at_shutdown"]
    assert observed["engine"] == recorded["engine"], f"recorded on another engine: {REFRESH}"


def test_observation_leaves_the_main_engine_alone(observed, client):
    """The scratch engine must not take the main engine's bridge (``--bridge none`` would)."""
    from helpers.registry import ensure_image

    ensure_image("nginx:stable", client=client)  # claimed for the series: 07 removes it
    output = client.containers.run("nginx:stable", "true", remove=True, network_mode="bridge")
    assert output == b""
    assert not Path("/sys/class/net/dn-scratch0").exists()


def test_table_has_every_policy_and_situation():
    table = policy_observation.observed_table()
    assert list(table.index) == list(policy_observation.POLICIES)
    assert list(table.columns) == list(policy_observation.SITUATIONS)
    assert table.notna().all().all()


def test_docs_facts_hold_in_the_record():
    """The facts the notebook states in prose, read off the recorded table."""
    table = policy_observation.observed_table()
    assert (table.loc[:, "docker stop"] == "stays down").all()
    assert table.loc["always", "daemon restart, stopped by hand before"] == "started again"
    assert table.loc["unless-stopped", "daemon restart, stopped by hand before"] == "stays down"
    assert table.loc["on-failure", "daemon restart, was running"] == "stays down"
    killed = "daemon restart, was running, killed at shutdown"
    assert table.loc["on-failure", killed] == "started again"
    assert table.loc["on-failure:1", "exits 1 by itself"] == "restarted 1×, then stays down"
