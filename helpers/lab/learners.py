"""Learners' set-ups: the series on an unprivileged user's machine, and one engine per learner.

Two set-ups besides root on the lab engine, for a lesson to be tried on before it claims to hold
everywhere (issues #15 and #16):

- a **docker-group learner**: an unprivileged user in the ``docker`` group, who talks to the root
  engine through its socket (:func:`create_learner`);
- a **rootless engine** of a learner's own (:func:`start_rootless_engine`): Debian's
  ``rootlesskit``, ``slirp4netns`` and ``uidmap`` with the ``dockerd-rootless.sh`` that
  ``docker.io`` ships, as a classroom server would give each learner. Inside rootlesskit's
  network ``127.0.0.1`` is the engine's own loopback and the host's is ``10.0.2.2``; a
  ``socat`` forwarder in that network makes the lab registry answer at ``127.0.0.1:5000``
  there too, as a registry container of the learner's own would, so the engine's Docker Hub
  mirror, BuildKit's pulls and lesson 07's pushes use the address root's engine uses.

:func:`setup_facts` reports what a lesson may branch on: rootless or not, the cgroup driver,
whether the host reaches a container's bridge IP, whether ``ctr`` may open the engine's
containerd socket.

Only users this module made are ever removed: they carry :data:`MARK` as their comment (GECOS).
A host setting changed for rootless engines (``/dev/net/tun``'s mode) is recorded in
``<state dir>/learners.json`` and put back by :func:`restore_host`. Everything here needs root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from .. import engine as engine_mod
from ..errors import LabError, TutorialError
from ..labels import NAME_PREFIX
from ..polling import wait_for
from ..registry_api import REGISTRY_URL, rootless_mirror_url
from ..setups import bridge_ip_answers, probe_container  # noqa: F401 - re-exported for the tests
from ..state import locked_json
from . import apt, daemon
from .progress import say
from .records import pid_alive, pid_command

#: The docker-group learner's default name.
LEARNER = f"{NAME_PREFIX}-learner"
#: The rootless learner's default name.
ROOTLESS_LEARNER = f"{NAME_PREFIX}-rootless"
#: The comment (GECOS field) of every user the series made; removal requires it.
MARK = "docker-notebooks learner"
#: Debian's packages a rootless engine needs besides docker.io.
ROOTLESS_PACKAGES = ("rootlesskit", "slirp4netns", "uidmap", "socat")
#: Where docker.io keeps ``dockerd-rootless.sh``.
CONTRIB = Path("/usr/share/docker.io/contrib")
TUN = Path("/dev/net/tun")
#: The mode Debian gives ``/dev/net/tun``.
TUN_DEBIAN_MODE = 0o666
#: Subordinate IDs each learner gets (login.defs' default).
SUBID_COUNT = 65536
SUBID_START = 100000
ROOTLESS_START_SECONDS = 60
ROOTLESS_STOP_SECONDS = 30
#: The ledger in the series' state directory (``learners.json``).
LEDGER = "learners"


def _require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("Learners' set-ups change users and host settings: run this as root.")


def _user(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def is_series_user(name: str) -> bool:
    """True when the user ``name`` exists and was made by this module (its comment is
    :data:`MARK`).

    Example:
        >>> is_series_user("root")
        False
    """
    user = _user(name)
    return user is not None and user.pw_gecos.split(",")[0] == MARK


def _groups_of(name: str) -> set[str]:
    done = subprocess.run(["id", "-nG", name], capture_output=True, text=True)
    return set(done.stdout.split())


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        raise LabError(f"`{' '.join(cmd)}` failed ({last[0]}): see its message.")
    return done


def create_learner(name: str = LEARNER, groups: tuple[str, ...] = ("docker",)) -> pwd.struct_passwd:
    """Create (or reuse) an unprivileged learner, home under ``/home``, in ``groups``.

    Args:
        name: The user name.
        groups: Supplementary groups; the default ``docker`` lets the learner use the root
            engine's socket. Pass ``()`` for a learner with an engine of their own.

    Returns:
        The user's ``pwd`` entry.

    Raises:
        LabError: Not root, or ``name`` exists but is not one of the series' users (it is never
            changed then), or ``useradd`` failed.

    Example:
        >>> create_learner("dn-learner").pw_dir  # doctest: +SKIP
        '/home/dn-learner'
    """
    _require_root()
    user = _user(name)
    if user is not None and not is_series_user(name):
        raise LabError(
            f"The user {name} exists and is not one of the series' learners: choose another name."
        )
    if user is None:
        cmd = ["useradd", "--create-home", "--home-dir", f"/home/{name}", "--shell", "/bin/bash"]
        cmd += ["--comment", MARK]
        if groups:
            cmd += ["--groups", ",".join(groups)]
        _run([*cmd, name])
        say(f"made the learner {name} (groups: {', '.join(groups) or 'none'})")
    else:
        missing = [group for group in groups if group not in _groups_of(name)]
        if missing:
            _run(["usermod", "--append", "--groups", ",".join(missing), name])
        say(f"the learner {name} is there (groups: {', '.join(sorted(_groups_of(name)))})")
    return pwd.getpwnam(name)


def _user_processes(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid and pid_alive(int(entry.name)):
                    found.append(int(entry.name))
    return found


def remove_learner(name: str = LEARNER) -> bool:
    """Remove a learner the series made, with their home, rootless engine and runtime folder.

    A running rootless engine is stopped first; processes still left to that user (a container
    shim, a command a test started) get SIGTERM, then SIGKILL, by pid. A user the series did not
    make is never touched.

    Args:
        name: The user name.

    Returns:
        True when the user existed and was removed; False when there was no such user.

    Raises:
        LabError: Not root, or ``name`` is not one of the series' users.
    """
    _require_root()
    user = _user(name)
    if user is None:
        say(f"no learner {name} to remove")
        return False
    if not is_series_user(name):
        raise LabError(f"The user {name} is not one of the series' learners: it stays as it is.")
    stop_rootless_engine(name)
    leftovers = _user_processes(user.pw_uid)
    if leftovers:
        say(f"ending what {name} still runs (pids {', '.join(map(str, leftovers))})")
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        try:
            wait_for(lambda: not _user_processes(user.pw_uid), timeout=10, what="them to end")
        except TutorialError:
            for pid in _user_processes(user.pw_uid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            wait_for(lambda: not _user_processes(user.pw_uid), timeout=10, what="them to die")
    _run(["userdel", "--remove", name])
    runtime = Path(f"/run/user/{user.pw_uid}")
    with locked_json(LEDGER) as ledger:
        made = ledger.get("runtime_dirs", {}).pop(name, None)
        if made and runtime.is_dir():
            shutil.rmtree(runtime, ignore_errors=True)
        if ledger.get("made_run_user") and not ledger.get("runtime_dirs"):
            with contextlib.suppress(OSError):  # only when empty
                runtime.parent.rmdir()
            ledger.pop("made_run_user")
    say(f"removed the learner {name} and their home")
    return True


def _subid_ranges(path: Path) -> list[tuple[str, int, int]]:
    ranges = []
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            parts = line.strip().split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                ranges.append((parts[0], int(parts[1]), int(parts[2])))
    return ranges


def ensure_subids(name: str) -> tuple[int, int]:
    """Give ``name`` subordinate user and group IDs (``/etc/subuid``, ``/etc/subgid``) unless
    they have some; ``useradd`` already does on Debian.

    Returns:
        The first subordinate uid and how many there are.
    """
    for path in (Path("/etc/subuid"), Path("/etc/subgid")):
        if not any(owner == name for owner, _, _ in _subid_ranges(path)):
            start = max([SUBID_START] + [first + count for _, first, count in _subid_ranges(path)])
            flag = "--add-subuids" if path.name == "subuid" else "--add-subgids"
            _run(["usermod", flag, f"{start}-{start + SUBID_COUNT - 1}", name])
            say(f"gave {name} subordinate IDs {start}-{start + SUBID_COUNT - 1} ({path})")
    owner, first, count = next(r for r in _subid_ranges(Path("/etc/subuid")) if r[0] == name)
    return first, count


def open_tun_for_users() -> None:
    """Give ``/dev/net/tun`` Debian's mode 0666 when it is 0600, which slirp4netns needs as a
    user, and record the change so :func:`restore_host` can undo it. Any other mode stays."""
    mode = stat.S_IMODE(TUN.stat().st_mode)
    if mode != 0o600:
        return
    with locked_json(LEDGER) as ledger:
        ledger.setdefault("tun_mode", oct(mode))
    TUN.chmod(TUN_DEBIAN_MODE)
    say(
        f"{TUN} was 0600, so slirp4netns could not open it as a learner: it now has Debian's "
        "default 0666 (restore_host() puts 0600 back)."
    )


def restore_host() -> bool:
    """Put back what :func:`open_tun_for_users` changed, once no rootless engine runs; True
    when something was put back."""
    with locked_json(LEDGER) as ledger:
        if any(rootless_engine_pid(name) for name in ledger.get("rootless", {})):
            say("a rootless engine still runs: the host's settings stay as they are")
            return False
        mode = ledger.pop("tun_mode", None)
    if mode is None:
        return False
    TUN.chmod(int(mode, 8))
    say(f"{TUN} has its mode {mode[2:].zfill(4)} back")
    return True


def runtime_dir(user: pwd.struct_passwd) -> Path:
    """``/run/user/UID`` for ``user`` (owned by them, 0700), as a login session makes it, made
    if absent and recorded (:func:`remove_learner` removes it)."""
    runtime = Path(f"/run/user/{user.pw_uid}")
    if not runtime.is_dir():
        if not runtime.parent.is_dir():
            runtime.parent.mkdir(mode=0o755)
            with locked_json(LEDGER) as ledger:
                ledger["made_run_user"] = True
        runtime.mkdir(mode=0o700)
        os.chown(runtime, user.pw_uid, user.pw_gid)
        with locked_json(LEDGER) as ledger:
            ledger.setdefault("runtime_dirs", {})[user.pw_name] = str(runtime)
        say(f"made {runtime} for {user.pw_name}")
    return runtime


def user_state_dir(user: pwd.struct_passwd) -> Path:
    """The series' state directory of ``user`` (as :func:`helpers.state.state_dir` finds it when
    run as them), made and owned by them."""
    path = Path(user.pw_dir) / ".local" / "state" / "docker-notebooks"
    path.mkdir(parents=True, exist_ok=True)
    for folder in (path, path.parent, path.parent.parent):
        os.chown(folder, user.pw_uid, user.pw_gid)
    return path


def rootless_host(name: str) -> str:
    """The ``DOCKER_HOST`` of ``name``'s rootless engine (``unix:///run/user/UID/docker.sock``).

    Example:
        >>> rootless_host("root")
        'unix:///run/user/0/docker.sock'
    """
    return f"unix:///run/user/{pwd.getpwnam(name).pw_uid}/docker.sock"


def mirror_for_rootless() -> str:
    """The lab registry as a rootless engine's mirror: the lab's own address
    (:data:`helpers.registry_api.REGISTRY_URL`), which the forwarder of
    :func:`registry_forwarder_command` makes answer inside the engine's network.

    Example:
        >>> mirror_for_rootless()
        'http://127.0.0.1:5000'
    """
    return REGISTRY_URL


def registry_forwarder_command(child_pid: int) -> list[str]:
    """The command (run as root) that makes the lab registry answer at its own address inside
    the network namespace of rootlesskit's child ``child_pid``: ``socat`` listening on
    ``127.0.0.1:<port>`` there, each connection forwarded to the host's loopback, which that
    network reaches as ``10.0.2.2`` (host loopback allowed).

    Example:
        >>> registry_forwarder_command(42)[-2:]
        ['TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr', 'TCP:10.0.2.2:5000']
    """
    host_side = rootless_mirror_url(REGISTRY_URL).split("//", 1)[1]
    port = host_side.rsplit(":", 1)[1]
    return [
        "nsenter", "--target", str(child_pid), "--net", "--",
        "socat", f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr", f"TCP:{host_side}",
    ]  # fmt: skip


def _start_registry_forwarder(user: pwd.struct_passwd, state: Path) -> int:
    """Start :func:`registry_forwarder_command` for ``user``'s running engine; its pid."""
    child = Path(f"/run/user/{user.pw_uid}/dockerd-rootless/child_pid")
    found = wait_for(lambda: child.exists() and child.read_text().strip(), 10, what=str(child))
    child_pid = int(found)
    log = state / "registry-forwarder.log"
    proc = daemon.spawn(registry_forwarder_command(child_pid), log)
    say(f"the lab registry answers at {REGISTRY_URL} inside {user.pw_name}'s engine too (socat)")
    return proc.pid


