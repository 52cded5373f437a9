"""What each restart policy really does, observed on a real engine and kept as data.

Notebook 05 teaches a restart-policy table. Rather than copy it from documentation (or from the
source notes, whose table is wrong for ``on-failure``), the series observes it: for every
policy, containers are put in six situations on a :class:`~helpers.lab.scratch.ScratchEngine`
(a throwaway dockerd, so the learner's engine is never restarted), and the outcome is recorded
in ``notebooks/data/restart-policies.json`` beside the engine version. It is observed on every
set-up of the engine matrix (:mod:`helpers.lab.engines`: Docker Engine 20.10, 26.1, and 26.1
with the containerd image store), one record each; :func:`load` gives the lab engine's (26.1)
unless asked for another, and :func:`engines_table` shows every set-up side by side. The
notebook shows that file; ``tests/test_restart_policies.py`` observes again on each set-up and
fails when an engine disagrees with its record.

Run ``python -m helpers.policy_observation --write`` (root, after ``make setup``) to refresh it
(``--setup NAME`` for one set-up only).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import functools
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import setup_records
from .containers import restart_facts
from .errors import TutorialError
from .polling import wait_for
from .registry_api import REGISTRY_HOST
from .restarts import policy_spec
from .state import lesson_data

if TYPE_CHECKING:
    import pandas as pd

    from .lab.scratch import ScratchEngine

DATA_FILE = lesson_data("restart-policies.json")
POLICIES = ("no", "on-failure", "on-failure:1", "always", "unless-stopped")
IMAGE = "nginx:stable"
IMAGE_SOURCE = f"{REGISTRY_HOST}/library/nginx:stable"

EXITS_1 = "exits 1 by itself"
EXITS_0 = "exits 0 by itself"
STOPPED = "docker stop"
DAEMON_RUNNING = "daemon restart, was running"
DAEMON_KILLED = "daemon restart, was running, killed at shutdown"
DAEMON_STOPPED = "daemon restart, stopped by hand before"
SITUATIONS = (EXITS_1, EXITS_0, STOPPED, DAEMON_RUNNING, DAEMON_KILLED, DAEMON_STOPPED)

#: How the containers in each situation run. nginx stops gracefully (exit 0) on its STOPSIGNAL;
#: ``sleep`` as PID 1 ignores SIGTERM, so the engine kills it after the 1 s stop timeout (137).
COMMANDS = {
    EXITS_1: ["sh", "-c", "sleep 1; exit 1"],
    EXITS_0: ["sh", "-c", "sleep 1; exit 0"],
    STOPPED: None,
    DAEMON_RUNNING: None,
    DAEMON_KILLED: ["sleep", "3600"],
    DAEMON_STOPPED: None,
}
#: Restarts seen before a container counts as "keeps restarting".
KEEPS_GOING = 3
#: A container that exited this long ago without a restart stays down (the engine's next
#: restart delay is far shorter at this point: 100 ms, 200 ms, 400 ms, ...).
QUIET_SECONDS = 2.5
WATCH_SECONDS = 30
#: How long after a daemon restart a container may take to be started again (at most), and how
#: long the running set must stay unchanged before the outcome counts as settled.
DAEMON_WATCH_SECONDS = 20
DAEMON_QUIET_SECONDS = 3


def _finished_ago(finished: str) -> float:
    stamp = dt.datetime.fromisoformat(finished[:26].rstrip("Z") + "+00:00")
    return (dt.datetime.now(dt.UTC) - stamp).total_seconds()


def _outcome(container) -> str | None:
    """The outcome once it is clear (restarting again and again, or down and quiet), else None."""
    facts = restart_facts(container)
    if facts["restarts"] >= KEEPS_GOING:
        return "keeps restarting"
    if facts["state"] == "exited" and _finished_ago(facts["finished_at"]) > QUIET_SECONDS:
        n = facts["restarts"]
        return "stays down" if n == 0 else f"restarted {n}×, then stays down"
    return None


def _settle(container) -> str:
    """Watch a container that exits by itself (or was stopped) until its outcome is clear."""
    return wait_for(lambda: _outcome(container), WATCH_SECONDS, 0.1, f"{container.name} to settle")


def _running(container) -> bool:
    return restart_facts(container)["state"] == "running"


def _ready(container, situation: str) -> bool:
    """Running, and for nginx: its workers started. nginx handles its stop signal (SIGQUIT,
    exit 0) only once its master process is set up; stopped earlier, it dies of the signal
    (a non-zero exit), and ``on-failure`` would then start it again at daemon start."""
    if not _running(container):
        return False
    return COMMANDS[situation] is not None or len(container.top()["Processes"]) >= 2


def _wait_running(container, situation: str) -> None:
    wait_for(functools.partial(_ready, container, situation), WATCH_SECONDS, 0.1, container.name)


def _run(engine: ScratchEngine, situation: str, policy: str):
    api = engine.client.api
    created = api.create_container(
        IMAGE,
        COMMANDS[situation],
        labels={"situation": situation, "policy": policy},
        stop_timeout=1 if situation == DAEMON_KILLED else None,
        host_config=api.create_host_config(network_mode="none", restart_policy=policy_spec(policy)),
    )
    api.start(created["Id"])
    return engine.client.containers.get(created["Id"])


def _observe_without_daemon_restart(engine: ScratchEngine) -> dict[tuple[str, str], str]:
    runs = {
        (situation, policy): _run(engine, situation, policy)
        for situation in (EXITS_1, EXITS_0, STOPPED)
        for policy in POLICIES
    }
    for (situation, _), container in runs.items():
        if situation == STOPPED:
            _wait_running(container, situation)
            container.stop(timeout=5)
    with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
        outcomes = dict(zip(runs, pool.map(_settle, runs.values()), strict=True))
    for container in runs.values():
        container.remove(force=True)
    return outcomes


def _observe_daemon_restart(engine: ScratchEngine) -> tuple[dict[tuple[str, str], str], dict]:
    situations = (DAEMON_RUNNING, DAEMON_KILLED, DAEMON_STOPPED)
    ids = {}
    for situation in situations:
        for policy in POLICIES:
            container = _run(engine, situation, policy)
            _wait_running(container, situation)
            if situation == DAEMON_STOPPED:
                container.stop(timeout=5)
            ids[situation, policy] = container.id
    engine.restart()
    containers = {key: engine.client.containers.get(cid) for key, cid in ids.items()}
    # A window: "stays down" needs watching. It ends once the set of running containers has not
    # changed for DAEMON_QUIET_SECONDS (the engine restarts them all at once at daemon start).
    seen = {"running": None, "since": time.monotonic()}

    def quiet() -> bool:
        now_running = {key for key, c in containers.items() if _running(c)}
        if now_running != seen["running"]:
            seen["running"], seen["since"] = now_running, time.monotonic()
            return False
        return time.monotonic() - seen["since"] >= DAEMON_QUIET_SECONDS

    with contextlib.suppress(TutorialError):  # watched the whole window: take what was seen
        wait_for(quiet, timeout=DAEMON_WATCH_SECONDS, interval=0.2, what="the engine to settle")
    outcomes, exit_codes = {}, {}
    for (situation, policy), container in containers.items():
        facts = restart_facts(container)
        outcomes[situation, policy] = (
            "started again" if facts["state"] == "running" else "stays down"
        )
        if policy == "no":  # never restarted, so it still shows how shutdown ended it
            exit_codes[situation] = facts["exit_code"]
    return outcomes, exit_codes


def observe(setup: str | None = None) -> dict:
    """Observe every policy in every situation on a scratch engine of one set-up of the engine
    matrix (by default the lab's own engine, ``26.1``); return the record.

    Args:
        setup: A set-up name of :data:`helpers.lab.engines.SETUPS`.

    Returns:
        ``setup``, ``engine`` (version), ``containerd``, ``image_store``, ``situations``,
        ``policies``, ``outcomes`` (one dict per policy: situation -> outcome) and
        ``exit_codes_at_shutdown``.

    Raises:
        LabError: No scratch engine can be started (not root, no dockerd, no package).
    """
    from .lab import engines

    chosen = engines.SETUPS[setup or engines.DEFAULT_SETUP]
    with engines.engine(chosen, "restarts") as engine:
        engine.load(IMAGE, IMAGE_SOURCE)
        version = engine.client.version()
        store = engines.image_store(engine.client.info())
        outcomes = _observe_without_daemon_restart(engine)
        daemon_outcomes, exit_codes = _observe_daemon_restart(engine)
    outcomes.update(daemon_outcomes)
    containerd = next(
        (c["Version"] for c in version.get("Components", []) if c["Name"] == "containerd"), "?"
    )
    return {
        "setup": chosen.name,
        "description": chosen.description,
        "engine": f"Docker Engine {version['Version']}",
        "image_store": store,
        "containerd": containerd,
        "situations": list(SITUATIONS),
        "policies": list(POLICIES),
        "outcomes": {p: {s: outcomes[s, p] for s in SITUATIONS} for p in POLICIES},
        "exit_codes_at_shutdown": {
            DAEMON_RUNNING: exit_codes[DAEMON_RUNNING],
            DAEMON_KILLED: exit_codes[DAEMON_KILLED],
        },
    }


def observe_matrix(setups: list[str] | None = None) -> dict[str, dict]:
    """:func:`observe` on several set-ups of the engine matrix at once (each engine has its own
    data root, socket and bridge), by default all; return ``{setup name: record}``.

    Raises:
        LabError: A set-up's engine cannot be started.
    """
    from .lab.engines import SETUPS

    names = setups or list(SETUPS)
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        return dict(zip(names, pool.map(observe, names), strict=True))


def load(path: Path = DATA_FILE, setup: str | None = None) -> dict:
    """One recorded observation (see :func:`observe`), as stored in the repository: the lab
    engine's (``26.1``) unless ``setup`` names another set-up of the engine matrix.

    Example:
        >>> load()["setup"], load(setup="20.10")["engine"]  # doctest: +SKIP
        ('26.1', 'Docker Engine 20.10.24+dfsg1')
    """
    return setup_records.load(path, setup)


def load_all(path: Path = DATA_FILE) -> dict[str, dict]:
    """Every recorded set-up: ``{setup name: record}``, in the matrix's order."""
    return setup_records.load_all(path)


def write(record: dict, path: Path = DATA_FILE) -> None:
    """Store ``record`` (one set-up's) with the date it was observed, keeping the others."""
    setup_records.write(path, record)


def observed_table(record: dict | None = None) -> pd.DataFrame:
    """The recorded outcomes as a table: one row per policy, one column per situation.

    Example:
        >>> observed_table().loc["always", "docker stop"]  # doctest: +SKIP
        'stays down'
    """
    import pandas as pd

    record = record or load()
    table = pd.DataFrame.from_dict(record["outcomes"], orient="index")
    table = table[record["situations"]]
    table.index.name = "policy"
    return table


def engines_table(records: dict[str, dict] | None = None, only_differences: bool = False):
    """Every recorded set-up side by side: one row per (policy, situation), one column per
    set-up; with ``only_differences``, only the rows where the set-ups disagree.

    Example:
        >>> engines_table(only_differences=True).empty  # doctest: +SKIP
        True
    """
    import pandas as pd

    records = records or load_all()
    table = pd.DataFrame({name: observed_table(record).stack() for name, record in records.items()})
    table.index.names = ["policy", "situation"]
    if only_differences:
        table = table[table.nunique(axis=1) > 1]
    return table


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.policy_observation [--write] [--setup NAME]``: observe on every
    set-up of the engine matrix (or the named ones) and print (and store)."""
    from .lab.engines import SETUPS

    parser = argparse.ArgumentParser(prog="python -m helpers.policy_observation")
    parser.add_argument("--write", action="store_true", help=f"store the result in {DATA_FILE}")
    parser.add_argument(
        "--setup", action="append", choices=list(SETUPS), help="only this set-up (repeatable)"
    )
    args = parser.parse_args(argv)
    for name in args.setup or list(SETUPS):
        try:
            record = observe(name)
        except TutorialError as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 1
        print(f"== {name}: {record['engine']}, {record['image_store']} image store")
        with contextlib.suppress(ImportError):
            print(observed_table(record).to_string())
        print(json.dumps(record["exit_codes_at_shutdown"]))
        if args.write:
            write(record)
            print(f"stored in {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
