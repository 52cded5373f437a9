"""The committed notebooks: in step with their sources, complete, honest about what nbval skips."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SECTIONS = (
    "## Overview",
    "## Prerequisites",
    "## Setup",
    "Try it yourself",
    "## Summary",
    "## What's next",
    "## Resources",
)
#: At most this share of a notebook's code cells may skip output comparison.
MAX_IGNORED = 0.25


def _code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def _ignored(cell) -> bool:
    return "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in cell.metadata.get(
        "tags", []
    )


def test_there_are_twelve_notebooks_with_clean_up_last():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{n:02d}" for n in range(1, 13)]
    assert NOTEBOOKS[-1].name.startswith("12-cleaning-up")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_its_source(path):
    """Editing a .ipynb by hand (or a source without rebuilding) makes the two drift apart."""
    source = jupytext.read(ROOT / "notebooks" / "src" / f"{path.stem}.py")
    built = nbformat.read(path, as_version=4)
    assert [c.source for c in built.cells] == [c.source for c in source.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_the_skeleton(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    missing = [s for s in SECTIONS if s not in text]
    assert not missing, f"{path.name} lacks {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_code_cell_has_stored_outputs_of_a_run(path):
    cells = _code_cells(nbformat.read(path, as_version=4))
    assert all(c.execution_count for c in cells), f"{path.name} has unexecuted cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_at_most_25_percent_of_code_cells_skip_comparison(path):
    cells = _code_cells(nbformat.read(path, as_version=4))
    ignored = sum(map(_ignored, cells))
    assert ignored / len(cells) <= MAX_IGNORED, f"{path.name}: {ignored}/{len(cells)} ignored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_errors(path):
    for cell in _code_cells(nbformat.read(path, as_version=4)):
        assert all(o.output_type != "error" for o in cell.outputs), cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_have_an_empty_cell_a_hidden_solution_and_a_check(path):
    """Try it yourself: an empty cell for the learner, then the solution (tagged, its input
    collapsed in JupyterLab, run by nbval so the check is proven), then a check that prints."""
    cells = nbformat.read(path, as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    found = 0
    for before, solution, check in zip(code, code[1:], code[2:], strict=False):
        if "solution" not in solution.metadata.get("tags", []):
            continue
        found += 1
        assert not before.source.strip(), "no empty cell for the learner before the solution"
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True
        assert "docker" in solution.source, "the exercise is not a Docker task"
        printed = "".join(o.get("text", "") for o in check.outputs)
        assert printed.startswith("Pass"), f"the check after the solution printed {printed!r}"
    assert found >= 1, f"{path.name} has no exercise"
