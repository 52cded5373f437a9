"""Swarm mode on one engine: initialise it only when the engine is in no swarm, and leave only
the swarm the series initialised; wait for a service's tasks; read a rolling update's timeline
from the engine's own task timestamps; say whether the kernel has IPVS (the routing mesh's load
balancer).

The series never changes the membership of a swarm it did not make. When a lesson is about to
run ``docker swarm init``, :func:`init_needed` notes in the state directory (one locked JSON
record, ``swarm.json``) which notebook initialises it and whether the ``docker_gwbridge``
network was there before. :func:`leave_made_swarm` (called by
:func:`helpers.cleanup.remove_leftovers`) leaves that swarm and removes the ``docker_gwbridge``
network its init made (``docker swarm leave`` keeps it), and nothing else: a swarm that was
there before the lesson stays, with everything in it that the series did not label.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TutorialError, explain_cli_output
from .i18n import N_, _
from .polling import wait_for
from .state import locked_engine_json

if TYPE_CHECKING:
    import docker
    import pandas as pd

#: The bridge network that swarm init makes for containers on overlay networks to reach the
#: outside; ``docker swarm leave`` does not remove it.
GWBRIDGE = "docker_gwbridge"
#: Where the running kernel shows its IPVS settings once the ``ip_vs`` module is loaded.
IPVS_SYSCTLS = Path("/proc/sys/net/ipv4/vs")


def _record():
    """The series' record of the swarm it initialised, locked for the ``with`` block."""
    return locked_engine_json("swarm")


def swarm_facts(client: docker.DockerClient) -> dict:
    """The engine's ``docker info`` Swarm section (``LocalNodeState``, ``ControlAvailable``,
    ``Cluster``...)."""
    return client.info().get("Swarm") or {}


def _cluster_id(facts: dict) -> str | None:
    return (facts.get("Cluster") or {}).get("ID") or None


def _ours(record: dict, facts: dict) -> bool:
    """True when the engine's current swarm is the one ``record`` says the series initialised
    (noting its cluster ID the first time the swarm is seen after the init)."""
    if not record or facts.get("LocalNodeState") != "active":
        return False
    cluster = _cluster_id(facts)
    if record.get("cluster") is None:
        record["cluster"] = cluster
    return record["cluster"] == cluster


def init_needed(notebook: str, client: docker.DockerClient) -> bool:
    """Whether the lesson should run ``docker swarm init``: only when the engine is in no swarm.

    When it is in none, notes that ``notebook`` initialises it (so the lesson's clean-up leaves
    it) and returns True. When it is already a manager, prints one sentence saying whose swarm
    it is (the series' own from earlier in the lesson, or another one, used as it is and never
    left) and returns False.

    Args:
        notebook: The lesson, e.g. ``"10"``.
        client: Engine client.

    Returns:
        True when the next line should initialise a swarm.

    Raises:
        TutorialError: The engine is in a swarm as a worker, or its swarm is locked, pending or
            in error: no service can be created from here.

    Example:
        >>> if init_needed("10", client):  # doctest: +SKIP
        ...     !docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377
    """
    facts = swarm_facts(client)
    state = facts.get("LocalNodeState") or "inactive"
    if state == "inactive":
        names = {n.name for n in client.networks.list(names=[GWBRIDGE])}
        with _record() as record:
            record.clear()
            record.update(notebook=notebook, cluster=None, gwbridge_before=GWBRIDGE in names)
        return True
    if state != "active":
        raise TutorialError(
            _(
                "This engine's swarm is {state} (docker info says so under Swarm): unlock it or "
                "repair it yourself, then run this cell again; the lesson does not touch it."
            ).format(state=state)
        )
    if facts.get("ControlAvailable") is not True:
        raise TutorialError(
            _(
                "This engine is a worker in a swarm, and only a manager can create services: run "
                "this lesson against a manager of that swarm, or an engine that is in no swarm."
            )
        )
    with _record() as record:
        ours = _ours(record, facts)
    if ours:
        print(
            _(
                "This engine is already the manager of the swarm this lesson initialised: the "
                "lesson goes on with it, and its clean-up leaves it."
            )
        )
    else:
        nodes = facts.get("Nodes") or 1
        if nodes == 1:
            said = _(
                "This engine is already a manager of a swarm ({nodes} node) that the series did "
                "not make: the lesson uses it as it is, removes only what it labelled, and leaves "
                "this engine in it."
            )
        else:
            said = _(
                "This engine is already a manager of a swarm ({nodes} nodes) that the series did "
                "not make: the lesson uses it as it is, removes only what it labelled, and leaves "
                "this engine in it."
            )
        print(said.format(nodes=nodes))
    return False


