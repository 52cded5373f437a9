"""The handouts (``make handouts``, tools/handouts.py): both editions built from the committed
notebooks, with no engine; what each edition shows and leaves out; the cheat sheet that cannot
drift from the lessons; a site whose every page and link is there."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import cheatsheet  # noqa: E402
import handouts  # noqa: E402

NOTEBOOKS = handouts.notebooks()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Both editions, sites and PDFs, built once for this module."""
    out = tmp_path_factory.mktemp("handouts")
    for edition in handouts.EDITIONS:
        handouts.build(edition, pdf=True, out=out)
    return out


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


class _Page(HTMLParser):
    """The text and the links of one HTML page."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag in ("link", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))

    def handle_data(self, data):
        self.text.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def _solutions() -> list[tuple[str, str]]:
    """(notebook stem, first command line of each exercise solution) across the series: not a
    cell magic, nor a comment such as ``# needs: overlay network``, which other cells share."""
    found = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and cheatsheet.is_solution(cell):
                lines = [
                    x for x in cell.source.strip().splitlines() if not x.startswith(("%%", "#"))
                ]
                found.append((path.stem, lines[0]))
    return found


def test_every_notebook_has_a_solution_to_check():
    assert {stem for stem, _ in _solutions()} == {p.stem for p in NOTEBOOKS}


def test_the_learners_edition_leaves_each_solution_out_and_the_instructors_shows_it(built):
    for stem, first_line in _solutions():
        learner = " ".join("".join(_page(built / "learner/site" / f"{stem}.html").text).split())
        instructor = " ".join(
            "".join(_page(built / "instructor/site" / f"{stem}.html").text).split()
        )
        line = " ".join(first_line.split())
        assert line not in learner, f"{stem}: the learner's page shows the solution {line!r}"
        assert "solution is left out" in learner
        assert line in instructor, f"{stem}: the instructor's page lacks the solution {line!r}"


def test_the_learners_pdf_of_06_has_the_welcome_page_and_no_solution(built):
    learner = _pdf_text(built / "learner/pdf/06-publishing-ports.pdf")
    instructor = _pdf_text(built / "instructor/pdf/06-publishing-ports.pdf")
    solution = dict(_solutions())["06-publishing-ports"]
    assert "Welcome to nginx!" in learner
    assert "--name my-nginx" not in learner and "--name my-nginx" in solution
    assert "--name my-nginx" in instructor


def test_the_series_pdf_is_every_page_in_reading_order(built):
    from pypdf import PdfReader

    for edition in handouts.EDITIONS:
        pdf = built / edition / "pdf"
        whole = PdfReader(pdf / f"docker-notebooks-{edition}.pdf").pages
        start = 0
        for name in handouts.page_order():
            part = PdfReader(pdf / f"{name}.pdf").pages
            assert whole[start].extract_text() == part[0].extract_text(), f"{edition}: {name}"
            start += len(part)
        assert start == len(whole)
    assert handouts.page_order()[:2] == ["index", "cheatsheet"]
    assert handouts.page_order()[2:] == [p.stem for p in NOTEBOOKS]


def test_every_page_link_and_image_of_the_site_is_there(built):
    for edition in handouts.EDITIONS:
        site = built / edition / "site"
        pages = ["index", "cheatsheet", "search", *(p.stem for p in NOTEBOOKS)]
        for name in pages:
            path = site / f"{name}.html"
            assert path.exists(), path
            page = _page(path)
            for target in page.links + page.images:
                if re.match(r"^(https?:|mailto:|#|data:|javascript:)", target):
                    continue
                local = (path.parent / target.split("#")[0].split("?")[0]).resolve()
                assert local.exists(), f"{edition}/{name}.html links to missing {target}"


def test_each_lesson_page_links_to_the_previous_and_next(built):
    site = built / "learner" / "site"
    order = ["cheatsheet", *(p.stem for p in NOTEBOOKS)]
    for index in range(1, len(order)):
        page, before = order[index], order[index - 1]
        links = _page(site / f"{page}.html").links
        assert f"{before}.html" in links, f"{page}: no link back to {before}"
        if index + 1 < len(order):
            assert f"{order[index + 1]}.html" in links, f"{page}: no link on to the next page"


def test_the_cheat_sheet_lists_every_command_the_lessons_run(built):
    sheet = (built / "_src" / "learner" / "cheatsheet.md").read_text()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or cheatsheet.is_solution(cell):
                continue
            for line in cheatsheet.command_lines(cell):
                for command, _ in cheatsheet.commands_in(line):
                    assert f"| `{command}` |" in sheet, f"{path.name}: {command} is missing"
    assert "| `docker run` |" in sheet and "| `docker ps` |" in sheet


def test_a_command_a_lesson_adds_reaches_the_cheat_sheet(tmp_path):
    """The sheet is made from the notebooks: a new command in a lesson appears, with it."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("!docker volume prune -f --filter label=x"),
            nbformat.v4.new_code_cell("%%bash\ndocker network ls && podman pod ps"),
        ]
    )
    path = tmp_path / "99-new.ipynb"
    nbformat.write(notebook, path)
    sheet = cheatsheet.markdown([path])
    assert "| `docker volume prune` | `docker volume prune -f --filter label=x` | 99 |" in sheet
    assert "| `docker network ls` |" in sheet and "| `podman pod ps` |" in sheet


def test_solutions_commands_are_only_in_the_instructors_cheat_sheet(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("!docker container prune -f", metadata={"tags": ["solution"]})
        ]
    )
    path = tmp_path / "99-new.ipynb"
    nbformat.write(notebook, path)
    assert "docker container prune" not in cheatsheet.markdown([path])
    assert "docker container prune" in cheatsheet.markdown([path], solutions=True)


def test_a_korean_font_is_installed_for_the_handouts():
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no font with Korean coverage: run `make browser`"
