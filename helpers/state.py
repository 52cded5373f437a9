"""Where the series keeps its own state: the lab's logs, pid files, registry data and ledgers.

One directory per user, outside any clone, so that a second clone (or CI in a fresh clone on the
same machine) finds the lab the first one set up. ``DOCKER_NOTEBOOKS_STATE`` overrides it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path


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