def made_by_series(client: docker.DockerClient, notebook: str | None = None) -> bool:
    """True when the engine is in the swarm the series initialised (by ``notebook``, if given)."""
    facts = swarm_facts(client)
    with _record() as record:
        if notebook is not None and record.get("notebook") != notebook:
            return False
        return _ours(record, facts)


def _wait_removed_services_gone(client: docker.DockerClient, timeout: float = 30) -> None:
    """Wait (bounded) until the engine has removed the containers of removed services.

    ``docker service rm`` returns at once and the engine stops and removes the tasks'
    containers in the background; a container still on its way out when the node leaves the
    swarm stays behind, stopped, with nobody left to remove it.
    """

    left: list[str] = []

    def gone() -> bool:
        services = {s.id for s in client.services.list()}
        tasks = client.containers.list(
            all=True, sparse=True, filters={"label": "com.docker.swarm.service.id"}
        )
        left[:] = [
            c.attrs["Names"][0].lstrip("/")
            for c in tasks
            if (c.attrs.get("Labels") or {}).get("com.docker.swarm.service.id") not in services
        ]
        return not left

    try:
        wait_for(gone, timeout=timeout, interval=0.2, what=_("removed services' containers to go"))
    except TutorialError:
        raise TutorialError(
            _(
                "Waited {timeout:g} s in vain for the engine to remove the containers of removed "
                "services ({names}): look at `docker ps -a`, then run this cell again."
            ).format(timeout=timeout, names=", ".join(left))
        ) from None


def leave_needed(client: docker.DockerClient) -> bool:
    """Whether the lesson should run ``docker swarm leave --force``: only for the series' swarm.

    Before saying yes, it waits (bounded) until the containers of services removed earlier are
    gone, so that none stays behind, stopped, after the leave. Otherwise it prints one
    sentence: the engine is in no swarm, or in a swarm that was there before the series (it
    stays in it).

    Example:
        >>> if leave_needed(client):  # doctest: +SKIP
        ...     !docker swarm leave --force
    """
    if made_by_series(client):
        _wait_removed_services_gone(client)
        return True
    if swarm_facts(client).get("LocalNodeState") == "active":
        print(
            _(
                "This engine was in its swarm before the lesson: it stays in it, with every "
                "service the series did not label."
            )
        )
    else:
        print(_("This engine is in no swarm now: there is nothing to leave."))
    return False


def leave_made_swarm(notebook: str | None, client: docker.DockerClient) -> list[tuple[str, str]]:
    """Leave the swarm the series initialised (for ``notebook``; any notebook when None), and
    remove the ``docker_gwbridge`` network its init made once nothing uses it.

    A swarm the series did not initialise is never left. Called by
    :func:`helpers.cleanup.remove_leftovers`, after the labelled services have gone.

    Returns:
        ``(kind, name)`` rows: ``("swarm", "left")`` and ``("network", "docker_gwbridge")``
        for what it did.
    """
    import docker as sdk

    done: list[tuple[str, str]] = []
    facts = swarm_facts(client)
    with _record() as record:
        if not record or (notebook is not None and record.get("notebook") != notebook):
            return done
        if _ours(record, facts):
            client.swarm.leave(force=True)
            done.append(("swarm", "left"))
        elif facts.get("LocalNodeState") == "active":
            record.clear()  # another swarm now: not the series' to leave
            return done
        if not record.get("gwbridge_before"):
            for network in client.networks.list(names=[GWBRIDGE]):
                network.reload()
                if network.name == GWBRIDGE and not network.attrs.get("Containers"):
                    with contextlib.suppress(sdk.errors.NotFound, sdk.errors.APIError):
                        network.remove()
                        done.append(("network", GWBRIDGE))
        record.clear()
    return done


# --------------------------------------------------------------------------- tasks


def _image(task: dict) -> str:
    """A task's image as the service names it, without the pinned digest."""
    return task["Spec"]["ContainerSpec"]["Image"].split("@")[0]


def _tasks(client: docker.DockerClient, service: str) -> list[dict]:
    """The service's tasks as the engine lists them (``docker service ps``), old ones too."""
    import docker as sdk

    try:
        return client.services.get(service).tasks()
    except sdk.errors.NotFound:
        raise TutorialError(
            _(
                "There is no service {service} in this swarm: run the cell that creates it first, "
                "then run this cell again."
            ).format(service=service)
        ) from None