def rootless_command(user: pwd.struct_passwd, state: Path) -> list[str]:
    """The command line that starts ``user``'s rootless engine (as that user, with setpriv).

    The mirror's ``http://`` is enough: dockerd 26.1 pulls from it without an
    ``--insecure-registry`` entry (measured).
    """
    mirror = mirror_for_rootless()
    return [
        "setpriv", "--reuid", str(user.pw_uid), "--regid", str(user.pw_gid), "--init-groups",
        "--", str(CONTRIB / "dockerd-rootless.sh"),
        "--registry-mirror", mirror,
        "--pidfile", str(state / "rootless-dockerd.pid"),
    ]  # fmt: skip


def rootless_env(user: pwd.struct_passwd) -> dict[str, str]:
    """The environment of ``user``'s rootless engine: their HOME and XDG_RUNTIME_DIR, a PATH
    with docker.io's contrib folder and ``/usr/sbin``, and host loopback allowed (10.0.2.2)."""
    return {
        "HOME": user.pw_dir,
        "USER": user.pw_name,
        "LOGNAME": user.pw_name,
        "XDG_RUNTIME_DIR": f"/run/user/{user.pw_uid}",
        "PATH": f"{CONTRIB}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "DOCKERD_ROOTLESS_ROOTLESSKIT_DISABLE_HOST_LOOPBACK": "false",
    }


