"""Look under Docker: the containerd that runs its containers, and shared network namespaces."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import docker

#: Sockets of containerd: the one dockerd starts itself, then a system-wide one.
CONTAINERD_SOCKETS = (
    "/var/run/docker/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
)


def containerd_containers(namespace: str = "moby") -> list[str]:
    """IDs of the containers containerd holds in ``namespace`` (Docker's is ``moby``).

    Runs ``ctr -n moby containers list -q`` against whichever containerd socket exists.

    Returns:
        Container IDs, as containerd knows them (the same 64-hex IDs Docker shows).

    Raises:
        FileNotFoundError: ``ctr`` or the containerd socket is not on this machine (Docker
            Desktop keeps containerd inside its VM).
    """
    from pathlib import Path

    ctr = shutil.which("ctr")
    socket = next((s for s in CONTAINERD_SOCKETS if Path(s).exists()), None)
    if not ctr or not socket:
        raise FileNotFoundError(
            "ctr or the containerd socket is not on this machine (Docker Desktop keeps "
            "containerd inside its VM): the lesson's text shows what it would print."
        )
    done = subprocess.run(
        [ctr, "--address", socket, "-n", namespace, "containers", "list", "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def network_namespace(container: docker.models.containers.Container) -> str:
    """The network namespace a container lives in, as the kernel names it (``net:[4026...]``)."""
    return container.exec_run(["readlink", "/proc/self/ns/net"]).output.decode().strip()


def wait_listening(container: docker.models.containers.Container, port: int, timeout: float = 15):
    """Wait (bounded) until something listens on ``port`` inside ``container``'s network.

    Probes from inside the container with bash's ``/dev/tcp``, so it works for containers whose
    ports are not published. Returns True, or raises a TutorialError after ``timeout`` seconds.
    """
    from .polling import wait_for

    probe = ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"]
    return wait_for(
        lambda: container.exec_run(probe).exit_code == 0,
        timeout,
        0.1,
        f"port {port} in {container.name}",
    )
