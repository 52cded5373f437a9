"""Lessons read the lab; they never import the code that provisions it (helpers/lab/)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]-*.py"))


def _imported_helpers() -> set[str]:
    """Every ``helpers.*`` module a notebook's code cells import."""
    modules = set()
    for source in SOURCES:
        for cell in jupytext.read(source).cells:
            if cell.cell_type != "code":
                continue
            code = "\n".join(
                line
                for line in cell.source.splitlines()
                if not line.lstrip().startswith(("!", "%"))
            )
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                    modules.add(node.module)
                elif isinstance(node, ast.Import):
                    modules |= {a.name for a in node.names if a.name.startswith("helpers")}
    return modules


def test_no_notebook_imports_the_lab_package():
    modules = _imported_helpers()
    assert modules, "found no helpers imports at all: the parser is broken"
    assert not [m for m in modules if m == "helpers.lab" or m.startswith("helpers.lab.")]


def test_what_notebooks_import_does_not_load_the_lab_package():
    """Not even indirectly: importing every module the lessons use leaves helpers.lab unloaded."""
    modules = sorted(_imported_helpers())
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] == ['helpers', 'lab']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
