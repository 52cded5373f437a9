"""Every claim in tests/claims.toml has a check that exists, and every notebook makes claims."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = tomllib.loads((ROOT / "tests" / "claims.toml").read_text())["claim"]
NOTEBOOKS = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _compared_cell(notebook: Path, start: str):
    cells = [
        c
        for c in nbformat.read(notebook, as_version=4).cells
        if c.cell_type == "code" and c.source.lstrip().startswith(start)
    ]
    assert len(cells) == 1, f"{notebook.name}: {len(cells)} code cells start with {start!r}"
    return cells[0]


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c['notebook']}-{c['says'][:40]}")
def test_claim_has_a_check(claim):
    assert {"test", "nbval", "link"} & set(claim), f"no check for: {claim['says']}"
    notebook = NOTEBOOKS[claim["notebook"]]
    if "test" in claim:
        path, _, name = claim["test"].partition("::")
        assert (ROOT / path).is_file(), claim["test"]
        assert name in _test_functions(ROOT / path), f"{claim['test']} does not exist"
    if "nbval" in claim:
        cell = _compared_cell(notebook, claim["nbval"])
        assert "NBVAL_IGNORE_OUTPUT" not in cell.source, "nbval skips this cell's output"
        assert "nbval-ignore-output" not in cell.metadata.get("tags", [])
        assert cell.outputs, "the cell has no stored output to compare"
    if "link" in claim:
        text = "".join(c.source for c in nbformat.read(notebook, as_version=4).cells)
        assert claim["link"] in text, f"{notebook.name} does not link {claim['link']}"


def test_every_notebook_makes_checked_claims():
    assert {c["notebook"] for c in CLAIMS} == set(NOTEBOOKS)
