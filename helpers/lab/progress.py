"""The lab's progress lines: one prefix, flushed at once so `make` shows each step live."""

from __future__ import annotations


def say(message: str) -> None:
    """Print one progress line of the lab (``lab: ...``)."""
    print(f"lab: {message}", flush=True)
