"""The lab registry: Debian's ``docker-registry`` on :data:`~helpers.registry_api.REGISTRY_HOST`,
loopback only."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from ..errors import LabError
from ..registry_api import REGISTRY_HOST, registry_answers
from ..state import state_dir
from . import apt, daemon
from .progress import say
from .records import record_process, recorded_pid

REGISTRY_WAIT_SECONDS = 30


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def registry_config(root: Path) -> str:
    """The docker-registry configuration: loopback only, data under ``root``, deletes allowed."""
    return f"""version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {REGISTRY_HOST}
  headers:
    X-Content-Type-Options: [nosniff]
"""


def ensure_registry(state: dict) -> str:
    """Make sure a registry answers on :data:`~helpers.registry_api.REGISTRY_HOST`; return who
    runs it (``lab``/``existing``)."""
    if registry_answers():
        return "lab" if recorded_pid(state, "registry", "docker-registry") else "existing"
    host, port = REGISTRY_HOST.rsplit(":", 1)
    if _port_taken(host, int(port)):
        raise LabError(
            f"Port {port} on {host} is taken by a program that is not a Docker registry: stop it "
            "so the lab registry can listen there, then run `make setup` again."
        )
    if not shutil.which("docker-registry"):
        if not apt.can_install_packages():
            raise LabError(
                "Docker Hub is unreachable and the lab registry is not installed: install "
                "Debian's docker-registry package (as root), then run `make setup` again."
            )
        apt.install(["docker-registry"])
    directory = state_dir()
    config = directory / "registry.yml"
    config.write_text(registry_config(directory / "registry"))
    log = directory / "registry.log"
    cmd = ["docker-registry", "serve", str(config)]
    say(f"starting the lab registry on {REGISTRY_HOST} (log: {log})")
    proc, _ = daemon.start(
        cmd, log, lambda: registry_answers(timeout=1), "docker-registry",
        timeout=REGISTRY_WAIT_SECONDS,
    )  # fmt: skip
    record_process(state, "registry", proc, cmd, log)
    return "lab"
