"""Which learner's set-up the series runs on, and what differs there.

The stored outputs come from root on a Linux machine with its own engine. Learners mostly are
not root: on Linux they are in the ``docker`` group, or run a rootless engine of their own; on a
Mac or Windows laptop they run Docker Desktop, whose engine lives in a virtual machine. A lesson
whose demo cannot work on a set-up asks this module, says in one sentence what differs and why,
and shows what the learner sees there instead of failing.

Set-ups (:func:`setup_kind`):

- ``root``: root, on this machine's engine;
- ``docker-group``: an unprivileged user allowed on root's engine through the socket's group;
- ``rootless``: a rootless engine of the user's own (its own user and network namespace);
- ``desktop``: Docker Desktop (the engine in a virtual machine);
- ``podman``: Podman's Docker-compatible socket;
- ``other``: any other engine (TCP, SSH, another user's socket).
"""

from __future__ import annotations

import contextlib
import grp
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _
from .labels import NAME_PREFIX, PROJECT_LABELS
from .polling import wait_for

if TYPE_CHECKING:
    import docker

    from .engine import EngineFacts

ROOT, DOCKER_GROUP, ROOTLESS, DESKTOP, PODMAN, OTHER = (
    "root", "docker-group", "rootless", "desktop", "podman", "other",
)  # fmt: skip
KINDS = (ROOT, DOCKER_GROUP, ROOTLESS, DESKTOP, PODMAN, OTHER)
#: Set-ups whose host does not route into the engine's bridge network.
UNROUTED = (ROOTLESS, DESKTOP)


def _socket(facts: EngineFacts) -> Path | None:
    host = facts.endpoint.host
    return Path(host[len("unix://") :]) if host.startswith("unix://") else None


def setup_kind(facts: EngineFacts, euid: int | None = None) -> str:
    """The set-up of the engine ``facts`` describe, as this user (``euid``, this process's by
    default) reaches it.

    Example:
        >>> from helpers.engine import EngineFacts, Endpoint
        >>> facts = EngineFacts("26.1.5", "1.45", "1.6.20", "linux/amd64",
        ...                     Endpoint("unix:///run/user/1001/docker.sock", "DOCKER_HOST"), (),
        ...                     rootless=True)
        >>> setup_kind(facts)
        'rootless'
    """
    euid = os.geteuid() if euid is None else euid
    if facts.product.startswith("Podman"):
        return PODMAN
    if facts.operating_system.startswith("Docker Desktop"):
        return DESKTOP
    if facts.rootless:
        return ROOTLESS
    socket = _socket(facts)
    if socket is None:
        return OTHER
    if euid == 0:
        return ROOT
    with contextlib.suppress(OSError):
        owner = socket.stat()
        if owner.st_uid == 0 and owner.st_gid in os.getgroups():
            return DOCKER_GROUP
    return OTHER


def describe(facts: EngineFacts, euid: int | None = None) -> str:
    """One line for the setup cell: which set-up this is, and what differs there.

    Example:
        >>> from helpers.engine import EngineFacts, Endpoint
        >>> facts = EngineFacts("26.1.5", "1.45", "1.6.20", "linux/amd64",
        ...                     Endpoint("unix:///var/run/docker.sock", "default socket"), ())
        >>> describe(facts, euid=0)
        "root, on this machine's engine"
    """
    kind = setup_kind(facts, euid)
    if kind == ROOT:
        return _("root, on this machine's engine")
    if kind == DOCKER_GROUP:
        group = grp.getgrgid(_socket(facts).stat().st_gid).gr_name
        return _(
            "you, in the {group} group, on root's engine (some looks under it need root)"
        ).format(group=group)
    if kind == ROOTLESS:
        return _(
            "a rootless engine of your own, in a network of its own: containers' bridge addresses "
            "do not answer from this machine"
        )
    if kind == DESKTOP:
        return _(
            "Docker Desktop, whose engine runs in a virtual machine: containers' bridge addresses "
            "do not answer from this machine"
        )
    if kind == PODMAN:
        return _("Podman's Docker-compatible socket: Docker-only features (Swarm, BuildKit) differ")
    return _("the engine at {host}").format(host=facts.endpoint.host)


def bridge_unreached(kind: str) -> str:
    """The sentence lesson 06 prints when this machine does not reach the engine's bridge
    network, so it asks from a container on that network instead.

    Args:
        kind: The set-up (:func:`setup_kind`, ``lab.kind``), named in the sentence.

    Example:
        >>> bridge_unreached("rootless")
        "This machine does not reach the engine's bridge network (rootless): a container on it does."
    """  # noqa: E501
    return _(
        "This machine does not reach the engine's bridge network ({kind}): a container on it does."
    ).format(kind=kind)


@contextlib.contextmanager
def probe_container(
    client: docker.DockerClient, image: str = "nginx:stable"
) -> Iterator[tuple[str, str]]:
    """A labelled container of ``image`` (an nginx image the engine already has) serving a
    token of its own on port 80; yields ``(bridge IP, token)`` once nginx listens, and removes
    the container afterwards. The token tells this container's reply from another engine's
    container at the same address (a rootless engine reuses 172.17.0.0/16)."""
    token = secrets.token_hex(8)
    script = (
        "for d in /usr/share/nginx/html /var/www/html; do "
        f"[ -d $d ] && echo {token} > $d/index.html; done; exec nginx -g 'daemon off;'"
    )
    container = client.containers.run(
        image, ["sh", "-c", script], detach=True, labels=dict(PROJECT_LABELS),
        name=f"{NAME_PREFIX}-bridge-probe-{token[:6]}",
    )  # fmt: skip
    try:

        def listening():
            # port 80 (0050) in state LISTEN (0A), read inside the container: no tool needed
            done = container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"])
            rows = [line.split() for line in done.output.decode().splitlines()]
            return any(len(r) > 3 and r[1].endswith(":0050") and r[3] == "0A" for r in rows)

        wait_for(listening, timeout=20, what=_("nginx in the probe container to listen"))
        container.reload()
        yield container.attrs["NetworkSettings"]["IPAddress"], token
    finally:
        container.remove(force=True)


def bridge_ip_answers(client: docker.DockerClient, image: str = "nginx:stable") -> bool | None:
    """Whether this machine reaches a container's bridge IP: ask ``http://<bridge IP>/`` of a
    :func:`probe_container` for its token. None when the engine has no ``image`` (nothing is
    pulled, so a lesson's first pull still downloads)."""
    import docker
    import requests

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return None
    with probe_container(client, image) as (ip, token):
        try:
            return token in requests.get(f"http://{ip}/", timeout=3).text
        except requests.RequestException:
            return False


def containerd_address(docker_host: str) -> str:
    """The socket of the containerd that runs the containers of the engine at ``docker_host``,
    in dockerd's layout: beside the engine's socket, ``<socket without .sock>/containerd/
    containerd.sock`` (``/var/run/docker/containerd/containerd.sock`` for root's engine,
    ``$XDG_RUNTIME_DIR/docker/containerd/containerd.sock`` for a rootless one), when that folder
    is there, even if only root may look inside; else the system's containerd.

    Example:
        >>> containerd_address("unix:///nowhere/docker.sock")
        '/run/containerd/containerd.sock'
    """
    if docker_host.startswith("unix://"):
        engine_dir = Path(docker_host[len("unix://") :]).with_suffix("")
        if engine_dir.is_dir():
            return str(engine_dir / "containerd" / "containerd.sock")
    return "/run/containerd/containerd.sock"
