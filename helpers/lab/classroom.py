"""The classroom server (issue #15): JupyterHub on one machine, a private Docker Engine per seat.

``up(seats)`` sets up, idempotently:

- a shared environment in :data:`PREFIX` (``/opt/docker-notebooks-classroom``), readable by
  every seat: a virtual environment of the system's Python with JupyterHub and JupyterLab from
  PyPI and a copy (not an editable link) of the series' ``helpers``, and JupyterHub's proxy,
  ``configurable-http-proxy``, from npm in its own prefix there;
- N seats, Unix users ``dn-seat-1`` .. ``dn-seat-N`` made by :mod:`helpers.lab.learners` (marked
  as the series', in no ``docker`` group), each with a copy of the notebooks in
  ``~/docker-notebooks`` (copied only where absent, so a second ``up`` keeps the learners' work);
- JupyterHub, run as root from the state directory: the built-in ``SharedPasswordAuthenticator``
  with a random workshop password (printed when made, kept 0600 in the state directory), the
  seats as its only allowed users, and ``LocalProcessSpawner`` starting each seat's JupyterLab as
  that seat. Its ``pre_spawn_hook`` (:func:`pre_spawn`) starts the seat's rootless engine
  (:func:`helpers.lab.learners.start_rootless_engine`: the lab registry is its mirror) and puts
  its ``DOCKER_HOST`` into the server's environment; its ``post_stop_hook`` (:func:`post_stop`)
  stops the engine. A seat whose engine will not start gets one sentence saying why and what the
  instructor can do (:func:`engine_trouble`), in the hub's log and on the learner's spawn page.

``down()`` stops the hub (which stops the seats' servers and its proxy), every seat's engine,
removes the seats (only users the series made), the environment in :data:`PREFIX` (only with
the classroom's mark) and the hub's folder, and puts back the host setting rootless engines
needed (:func:`helpers.lab.learners.restore_host`). The lab engine, its registry and anything
else stay as they are.

Command line: ``python -m helpers.lab.classroom up [--seats N] [--listen ADDR:PORT] | status |
down`` (``make classroom-server SEATS=N [CLASSROOM_LISTEN=0.0.0.0:8000]``,
``make classroom-server-down``). Everything here needs root.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LabError, TutorialError
from ..polling import wait_for
from ..state import locked_json, state_dir
from . import daemon, learners
from . import listen as listen_mod
from .progress import say
from .records import pid_alive, pid_command

if TYPE_CHECKING:
    import requests

#: The repository this module was imported from (``up`` copies notebooks and helpers from it).
ROOT = Path(__file__).resolve().parents[2]
#: The classroom's shared environment: a venv with JupyterHub, its npm prefix in ``node/``.
PREFIX = Path(
    os.environ.get("DOCKER_NOTEBOOKS_CLASSROOM_PREFIX", "/opt/docker-notebooks-classroom")
)
#: The file that marks :data:`PREFIX` as made by the classroom (``down`` removes only such).
MARK_FILE = ".made-by-docker-notebooks-classroom"
SYSTEM_PYTHON = "/usr/bin/python3"
#: What the hub's environment gets from PyPI (5.3 brought SharedPasswordAuthenticator).
HUB_PACKAGES = ("jupyterhub>=5.3,<7", "jupyterlab>=4.1")
PROXY_PACKAGE = "configurable-http-proxy@5"
SEAT_PREFIX = "dn-seat-"
#: A seat's PATH: the classroom's environment first (its python, pip and jupyter).
SEAT_PATH = f"{PREFIX}/bin:/usr/local/bin:/usr/bin:/bin"
#: The seat's folder (in their home) with their copy of the notebooks.
SEAT_FOLDER = "docker-notebooks"
DEFAULT_SEATS = 3
DEFAULT_LISTEN = "127.0.0.1:8000"
#: The record of what ``up`` made (``<state dir>/classroom-server.json``).
LEDGER = "classroom-server"
HUB_START_SECONDS = 60
HUB_STOP_SECONDS = 60
#: How long a seat's JupyterLab may take to start (its engine starts first).
SPAWN_SECONDS = 120
USERNS_FILES = (
    Path("/proc/sys/kernel/unprivileged_userns_clone"),
    Path("/proc/sys/user/max_user_namespaces"),
)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("The classroom server makes users and runs JupyterHub: run it as root.")


def server_dir() -> Path:
    """The hub's folder in the state directory: its configuration, database, cookie secret,
    the workshop password (0600) and its log."""
    path = state_dir() / "classroom-server"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def password_file() -> Path:
    return server_dir() / "workshop-password"


def hub_log() -> Path:
    return server_dir() / "jupyterhub.log"


def seat_names(seats: int) -> list[str]:
    """The seats' user names.

    Example:
        >>> seat_names(2)
        ['dn-seat-1', 'dn-seat-2']
    """
    return [f"{SEAT_PREFIX}{number}" for number in range(1, seats + 1)]


def existing_seats() -> list[str]:
    """Every seat user on this machine that the series made, in seat order."""
    found = [
        user.pw_name
        for user in pwd.getpwall()
        if user.pw_name.startswith(SEAT_PREFIX) and learners.is_series_user(user.pw_name)
    ]
    number = lambda name: name[len(SEAT_PREFIX) :]  # noqa: E731
    return sorted(found, key=lambda name: (not number(name).isdigit(), number(name).zfill(6)))


# -- the address ---------------------------------------------------------------------------------


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``ADDR:PORT`` into its address and port.

    Raises:
        LabError: ``listen`` is not ``ADDR:PORT``.

    Example:
        >>> parse_listen("0.0.0.0:8000")
        ('0.0.0.0', 8000)
    """
    return listen_mod.parse(
        listen, "The classroom's address", "CLASSROOM_LISTEN", DEFAULT_LISTEN, "0.0.0.0:8000"
    )


