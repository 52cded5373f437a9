"""Look inside a Compose project the way lesson 09 does: its containers, their health, and which
replicas answer behind a proxy.

``docker compose`` labels every container it makes with ``com.docker.compose.project`` and
``com.docker.compose.service``; these helpers select by those labels (the series' own label
decides only what the clean-up removes). They read and wait, bounded; they never create or
remove anything.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .i18n import _
from .polling import wait_for

if TYPE_CHECKING:
    import docker

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


def project_containers(
    client: docker.DockerClient, project: str, service: str | None = None, all: bool = False
) -> list:
    """The containers of a Compose project (of one of its services), sorted by name.

    Args:
        client: Engine client.
        project: The project's name (``name:`` in compose.yaml, or ``-p``).
        service: Only this service's containers (its replicas).
        all: Stopped and created containers too, as ``docker compose ps -a``.

    Returns:
        ``docker.models.containers.Container`` objects, fully inspected.

    Example:
        >>> [c.name for c in project_containers(client, "dn-09-hello", "app")]  # doctest: +SKIP
        ['dn-09-hello-app-1', 'dn-09-hello-app-2']
    """
    labels = [f"{PROJECT_LABEL}={project}"]
    if service:
        labels.append(f"{SERVICE_LABEL}={service}")
    found = client.containers.list(all=all, filters={"label": labels})
    return sorted(found, key=lambda c: c.name)


def health(container) -> str | None:
    """The container's health status (``starting``, ``healthy``, ``unhealthy``), or None when its
    image and its compose service define no health check."""
    return (container.attrs.get("State", {}).get("Health") or {}).get("Status")


def wait_healthy(
    client: docker.DockerClient, project: str, service: str, replicas: int = 1, timeout: float = 60
) -> None:
    """Wait (bounded) until ``replicas`` containers of ``service`` run and report healthy; print
    one line saying so.

    Raises:
        TutorialError: They were not all healthy within ``timeout`` seconds.

    Example:
        >>> wait_healthy(client, "dn-09-hello", "app")  # doctest: +SKIP
        1 container of service app is healthy: dn-09-hello-app-1.
    """

    def all_healthy() -> list:
        found = project_containers(client, project, service)
        return found if len(found) == replicas and all(map(_is_healthy, found)) else []

    found = wait_for(
        all_healthy,
        timeout=timeout,
        interval=0.2,
        what=_("{count} healthy container(s) of service {service}").format(
            count=replicas, service=service
        ),
        hint=_("look at `docker compose ps` and `docker compose logs`"),
    )
    names = ", ".join(c.name for c in found)
    if replicas == 1:
        said = _("{count} container of service {service} is healthy: {names}.")
    else:
        said = _("{count} containers of service {service} are healthy: {names}.")
    print(said.format(count=replicas, service=service, names=names))


def _is_healthy(container) -> bool:
    return health(container) == "healthy"


def replies_seen(url: str, want: int, timeout: float = 15) -> set[str]:
    """Ask ``url`` again and again until ``want`` different replies came back, or ``timeout``
    seconds passed; return the different replies seen (fewer than ``want`` when time ran out).

    Behind a proxy that spreads requests over replicas that each answer with their hostname,
    the replies tell the replicas apart.

    Example:
        >>> replies_seen("http://127.0.0.1:8089", want=2)  # doctest: +SKIP
        {'Hello from 1f2e3d4c5b6a', 'Hello from 6a5b4c3d2e1f'}
    """
    import requests

    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < want and time.monotonic() < deadline:
        try:
            reply = requests.get(url, timeout=2)
        except requests.RequestException:
            reply = None
        if reply is not None and reply.ok:
            seen.add(reply.text.strip())
        else:
            time.sleep(0.1)
    return seen


def host_ports(container, container_port: int = 80) -> list[tuple[str, int]]:
    """Where ``container_port`` of ``container`` is published: ``(host address, host port)``."""
    bindings = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(
        f"{container_port}/tcp"
    )
    return [(b["HostIp"], int(b["HostPort"])) for b in bindings or []]


def wait_restarted(client: docker.DockerClient, name: str, times: int = 1, timeout: float = 30):
    """Wait (bounded) until the engine has restarted container ``name`` ``times`` times and it
    runs again; print one line saying so.

    Raises:
        TutorialError: It had not within ``timeout`` seconds.

    Example:
        >>> wait_restarted(client, "dn-09-hello-app-1")  # doctest: +SKIP
        dn-09-hello-app-1 runs again, restarted by the engine 1 time.
    """

    def again():
        container = client.containers.get(name)
        state = container.attrs["State"]
        return container.attrs["RestartCount"] >= times and state["Status"] == "running"

    wait_for(
        again,
        timeout=timeout,
        interval=0.1,
        what=_("{name} to be restarted").format(name=name),
        hint=_("look at `docker ps -a` and `docker inspect {name}`").format(name=name),
    )
    count = client.containers.get(name).attrs["RestartCount"]
    if count == 1:
        said = _("{name} runs again, restarted by the engine {count} time.")
    else:
        said = _("{name} runs again, restarted by the engine {count} times.")
    print(said.format(name=name, count=count))


def check_replicas_behind_proxy(client: docker.DockerClient, project: str, lesson_port: int) -> str:
    """Lesson 09's exercise: does the Compose ``project`` run again with its proxy on another
    host port of 127.0.0.1 than ``lesson_port``, and do three app replicas answer through it?

    Args:
        client: Engine client.
        project: The Compose project's name (``"dn-09-hello"``).
        lesson_port: The port the lesson's proxy published, which the exercise must not reuse.

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    proxies = project_containers(client, project, "proxy")
    apps = project_containers(client, project, "app")
    ports = [port for c in proxies for address, port in host_ports(c) if address == "127.0.0.1"]
    answers = replies_seen(f"http://127.0.0.1:{ports[0]}", want=3) if ports else set()
    if ports and ports[0] != lesson_port and len(apps) == 3 and len(answers) == 3:
        return _("Pass: three app replicas answer through the proxy on 127.0.0.1:{port}.").format(
            port=ports[0]
        )
    if not ports:
        return _(
            "Hint: no proxy of {project} publishes a port: look at `docker compose ps -a`."
        ).format(project=project)
    if ports[0] == lesson_port:
        return _(
            "Hint: the proxy publishes {port} again: look at how compose.yaml reads PROXY_PORT."
        ).format(port=lesson_port)
    if len(apps) != 3:
        return _(
            "Hint: {count} app containers run, not 3: look at the --scale option of up."
        ).format(count=len(apps))
    return _("Hint: fewer than three replicas answered: look at `docker compose logs proxy`.")
