"""The handouts (``make handouts``, tools/handouts.py): both editions built from the committed
notebooks, with no engine; what each edition shows and leaves out; the cheat sheet that cannot
drift from the lessons; a site whose every page and link is there; the Korean edition, from
notebooks/ko, with its language switch, its Korean cheat sheet and its PDFs in a Korean font."""

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
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: What the tests build: every English edition with PDFs; in Korean, to keep the suite short,
#: the learner's edition with PDFs and the instructor's site.
BUILT = [("en", "learner", True), ("en", "instructor", True), ("ko", "learner", True),
         ("ko", "instructor", False)]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The editions of :data:`BUILT`, built once for this module (the Korean ones when
    notebooks/ko has every lesson; if not, the Korean tests say what is missing)."""
    out = tmp_path_factory.mktemp("handouts")
    for language, edition, pdf in BUILT:
        if not handouts.missing(language):
            handouts.build(edition, pdf=pdf, out=out, language=language)
    return out


def _built() -> list[tuple[str, str, bool]]:
    """The entries of :data:`BUILT` the fixture built (the English ones, whatever notebooks/ko
    holds: test_the_korean_edition_has_every_lesson says when the Korean ones are missing)."""
    return [entry for entry in BUILT if not handouts.missing(entry[0])]


def _korean_lessons() -> list[Path]:
    """The Korean lessons, once notebooks/ko holds the twin of every English one."""
    english = [path.name for path in NOTEBOOKS]
    korean = [path.name for path in handouts.notebooks("ko")]
    missing = [name for name in english if name not in korean]
    assert not missing, (
        f"notebooks/ko lacks {len(missing)} of the {len(english)} lessons ({', '.join(missing)}): "
        'build them with `make notebooks NB="ko"`'
    )
    return handouts.notebooks("ko")


def _site(built: Path, language: str, edition: str) -> Path:
    return handouts.edition_folder(edition, language, built) / "site"


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
        self.switches: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if "language-switch" in (attrs.get("class") or "").split():
                self.switches.append(attrs["href"])
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


def _text(path: Path) -> str:
    return " ".join("".join(_page(path).text).split())


def _solutions(notebooks: list[Path] = NOTEBOOKS) -> list[tuple[str, str]]:
    """(notebook stem, first command line of each exercise solution) across the series: not a
    cell magic, nor a comment such as ``# needs: overlay network``, which other cells share."""
    found = []
    for path in notebooks:
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
    notebook = nbformat.read(ROOT / "notebooks/06-publishing-ports.ipynb", as_version=4)
    solution = "".join(c.source for c in notebook.cells if cheatsheet.is_solution(c))
    assert "Welcome to nginx!" in learner
    assert "--name my-nginx" not in learner and "--name my-nginx" in solution
    assert "--name my-nginx" in instructor


def test_the_series_pdf_is_every_page_in_reading_order(built):
    from pypdf import PdfReader

    for language, edition, pdf in _built():
        if not pdf:
            continue
        pdf = handouts.edition_folder(edition, language, built) / "pdf"
        series = handouts.TEXTS[language]["series_pdf"].format(edition=edition)
        whole = PdfReader(pdf / series).pages
        start = 0
        for name in handouts.page_order(language):
            part = PdfReader(pdf / f"{name}.pdf").pages
            assert whole[start].extract_text() == part[0].extract_text(), f"{series}: {name}"
            start += len(part)
        assert start == len(whole)
    assert handouts.page_order()[:2] == ["index", "cheatsheet"]
    assert handouts.page_order()[2 : 2 + len(NOTEBOOKS)] == [p.stem for p in NOTEBOOKS]


def test_every_page_link_and_image_of_the_site_is_there(built):
    for language, edition, _ in _built():
        site = _site(built, language, edition)
        pages = ["index", "search", *handouts.page_order(language)[1:]]
        for name in pages:
            path = site / f"{name}.html"
            assert path.exists(), path
            page = _page(path)
            for target in page.links + page.images:
                if re.match(r"^(https?:|mailto:|#|data:|javascript:)", target):
                    continue
                local = (path.parent / target.split("#")[0].split("?")[0]).resolve()
                assert local.exists(), f"{language}/{edition}/{name}.html links to missing {target}"


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


def test_the_korean_edition_has_every_lesson():
    assert [path.name for path in _korean_lessons()] == [path.name for path in NOTEBOOKS]


