"""The data files that hold one observation per set-up of the engine matrix.

``notebooks/data/restart-policies.json`` and ``notebooks/data/image-facts.json`` share one
shape: ``{"default": "<set-up>", "setups": {"<set-up>": {...record...}}, ...}``, the set-ups in
the matrix's order, each record dated. Reading and writing that shape lives here once;
:mod:`helpers.policy_observation` and :mod:`helpers.engine_facts` say what goes in it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path


def load_all(path: Path) -> dict[str, dict]:
    """Every recorded set-up: ``{set-up name: record}``, in the matrix's order."""
    return json.loads(path.read_text())["setups"]


def load(path: Path, setup: str | None = None) -> dict:
    """The record of ``setup``, by default the file's ``default`` (the lab's own engine)."""
    stored = json.loads(path.read_text())
    return stored["setups"][setup or stored["default"]]


def write(path: Path, record: dict, **extra) -> None:
    """Store ``record`` (one set-up's, named by its ``setup`` key) with today's date, keeping
    the other set-ups' records; ``extra`` top-level keys are written beside them."""
    from .lab.engines import DEFAULT_SETUP, SETUPS

    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        stored = {}
    setups = stored.get("setups", {})
    setups[record["setup"]] = {**record, "observed_on": dt.date.today().isoformat()}
    stored = {
        "default": DEFAULT_SETUP,
        **extra,
        "setups": {name: setups[name] for name in SETUPS if name in setups},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
