"""One notebook of the series at a time on an engine, so two copies never collide.

Notebooks share the engine's images and their objects' names (``dn-05-web``): notebook 02
removes and re-pulls ``nginx:stable`` while 03 reads it, and two copies of 05 would replace each
other's containers. Rather than rename everything per run, each notebook holds this lock from its
setup cell to its clean-up cell. A second notebook (another copy of the series, another kernel)
says at once who holds it and what frees it, then waits for it, bounded.

The lock is an ``flock`` on a file in the engine's folder, which every user of the engine
shares (:func:`helpers.state.engine_dir`): a learner in the
``docker`` group and root on the same engine take turns, while learners each with a rootless
engine of their own never wait for each other. The kernel's exit (Restart, Shut Down, a crash)
releases it too, so a stale lock cannot outlive its holder.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import time
from pathlib import Path

from .errors import SeriesBusy
from .i18n import _
from .state import SHARED_DIR_ENV, engine_dir, open_shared

#: Seconds a notebook waits for another one to finish (``DOCKER_NOTEBOOKS_LOCK_WAIT``).
DEFAULT_WAIT = 60.0

_held: dict = {}


#: Overrides the folder of the engines' lock files (tests use a folder of their own).
LOCK_DIR_ENV = SHARED_DIR_ENV


def _lock_path() -> Path:
    return engine_dir() / "series.lock"


def _open_lock():
    """The engine's lock file, open for reading and writing (every user of the engine may)."""
    return open_shared(_lock_path())


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


def busy_notice(other: dict, wait: float) -> str:
    """The sentence a notebook prints at once when another one holds the engine.

    Example:
        >>> busy_notice({"notebook": "05", "pid": 4242}, 60)
        'Notebook 05 (kernel process 4242) is using the engine: run its Clean up cell or shut down its kernel, and this notebook goes on by itself (it waits up to 60 s).'
    """  # noqa: E501
    return _(
        "Notebook {notebook} ({whose}) is using the engine: run its Clean up cell or shut down "
        "its kernel, and this notebook goes on by itself (it waits up to {wait:.0f} s)."
    ).format(notebook=other["notebook"], whose=_whose(other), wait=wait)


def _whose(other: dict) -> str:
    """``kernel process 4242``, with ``of user NAME`` when another user holds the engine.

    Example:
        >>> _whose({"pid": 7, "user": "nobody-else"})
        'kernel process 7 of user nobody-else'
    """
    user = other.get("user")
    if user is None or user == getpass.getuser():
        return _("kernel process {pid}").format(pid=other["pid"])
    return _("kernel process {pid} of user {user}").format(pid=other["pid"], user=user)


def _say(sentence: str) -> None:
    print(sentence, flush=True)


def acquire(notebook: str, wait: float | None = None, notice=_say) -> float:
    """Hold the series lock for ``notebook``; wait (bounded) while another notebook holds it.

    When another notebook holds it, ``notice`` is called at once with one sentence naming the
    holder (notebook and kernel process) and what frees it (:func:`busy_notice`). A holder whose
    process is gone holds nothing: the kernel's exit released its ``flock``. Calling it again in
    the same process (a re-run setup cell) keeps the lock and returns at once.

    Args:
        notebook: Short name of the notebook, e.g. ``"05"``.
        wait: Seconds to wait at most; ``DOCKER_NOTEBOOKS_LOCK_WAIT`` or 60 when None.
        notice: Called with the sentence when the lock is busy (printed by default; None for
            silence).

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
    lock = _open_lock()  # held until release()
    start = time.monotonic()
    told = notice is None
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            waited = time.monotonic() - start
            if not told:
                other = _record_in(lock)
                # The holder writes its record just after taking the lock: give it a moment.
                if other["pid"] != "?" or waited >= 1.0:
                    notice(busy_notice(other, wait))
                    told = True
            if waited >= wait:
                other = _record_in(lock)
                lock.close()
                raise SeriesBusy(
                    _(
                        "Notebook {notebook} ({whose}) is still using this engine: run its last "
                        "cell (Clean up) or shut down its kernel, then run this cell again."
                    ).format(notebook=other["notebook"], whose=_whose(other))
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
    lock.write(json.dumps({"notebook": notebook, "pid": os.getpid(), "user": getpass.getuser()}))
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