def rootless_engine_pid(name: str) -> int | None:
    """The pid of ``name``'s running rootless engine (its rootlesskit), or None."""
    user = _user(name)
    if user is None:
        return None
    pidfile = Path(user.pw_dir) / ".local/state/docker-notebooks/rootlesskit.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) and "rootlesskit" in pid_command(pid) else None


def start_rootless_engine(name: str = ROOTLESS_LEARNER) -> str:
    """Start (or find running) a rootless Docker Engine of the learner ``name``'s own.

    Installs Debian's rootlesskit, slirp4netns and uidmap from the host's apt sources when
    missing, gives the learner subordinate IDs, makes ``/dev/net/tun`` usable (see
    :func:`open_tun_for_users`) and ``/run/user/UID``, then starts ``dockerd-rootless.sh`` as
    the learner with the lab registry as its Docker Hub mirror, its log and pid files in the
    learner's state directory, and waits (bounded) until it answers.

    Args:
        name: A learner made by :func:`create_learner` (made here, without the docker group,
            when missing).

    Returns:
        The engine's ``DOCKER_HOST``, ``unix:///run/user/UID/docker.sock``.

    Raises:
        LabError: Not root, a package could not be installed, or the engine did not answer.

    Example:
        >>> start_rootless_engine("dn-rootless")  # doctest: +SKIP
        'unix:///run/user/1001/docker.sock'
    """
    _require_root()
    user = _user(name) or create_learner(name, groups=())
    if not is_series_user(name):
        raise LabError(f"The user {name} is not one of the series' learners: choose another name.")
    host = f"unix:///run/user/{user.pw_uid}/docker.sock"
    endpoint = engine_mod.Endpoint(host, "rootless")
    if rootless_engine_pid(name):
        with contextlib.suppress(TutorialError):
            engine_mod.connect(endpoint, timeout=5).close()
            say(f"the rootless engine of {name} answers at {host}")
            return host
    apt.install(ROOTLESS_PACKAGES)
    ensure_subids(name)
    open_tun_for_users()
    runtime_dir(user)
    state = user_state_dir(user)
    log = state / "rootless-dockerd.log"
    log.touch()
    os.chown(log, user.pw_uid, user.pw_gid)
    cmd = rootless_command(user, state)
    say(f"starting {name}'s rootless engine: {' '.join(cmd[cmd.index('--') + 1 :])} (log: {log})")
    proc, client = daemon.start(
        cmd, log, lambda: engine_mod.connect(endpoint, timeout=5), f"{name}'s rootless dockerd",
        timeout=ROOTLESS_START_SECONDS, env=rootless_env(user),
    )  # fmt: skip
    client.close()
    pidfile = state / "rootlesskit.pid"
    pidfile.write_text(f"{proc.pid}\n")
    os.chown(pidfile, user.pw_uid, user.pw_gid)
    forwarder = _start_registry_forwarder(user, state)
    with locked_json(LEDGER) as ledger:
        ledger.setdefault("rootless", {})[name] = {
            "pid": proc.pid, "host": host, "log": str(log), "forwarder": forwarder,
        }  # fmt: skip
    say(f"{name}'s rootless engine answers at {host} (pid {proc.pid})")
    return host


