"""One notebook of the series at a time on an engine, so two copies never collide.

Notebooks share the engine's images and their objects' names (``dn-05-web``): notebook 02
removes and re-pulls ``nginx:stable`` while 03 reads it, and two copies of 05 would replace each
other's containers. Rather than rename everything per run, each notebook holds this lock from its
setup cell to its clean-up cell. A second notebook (another copy of the series, another kernel)
waits for it, bounded, and then says plainly who holds it.

The lock is an ``flock`` on a file in the state directory: the kernel's exit (Restart, Shut
Down, a crash) releases it too, so a stale lock cannot outlive its holder.
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from .errors import SeriesBusy
from .state import state_dir

#: Seconds a notebook waits for another one to finish (``DOCKER_NOTEBOOKS_LOCK_WAIT``).
DEFAULT_WAIT = 60.0

_held: dict = {}


def _lock_path():
    return state_dir() / "series.lock"


def _record_in(lock) -> dict:
    """The ``{"notebook", "pid"}`` the holder wrote into the lock file (``?`` when unreadable)."""
    lock.seek(0)
    try:
        record = json.loads(lock.read() or "{}")
    except ValueError:
        record = {}
    return {"notebook": "?", "pid": "?", **record}


def holder() -> dict | None:
    """Who holds the lock (``notebook``, ``pid``), as they recorded it; None when nobody does."""
    try:
        with open(_lock_path()) as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _record_in(lock)
            fcntl.flock(lock, fcntl.LOCK_UN)
            return None
    except OSError:
        return None


def acquire(notebook: str, wait: float | None = None) -> float:
    """Hold the series lock for ``notebook``; wait (bounded) while another notebook holds it.

    Calling it again in the same process (a re-run setup cell) keeps the lock.

    Args:
        notebook: Short name of the notebook, e.g. ``"05"``.
        wait: Seconds to wait at most; ``DOCKER_NOTEBOOKS_LOCK_WAIT`` or 60 when None.

    Returns:
        Seconds spent waiting (0.0 when the lock was free).

    Raises:
        SeriesBusy: Another notebook still held the lock after ``wait`` seconds.
    """
    if _held:
        _record(notebook)
        return 0.0
    if wait is None:
        wait = float(os.environ.get("DOCKER_NOTEBOOKS_LOCK_WAIT", DEFAULT_WAIT))
    lock = open(_lock_path(), "a+")  # noqa: SIM115 - held until release()
    start = time.monotonic()
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() - start >= wait:
                other = _record_in(lock)
                lock.close()
                raise SeriesBusy(
                    f"Notebook {other['notebook']} (process {other['pid']}) "
                    "is still using this engine: run its last cell (Clean up) or shut down its "
                    "kernel, then run this cell again."
                ) from None
            time.sleep(0.2)
    _held["file"] = lock
    _record(notebook)
    return time.monotonic() - start


def _record(notebook: str) -> None:
    lock = _held["file"]
    _held["notebook"] = notebook
    lock.seek(0)
    lock.truncate()
    lock.write(json.dumps({"notebook": notebook, "pid": os.getpid()}))
    lock.flush()


def held_by() -> str | None:
    """The notebook this process holds the lock for, or None."""
    return _held.get("notebook")


def release(notebook: str | None = None) -> bool:
    """Let the next notebook go; only when held for ``notebook`` (any, when None).

    Returns:
        True when this call released the lock.
    """
    if not _held or (notebook is not None and _held["notebook"] != notebook):
        return False
    lock = _held.pop("file")
    _held.clear()
    lock.seek(0)
    lock.truncate()
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    return True
