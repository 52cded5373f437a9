"""The README's set-up table (section "Your set-up") covers exactly the series' lessons.

One row per lesson ``NN`` of ``notebooks/src/NN-*.py``, no row for a lesson that does not exist,
and the four learners' set-ups as columns; the two set-ups the series does not run say so in
every cell. No engine needed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Your set-up"
#: The set-up columns, in the README's order, each with what every one of its cells starts with
#: (None: tested, so no mark).
COLUMNS = {
    "docker group": None,
    "rootless Docker": None,
    "Docker Desktop": "not run here",
    "Podman's Docker socket": "not tested",
}


def lessons() -> set[str]:
    """The lesson numbers of the series' sources (``notebooks/src/NN-*.py``)."""
    return {path.name[:2] for path in (ROOT / "notebooks" / "src").glob("[0-9][0-9]-*.py")}


def cells(line: str) -> list[str]:
    """The cells of one markdown table row (a ``\\|`` inside a cell does not split it).

    Example:
        >>> cells("| 01 | a `x \\\\| y` | b |")
        ['01', 'a `x \\\\| y`', 'b']
    """
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def setup_table(readme: str) -> tuple[list[str], list[list[str]]]:
    """The header and the body rows of the first table in the README's set-up section."""
    assert SECTION in readme, f"README.md has no section {SECTION!r}"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows, started = [], False
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(cells(line))
            started = True
        elif started:
            break
    assert len(rows) >= 2, f"no table under {SECTION!r}"
    header, separator, *body = rows
    assert all(re.fullmatch(r":?-{3,}:?", cell) for cell in separator), separator
    return header, body


@pytest.fixture(scope="module")
def table() -> tuple[list[str], list[list[str]]]:
    return setup_table((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_four_setups_are_columns(table):
    header, _ = table
    assert header[1:] == list(COLUMNS), f"set-up columns {header[1:]}, expected {list(COLUMNS)}"


def test_every_lesson_has_one_row_and_every_row_a_lesson(table):
    _, body = table
    numbers = [row[0] for row in body]
    assert sorted(lessons()) == [f"{n:02d}" for n in range(1, len(lessons()) + 1)]
    missing = sorted(lessons() - set(numbers))
    unknown = sorted(set(numbers) - lessons())
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    assert not missing, f"lessons with no row in the set-up table: {missing}"
    assert not unknown, f"rows naming no lesson of notebooks/src/: {unknown}"
    assert not twice, f"lessons with more than one row: {twice}"


def test_every_row_fills_every_column(table):
    header, body = table
    for row in body:
        assert len(row) == len(header), f"lesson {row[0]}: {len(row)} cells for {len(header)}"
        assert all(row), f"lesson {row[0]} has an empty cell"


def test_setups_not_run_say_so_in_every_cell(table):
    header, body = table
    for column, mark in COLUMNS.items():
        if mark is None:
            continue
        at = header.index(column)
        unmarked = [row[0] for row in body if not row[at].startswith(mark)]
        assert not unmarked, f"{column}: lessons {unmarked} do not start with {mark!r}"


def test_a_row_missing_or_unknown_fails():
    """The parser sees a missing lesson and one that does not exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header, body = setup_table(readme)
    first = "| " + " | ".join(body[0]) + " |"
    broken = readme.replace(first + "\n", "").replace(
        "| " + " | ".join(body[-1]) + " |", "| 99 | " + " | ".join(body[-1][1:]) + " |"
    )
    numbers = {row[0] for row in setup_table(broken)[1]}
    assert body[0][0] not in numbers and "99" in numbers and "99" not in lessons()


def test_the_instructors_guide_points_at_the_table():
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    assert "../README.md#your-set-up" in guide
