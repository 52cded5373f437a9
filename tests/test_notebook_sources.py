"""The committed notebooks of both editions (English in notebooks/, Korean in notebooks/ko/):
in step with their sources, complete, honest about what nbval skips; and the Korean twins in
step with the English lessons (tools/translations.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import translations  # noqa: E402

ENGLISH = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
KOREAN = sorted((ROOT / "notebooks" / "ko").glob("[0-9][0-9]-*.ipynb"))
NOTEBOOKS = ENGLISH + KOREAN
#: The skeleton's sections, by edition (the Korean headings are the translators' fixed ones).
SECTIONS = {
    "en": (
        "## Overview",
        "## Prerequisites",
        "## Setup",
        "Try it yourself",
        "## Summary",
        "## What's next",
        "## Resources",
    ),
    "ko": (
        "## 개요",
        "## 사전 지식",
        "## 준비",
        "직접 해 보기",
        "## 요약",
        "## 다음 단계",
        "## 참고 자료",
    ),  # fmt: skip
}
GLOSSARY = "../../docs/glossary.ko.md"


def _edition(path: Path) -> str:
    return "ko" if path.parent.name == "ko" else "en"


def _name(path: Path) -> str:
    return f"{_edition(path)}-{path.stem}"


#: At most this share of a notebook's code cells may skip output comparison.
MAX_IGNORED = 0.25


def _code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def _ignored(cell) -> bool:
    return "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in cell.metadata.get(
        "tags", []
    )


def test_there_are_twelve_notebooks_with_clean_up_last():
    assert [p.name[:2] for p in ENGLISH] == [f"{n:02d}" for n in range(1, 13)]
    assert ENGLISH[-1].name.startswith("12-cleaning-up")


def test_every_lesson_has_its_korean_twin():
    assert [p.name for p in KOREAN] == [p.name for p in ENGLISH]
    sources = sorted(p.name for p in (ROOT / "notebooks" / "src" / "ko").glob("[0-9][0-9]-*.py"))
    assert sources == [f"{p.stem}.py" for p in ENGLISH]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_matches_its_source(path):
    """Editing a .ipynb by hand (or a source without rebuilding) makes the two drift apart."""
    folder = ROOT / "notebooks" / "src" / ("ko" if _edition(path) == "ko" else "")
    source = jupytext.read(folder / f"{path.stem}.py")
    built = nbformat.read(path, as_version=4)
    assert [c.source for c in built.cells] == [c.source for c in source.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_has_the_skeleton(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    missing = [s for s in SECTIONS[_edition(path)] if s not in text]
    assert not missing, f"{path.name} lacks {missing}"


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.stem)
def test_the_korean_twin_is_in_step_with_the_english_lesson(english):
    """Same code cells (the setup call asks for Korean), every markdown cell translated from
    the English cell as it reads now (``tools/translations.py status`` says what to do)."""
    problems = translations.lesson_problems(translations.SRC / f"{english.stem}.py")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.stem)
def test_the_korean_notebook_runs_the_english_code(english):
    """The built notebooks too, not only their sources: same code, same tags, same order."""
    ko = nbformat.read(english.parent / "ko" / english.name, as_version=4).cells
    en = nbformat.read(english, as_version=4).cells
    assert [(c.cell_type, c.metadata.get("tags")) for c in ko] == [
        (c.cell_type, c.metadata.get("tags")) for c in en
    ]
    assert [c.source for c in ko if c.cell_type == "code"] == [
        translations.korean_code(c.source) for c in en if c.cell_type == "code"
    ]
    assert sum('language="ko"' in c.source for c in ko if c.cell_type == "code") == 1


@pytest.mark.parametrize("path", KOREAN, ids=_name)
def test_the_korean_notebook_links_the_glossary(path):
    first = nbformat.read(path, as_version=4).cells[0].source
    assert f"]({GLOSSARY})" in first
    assert (path.parent / GLOSSARY).resolve().is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_every_code_cell_has_stored_outputs_of_a_run(path):
    cells = _code_cells(nbformat.read(path, as_version=4))
    assert all(c.execution_count for c in cells), f"{path.name} has unexecuted cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_at_most_25_percent_of_code_cells_skip_comparison(path):
    cells = _code_cells(nbformat.read(path, as_version=4))
    ignored = sum(map(_ignored, cells))
    assert ignored / len(cells) <= MAX_IGNORED, f"{path.name}: {ignored}/{len(cells)} ignored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_no_stored_errors(path):
    for cell in _code_cells(nbformat.read(path, as_version=4)):
        assert all(o.output_type != "error" for o in cell.outputs), cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
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
        passed = ("Pass", "통과") if _edition(path) == "ko" else ("Pass",)
        assert printed.startswith(passed), f"the check after the solution printed {printed!r}"
    assert found >= 1, f"{path.name} has no exercise"
