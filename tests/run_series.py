"""Run notebooks of the series top to bottom, as whoever runs this script, and keep what they
printed: the learners' set-ups tests (``tests/test_setups_series.py``) run it as an unprivileged
user on a copy of the notebooks, then read the executed copies.

    python tests/run_series.py NOTEBOOK.ipynb ...

Each notebook is executed in its own folder (as JupyterLab would) with errors allowed, so one
failing cell does not hide the rest, and written back in place. One line per notebook reports its
seconds. The exit status is 0 once every notebook was executed; judging the outputs is the
test's job.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path) -> float:
    """Execute ``path`` in place (errors allowed) and return its seconds."""
    notebook = nbformat.read(path, as_version=4)
    started = time.monotonic()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()  # fmt: skip
    nbformat.write(notebook, path)
    return time.monotonic() - started


def main(paths: list[str]) -> int:
    for name in paths:
        print(f"{Path(name).name}: {run(Path(name)):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
