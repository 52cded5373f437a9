"""Host ports a lesson picked, reserved across every engine on this machine.

Every engine on one machine publishes on the same host addresses: a rootless engine's
``-p 127.0.0.1:8080:80`` binds the host's own 127.0.0.1:8080, as root's does. Learners each with
an engine of their own (a classroom server) run the same lesson at the same time, so two of them
could both find 8080 free in their setup cells and both try to publish it seconds later. So a
port :func:`helpers.containers.free_port` picks is reserved here, in the folder every user of
the machine shares, until the lesson's clean-up (:func:`release`) or its kernel's end (a
reservation whose process is gone holds nothing). Another engine's reservation makes
``free_port`` move on; the same engine's does not, since the series lock lets one lesson at a
time use an engine and its cells replace their own containers.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from .state import engine_key, open_shared, shared_dir


def _folder() -> Path:
    folder = shared_dir() / "ports"
    folder.mkdir(exist_ok=True)
    with contextlib.suppress(PermissionError):
        folder.chmod(0o1777)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def _this_engine() -> str:
    from .engine import resolve_endpoint

    return engine_key(resolve_endpoint().host)


def reserved_elsewhere(port: int) -> bool:
    """True when a live lesson on another engine reserved ``port``."""
    record = _read(_folder() / str(port))
    return (
        bool(record)
        and record.get("engine") != _this_engine()
        and _alive(int(record.get("pid", 0)))
    )


def reserve(port: int, notebook: str | None) -> None:
    """Reserve ``port`` for ``notebook`` on this engine, by this process."""
    record = {"engine": _this_engine(), "notebook": notebook, "pid": os.getpid()}
    with open_shared(_folder() / str(port)) as handle:
        handle.truncate()
        handle.write(json.dumps(record))


def release(notebook: str | None = None) -> list[int]:
    """Let go of the ports this engine's ``notebook`` (any of its notebooks, when None)
    reserved, and of reservations whose process is gone; the ports released."""
    engine = _this_engine()
    released = []
    for path in _folder().iterdir():
        record = _read(path)
        ours = record.get("engine") == engine and notebook in (None, record.get("notebook"))
        if ours or not _alive(int(record.get("pid", 0) or 0)):
            with contextlib.suppress(OSError):  # another user's stale file stays
                path.unlink()
                if path.name.isdigit():
                    released.append(int(path.name))
    return sorted(released)
