"""Where the series keeps its own state: the lab's logs, pid files, registry data and ledgers.

One directory per user, outside any clone, so that a second clone (or CI in a fresh clone on the
same machine) finds the lab the first one set up. ``DOCKER_NOTEBOOKS_STATE`` overrides it.
"""

from __future__ import annotations

import os
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