def stop_rootless_engine(name: str = ROOTLESS_LEARNER) -> bool:
    """Stop ``name``'s rootless engine (SIGTERM to its rootlesskit, bounded wait, SIGKILL).

    Returns:
        True when one was running and is now stopped.
    """
    pid = rootless_engine_pid(name)
    with locked_json(LEDGER) as ledger:
        record = ledger.get("rootless", {}).pop(name, None) or {}
    if record.get("forwarder"):
        daemon.stop_pid(record["forwarder"], "socat", 5)
    if pid is None:
        return False
    say(f"stopping {name}'s rootless engine (pid {pid})")
    daemon.stop_pid(pid, "rootlesskit", ROOTLESS_STOP_SECONDS)
    return True


def containerd_socket(docker_host: str) -> Path | None:
    """The containerd socket of the engine at ``docker_host`` in dockerd's default layout: the
    socket's folder and name without ``.sock``, then ``containerd/containerd.sock``.

    Example:
        >>> containerd_socket("unix:///var/run/docker.sock")
        PosixPath('/var/run/docker/containerd/containerd.sock')
        >>> containerd_socket("unix:///run/user/1001/docker.sock")
        PosixPath('/run/user/1001/docker/containerd/containerd.sock')
    """
    if not docker_host.startswith("unix://"):
        return None
    socket = Path(docker_host[len("unix://") :])
    return socket.with_suffix("") / "containerd" / "containerd.sock"