@dataclass(frozen=True)
class Tasks:
    """A service's tasks once a wait is over: how many run, of which image, and what waits."""

    service: str
    running: Counter = field(default_factory=Counter)
    pending: tuple[str, ...] = ()

    def __str__(self) -> str:
        count = sum(self.running.values())
        images = ", ".join(f"{n} × {image}" for image, n in sorted(self.running.items()))
        if count == 1:
            line = _("{service}: {count} task running ({images})")
        else:
            line = _("{service}: {count} tasks running ({images})")
        line = line.format(service=self.service, count=count, images=images)
        for error in self.pending:
            pending = _("{service}: 1 task pending ({error})")
            line += "\n" + pending.format(service=self.service, error=error)
        return line

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def wait_tasks(
    client: docker.DockerClient,
    service: str,
    running: int,
    pending: int = 0,
    failed: int = 0,
    port: int | None = None,
    timeout: float = 60,
) -> Tasks:
    """Wait (bounded) until ``running`` of the service's tasks run, ``pending`` wait for a node,
    at least ``failed`` have failed, and no update is under way.

    ``docker service create --detach`` returns before any task runs; this is the bounded wait
    after it. A task that fails while it waits, for a reason :data:`helpers.errors.CLI_SENTENCES`
    knows (a host port in use), stops the wait at once with that sentence.

    Args:
        client: Engine client.
        service: The service's name.
        running: Tasks that must be running (desired state running, current state running).
        pending: Tasks that must be pending (no node can take them).
        failed: Tasks that must have failed (a killed container's task).
        port: Then also wait until something listens on this port in each running task's
            container (nginx takes a moment after its container starts).
        timeout: Seconds to wait at most.

    Returns:
        A :class:`Tasks` summary (prints as one line per state).

    Raises:
        TutorialError: The count was not reached in time, or a task cannot start.

    Example:
        >>> wait_tasks(client, "dn-10-web", running=3)  # doctest: +SKIP
        dn-10-web: 3 tasks running (3 × nginx:stable)
    """

    since = time.time() - 1  # the engine's clock is this machine's, give or take
    counted: dict[str, float] = {}

    def settled() -> Tasks | None:
        tasks = _tasks(client, service)
        update = client.services.get(service).attrs.get("UpdateStatus") or {}
        if update.get("State") in ("updating", "rollback_started"):
            return None
        live = [t for t in tasks if t["DesiredState"] == "running"]
        up = [t for t in live if t["Status"]["State"] == "running"]
        waiting = [t for t in live if t["Status"]["State"] == "pending"]
        broken = [t for t in tasks if t["Status"]["State"] in ("failed", "rejected")]
        if any(t["DesiredState"] == "remove" for t in tasks):
            return None  # scaled down: the removed slots' tasks are still going
        for task in broken:
            sentence = explain_cli_output(task["Status"].get("Err") or "")
            if sentence and _when(task["Status"]["Timestamp"]).timestamp() >= since:
                raise TutorialError(sentence)  # failed since the wait began, for a known reason
        if len(up) != running or len(waiting) != pending or len(broken) < failed:
            return None
        if not all(t["Status"].get("Err") for t in waiting):
            # The scheduler says why it cannot place a task, mostly within a second; not
            # always (a service scaled twice to the same count), so give it a few seconds.
            first = counted.setdefault("at", time.monotonic())
            if time.monotonic() - first < 5:
                return None
        return Tasks(
            service=service,
            running=Counter(_image(t) for t in up),
            pending=tuple(t["Status"].get("Err") or t["Status"]["Message"] for t in waiting),
        )

    tasks = wait_for(
        settled,
        timeout=timeout,
        interval=0.2,
        what=(
            _("{count} running task of {service}")
            if running == 1
            else _("{count} running tasks of {service}")
        ).format(count=running, service=service),
        hint=_("look at `docker service ps --no-trunc {service}`").format(service=service),
    )
    if port is not None:
        from .runtime import wait_listening

        for task in _tasks(client, service):
            if task["DesiredState"] == "running" and task["Status"]["State"] == "running":
                container = task["Status"]["ContainerStatus"]["ContainerID"]
                wait_listening(client.containers.get(container), port)
    return tasks


def _when(text: str):
    import pandas as pd

    return pd.Timestamp(text)


