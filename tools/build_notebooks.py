"""Build the series: turn each notebooks/src/NN-*.py (jupytext percent format) into
notebooks/NN-*.ipynb and execute it top to bottom on the real engine, keeping the outputs.

    python tools/build_notebooks.py            # every notebook
    python tools/build_notebooks.py 02 05      # only those whose name starts with 02 or 05
    python tools/build_notebooks.py ko 06      # the Korean edition's (src/ko -> notebooks/ko)

The committed .ipynb files are what this produced; tests/test_notebook_sources.py checks that
their cells still match the sources.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
OUT = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def to_notebook(source: Path) -> nbformat.NotebookNode:
    """Read a percent-format source as a notebook with the standard Python 3 kernel."""
    notebook = jupytext.read(source)
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(notebook.cells):
        cell.id = f"{source.stem[:2]}-{index:03d}"
        cell.metadata.pop("lines_to_next_cell", None)
    return notebook


def tidy(notebook: nbformat.NotebookNode) -> None:
    """Keep what a reader needs: merged streams with progress-bar redraws (``\\r``) resolved to
    their final state, and no per-cell timing metadata that would change on every build."""
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)


def build(source: Path, out: Path = OUT) -> None:
    notebook = to_notebook(source)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    ).execute()
    tidy(notebook)
    target = out / f"{source.stem}.ipynb"
    nbformat.write(notebook, target)
    print(f"{target.relative_to(ROOT)}: {time.monotonic() - started:.1f} s", flush=True)


def main(prefixes: list[str]) -> int:
    src, out = SRC, OUT
    if prefixes[:1] == ["ko"]:  # the Korean edition: its own sources and folder
        src, out, prefixes = SRC / "ko", OUT / "ko", prefixes[1:]
    for source in sorted(src.glob("[0-9][0-9]-*.py")):
        if not prefixes or any(source.name.startswith(p) for p in prefixes):
            build(source, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