def as_user(name: str | None, cmd: list[str]) -> list[str]:
    """``cmd`` run as ``name`` (with setpriv and their groups), or as it is when ``name`` is None.

    Example:
        >>> as_user(None, ["id", "-u"])
        ['id', '-u']
    """
    if name is None:
        return cmd
    user = pwd.getpwnam(name)
    return [
        "setpriv", "--reuid", str(user.pw_uid), "--regid", str(user.pw_gid), "--init-groups",
        "--", *cmd,
    ]  # fmt: skip


def ctr_permitted(docker_host: str, user: str | None = None) -> bool | None:
    """Whether ``ctr -n moby containers list`` on the engine's containerd socket succeeds for
    ``user``; None when there is no ``ctr`` or no socket there."""
    socket = containerd_socket(docker_host)
    if shutil.which("ctr") is None or socket is None or not socket.exists():
        return None
    cmd = ["ctr", "--address", str(socket), "-n", "moby", "containers", "list"]
    done = subprocess.run(as_user(user, cmd), capture_output=True, text=True, timeout=30)
    return done.returncode == 0


def setup_facts(docker_host: str | None = None, user: str | None = None) -> dict:
    """What a lesson may branch on, for the engine at ``docker_host`` used as ``user``.

    Args:
        docker_host: The engine's address; by default the one the helpers resolve.
        user: The learner whose access to containerd is checked; by default this process.

    Returns:
        ``rootless`` (``docker info`` lists ``name=rootless``), ``cgroup_driver`` and
        ``cgroup_version``, ``bridge_ip_answers`` (True, False, or None without
        ``nginx:stable``) and ``ctr_permitted`` (True, False, or None without ``ctr``).

    Example:
        >>> setup_facts()["cgroup_driver"] in {"none", "cgroupfs", "systemd"}  # doctest: +SKIP
        True
    """
    endpoint = (
        engine_mod.Endpoint(docker_host, "DOCKER_HOST") if docker_host else None
    ) or engine_mod.resolve_endpoint()
    client = engine_mod.connect(endpoint)
    try:
        info = client.info()
        facts = {
            "docker_host": endpoint.host,
            "rootless": engine_mod.check(client).rootless,
            "cgroup_driver": info.get("CgroupDriver"),
            "cgroup_version": info.get("CgroupVersion"),
            "storage_driver": info.get("Driver"),
            "bridge_ip_answers": bridge_ip_answers(client),
            "ctr_permitted": ctr_permitted(endpoint.host, user),
        }
    finally:
        client.close()
    say(
        "set-up: "
        + ", ".join(f"{key} {value}" for key, value in facts.items() if key != "docker_host")
    )
    return facts
