"""The lab engine: use the Docker Engine that answers, or install and start one.

An engine that already answers (``DOCKER_HOST``, a CLI context, the default socket) is used as
it is, whatever its version from 20.10 on, and never reconfigured or restarted. When none answers
and the lab runs as root on Debian or Ubuntu, it installs a current engine with BuildKit (buildx)
and Compose v2 and starts ``dockerd`` with the lab registry as its Docker Hub mirror:

- on Debian 12, Debian 13's ``docker.io`` 26.1, ``docker-cli``, ``docker-buildx`` and
  ``docker-compose`` beside Debian 12's own containerd and runc (Debian 12's own engine, 20.10,
  went out of support in 2023);
- on Debian 13 and later, and on Ubuntu, the host's own packages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import engine as engine_mod
from ..errors import EnginePermissionDenied, EngineUnavailable, LabError
from ..i18n import _
from ..registry_api import REGISTRY_URL
from ..state import state_dir
from . import apt, daemon
from .progress import say
from .records import record_process, recorded_pid

ENGINE_WAIT_SECONDS = 90
#: Debian 12 (bookworm) takes its engine from this release.
ENGINE_RELEASE_FOR_BOOKWORM = "trixie"
ENGINE_PACKAGES = ["docker.io", "docker-cli", "docker-buildx", "docker-compose"]
#: The oldest engine the lab installs; an older installed one is upgraded when none answers.
LAB_ENGINE_MAJOR = 26


def _daemon_json() -> dict:
    try:
        return json.loads(Path("/etc/docker/daemon.json").read_text())
    except (OSError, ValueError):
        return {}


def dockerd_command(pidfile: Path) -> list[str]:
    """The dockerd command line the lab uses.

    A setting that ``/etc/docker/daemon.json`` already makes is not repeated as a flag: dockerd
    refuses to start when the same option is set in both places.
    """
    config = _daemon_json()
    cmd = ["dockerd"]
    if "pidfile" not in config:
        cmd += ["--pidfile", str(pidfile)]
    if "registry-mirrors" not in config:
        cmd += ["--registry-mirror", REGISTRY_URL]
    return cmd


def _major(version: str | None) -> int:
    head = (version or "0").split(":")[-1].split(".")[0]
    return int(head) if head.isdigit() else 0


def install_engine() -> None:
    """Install a current Docker Engine with buildx and Compose v2 (see the module docstring)."""
    release = apt.os_release()
    if release.get("ID") == "debian" and release.get("VERSION_CODENAME") == "bookworm":
        if _major(apt.installed_version("docker.io")) < LAB_ENGINE_MAJOR or any(
            apt.installed_version(p) is None for p in ENGINE_PACKAGES
        ):
            apt.install_from_release(ENGINE_RELEASE_FOR_BOOKWORM, ENGINE_PACKAGES)
    elif release.get("ID") == "ubuntu":
        apt.install(["docker.io", "docker-buildx", "docker-compose-v2"])
    else:
        apt.install(["docker.io", "docker-buildx", "docker-compose"])
    apt.install(["iproute2"])


def start_dockerd(state: dict) -> None:
    """Install (if needed) and start the lab's dockerd; wait, bounded, until it answers."""
    if not apt.can_install_packages():
        raise LabError(
            _(
                "No Docker Engine answers and the lab can install one only as root on Debian or "
                "Ubuntu: install Docker Engine (https://docs.docker.com/engine/install/), start "
                "it, then run `make setup` again."
            )
        )
    install_engine()
    directory = state_dir()
    log = directory / "dockerd.log"
    cmd = dockerd_command(directory / "dockerd.pid")
    say(_("starting the lab engine: {command} (log: {log})").format(command=" ".join(cmd), log=log))
    endpoint = engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "lab")
    proc, _client = daemon.start(
        cmd, log, lambda: engine_mod.connect(endpoint, timeout=5), "dockerd",
        timeout=ENGINE_WAIT_SECONDS,
    )  # fmt: skip
    record_process(state, "dockerd", proc, cmd, log)


def ensure_engine(state: dict):
    """Connect to the engine that answers, or start the lab's own; return (client, origin).

    Only root starts an engine: a learner who is not root and reaches none gets the sentence of
    :func:`helpers.engine.connect` (at the default socket, their two ways forward: the docker
    group, or a rootless engine of their own), and nothing is installed or started.
    """
    endpoint = engine_mod.resolve_endpoint()
    try:
        client = engine_mod.connect(endpoint)
    except EnginePermissionDenied:
        raise
    except EngineUnavailable:
        if os.geteuid() != 0:
            raise
        if endpoint.source != "default socket":
            raise LabError(
                _(
                    "No Docker Engine answers at {where} ({source}): start that engine, or unset "
                    "it so the lab can start its own."
                ).format(where=endpoint.host, source=endpoint.source)
            ) from None
        start_dockerd(state)
        client = engine_mod.connect(engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "default socket"))
        return client, "lab"
    return client, engine_origin(state)


def engine_origin(state: dict) -> str:
    """``lab`` when the answering engine is the dockerd ``up`` started, else ``existing``."""
    return "lab" if recorded_pid(state, "dockerd", "dockerd") else "existing"
