"""Start, wait for and stop a background service: written once for dockerd (the lab engine and
the scratch engines) and for the lab registry.

A service is started detached (its own session, output to a log file), awaited with the series'
one bounded poll (:func:`helpers.polling.wait_for`), and stopped the way a host shutdown stops it:
SIGTERM, a bounded wait, then SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from ..errors import LabError, TutorialError
from ..i18n import _
from ..polling import wait_for
from .records import pid_alive, pid_command


def spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``cmd`` detached, its output appended to ``log``; ``env`` replaces the environment
    when given (a service started for another user gets that user's own)."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )


def _last_line(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "?"
    return (lines[-1:] or ["?"])[0][-200:]


def wait_ready(
    proc: subprocess.Popen, ready: Callable[[], object], name: str, log: Path, timeout: float
) -> object:
    """Wait until ``ready()`` returns something truthy; fail at once if the process exits.

    Raises:
        LabError: The process exited, or did not become ready within ``timeout`` seconds.
    """

    def check():
        if proc.poll() is not None:
            raise LabError(
                _("{name} exited at start ({said}): see {log}.").format(
                    name=name, said=_last_line(log), log=log
                )
            )
        try:
            return ready()
        except TutorialError:
            return None

    return wait_for(
        check,
        timeout=timeout,
        interval=0.2,
        what=_("{name} to answer").format(name=name),
        hint=_("see {log}").format(log=log),
        error=LabError,
    )


def start(
    cmd: list[str],
    log: Path,
    ready: Callable[[], object],
    name: str,
    timeout: float,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, object]:
    """Spawn ``cmd`` (with ``env``, see :func:`spawn`) and wait until it is ready; return the
    process and what ``ready`` gave."""
    proc = spawn(cmd, log, env)
    try:
        return proc, wait_ready(proc, ready, name, log, timeout)
    except BaseException:  # an error or Ctrl-C while waiting: never leave the service behind
        stop_process(proc)
        raise


def stop_process(proc: subprocess.Popen, timeout: float = 60) -> bool:
    """SIGTERM ``proc``, wait up to ``timeout`` s, then SIGKILL; True when SIGTERM sufficed."""
    if proc.poll() is not None:
        return True
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def stop_pid(pid: int, name: str, timeout: float = 30) -> bool:
    """Like :func:`stop_process` for a process this Python did not start (found by its pid),
    and only if it still runs ``name``; True when it was running and is now stopped."""
    if not (pid_alive(pid) and name in pid_command(pid)):
        return False
    os.kill(pid, signal.SIGTERM)
    try:
        wait_for(
            lambda: not pid_alive(pid), timeout=timeout, what=_("{name} to stop").format(name=name)
        )
    except TutorialError:
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not pid_alive(pid), timeout=10, what=_("{name} to die").format(name=name))
    return True