def is_loopback(listen: str) -> bool:
    """True when ``listen`` is reachable from this machine only.

    Example:
        >>> is_loopback("127.0.0.1:8000"), is_loopback("0.0.0.0:8000")
        (True, False)
    """
    return listen_mod.host_is_loopback(parse_listen(listen)[0])


def exposure_warning(listen: str) -> str | None:
    """The one sentence ``up`` prints when the hub listens beyond loopback, else None.

    Example:
        >>> exposure_warning("127.0.0.1:8000") is None
        True
    """
    if is_loopback(listen):
        return None
    return (
        f"Warning: the classroom listens on {listen}, beyond this machine, so anyone who reaches "
        "that address and knows the workshop password gets a seat with a shell on this server: "
        "keep it to the room's network and run `make classroom-server-down` after class."
    )


def local_url(listen: str) -> str:
    """Where this machine reaches the hub (loopback when it listens on every interface).

    Example:
        >>> local_url("0.0.0.0:8000")
        'http://127.0.0.1:8000'
    """
    host, port = parse_listen(listen)
    if host in {"0.0.0.0", "::"}:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the shared environment ------------------------------------------------------------------------


def _source_digest() -> str:
    """A digest of what the environment is made from (the packages asked for and the helpers)."""
    digest = hashlib.sha256(repr((HUB_PACKAGES, PROXY_PACKAGE)).encode())
    made_from = [*(ROOT / "helpers").rglob("*.py"), *(ROOT / "helpers").rglob("*.mo")]
    for path in sorted([ROOT / "pyproject.toml", *made_from]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _run(cmd: list[str], what: str, cwd: Path | None = None) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        last = (lines[-1:] or ["?"])[0].strip().rstrip(".")
        raise LabError(f"{what} failed ({last}): run `{' '.join(cmd)}` to see why.")


def _python_version_problem() -> str | None:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return (
            f"The classroom needs the system's Python at {SYSTEM_PYTHON}: install it "
            "(apt-get install python3 python3-venv) and run `make classroom-server` again."
        )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.stdout.strip() != "True":
        return (
            f"The classroom needs Python 3.11 or newer with its venv module at {SYSTEM_PYTHON}: "
            "install python3-venv (or a newer python3) and run `make classroom-server` again."
        )
    return None


def install_environment() -> bool:
    """Make the shared environment in :data:`PREFIX` unless it is there and up to date.

    Returns:
        True when something was installed.

    Raises:
        LabError: :data:`PREFIX` exists and is not the classroom's, or an install failed.
    """
    stamp = PREFIX / ".installed"
    digest = _source_digest()
    hub = PREFIX / "bin" / "jupyterhub"
    proxy = proxy_command()[0]
    with contextlib.suppress(OSError):
        if hub.exists() and Path(proxy).exists() and stamp.read_text().strip() == digest:
            say(f"the classroom's JupyterHub environment is there ({PREFIX})")
            return False
    if PREFIX.exists() and not (PREFIX / MARK_FILE).exists():
        raise LabError(
            f"{PREFIX} exists and was not made by the classroom: move it away, or set "
            "DOCKER_NOTEBOOKS_CLASSROOM_PREFIX to another folder."
        )
    problem = _python_version_problem()
    if problem:
        raise LabError(problem)
    old_umask = os.umask(0o022)  # every seat reads the environment
    started = time.monotonic()
    try:
        PREFIX.mkdir(parents=True, exist_ok=True)
        (PREFIX / MARK_FILE).write_text("made by `make classroom-server`; removed by its -down\n")
        with locked_json(LEDGER) as ledger:
            ledger["prefix"] = str(PREFIX)
        if not (PREFIX / "bin" / "python").exists():
            _run([SYSTEM_PYTHON, "-m", "venv", str(PREFIX)], "Making the classroom's venv")
        say(f"installing {', '.join(HUB_PACKAGES)} and the series' helpers into {PREFIX} (pip)")
        with tempfile.TemporaryDirectory() as tmp:
            # a copy, so pip builds outside the work tree and the seats get a frozen release
            source = Path(tmp) / "docker-notebooks"
            source.mkdir()
            for name in ("pyproject.toml", "README.md"):
                shutil.copy(ROOT / name, source / name)
            shutil.copytree(
                ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
            )
            pip = [str(PREFIX / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            _run([*pip, *HUB_PACKAGES, str(source)], "Installing JupyterHub with pip")
        say(f"installing {PROXY_PACKAGE} into {PREFIX / 'node'} (npm)")
        npm = ["npm", "install", "--prefix", str(PREFIX / "node"), "--no-audit", "--no-fund"]
        _run([*npm, "--loglevel=error", PROXY_PACKAGE], "Installing JupyterHub's proxy with npm")
        settings = PREFIX / "share" / "jupyter" / "lab" / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "lab" / "jupyterlab" / "overrides.json", settings / "overrides.json")
        stamp.write_text(digest + "\n")
    finally:
        os.umask(old_umask)
    say(f"the classroom's environment is ready in {time.monotonic() - started:.0f} s ({PREFIX})")
    return True


def proxy_command() -> list[str]:
    return [str(PREFIX / "node" / "node_modules" / ".bin" / "configurable-http-proxy")]


# -- seats ---------------------------------------------------------------------------------------


def _copy_absent(source: Path, target: Path, user: pwd.struct_passwd) -> int:
    """Copy ``source`` (a file or a folder) to ``target`` where absent, owned by ``user``; how
    many files were copied."""
    copied = 0
    if source.is_dir():
        if not target.exists():
            target.mkdir()
            os.chown(target, user.pw_uid, user.pw_gid)
        for child in sorted(source.iterdir()):
            if child.name != "__pycache__":
                copied += _copy_absent(child, target / child.name, user)
    elif not target.exists():
        shutil.copy(source, target)
        os.chown(target, user.pw_uid, user.pw_gid)
        copied = 1
    return copied


def _owned_folder(path: Path, user: pwd.struct_passwd) -> Path:
    """``path`` as a folder of ``user``'s (mode 0755), made when absent; ``path``."""
    if not path.exists():
        path.mkdir(mode=0o755)
        os.chown(path, user.pw_uid, user.pw_gid)
    return path


def seat_folder(name: str) -> Path:
    """Where the seat ``name``'s copy of the notebooks is: ``~/docker-notebooks``."""
    return Path(pwd.getpwnam(name).pw_dir) / SEAT_FOLDER


def prepare_seat(name: str) -> Path:
    """Make (or find) the seat ``name`` with its copy of the notebooks; the copy's folder.

    Files the seat already has stay as they are, so a second ``up`` keeps the learner's work.
    The Korean edition goes to ``ko/`` beside the English lessons, and its glossary where the
    Korean lessons link it (``../../docs/glossary.ko.md``, from ``ko/``: the seat's home).
    """
    user = learners.create_learner(name, groups=())
    learners.ensure_subids(name)
    folder = _owned_folder(seat_folder(name), user)
    copied = 0
    for source, target in (
        (ROOT / "notebooks", folder),
        (ROOT / "notebooks" / "ko", folder / "ko"),
    ):
        _owned_folder(target, user)
        copied += sum(
            _copy_absent(notebook, target / notebook.name, user)
            for notebook in sorted(source.glob("[0-9][0-9]-*.ipynb"))
        )
    copied += _copy_absent(ROOT / "notebooks" / "data", folder / "data", user)
    glossary = ROOT / "docs" / "glossary.ko.md"
    if glossary.exists():
        docs = _owned_folder(Path(user.pw_dir) / "docs", user)
        copied += _copy_absent(glossary, docs / glossary.name, user)
    say(f"{name}'s notebooks are in {folder} ({copied} files copied, the rest kept)")
    return folder


# -- the hub's configuration (read by JupyterHub from the generated file) --------------------------


def seat_environment(name: str, docker_host: str | None = None) -> dict[str, str]:
    """What a seat's JupyterLab (and every kernel and terminal in it) gets besides JupyterHub's
    own variables: the classroom's environment first on PATH, the seat's runtime folder and,
    once its engine runs, its ``DOCKER_HOST``."""
    user = pwd.getpwnam(name)
    env = {
        "PATH": SEAT_PATH,
        "LANG": "C.UTF-8",
        "XDG_RUNTIME_DIR": f"/run/user/{user.pw_uid}",
    }
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    return env


def configure(c, *, listen: str, hub_port: int, proxy_api_port: int, seats: list[str]) -> None:
    """Fill JupyterHub's configuration object ``c`` (the generated config file calls this)."""
    folder = server_dir()
    c.JupyterHub.bind_url = f"http://{listen}/"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub_port
    c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(folder / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(folder / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True  # stopping the hub stops the seats' servers (and engines)
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password_file().read_text().strip()
    c.Authenticator.allowed_users = set(seats)
    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.cmd = [str(PREFIX / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = f"~/{SEAT_FOLDER}"
    c.Spawner.environment = {"PATH": SEAT_PATH, "LANG": "C.UTF-8"}
    c.Spawner.pre_spawn_hook = pre_spawn
    c.Spawner.post_stop_hook = post_stop
    c.Spawner.start_timeout = SPAWN_SECONDS
    c.Spawner.http_timeout = SPAWN_SECONDS


CONFIG_TEMPLATE = """\
# JupyterHub's configuration for the classroom server, written by `make classroom-server`
# (helpers.lab.classroom); the next `up` writes it again. No secret is kept here: the workshop
# password is read from its own file (0600) beside this one.
from helpers.lab import classroom

classroom.configure(
    get_config(),  # noqa: F821 - JupyterHub provides it
    listen={listen!r},
    hub_port={hub_port!r},
    proxy_api_port={proxy_api_port!r},
    seats={seats!r},
)
"""


class SeatEngineError(LabError):
    """A seat's engine did not start; JupyterHub shows :attr:`jupyterhub_message` to the
    learner on their spawn page."""

    @property
    def jupyterhub_message(self) -> str:
        return str(self)


def _ranges_of(name: str, path: Path) -> bool:
    with contextlib.suppress(OSError):
        return any(line.split(":")[0] == name for line in path.read_text().splitlines())
    return False


def engine_trouble(name: str) -> str | None:
    """Why the seat ``name``'s rootless engine cannot start on this host, as one sentence that
    says what the instructor can do, or None when no known cause is found.

    Checks, in order: user namespaces (``/proc/sys/kernel/unprivileged_userns_clone`` or
    ``/proc/sys/user/max_user_namespaces`` is 0, or ``unshare --user`` fails as the seat),
    ``/dev/net/tun`` (missing, or not readable and writable by the seat) and the seat's
    subordinate IDs (``/etc/subuid``, ``/etc/subgid``).
    """
    again = "then the learner starts their server again from the hub's home page"
    for path in USERNS_FILES:
        with contextlib.suppress(OSError):
            if path.read_text().strip() == "0":
                key = ".".join(path.parts[3:])
                return (
                    f"{name}'s Docker engine cannot start because this kernel does not let users "
                    f"make user namespaces ({path} is 0): the instructor can allow them with "
                    f"`sysctl -w {key}={'1' if 'clone' in key else '15000'}`, {again}."
                )
    done = subprocess.run(
        learners.as_user(name, ["unshare", "--user", "--map-root-user", "true"]),
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        return (
            f"{name}'s Docker engine cannot start because this host refuses users a user "
            "namespace (`unshare --user` fails, as a security module such as AppArmor may "
            "make it): the instructor can allow unprivileged user namespaces for rootlesskit, "
            f"{again}."
        )
    if not learners.TUN.exists():
        return (
            f"{name}'s Docker engine cannot start because this machine has no {learners.TUN}, "
            "which slirp4netns needs for the engine's network: the instructor can load the tun "
            f"module (`modprobe tun`) or, in a container, pass the device in, {again}."
        )
    tun = str(learners.TUN)
    done = subprocess.run(learners.as_user(name, ["test", "-r", tun, "-a", "-w", tun]))
    if done.returncode != 0:
        return (
            f"{name}'s Docker engine cannot start because {name} may not open {tun}, which "
            "slirp4netns needs for the engine's network: the instructor can give it Debian's "
            f"mode (`chmod 0666 {tun}`) and drop any ACL entry refusing it (`setfacl -b {tun}`), "
            f"{again}."
        )
    for path in (Path("/etc/subuid"), Path("/etc/subgid")):
        if not _ranges_of(name, path):
            return (
                f"{name}'s Docker engine cannot start because {name} has no subordinate IDs in "
                f"{path}: the instructor can add them (`usermod --add-subuids 100000-165535 "
                f"--add-subgids 100000-165535 {name}`, with a range no other user has), {again}."
            )
    return None


def engine_failure_sentence(name: str, error: Exception) -> str:
    """The one sentence a seat whose engine did not start gets: its cause when
    :func:`engine_trouble` finds one, else the engine log's last line and where the log is."""
    known = engine_trouble(name)
    if known:
        return known
    log = Path(pwd.getpwnam(name).pw_dir) / ".local/state/docker-notebooks/rootless-dockerd.log"
    detail = str(error)
    with contextlib.suppress(OSError):
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        detail = lines[-1] if lines else detail
    detail = detail.replace("\n", " ").strip().rstrip(".")[-200:]
    return (
        f"{name}'s Docker engine did not start ({detail}): the instructor can read {log} on the "
        "server, then the learner starts their server again from the hub's home page."
    )


async def pre_spawn(spawner) -> None:
    """JupyterHub's ``pre_spawn_hook``: start the seat's rootless engine and give its
    ``DOCKER_HOST`` to the seat's server; a seat whose engine does not start gets one sentence
    (:class:`SeatEngineError`)."""
    name = spawner.user.name
    started = time.monotonic()
    try:
        host = await asyncio.to_thread(learners.start_rootless_engine, name)
    except (LabError, TutorialError, OSError) as error:
        sentence = await asyncio.to_thread(engine_failure_sentence, name, error)
        spawner.log.error(sentence)
        raise SeatEngineError(sentence) from None
    spawner.environment = {**spawner.environment, **seat_environment(name, host)}
    spawner.log.info(f"{name}'s engine answers at {host} ({time.monotonic() - started:.1f} s)")


async def post_stop(spawner) -> None:
    """JupyterHub's ``post_stop_hook``: stop the seat's engine with its server."""
    await asyncio.to_thread(learners.stop_rootless_engine, spawner.user.name)


# -- the hub -------------------------------------------------------------------------------------


def hub_pid() -> int | None:
    """The running hub's pid (recorded by ``up``), or None."""
    with locked_json(LEDGER) as ledger:
        pid = (ledger.get("hub") or {}).get("pid")
    return pid if pid_alive(pid) and "jupyterhub" in pid_command(pid) else None


def _hub_answers(url: str) -> bool:
    import requests

    try:
        return requests.get(f"{url}/hub/api/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _workshop_password() -> tuple[str, bool]:
    """The workshop password and whether it was made now (kept 0600 in :func:`server_dir`)."""
    path = password_file()
    with contextlib.suppress(OSError):
        word = path.read_text().strip()
        if len(word) >= 8:
            return word, False
    word = "-".join(secrets.token_hex(3) for _ in range(3))  # 20 characters, easy to dictate
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(word + "\n")
    return word, True


def _hub_env() -> dict[str, str]:
    env = {
        "PATH": f"{PREFIX}/bin:{PREFIX}/node/node_modules/.bin:/usr/local/sbin:/usr/local/bin:"
        "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": pwd.getpwuid(os.geteuid()).pw_dir,
        "LANG": "C.UTF-8",
    }
    for key in ("DOCKER_NOTEBOOKS_STATE", "DOCKER_NOTEBOOKS_CLASSROOM_PREFIX", "XDG_STATE_HOME"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def _stop_hub() -> None:
    pid = hub_pid()
    if pid:
        say(f"stopping JupyterHub (pid {pid}); it stops the seats' servers and its proxy")
        daemon.stop_pid(pid, "jupyterhub", HUB_STOP_SECONDS)
    with contextlib.suppress(OSError, ValueError):
        proxy = int((server_dir() / "proxy.pid").read_text().strip())
        if daemon.stop_pid(proxy, "configurable-http-proxy", 10):
            say(f"stopped JupyterHub's proxy (pid {proxy})")
    with locked_json(LEDGER) as ledger:
        ledger.pop("hub", None)


def start_hub(listen: str, seats: list[str]) -> int:
    """Write the hub's configuration and start it (again when its configuration changed);
    its pid."""
    with locked_json(LEDGER) as ledger:
        ports = ledger.get("ports") or {}
    if ports.get("listen") != listen or not hub_pid():
        ports = {"listen": listen, "hub": _free_port(), "proxy_api": _free_port()}
    config = CONFIG_TEMPLATE.format(
        listen=listen, hub_port=ports["hub"], proxy_api_port=ports["proxy_api"], seats=seats
    )
    path = server_dir() / "jupyterhub_config.py"
    url = local_url(listen)
    pid = hub_pid()
    if pid and path.exists() and path.read_text() == config and _hub_answers(url):
        say(f"JupyterHub runs (pid {pid}) with this configuration")
        return pid
    if pid:
        say("the classroom's configuration changed: JupyterHub starts again with it")
        _stop_hub()
    path.write_text(config)
    cmd = [str(PREFIX / "bin" / "jupyterhub"), "-f", str(path)]
    say(f"starting JupyterHub on {listen} (log: {hub_log()})")
    proc, _ = daemon.start(
        cmd, hub_log(), lambda: _hub_answers(url), "JupyterHub", HUB_START_SECONDS, env=_hub_env()
    )
    with locked_json(LEDGER) as ledger:
        ledger["hub"] = {"pid": proc.pid, "cmd": cmd, "log": str(hub_log())}
        ledger["ports"] = ports
        ledger["seats"] = sorted(set(ledger.get("seats", [])) | set(seats))
    return proc.pid


def up(seats: int = DEFAULT_SEATS, listen: str = DEFAULT_LISTEN) -> dict:
    """Set up the classroom (idempotent): the environment, ``seats`` seats and JupyterHub.

    Returns:
        ``url``, ``seats`` and ``password_file``.

    Raises:
        LabError: Not root, a bad address or seat count, or a step failed (one sentence).
    """
    _require_root()
    if not 1 <= seats <= 200:
        raise LabError(f"SEATS={seats} is not a number of seats: give 1 to 200, e.g. SEATS=3.")
    warning = exposure_warning(listen)
    names = seat_names(seats)
    install_environment()
    learners.apt.install(learners.ROOTLESS_PACKAGES)
    for name in names:
        prepare_seat(name)
    unused = [name for name in existing_seats() if name not in names]
    if unused:
        say(f"{', '.join(unused)} stay (with their work) but may not log in: SEATS={seats}")
    word, made = _workshop_password()
    start_hub(listen, names)
    url = local_url(listen)
    say(f"the classroom is open at {url}/ for {', '.join(names)}")
    if made:
        say(f"the workshop password is {word} (shown once; kept in {password_file()}, mode 0600)")
    else:
        say(f"the workshop password is in {password_file()} (mode 0600)")
    say("each learner logs in with their seat's name and that password; JupyterLab opens")
    if warning:
        print(warning, flush=True)
    return {"url": url, "seats": names, "password_file": str(password_file())}


# -- what runs, and how much memory it takes --------------------------------------------------


def _processes() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, real uid, command line) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            uid = int(next(ln for ln in (entry / "status").read_text().splitlines()
                           if ln.startswith("Uid:")).split()[1])  # fmt: skip
            found.append((int(entry.name), ppid, uid, pid_command(int(entry.name))))
    return found


def _pss_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, StopIteration):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        return int(next(ln for ln in rollup if ln.startswith("Pss:")).split()[1])
    return 0


def memory(ignore: tuple[str, ...] = ()) -> dict:
    """Memory now (proportional set size, MiB, from ``/proc/PID/smaps_rollup``): the hub with
    its proxy, and per seat its server (JupyterLab and its kernels) and its engine (rootlesskit,
    slirp4netns, dockerd, containerd, the registry forwarder, and the containers' processes
    that run as the seat). A seat's processes whose command line holds one of ``ignore`` are
    left out (the load bench leaves out the runner that stands in for the learner's browser)."""
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, ppid, _, _ in procs:
        children.setdefault(ppid, []).append(pid)
    uid_of = {pid: uid for pid, _, uid, _ in procs}
    result: dict = {"hub": 0.0, "seats": {}}
    hub = hub_pid()
    todo = [hub] if hub else []
    while todo:
        pid = todo.pop()
        if uid_of.get(pid) == 0:
            result["hub"] += _pss_kib(pid) / 1024
            todo += children.get(pid, [])
    with locked_json(learners.LEDGER) as ledger:
        forwarders = {n: r.get("forwarder") for n, r in ledger.get("rootless", {}).items()}
    for name in existing_seats():
        uid = pwd.getpwnam(name).pw_uid
        seat = {"server": 0.0, "engine": 0.0}
        for pid, _, owner, cmd in procs:
            if owner == uid and not any(word in cmd for word in ignore):
                server = "jupyterhub-singleuser" in cmd or "ipykernel" in cmd
                kind = "server" if server else "engine"
                seat[kind] += _pss_kib(pid) / 1024
        if forwarders.get(name):
            seat["engine"] += _pss_kib(forwarders[name]) / 1024
        result["seats"][name] = {key: round(value, 1) for key, value in seat.items()}
    result["hub"] = round(result["hub"], 1)
    return result


@contextlib.contextmanager
def memory_peaks(interval: float = 1.0, ignore: tuple[str, ...] = ()):
    """Sample :func:`memory` every ``interval`` seconds while the ``with`` block runs.

    Yields a dict that holds, once the block ends, the most each part took in any one sample:
    ``hub``, and per seat ``server``, ``engine`` and ``total`` (server and engine in the same
    sample). A seat's memory swings with each cell, so its busiest moment is only seen by
    sampling throughout (the tests and the load bench both do).
    """
    peaks: dict = {"hub": 0.0, "seats": {}}
    stop = threading.Event()

    def sample() -> None:
        while True:
            with contextlib.suppress(OSError, KeyError):  # a process or seat just went
                now = memory(ignore)
                peaks["hub"] = max(peaks["hub"], now["hub"])
                for name, seat in now["seats"].items():
                    seat = {**seat, "total": round(seat["server"] + seat["engine"], 1)}
                    peak = peaks["seats"].setdefault(name, dict.fromkeys(seat, 0.0))
                    for key, value in seat.items():
                        peak[key] = max(peak[key], value)
            if stop.wait(interval):
                return

    sampler = threading.Thread(target=sample, name="classroom-memory", daemon=True)
    sampler.start()
    try:
        yield peaks
    finally:
        stop.set()
        sampler.join(timeout=60)


def status() -> dict:
    """What runs: the hub (pid, address), and per seat whether its engine and server run."""
    with locked_json(LEDGER) as ledger:
        listen = (ledger.get("ports") or {}).get("listen")
    pid = hub_pid()
    seats = {}
    for name in existing_seats():
        uid = pwd.getpwnam(name).pw_uid
        server = any(
            owner == uid and "jupyterhub-singleuser" in cmd for _, _, owner, cmd in _processes()
        )
        seats[name] = {
            "engine": bool(learners.rootless_engine_pid(name)),
            "server": server,
            "docker_host": f"unix:///run/user/{uid}/docker.sock",
        }
    info = {
        "hub": pid,
        "url": local_url(listen) if listen else None,
        "seats": seats,
        "memory_mib": memory(),
    }
    if pid:
        say(
            f"JupyterHub runs (pid {pid}) at {info['url']}/ ({info['memory_mib']['hub']} MiB with "
            f"its proxy); the workshop password is in {password_file()}"
        )
    else:
        say("JupyterHub does not run")
    for name, seat in seats.items():
        mem = info["memory_mib"]["seats"].get(name, {})
        say(
            f"{name}: engine {'runs' if seat['engine'] else 'stopped'}, server "
            f"{'runs' if seat['server'] else 'stopped'}, memory {mem.get('server', 0)} MiB "
            f"server + {mem.get('engine', 0)} MiB engine"
        )
    return info


# -- a seat, as its learner: over HTTP through the hub, and as its Unix user ----------------------


class HubSession:
    """One seat's browser, as far as the hub sees it: a login with the workshop password, then
    the seat's server started and watched through JupyterHub's REST API (the tests and the load
    bench drive the classroom this way, as learners do, never behind the hub's back)."""

    def __init__(self, url: str, name: str, password: str) -> None:
        import requests

        self.url, self.name, self.password = url, name, password
        self.session = requests.Session()

    def _xsrf(self) -> str:
        values = [cookie.value for cookie in self.session.cookies if cookie.name == "_xsrf"]
        if not values:
            raise LabError(f"The hub set no _xsrf cookie for {self.name}: read {hub_log()}.")
        return values[-1]

    def login(self) -> HubSession:
        """Log in as a browser does: the login page sets the ``_xsrf`` cookie the form posts."""
        page = self.session.get(f"{self.url}/hub/login", timeout=30)
        form = {"username": self.name, "password": self.password}
        done = None
        if page.status_code == 200:
            form["_xsrf"] = self._xsrf()
            done = self.session.post(
                f"{self.url}/hub/login", data=form, allow_redirects=False, timeout=30
            )
        if done is None or done.status_code != 302:
            code = (page if done is None else done).status_code  # a Response's bool is .ok
            raise LabError(
                f"{self.name} could not log in to the hub (HTTP {code}): check the workshop "
                f"password in {password_file()} and read {hub_log()}."
            )
        return self

    def model(self) -> dict:
        """The hub's record of the seat (``GET /hub/api/users/NAME``)."""
        got = self.session.get(f"{self.url}/hub/api/users/{self.name}", timeout=30)
        if got.status_code != 200:
            raise LabError(
                f"The hub did not describe {self.name} (HTTP {got.status_code}): read {hub_log()}."
            )
        return got.json()

    def start(self) -> requests.Response:
        """Ask the hub to start the seat's server; the hub's answer as it came."""
        return self.session.post(
            f"{self.url}/hub/api/users/{self.name}/server",
            headers={"X-XSRFToken": self._xsrf()},
            timeout=SPAWN_SECONDS + 30,
        )

    def is_ready(self) -> bool:
        return bool((self.model().get("servers") or {}).get("", {}).get("ready"))

    def wait_ready(self, timeout: float = SPAWN_SECONDS) -> float:
        """Start the seat's server unless it runs and wait (bounded) until the hub says it is
        ready, its engine started first by :func:`pre_spawn`; seconds from the request on."""
        started = time.monotonic()
        if self.is_ready():
            return 0.0
        answer = self.start()
        if answer.status_code not in {201, 202}:
            detail = answer.text.replace("\n", " ")[:200]
            raise LabError(
                f"{self.name}'s server did not start (HTTP {answer.status_code}, {detail}): "
                f"read {hub_log()}."
            )
        wait_for(
            self.is_ready,
            timeout=timeout,
            interval=0.5,
            what=f"{self.name}'s server",
            hint=f"read {hub_log()}",
            error=LabError,
        )
        return time.monotonic() - started


def seat_login_environment(name: str) -> dict[str, str]:
    """The environment the hub gives ``name``'s server (:func:`seat_environment` with the seat's
    engine), with their HOME and user name: what the seat's own commands run with."""
    user = pwd.getpwnam(name)
    env = seat_environment(name, learners.rootless_host(name))
    return {**env, "HOME": user.pw_dir, "USER": name, "LOGNAME": name}


def run_as_seat(name: str, cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``cmd`` as the seat ``name`` (``setpriv``), from their home, with the environment
    their server has (:func:`seat_login_environment`); bounded by ``timeout`` seconds
    (:class:`subprocess.TimeoutExpired` after it)."""
    return subprocess.run(
        learners.as_user(name, cmd), env=seat_login_environment(name),
        cwd=pwd.getpwnam(name).pw_dir, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


# -- down ----------------------------------------------------------------------------------------


def down() -> None:
    """Stop and remove what ``up`` made (idempotent): the hub and its proxy, every seat's
    server and engine, the seats (only the series' users), the environment in :data:`PREFIX`
    (only with the classroom's mark), the hub's folder, and the host setting rootless engines
    needed. The lab engine, the lab registry and anything else stay."""
    _require_root()
    _stop_hub()
    for name in existing_seats():
        learners.stop_rootless_engine(name)
        learners.remove_learner(name)
    if (PREFIX / MARK_FILE).exists():
        shutil.rmtree(PREFIX)
        say(f"removed the classroom's environment ({PREFIX})")
    folder = state_dir() / "classroom-server"
    if folder.exists():
        shutil.rmtree(folder)
        say(f"removed the hub's folder ({folder}: configuration, database, password, log)")
    with locked_json(LEDGER) as ledger:
        ledger.clear()
    for suffix in (".json", ".lock"):
        with contextlib.suppress(OSError):
            (state_dir() / f"{LEDGER}{suffix}").unlink()
    learners.restore_host()
    say("the classroom server is down; the lab engine and registry run as before")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.lab.classroom", description=__doc__)
    parser.add_argument("action", choices=["up", "status", "down"])
    parser.add_argument("--seats", type=int, default=DEFAULT_SEATS)
    parser.add_argument("--listen", default=DEFAULT_LISTEN)
    args = parser.parse_args(argv)
    try:
        if args.action == "up":
            up(args.seats, args.listen)
        elif args.action == "status":
            status()
        else:
            down()
    except (LabError, TutorialError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
