"""The lab registry: Debian's ``docker-registry`` on :data:`~helpers.registry_api.REGISTRY_HOST`,
loopback only.

The pieces are shared with the classroom cache (:mod:`.cache`), the same program in proxy mode:
:func:`registry_config` writes either configuration, :func:`install_registry` installs the
package once, :func:`serve` starts one and waits until it answers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from ..errors import LabError
from ..i18n import _
from ..registry_api import REGISTRY_HOST, registry_answers
from ..state import state_dir
from . import apt, daemon
from .progress import say
from .records import record_process, recorded_pid

REGISTRY_WAIT_SECONDS = 30


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def registry_config(root: Path, addr: str = REGISTRY_HOST, proxy_url: str | None = None) -> str:
    """The docker-registry configuration: listening on ``addr`` (the lab registry's loopback
    address by default), data under ``root``, deletes allowed; with ``proxy_url``, a pull-through
    cache of that registry (proxy mode), which refuses pushes."""
    proxy = f"proxy:\n  remoteurl: {proxy_url}\n" if proxy_url else ""
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
  addr: {addr}
  headers:
    X-Content-Type-Options: [nosniff]
{proxy}"""


def install_registry(why: str, retry: str = "make setup") -> None:
    """Install Debian's docker-registry package unless it is there.

    Args:
        why: The start of the error sentence when it cannot be installed (no root, no apt), e.g.
            ``"Docker Hub is unreachable and the lab registry is not installed"``.
        retry: The command to run again after installing it by hand.

    Raises:
        LabError: It is missing and this user cannot install packages.
    """
    if shutil.which("docker-registry"):
        return
    if not apt.can_install_packages():
        raise LabError(
            _(
                "{why}: install Debian's docker-registry package (as root), then run `{retry}` "
                "again."
            ).format(why=why, retry=retry)
        )
    apt.install(["docker-registry"])


def serve(config: Path, text: str, log: Path, url: str, what: str) -> tuple[subprocess.Popen, list]:
    """Write ``text`` to ``config``, start ``docker-registry serve`` on it (output to ``log``)
    and wait until a registry answers at ``url``; return the process and its command line.

    Raises:
        LabError: It exited at start or did not answer within ``REGISTRY_WAIT_SECONDS``.
    """
    config.write_text(text)
    cmd = ["docker-registry", "serve", str(config)]
    say(_("starting {what} (log: {log})").format(what=what, log=log))
    proc, _answered = daemon.start(
        cmd, log, lambda: registry_answers(timeout=1, url=url), "docker-registry",
        timeout=REGISTRY_WAIT_SECONDS,
    )  # fmt: skip
    return proc, cmd


def ensure_registry(state: dict) -> str:
    """Make sure a registry answers on :data:`~helpers.registry_api.REGISTRY_HOST`; return who
    runs it (``lab``/``existing``)."""
    if registry_answers():
        return "lab" if recorded_pid(state, "registry", "docker-registry") else "existing"
    host, port = REGISTRY_HOST.rsplit(":", 1)
    if port_taken(host, int(port)):
        raise LabError(
            _(
                "Port {port} on {host} is taken by a program that is not a Docker registry: stop "
                "it so the lab registry can listen there, then run `make setup` again."
            ).format(port=port, host=host)
        )
    install_registry(_("Docker Hub is unreachable and the lab registry is not installed"))
    directory = state_dir()
    log = directory / "registry.log"
    proc, cmd = serve(
        directory / "registry.yml",
        registry_config(directory / "registry"),
        log,
        f"http://{REGISTRY_HOST}",
        _("the lab registry on {host}").format(host=REGISTRY_HOST),
    )
    record_process(state, "registry", proc, cmd, log)
    return "lab"
