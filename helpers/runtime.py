"""Look under Docker: the containerd that runs its containers, and shared network namespaces."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

from .i18n import _

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
            _(
                "ctr or the containerd socket is not on this machine (Docker Desktop keeps "
                "containerd inside its VM): the lesson's text shows what it would print."
            )
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
        _("port {port} in {name}").format(port=port, name=container.name),
    )


def check_joined_pod(client: docker.DockerClient, name: str, pod: str, joined: str) -> str:
    """Lesson 01's exercise: is container ``name`` running in the network namespace of ``pod``
    (the Pod's first container), as the lesson's ``joined`` container is?

    Args:
        client: Engine client.
        name: The learner's container, e.g. ``"dn-01-pod-shell"``.
        pod: The container whose namespace makes the Pod, e.g. ``"dn-01-pod"``.
        joined: The lesson's container that joined the Pod, named in a hint.

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    found = client.containers.list(all=True, filters={"name": f"^{name}$"})
    if not found:
        return _(
            "Hint: no container is named {name} yet: look at the --name of your docker run."
        ).format(name=name)
    if found[0].status != "running":
        return _("Hint: {name} is not running: look at the command it runs (docker ps -a).").format(
            name=name
        )
    if network_namespace(found[0]) != network_namespace(client.containers.get(pod)):
        return _("Hint: {name} has a namespace of its own: look at how {joined} joined.").format(
            name=name, joined=joined
        )
    return _("Pass: {name} shares {pod}'s network namespace; it is in the Pod.").format(
        name=name, pod=pod
    )
