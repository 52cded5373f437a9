"""Restart policies, shown with containers that exit by themselves.

``docker stop`` and ``docker kill`` mark a container as stopped by hand, which suspends its
restart policy, so a demonstration must use a container that exits on its own:
``sh -c 'sleep 1; exit 1'``. The engine then restarts it (or not) with delays that double from
100 ms, and counts the restarts in ``RestartCount``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .containers import restart_facts, run, wait_for

if TYPE_CHECKING:
    import docker
    import pandas as pd

POLICIES = ("no", "on-failure:2", "always", "unless-stopped")
#: How many restarts of an always-restarting container count as "keeps restarting".
KEEPS_GOING = 2


def policy_spec(policy: str) -> dict:
    """``"on-failure:2"`` -> the SDK's ``{"Name": "on-failure", "MaximumRetryCount": 2}``.

    Example:
        >>> policy_spec("on-failure:2")
        {'Name': 'on-failure', 'MaximumRetryCount': 2}
        >>> policy_spec("always")
        {'Name': 'always'}
    """
    name, _, count = policy.partition(":")
    spec = {"Name": "" if name == "no" else name}
    if count:
        spec["MaximumRetryCount"] = int(count)
    return spec if name != "no" else {"Name": "no"}


def _settled(container, policy: str):
    facts = restart_facts(container)
    name, _, count = policy.partition(":")
    if name in ("always", "unless-stopped"):
        return facts if facts["restarts"] >= KEEPS_GOING else None
    if facts["state"] != "exited":
        return None
    if name == "on-failure" and facts["exit_code"] != 0:
        limit = int(count) if count else None
        if limit is None or facts["restarts"] < limit:
            return None
    return facts


def demonstrate(
    client: docker.DockerClient,
    policy: str,
    exit_code: int = 1,
    image: str = "nginx:stable",
    notebook: str = "05",
) -> dict:
    """Run ``sh -c 'sleep 1; exit <exit_code>'`` under ``policy`` and report once it settles.

    Settled means: for ``no`` and ``on-failure[:N]``, exited for good (after N restarts when it
    failed); for ``always`` and ``unless-stopped``, restarted at least :data:`KEEPS_GOING` times.

    Returns:
        ``policy``, ``exit_code``, ``restarts`` (e.g. ``"2"``, or ``"≥ 2"`` when it keeps going)
        and ``keeps_restarting``.
    """
    container = run(
        client,
        image,
        notebook,
        policy.replace(":", "-"),
        f"exit{exit_code}",
        notebook=notebook,
        command=["sh", "-c", f"sleep 1; exit {exit_code}"],
        restart_policy=policy_spec(policy),
    )
    facts = wait_for(lambda: _settled(container, policy), 60, 0.1, f"the {policy} container")
    keeps = policy.partition(":")[0] in ("always", "unless-stopped")
    return {
        "policy": policy,
        "exit_code": exit_code,
        "restarts": f"≥ {KEEPS_GOING}" if keeps else str(facts["restarts"]),
        "keeps_restarting": keeps,
        "container": container.name,
    }


def demonstrate_all(
    client: docker.DockerClient, policies=POLICIES, exit_code: int = 1, notebook: str = "05"
) -> pd.DataFrame:
    """:func:`demonstrate` each policy, all at once (the waits overlap); one row per policy."""
    import concurrent.futures

    import pandas as pd

    with concurrent.futures.ThreadPoolExecutor(max(1, len(policies))) as pool:
        rows = pool.map(lambda p: demonstrate(client, p, exit_code, notebook=notebook), policies)
        return pd.DataFrame(list(rows))