def test_every_page_links_to_the_same_page_in_the_other_language(built):
    """The switch: one link per page, to the page of the same name in the other language's
    site of the same edition (its introduction, for a page only one language has)."""
    _korean_lessons()
    for language, edition, _ in BUILT:
        site = _site(built, language, edition)
        there = _site(built, "ko" if language == "en" else "en", edition)
        for path in sorted(site.glob("*.html")):
            switches = _page(path).switches
            assert len(switches) == 1, f"{language}/{edition}/{path.name}: {switches}"
            wanted = there / (path.name if (there / path.name).exists() else "index.html")
            assert not switches[0].startswith("/") and "://" not in switches[0]
            assert (path.parent / switches[0]).resolve() == wanted.resolve(), (
                f"{language}/{edition}/{path.name} switches to {switches[0]}"
            )
        names = [path.name for path in site.glob("*.html")]
        assert {"index.html", "cheatsheet.html", "06-publishing-ports.html"} <= set(names)
    english = _page(_site(built, "en", "learner") / "06-publishing-ports.html")
    korean = _page(_site(built, "ko", "learner") / "06-publishing-ports.html")
    assert english.switches == ["../../ko/learner/site/06-publishing-ports.html"]
    assert korean.switches == ["../../../learner/site/06-publishing-ports.html"]
    assert "한국어" in english.text and "English" in korean.text


def test_the_korean_learners_edition_leaves_each_solution_out_and_says_so_in_korean(built):
    solutions = _solutions(_korean_lessons())
    assert {stem for stem, _ in solutions} == {p.stem for p in NOTEBOOKS}
    for stem, first_line in solutions:
        learner = _text(_site(built, "ko", "learner") / f"{stem}.html")
        instructor = _text(_site(built, "ko", "instructor") / f"{stem}.html")
        line = " ".join(first_line.split())
        assert line not in learner, f"{stem}: the Korean learner's page shows {line!r}"
        assert "학습자용 유인물에는 풀이를 싣지 않았습니다" in learner, stem
        assert line in instructor, f"{stem}: the Korean instructor's page lacks {line!r}"
        assert "풀이 (강사용):" in instructor, stem
    index = _text(_site(built, "ko", "learner") / "index.html")
    assert "직접 해 보는 Docker" in index and "학습자용" in index and "Lessons" not in index


def test_the_korean_cheat_sheet_lists_the_same_commands_as_the_english_one(built):
    _korean_lessons()
    for edition in handouts.EDITIONS:
        english = (built / "_src" / edition / "cheatsheet.md").read_text().splitlines()
        korean = (built / "_src" / "ko" / edition / "cheatsheet.md").read_text().splitlines()
        rows = [line for line in english if line.startswith("| `")]
        assert rows and rows == [line for line in korean if line.startswith("| `")], edition
        assert korean[0] == "# 명령어 요약표" and "| 명령 | 예 | 레슨 |" in korean
        assert english[0] == "# Command cheat sheet"
        assert "| command | example | lessons |" in english
    page = _text(_site(built, "ko", "learner") / "cheatsheet.html")
    assert "명령어 요약표" in page and "docker run" in page


def test_the_korean_pdf_is_korean_text_in_a_korean_font(built):
    """Hangul glyphs come from a real Korean font (fonts-nanum, or Noto CJK), not boxes."""
    from pypdf import PdfReader

    _korean_lessons()
    pdf = handouts.edition_folder("learner", "ko", built) / "pdf" / "06-publishing-ports.pdf"
    assert len(HANGUL.findall(_pdf_text(pdf))) > 200
    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")))
    assert any(re.search(r"Nanum|NotoSansCJK|NotoSerifCJK", font) for font in fonts), fonts


def test_no_korean_notebooks_or_some_missing_is_one_sentence_not_a_crash(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(handouts.NOTEBOOK_DIRS, "ko", tmp_path)
    for have in ([], NOTEBOOKS[:1]):
        for path in have:
            (tmp_path / path.name).write_bytes(path.read_bytes())
        assert handouts.main(["--language", "ko", "--no-pdf"]) == 1
        said = capsys.readouterr().out.strip()
        assert said.count("\n") == 0 and 'make notebooks NB="ko"' in said, said
        assert (f"lacks {len(NOTEBOOKS) - 1} of the {len(NOTEBOOKS)}" in said) == bool(have), said
