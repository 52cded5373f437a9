"""A throwaway Docker Engine for experiments that must restart the daemon.

Restarting the engine a learner uses would stop every container on it, theirs included. An
experiment that needs a daemon restart (what do restart policies do when dockerd comes back?)
runs on a second ``dockerd`` of the same build instead: its own data root, socket and exec root,
its own bridge interface and no iptables rules, so it touches nothing of the main engine. Only root
can start one, like the lab engine itself.

Careful with ``--bridge none``: a dockerd started with it deletes the ``docker0`` interface,
which is the *main* engine's default bridge. The scratch engine therefore brings its own bridge
interface (``ip link add ... type bridge``, one name per engine, so two scratch engines can run
at once) and removes it when it stops.

A scratch engine need not be the installed ``dockerd``: the engine matrix
(:mod:`helpers.lab.engines`) runs Debian 12's 20.10 binary unpacked from its package, and the
installed one with extra ``daemon.json`` settings (the containerd image store).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LabError, TutorialError
from ..i18n import _
from ..state import state_dir
from . import daemon

if TYPE_CHECKING:
    import docker

START_SECONDS = 60
STOP_SECONDS = 60


class ScratchEngine:
    """A second dockerd under ``<state dir>/<name>``, started, restarted and stopped on demand.

    Example:
        >>> with scratch_engine() as engine:  # doctest: +SKIP
        ...     engine.client.containers.run("127.0.0.1:5000/library/nginx:stable", detach=True)
        ...     engine.restart()
    """

    def __init__(
        self,
        name: str = "scratch-engine",
        dockerd: str | Path = "dockerd",
        config: dict | None = None,
        bridge: str | None = None,
    ) -> None:
        """
        Args:
            name: Folder under the state directory (data root, socket, log) and exec-root suffix.
            dockerd: The dockerd binary: a name looked up on ``PATH`` or a path.
            config: Extra ``daemon.json`` settings, e.g.
                ``{"features": {"containerd-snapshotter": True}}``.
            bridge: The bridge interface to use; by default one named after ``name``.
        """
        self.name = name
        self.root = state_dir() / name
        self.socket = self.root / "docker.sock"
        # Unix socket paths are short (108 bytes): containerd's sockets live under /run.
        self.exec_root = Path("/run") / f"docker-notebooks-{name}"
        self.log = self.root / "dockerd.log"
        self.bridge = bridge or bridge_name(name)
        self.dockerd = str(dockerd)
        self.config = dict(config or {})
        self.proc: subprocess.Popen | None = None
        self.client: docker.DockerClient | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def command(self) -> list[str]:
        """The dockerd command line: a private root, socket, exec root and bridge; no iptables."""
        return [
            self.dockerd,
            "--config-file", str(self.root / "daemon.json"),
            "--data-root", str(self.root / "data"),
            "--exec-root", str(self.exec_root),
            "--pidfile", str(self.root / "dockerd.pid"),
            "--host", self.host,
            "--bridge", self.bridge,
            "--iptables=false",
            "--ip-masq=false",
        ]  # fmt: skip

    def start(self) -> ScratchEngine:
        """Start dockerd and wait (bounded) until it answers."""
        import docker

        if os.geteuid() != 0 or shutil.which(self.dockerd) is None:
            raise LabError(
                _(
                    "A scratch engine needs root and {dockerd}: run this as root after "
                    "`make setup`."
                ).format(dockerd=self.dockerd)
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.stop_leftover()
        (self.root / "daemon.json").write_text(json.dumps(self.config, indent=2) + "\n")
        if not Path(f"/sys/class/net/{self.bridge}").exists():
            subprocess.run(
                ["ip", "link", "add", "name", self.bridge, "type", "bridge"],
                check=True, capture_output=True,
            )  # fmt: skip

        def answers():
            try:
                return docker.DockerClient(base_url=self.host, timeout=30)
            except docker.errors.DockerException:  # the socket is not there or not answering yet
                return None

        self.proc, self.client = daemon.start(
            self.command(), self.log, answers, _("The scratch dockerd"), timeout=START_SECONDS
        )
        return self

    def stop_leftover(self) -> bool:
        """Stop a dockerd an earlier, interrupted run left on this engine's pid file; True if
        there was one. Without this, a new start would find the old daemon answering on the
        socket and silently use it."""
        try:
            pid = int((self.root / "dockerd.pid").read_text().strip())
        except (OSError, ValueError):
            return False
        return daemon.stop_pid(pid, "dockerd", STOP_SECONDS)

    def stop(self) -> None:
        """Stop dockerd the way a host shutdown does (SIGTERM), and wait until it has exited."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.proc is None:
            return
        if not daemon.stop_process(self.proc, STOP_SECONDS):
            raise TutorialError(
                _("The scratch dockerd ignored SIGTERM: see {log}.").format(log=self.log)
            )

    def remove_bridge(self) -> None:
        """Delete the scratch engine's bridge interface (after :meth:`stop`)."""
        if Path(f"/sys/class/net/{self.bridge}").exists():
            subprocess.run(["ip", "link", "delete", self.bridge], check=False, capture_output=True)

    def restart(self) -> None:
        """Stop and start dockerd again: the daemon restart that restart policies react to."""
        self.stop()
        self.start()

    def load(self, ref: str, source: str) -> None:
        """Make ``ref`` present: pull ``source`` (e.g. from the lab registry) and tag it ``ref``."""
        import docker

        try:
            self.client.images.get(ref)
        except docker.errors.ImageNotFound:
            repository, _sep, tag = source.rpartition(":")
            image = self.client.images.pull(repository, tag=tag)
            ref_repository, _sep, ref_tag = ref.rpartition(":")
            image.tag(ref_repository, ref_tag)


def bridge_name(name: str) -> str:
    """The bridge interface of the scratch engine ``name``: ``dn-`` and a short hash (interface
    names have at most 15 characters), so engines of different names never share one."""
    return "dn-" + hashlib.sha256(name.encode()).hexdigest()[:8]


@contextlib.contextmanager
def scratch_engine(
    name: str = "scratch-engine",
    dockerd: str | Path = "dockerd",
    config: dict | None = None,
    bridge: str | None = None,
) -> Iterator[ScratchEngine]:
    """A started :class:`ScratchEngine` whose containers are removed and daemon stopped after.

    The arguments are :class:`ScratchEngine`'s.
    """
    engine = ScratchEngine(name, dockerd, config, bridge).start()
    try:
        yield engine
    finally:
        if engine.client is not None:
            for container in engine.client.containers.list(all=True):
                with contextlib.suppress(Exception):
                    container.remove(force=True)
        engine.stop()
        engine.remove_bridge()
