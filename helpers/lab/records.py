"""What ``up`` started, kept in ``<state dir>/lab.json``, so ``down`` stops exactly that."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..state import state_dir


def _state_file() -> Path:
    return state_dir() / "lab.json"


def load_state() -> dict:
    """What ``up`` recorded: which processes it started, and how."""
    try:
        return json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return {}


def save_state(state: dict) -> None:
    """Write the record back (after a process was started or stopped)."""
    _state_file().write_text(json.dumps(state, indent=2, sort_keys=True))


def record_process(state: dict, key: str, proc, cmd: list[str], log: Path) -> None:
    """Note a started process in the record, so ``down`` can stop exactly it."""
    state[key] = {"pid": proc.pid, "cmd": cmd, "log": str(log)}
    save_state(state)


def pid_alive(pid: int | None) -> bool:
    """True when process ``pid`` exists and is not a zombie."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def pid_command(pid: int) -> str:
    """The command line of process ``pid`` ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def recorded_pid(state: dict, key: str, name: str) -> int | None:
    """The pid recorded under ``key`` if that process still runs ``name``, else None."""
    pid = (state.get(key) or {}).get("pid")
    return pid if pid_alive(pid) and name in pid_command(pid) else None
