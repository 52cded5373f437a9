"""Containers the series runs: labelled, named, polled with bounded waits, tabulated."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cleanup import require_owned
from .errors import ImageNotFound, NotOwnedError, PortInUse
from .i18n import _
from .labels import project_labels, resource_name

if TYPE_CHECKING:
    import docker


def replace_container(client: docker.DockerClient, name: str) -> None:
    """Remove a container of the series called ``name`` left by an earlier run, if any.

    Raises:
        NotOwnedError: A container of that name exists and the series did not make it.
    """
    import docker

    try:
        old = client.containers.get(name)
    except docker.errors.NotFound:
        return
    try:
        require_owned(old)
    except NotOwnedError:
        raise NotOwnedError(
            _(
                "A container named {name} already exists and is not the series': rename or "
                "remove it, then run this cell again."
            ).format(name=name)
        ) from None
    old.remove(force=True)


def run(
    client: docker.DockerClient,
    image: str,
    *name_parts: str,
    notebook: str,
    **kwargs: Any,
) -> docker.models.containers.Container:
    """``docker run -d`` with the series' label and name, replacing the series' own leftover.

    Args:
        client: Engine client.
        image: Image to run, e.g. ``"nginx:stable"``.
        *name_parts: Words for the name, e.g. ``("05", "always")`` -> ``dn-05-always``.
        notebook: The notebook running it, recorded in a label for cleanup.
        **kwargs: Passed to ``client.containers.run`` (``command``, ``restart_policy``, ...).
            A published port given as a bare number (``ports={"80/tcp": 8080}``) listens on
            127.0.0.1 only; give ``("0.0.0.0", 8080)`` to publish on every interface.

    Returns:
        The started container.

    Raises:
        ImageNotFound: ``image`` is not on the engine (nothing is pulled behind your back).
        PortInUse: A host port to publish on is taken (the created container is removed).

    Example:
        >>> run(client, "nginx:stable", "05", "web", notebook="05")  # doctest: +SKIP
    """
    import docker

    name = resource_name(*name_parts)
    replace_container(client, name)
    labels = {**kwargs.pop("labels", {}), **project_labels(notebook)}
    if "ports" in kwargs:
        kwargs["ports"] = loopback_ports(kwargs["ports"])
    try:
        container = client.containers.create(image, name=name, labels=labels, **kwargs)
    except docker.errors.ImageNotFound:
        raise ImageNotFound(
            _(
                "{image} is not on this engine: pull it first (docker pull {image}), then run the "
                "cell again."
            ).format(image=image)
        ) from None
    try:
        container.start()
    except docker.errors.APIError as exc:
        container.remove(force=True)  # no half-made container stays behind
        text = str(exc.explanation or exc)
        if "already allocated" in text or "address already in use" in text:
            raise PortInUse(
                _(
                    "A host port {name} asks for is already in use ({said}): stop the program "
                    "using it, or publish on another port (free_port() finds one)."
                ).format(name=name, said=text.split(": ")[-1])
            ) from None
        raise
    container.reload()
    return container


def loopback_ports(ports: dict) -> dict:
    """Bind bare host ports to 127.0.0.1, the safe default on a shared network.

    Example:
        >>> loopback_ports({"80/tcp": 8080, "53/udp": ("0.0.0.0", 5353), "81/tcp": None})
        {'80/tcp': ('127.0.0.1', 8080), '53/udp': ('0.0.0.0', 5353), '81/tcp': ('127.0.0.1',)}
    """
    bound = {}
    for container_port, host in ports.items():
        if host is None:
            bound[container_port] = ("127.0.0.1",)
        elif isinstance(host, int | str):
            bound[container_port] = ("127.0.0.1", int(host))
        else:
            bound[container_port] = host
    return bound


def ps_frame(client: docker.DockerClient, filters: dict | None = None, all: bool = False):
    """``docker ps`` as a DataFrame (name, image, state, restart policy, ports).

    Args:
        client: Engine client.
        filters: Engine API filters, e.g. ``{"name": "dn-06"}`` or ``{"id": "1c6"}``.
        all: Include stopped containers, like ``docker ps -a``.
    """
    import pandas as pd

    rows = []
    for c in client.containers.list(all=all, filters=filters or {}):
        host_config = c.attrs["HostConfig"]
        policy = host_config.get("RestartPolicy") or {}
        rows.append(
            {
                "name": c.name,
                "image": ", ".join(c.image.tags) or c.image.short_id,
                "state": c.status,
                "restart": policy.get("Name") or "no",
                "ports": format_ports(c.ports),
            }
        )
    return pd.DataFrame(rows, columns=["name", "image", "state", "restart", "ports"])


def format_ports(ports: dict | None) -> str:
    """Format an SDK ``container.ports`` dict like ``docker ps`` does.

    Example:
        >>> format_ports({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]})
        '127.0.0.1:8080->80/tcp'
        >>> format_ports({"80/tcp": None})
        '80/tcp'
    """
    parts = []
    for container_port, bindings in sorted((ports or {}).items()):
        if not bindings:
            parts.append(container_port)
            continue
        for b in bindings:
            host_ip = b["HostIp"] if ":" not in b["HostIp"] else f"[{b['HostIp']}]"
            parts.append(f"{host_ip}:{b['HostPort']}->{container_port}")
    return ", ".join(dict.fromkeys(parts))


def restart_facts(container: docker.models.containers.Container) -> dict:
    """Restart policy, restart count, state, last exit code and when it last finished (the
    engine's ``FinishedAt``), freshly read."""
    container.reload()
    state = container.attrs["State"]
    policy = container.attrs["HostConfig"].get("RestartPolicy") or {}
    name = policy.get("Name") or "no"
    if name == "on-failure" and policy.get("MaximumRetryCount"):
        name = f"on-failure:{policy['MaximumRetryCount']}"
    return {
        "policy": name,
        "restarts": container.attrs.get("RestartCount", 0),
        "state": state["Status"],
        "exit_code": state["ExitCode"],
        "finished_at": state["FinishedAt"],
    }


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and it can be bound."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) != 0


def free_port(
    preferred: int = 8080,
    host: str = "127.0.0.1",
    tries: Iterable[int] = (),
    notebook: str | None = None,
    client: docker.DockerClient | None = None,
) -> int:
    """``preferred`` when it is free, else the first free port after it (and say so).

    Args:
        preferred: The port the lesson would like.
        host: The address to check.
        tries: Ports to try instead of ``preferred..preferred+100``.
        notebook: With ``client``: a port that a running container of this notebook publishes
            counts as free, because the lesson's cells replace that container. So re-running
            a setup cell mid-lesson keeps the lesson's port instead of moving on to the next one.
        client: Engine client, to look for ``notebook``'s containers.

    With ``notebook``, the port picked is reserved for it across every engine on this machine
    until its clean-up (:mod:`helpers.ports`), so a learner on another engine (a classroom
    seat) running the same lesson at the same moment picks another one.

    Returns:
        A host port to publish on.

    Raises:
        PortInUse: No port in ``preferred..preferred+100`` is free.
    """
    ours: set[int] = set()
    if notebook is not None and client is not None:
        from .labels import label_filter

        for container in client.containers.list(filters=label_filter(notebook)):
            for bindings in (container.ports or {}).values():
                ours.update(int(b["HostPort"]) for b in bindings or [])
    from . import ports

    candidates = list(tries) or list(range(preferred, preferred + 101))
    for port in candidates:
        if port in ours or (port_is_free(port, host) and not ports.reserved_elsewhere(port)):
            if port != preferred:
                print(
                    _(
                        "Port {preferred} is taken on this machine, so this lesson uses {port}."
                    ).format(preferred=preferred, port=port)
                )
            if notebook is not None:
                ports.reserve(port, notebook)
            return port
    raise PortInUse(
        _(
            "Ports {first}-{last} are all taken on {host}: stop a program listening there and "
            "run the cell again."
        ).format(first=candidates[0], last=candidates[-1], host=host)
    )


def shortest_unique_prefix(client: docker.DockerClient, container_id: str) -> str:
    """The shortest start of ``container_id`` that starts no other container's ID on the engine
    (stopped ones count too): the least a learner can type after ``docker ps -f id=``.

    Example:
        >>> shortest_unique_prefix(client, web.id)  # doctest: +SKIP
        '1c'
    """
    others = [c.id for c in client.containers.list(all=True) if c.id != container_id]
    for length in range(1, len(container_id) + 1):
        prefix = container_id[:length]
        if not any(other.startswith(prefix) for other in others):
            return prefix
    return container_id


@dataclass(frozen=True)
class IdTwins:
    """Two containers whose IDs start alike, and the start they share."""

    names: tuple[str, str]
    prefix: str

    def __str__(self) -> str:
        return _("{first} and {second}: both IDs start with {prefix}").format(
            first=self.names[0], second=self.names[1], prefix=repr(self.prefix)
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def id_twins(
    client: docker.DockerClient,
    notebook: str,
    image: str = "nginx:stable",
    names: tuple[str, str] = ("twin-a", "twin-b"),
) -> IdTwins:
    """Create (never start) labelled containers until two IDs share their first character; keep
    those two, named ``names``, and remove the others. Re-running replaces them.

    IDs are random, so among 17 containers two always start alike, and usually among five.

    Returns:
        The two names and the first character their IDs share.

    Example:
        >>> id_twins(client, "05")  # doctest: +SKIP
        twin-a and twin-b: both IDs start with '7'
    """
    for name in names:
        replace_container(client, name)
    labels = project_labels(notebook)
    made: dict[str, Any] = {}
    while True:
        container = client.containers.create(image, command=["true"], labels=labels)
        first = container.id[0]
        if first in made:
            break
        made[first] = container
    twin = made.pop(first)
    for other in made.values():
        other.remove(force=True)
    twin.rename(names[0])
    container.rename(names[1])
    return IdTwins(names=names, prefix=first)