def rollout(client: docker.DockerClient, service: str, timeout: float = 120) -> pd.DataFrame:
    """Wait (bounded) for a rolling update or rollback of ``service`` to finish, then tell it
    task by task from the engine's own timestamps.

    Each row is one moment of the update: a task shut down, or its replacement running, with how
    many tasks of each image were running just after it. The times come from each task's last
    state change (``Status.Timestamp``), counted from the update's start
    (``UpdateStatus.StartedAt``), so nothing depends on how often this helper looked.

    Returns:
        One row per moment: ``seconds``, ``event`` and one column per image (tasks running).

    Raises:
        TutorialError: The update paused (a new task failed) or did not finish in time.

    Example:
        >>> rollout(client, "dn-10-web")  # doctest: +SKIP
    """
    import pandas as pd

    def finished() -> dict | None:
        status = client.services.get(service).attrs.get("UpdateStatus")
        if status is None:
            return {"unchanged": True}  # an update that changed nothing (a cell run twice)
        state = status.get("State")
        if state in ("paused", "rollback_paused"):
            raise TutorialError(
                _(
                    "The update of {service} paused ({said}): look at `docker service ps "
                    "--no-trunc {service}` for the task that failed."
                ).format(service=service, said=status.get("Message"))
            )
        return status if state in ("completed", "rollback_completed") else None

    status = wait_for(
        finished,
        timeout=timeout,
        interval=0.2,
        what=_("the update of {service} to finish").format(service=service),
        hint=_("look at `docker service ps {service}`").format(service=service),
    )
    if status.get("unchanged"):
        print(
            _("{service} already had these settings: no task was replaced.").format(service=service)
        )
        return pd.DataFrame(columns=["seconds", "event"])
    start = _when(status["StartedAt"])
    end = _when(status.get("CompletedAt") or status["StartedAt"])
    tasks = _tasks(client, service)
    stopped = [
        t
        for t in tasks
        if t["DesiredState"] != "running"
        and t["Status"]["State"] in ("shutdown", "failed", "complete")
        and start <= _when(t["Status"]["Timestamp"]) <= end
    ]
    started = [
        t
        for t in tasks
        if t["Status"]["State"] == "running" and start <= _when(t["Status"]["Timestamp"]) <= end
    ]
    before = [
        t
        for t in tasks
        if t["Status"]["State"] == "running" and _when(t["Status"]["Timestamp"]) < start
    ]
    images = list(dict.fromkeys(_image(t) for t in [*stopped, *before, *started]))
    running = Counter(_image(t) for t in [*stopped, *before])
    events = sorted(
        [(_when(t["Status"]["Timestamp"]), -1, t) for t in stopped]
        + [(_when(t["Status"]["Timestamp"]), +1, t) for t in started],
        key=lambda e: (e[0], e[1]),
    )
    first = "rollback starts" if status["State"].startswith("rollback") else "update starts"
    rows = [{"seconds": 0.0, "event": first, **{i: running[i] for i in images}}]
    for when, change, task in events:
        running[_image(task)] += change
        verb = "shut down" if change < 0 else "running"
        rows.append(
            {
                "seconds": round((when - start).total_seconds(), 1),
                "event": f"a task of {_image(task)} {verb}",
                **{i: running[i] for i in images},
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the routing mesh


def _kernel_config() -> str | None:
    """The running kernel's build configuration, where the machine keeps it."""
    import gzip
    import os

    candidates = [Path("/proc/config.gz"), Path(f"/boot/config-{os.uname().release}")]
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.suffix == ".gz":
                return gzip.decompress(path.read_bytes()).decode(errors="replace")
            return path.read_text(errors="replace")
    return None


@dataclass(frozen=True)
class IPVS:
    """Whether the running kernel has IPVS, the load balancer swarm's routing mesh and virtual
    IPs use, and the evidence."""

    loaded: bool
    config: str | None

    def __str__(self) -> str:
        if self.loaded:
            first = _("{path}: present (IPVS is loaded in the running kernel)")
        else:
            first = _("{path}: absent (IPVS is not loaded in the running kernel)")
        lines = [first.format(path=IPVS_SYSCTLS)]
        if self.config is not None:
            lines.append(
                _("the kernel's build configuration says: {config}").format(config=self.config)
            )
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def ipvs() -> IPVS:
    """Look for IPVS in the running kernel: its settings under ``/proc/sys/net/ipv4/vs``, and
    the kernel's build option ``CONFIG_IP_VS`` (from ``/proc/config.gz`` or ``/boot``).

    Example:
        >>> isinstance(ipvs().loaded, bool)
        True
    """
    import re

    config = _kernel_config()
    option = None
    if config is not None:
        match = re.search(r"^(CONFIG_IP_VS=\S+|# CONFIG_IP_VS is not set)$", config, re.M)
        option = match.group(1) if match else "no CONFIG_IP_VS line"
    return IPVS(loaded=IPVS_SYSCTLS.is_dir(), config=option)


# --------------------------------------------------------------------------- the exercise


def pages_by_name(
    client: docker.DockerClient, network: str, name: str, notebook: str
) -> dict[str, str]:
    """From a client container on ``network``, resolve ``name`` and fetch ``/`` from each
    address: ``{address: page title}`` (an empty title when an address did not answer).

    The client is a labelled, throwaway nginx:stable container (bash's ``/dev/tcp``, no curl).
    """
    from .labels import project_labels

    script = (
        f"for ip in $(getent hosts {name} | cut -d' ' -f1); do "
        'page=$(timeout 3 bash -c "exec 3<>/dev/tcp/$ip/80; '
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3\"); "
        'echo "$ip $(grep -o \'<title>.*</title>\' <<<"$page")"; done'
    )
    output = client.containers.run(
        "nginx:stable",
        ["bash", "-c", script],
        network=network,
        labels=project_labels(notebook),
        remove=True,
    )
    pages = {}
    for line in output.decode().splitlines():
        address, _space, title = line.partition(" ")
        pages[address] = title.removeprefix("<title>").removesuffix("</title>")
    return pages


@dataclass(frozen=True)
class ServiceOnNetwork:
    """A swarm service attached to a network, as the exercise's check reads it."""

    name: str
    image: str
    endpoint_mode: str
    running: int


def services_on(client: docker.DockerClient, network: str) -> list[ServiceOnNetwork]:
    """The swarm services attached to ``network`` (by name), with their running task counts."""
    try:
        network_id = client.networks.get(network).id
    except Exception:  # noqa: BLE001 - no such network (or no swarm): no service is on it
        return []
    found = []
    for service in client.services.list():
        spec = service.attrs["Spec"]
        targets = {n.get("Target") for n in spec["TaskTemplate"].get("Networks") or []}
        if network_id not in targets and network not in targets:
            continue
        tasks = service.tasks(filters={"desired-state": "running"})
        found.append(
            ServiceOnNetwork(
                name=service.name,
                image=spec["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0],
                endpoint_mode=(spec.get("EndpointSpec") or {}).get("Mode", "vip"),
                running=sum(t["Status"]["State"] == "running" for t in tasks),
            )
        )
    return found


#: Said once by lesson 10 on rootless Docker, and by each cell that needs an overlay network.
OVERLAY_SET_ASIDE = N_(
    "Rootless Docker cannot make overlay networks, so the cells marked `# needs: overlay "
    "network` print this line instead of running; the handout shows what they print on root's "
    "engine."
)


def overlay_networks(kind: str) -> bool:
    """Whether this set-up (:attr:`helpers.notebook.Setup.kind`) can make Swarm's overlay
    networks. Docker's rootless mode does not support them: its tasks are rejected (measured
    on Engine 26.1). There it says so once and sets those cells aside
    (:func:`helpers.notebook.set_aside`)."""
    from .notebook import set_aside
    from .setups import ROOTLESS

    if kind != ROOTLESS:
        return True
    print(_(OVERLAY_SET_ASIDE), flush=True)
    set_aside("overlay network", OVERLAY_SET_ASIDE)  # said in the learner's language
    return False


def check_dnsrr_service(client: docker.DockerClient, network: str, notebook: str) -> str:
    """Lesson 10's exercise: is a service of the learner's own (not named ``dn-<notebook>-...``)
    on ``network``, two running tasks of ``nginx:latest`` with ``--endpoint-mode dnsrr``, its
    name resolving to two addresses that each answer with nginx's page?

    Args:
        client: Engine client (a swarm manager).
        network: The lesson's overlay network (``"dn-10-net"``).
        notebook: The lesson (``"10"``): its own services are left out, and the throwaway
            container that asks the addresses carries its labels.

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    from .labels import resource_name

    lessons = resource_name(notebook) + "-"
    mine = [s for s in services_on(client, network) if not s.name.startswith(lessons)]
    pages = pages_by_name(client, network, mine[0].name, notebook) if mine else {}
    if not mine:
        return _(
            "Hint: no service of yours is on {network}: look at --network in your create line."
        ).format(network=network)
    name = mine[0].name
    if mine[0].endpoint_mode != "dnsrr":
        return _("Hint: {name} has a virtual IP: look at --endpoint-mode.").format(name=name)
    if mine[0].image != "nginx:latest" or mine[0].running != 2:
        return _("Hint: `docker service ps {name}`: two running tasks of nginx:latest?").format(
            name=name
        )
    if len(pages) == 2 and set(pages.values()) == {"Welcome to nginx!"}:
        return _("Pass: {name} resolves to 2 addresses on {network}, each answering nginx.").format(
            name=name, network=network
        )
    return _("Hint: {name} resolves to {count} answering address(es): wait, retry.").format(
        name=name, count=len(pages)
    )
