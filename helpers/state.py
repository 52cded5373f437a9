"""Where the series keeps its own state: the lab's logs, pid files, registry data and ledgers.

One directory per user, outside any clone, so that a second clone (or CI in a fresh clone on the
same machine) finds the lab the first one set up. ``DOCKER_NOTEBOOKS_STATE`` overrides it.

What belongs to an engine rather than to a user (the series lock, which pulls and build-cache
records the series made, the swarm it initialised) lives in a folder per engine that every user
of that engine shares (:func:`engine_dir`): root and a learner in the ``docker`` group on one
engine see one record, while learners each with a rootless engine of their own see their own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Overrides the folder shared by the users of each engine (tests use a folder of their own).
SHARED_DIR_ENV = "DOCKER_NOTEBOOKS_LOCK_DIR"


def state_dir() -> Path:
    """Return (and create) the series' state directory.

    Returns:
        ``$DOCKER_NOTEBOOKS_STATE``, else ``$XDG_STATE_HOME/docker-notebooks``, else
        ``~/.local/state/docker-notebooks``.

    Example:
        >>> state_dir().name
        'docker-notebooks'
    """
    override = os.environ.get("DOCKER_NOTEBOOKS_STATE")
    if override:
        path = Path(override)
    else:
        base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
        path = Path(base) / "docker-notebooks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def lesson_data(name: str) -> Path:
    """The series' data file ``name`` (``notebooks/data/<name>``): beside the helpers in a clone
    of the repository, else in the ``data`` folder beside the running notebook, which is where
    a copy of the notebooks carries it (a classroom seat's helpers are installed, not a clone),
    or beside the folder of the edition it is in (``ko/``).
    """
    packaged = Path(__file__).resolve().parent.parent / "notebooks" / "data" / name
    if packaged.exists():
        return packaged
    for beside in (Path.cwd() / "data" / name, Path.cwd().parent / "data" / name):
        if beside.exists():
            return beside
    return packaged


def _shared_folder(path: Path) -> Path:
    """``path`` made sticky and writable by every user, as ``/tmp`` is."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):  # another user made it meanwhile
            path.chmod(0o1777)
    return path


def shared_dir() -> Path:
    """The folder every user of this machine shares: ``$DOCKER_NOTEBOOKS_LOCK_DIR``, else
    ``docker-notebooks-locks`` in the system's temporary folder (sticky, writable by all)."""
    override = os.environ.get(SHARED_DIR_ENV)
    if override:
        Path(override).mkdir(parents=True, exist_ok=True)
        return Path(override)
    return _shared_folder(Path(tempfile.gettempdir()) / "docker-notebooks-locks")


def engine_key(host: str) -> str:
    """A file name for the engine at ``host``: a Unix socket by its real path (so
    ``/var/run/docker.sock`` and ``/run/docker.sock`` are one engine), else its address.

    Example:
        >>> engine_key("tcp://127.0.0.1:2375")
        'tcp-127.0.0.1-2375'
        >>> engine_key("unix:///run/user/1001/docker.sock")
        'unix-run-user-1001-docker.sock'
    """
    if host.startswith("unix://"):
        host = "unix://" + os.path.realpath(host[len("unix://") :])
    return re.sub(r"[^A-Za-z0-9.]+", "-", host).strip("-")


def engine_dir(host: str | None = None) -> Path:
    """The folder of the engine at ``host`` (the one the helpers resolve by default), shared by
    every user of that engine."""
    if host is None:
        from .engine import resolve_endpoint

        host = resolve_endpoint().host
    return _shared_folder(shared_dir() / engine_key(host))


def open_shared(path: Path):
    """``path`` open for reading and writing, made with mode 0666 (whatever the umask) when it
    is not there yet, so every user of a shared folder may write it."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        with contextlib.suppress(PermissionError):  # another user made it meanwhile
            os.fchmod(fd, 0o666)
    return os.fdopen(fd, "r+")


@contextlib.contextmanager
def locked_engine_json(name: str) -> Iterator[dict]:
    """Like :func:`locked_json`, for a ledger about the engine: ``<name>.json`` in
    :func:`engine_dir`, shared by every user of the engine. A ledger this user kept in their
    own state directory before (older versions of the series) moves there on first use."""
    folder = engine_dir()
    path = folder / f"{name}.json"
    legacy = state_dir() / f"{name}.json"
    with open_shared(folder / f"{name}.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open_shared(path) as ledger:
            text = ledger.read()
            if not text.strip() and legacy.is_file():
                text = legacy.read_text()
                legacy.unlink()
            try:
                data = json.loads(text)
            except ValueError:
                data = {}
            yield data
            ledger.seek(0)
            ledger.truncate()
            ledger.write(json.dumps(data, indent=2, sort_keys=True))


@contextlib.contextmanager
def locked_json(name: str) -> Iterator[dict]:
    """``<state dir>/<name>.json`` as a dict, locked (``flock`` on ``<name>.lock``) for the
    ``with`` block and written back at its end: the series' ledgers (pulled images, build
    cache), shared by every notebook kernel and test process on this machine.

    Example:
        >>> with locked_json("example-ledger") as ledger:  # doctest: +SKIP
        ...     ledger["nginx:stable"] = ["series"]
    """
    path = state_dir() / f"{name}.json"
    with open(state_dir() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = {}
        yield data
        path.write_text(json.dumps(data, indent=2, sort_keys=True))
