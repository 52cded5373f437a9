"""Restart policies, watched on containers that exit by themselves.

``docker stop`` and ``docker kill`` mark a container as stopped by hand, which suspends its
restart policy, so a demonstration uses a container that exits on its own
(``sh -c 'sleep 1; exit 1'``). The engine then restarts it (or not) after a delay that starts at
100 ms and doubles with each restart (:func:`next_delay`), and counts the restarts in
``RestartCount``. Everything these helpers report is read from the engine: the restart count,
the state, and the exit code of the container's last ``die`` event.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .containers import restart_facts
from .i18n import _
from .polling import wait_for

if TYPE_CHECKING:
    import docker
    import pandas as pd

#: The engine's first restart delay, and the most it waits between two restarts (seconds).
FIRST_DELAY = 0.1
MAX_DELAY = 60.0
#: A container counts as "stays down" once it has been exited this many times longer than the
#: delay the engine would wait before its next restart, and at least :data:`MIN_QUIET` seconds.
QUIET_FACTOR = 2
MIN_QUIET = 1.0


def policy_spec(policy: str) -> dict:
    """``"on-failure:2"`` -> the SDK's ``{"Name": "on-failure", "MaximumRetryCount": 2}``.

    Example:
        >>> policy_spec("on-failure:2")
        {'Name': 'on-failure', 'MaximumRetryCount': 2}
        >>> policy_spec("always")
        {'Name': 'always'}
    """
    name, _colon, count = policy.partition(":")
    spec = {"Name": "" if name == "no" else name}
    if count:
        spec["MaximumRetryCount"] = int(count)
    return spec if name != "no" else {"Name": "no"}


def next_delay(restarts: int) -> float:
    """Seconds the engine waits before the next restart of a container restarted ``restarts``
    times in a row: 100 ms, doubling each time, at most a minute.

    Example:
        >>> [next_delay(n) for n in (0, 1, 2, 3)]
        [0.1, 0.2, 0.4, 0.8]
        >>> next_delay(20)
        60.0
    """
    return min(MAX_DELAY, round(FIRST_DELAY * 2**restarts, 3))


def quiet_seconds(restarts: int) -> float:
    """How long a container restarted ``restarts`` times must stay exited to count as down.

    Example:
        >>> quiet_seconds(0), quiet_seconds(2), quiet_seconds(3)
        (1.0, 1.0, 1.6)
    """
    return max(MIN_QUIET, QUIET_FACTOR * next_delay(restarts))


def _seconds_since(stamp: str) -> float:
    import datetime as dt

    finished = dt.datetime.fromisoformat(stamp[:26].rstrip("Z") + "+00:00")
    return (dt.datetime.now(dt.UTC) - finished).total_seconds()


def last_exit_code(client: docker.DockerClient, container) -> int | None:
    """The exit code of the container's most recent ``die`` event (None before its first exit).

    ``State.ExitCode`` goes back to 0 each time a restart policy starts the container again, so
    the engine's event stream is where the last exit code of a restarting container is read.
    """
    import datetime as dt

    created = container.attrs["Created"]
    since = dt.datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00").timestamp()
    events = client.events(
        since=int(since) - 1,
        until=time.time(),
        decode=True,
        filters={"container": container.id, "event": "die"},
    )
    codes = [int(e["Actor"]["Attributes"]["exitCode"]) for e in events]
    return codes[-1] if codes else None


def _stays_down(facts: dict) -> bool:
    return facts["state"] == "exited" and _seconds_since(facts["finished_at"]) > quiet_seconds(
        facts["restarts"]
    )


def watch_restarts(
    client: docker.DockerClient, names: list[str], beyond: int = 2, timeout: float = 30
) -> pd.DataFrame:
    """Watch failing containers until each one either stays down or has restarted more than
    ``beyond`` times; one row per container, every value read from the engine.

    A container "stays down" once it has been exited for twice the delay the engine would wait
    before its next restart (at least a second): :func:`quiet_seconds`.

    Args:
        client: Engine client.
        names: Names of containers started under different restart policies.
        beyond: Watch until the restarting ones have restarted more often than this (give the
            largest ``on-failure:N`` limit among them, so "more" means "past that limit").
        timeout: Seconds before giving up (a plain error then).

    Returns:
        A DataFrame indexed by name: ``policy``, ``last_exit_code`` (from the engine's ``die``
        events), ``restarts`` (``RestartCount``) and ``stays_down`` (observed).

    Raises:
        TutorialError: The containers had not settled after ``timeout`` seconds.

    Example:
        >>> watch_restarts(client, ["fails-no", "fails-always"])  # doctest: +SKIP
    """
    import pandas as pd

    containers = [client.containers.get(name) for name in names]

    def settled():
        facts = {c.name: restart_facts(c) for c in containers}
        down = {name for name, f in facts.items() if _stays_down(f)}
        if all(name in down or f["restarts"] > beyond for name, f in facts.items()):
            return facts, down
        return None

    facts, down = wait_for(settled, timeout, 0.1, _("the failing containers to settle"))
    rows = [
        {
            "name": c.name,
            "policy": facts[c.name]["policy"],
            "last_exit_code": last_exit_code(client, c),
            "restarts": facts[c.name]["restarts"],
            "stays_down": c.name in down,
        }
        for c in containers
    ]
    return pd.DataFrame(rows).set_index("name")


def still_rising(
    client: docker.DockerClient, watched: pd.DataFrame, timeout: float = 15
) -> pd.Series:
    """Read each watched container's restart count again: True where it has risen since.

    Waits (bounded) for the containers that did not stay down to restart once more; those that
    stayed down are read once.

    Args:
        client: Engine client.
        watched: A table from :func:`watch_restarts`.
        timeout: Seconds to wait for a rise before reporting False.

    Returns:
        A boolean Series indexed by name.
    """
    import pandas as pd

    from .errors import TutorialError

    then = watched["restarts"].to_dict()
    expected = [name for name in watched.index if not watched.loc[name, "stays_down"]]

    def counts() -> dict:
        return {name: restart_facts(client.containers.get(name))["restarts"] for name in then}

    def all_rose():
        now = counts()
        return now if all(now[name] > then[name] for name in expected) else None

    try:
        now = wait_for(all_rose, timeout, 0.2, _("another restart"))
    except TutorialError:
        now = counts()
    return pd.Series({name: now[name] > then[name] for name in then}, name="still_rising")


def wait_restarting(client: docker.DockerClient, name: str, at_least: int = 3, timeout: float = 30):
    """Wait (bounded) until ``name`` sits in the restart delay, after at least ``at_least``
    restarts (a delay of 0.8 s or more), so that ``docker ps`` shows it as ``Restarting``.

    Returns:
        The container's restart facts at that moment.
    """
    container = client.containers.get(name)

    def restarting():
        facts = restart_facts(container)
        return facts if facts["state"] == "restarting" and facts["restarts"] >= at_least else None

    what = _("{name} to wait for a restart").format(name=name)
    return wait_for(restarting, timeout, 0.05, what)


def stays_down(client: docker.DockerClient, name: str) -> dict:
    """Watch a stopped container for longer than the engine's next restart delay would be.

    The delay is computed from the container's own restart count (100 ms, doubling); the watch
    lasts :func:`quiet_seconds` of it (twice the delay, at least a second).

    Returns:
        ``state``, ``restarts``, ``next_restart_delay_s``, ``watched_s`` and ``came_back``.
    """
    from .errors import TutorialError

    container = client.containers.get(name)
    before = restart_facts(container)
    delay = next_delay(before["restarts"])
    watch = quiet_seconds(before["restarts"])

    def back():
        facts = restart_facts(container)
        return facts["restarts"] > before["restarts"] or facts["state"] != "exited"

    try:
        wait_for(back, watch, 0.05, _("a restart"))
        came_back = True
    except TutorialError:  # the bounded watch ran out: no restart
        came_back = False
    after = restart_facts(container)
    return {
        "state": after["state"],
        "restarts": after["restarts"],
        "next_restart_delay_s": delay,
        "watched_s": watch,
        "came_back": came_back,
    }


def wait_exited(client: docker.DockerClient, name: str, timeout: float = 20) -> dict:
    """Wait (bounded) until ``name`` has exited for good (no longer running or restarting)."""
    container = client.containers.get(name)

    def exited():
        facts = restart_facts(container)
        return facts if facts["state"] == "exited" else None

    return wait_for(exited, timeout, 0.1, _("{name} to stop restarting").format(name=name))


def check_restart_exercise(client: docker.DockerClient, name: str, limit: int) -> str:
    """Notebook 05's exercise: ``name`` ran under ``on-failure:<limit>``, failed, and was
    restarted ``limit`` times. Returns a pass line, or a hint on what to look at.

    Waits (bounded) for the container to stop restarting before judging.
    """
    import docker as docker_sdk

    from .errors import TutorialError

    try:
        container = client.containers.get(name)
    except docker_sdk.errors.NotFound:
        return _(
            "Hint: no container is named {name}: give yours that name with --name {name}."
        ).format(name=name)
    facts = restart_facts(container)
    if facts["policy"] != f"on-failure:{limit}":
        return _(
            "Hint: look at its restart policy (it is {policy}): {command} should show on-failure "
            "and {limit}."
        ).format(
            policy=facts["policy"],
            command="docker inspect --format '{{.HostConfig.RestartPolicy}}' " + name,
            limit=limit,
        )
    try:
        facts = wait_exited(client, name, timeout=15)
    except TutorialError:
        return _(
            "Hint: {name} is still running or restarting: does its command exit by itself?"
        ).format(name=name)
    code = last_exit_code(client, container)
    if code == 0:
        return _(
            "Hint: look at its exit code ({command}): on-failure restarts only a container that "
            "exits with another code than 0."
        ).format(command="docker inspect --format '{{.State.ExitCode}}' " + name)
    if facts["restarts"] != limit:
        return _("Hint: its RestartCount is {count}: look at the command it runs.").format(
            count=facts["restarts"]
        )
    return _(
        "Pass: {name} exited with code {code}, was restarted {limit} times, then the engine left "
        "it down."
    ).format(name=name, code=code, limit=limit)
