"""The restart-policy table notebook 05 teaches is what real engines do.

The observation runs on scratch dockerds (see :mod:`helpers.policy_observation`), one per set-up
of the engine matrix (:mod:`helpers.lab.engines`: Docker Engine 20.10, 26.1, and 26.1 with the
containerd image store), all at once, each with its own data root, socket and bridge; the engine
the learner uses is never restarted. Each set-up is compared with its own record.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import skip_or_fail

from helpers import policy_observation
from helpers.registry_api import registry_answers

REFRESH = "python -m helpers.policy_observation --write, then make notebooks NB=05"


def _setups() -> list[str]:
    from helpers.lab.engines import SETUPS

    return list(SETUPS)


@pytest.fixture(scope="module")
def observed(client):
    """Fresh observations on every set-up (root, dockerd and the lab registry needed)."""
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
    return policy_observation.observe_matrix()


@pytest.mark.slow
@pytest.mark.parametrize("setup", _setups())
def test_recorded_table_matches_a_fresh_observation(observed, setup):
    fresh, recorded = observed[setup], policy_observation.load(setup=setup)
    assert fresh["outcomes"] == recorded["outcomes"], f"{setup} disagrees: {REFRESH}"
    assert fresh["exit_codes_at_shutdown"] == recorded["exit_codes_at_shutdown"]
    assert fresh["engine"] == recorded["engine"], f"recorded on another engine: {REFRESH}"
    assert fresh["image_store"] == recorded["image_store"]


def test_every_setup_is_recorded_and_the_lab_engine_is_the_default():
    assert list(policy_observation.load_all()) == _setups()
    assert policy_observation.load()["setup"] == "26.1"


@pytest.mark.slow
def test_observation_leaves_the_main_engine_alone(observed, client):
    """The scratch engines must not take the main engine's bridge (``--bridge none`` would),
    and must leave no bridge or dockerd of theirs behind."""
    from helpers.lab.scratch import bridge_name
    from helpers.registry import ensure_image

    ensure_image("nginx:stable", client=client)  # claimed for the series: 12 removes it
    output = client.containers.run("nginx:stable", "true", remove=True, network_mode="bridge")
    assert output == b""
    for setup in observed:
        assert not Path(f"/sys/class/net/{bridge_name(f'restarts-{setup}')}").exists()
    running = subprocess.run(["pgrep", "-af", "dockerd"], capture_output=True, text=True).stdout
    assert "/restarts-" not in running, running


def test_table_has_every_policy_and_situation():
    for record in policy_observation.load_all().values():
        table = policy_observation.observed_table(record)
        assert list(table.index) == list(policy_observation.POLICIES)
        assert list(table.columns) == list(policy_observation.SITUATIONS)
        assert table.notna().all().all()


@pytest.mark.parametrize("setup", _setups())
def test_docs_facts_hold_in_the_record(setup):
    """The facts the notebook states in prose, read off each set-up's recorded table."""
    table = policy_observation.observed_table(policy_observation.load(setup=setup))
    assert (table.loc[:, "docker stop"] == "stays down").all()
    assert table.loc["always", "daemon restart, stopped by hand before"] == "started again"
    assert table.loc["unless-stopped", "daemon restart, stopped by hand before"] == "stays down"
    assert table.loc["on-failure", "daemon restart, was running"] == "stays down"
    killed = "daemon restart, was running, killed at shutdown"
    assert table.loc["on-failure", killed] == "started again"
    assert table.loc["on-failure:1", "exits 1 by itself"] == "restarted 1×, then stays down"


def test_every_engine_agrees_on_every_cell():
    """Recorded fact for notebook 05: the three set-ups give the same 30 outcomes."""
    assert policy_observation.engines_table(only_differences=True).empty
    assert policy_observation.engines_table().shape == (30, len(_setups()))
