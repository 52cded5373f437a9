"""Workshop handouts from the committed notebooks: a static site and PDFs, in two editions and
two languages.

    python tools/handouts.py                      # both editions, both languages, site and PDFs
    python tools/handouts.py --edition learner --language ko --no-pdf

Needs no engine and no network: it reads the stored outputs of ``notebooks/NN-*.ipynb`` (never
executes them), builds a site with Jupyter Book 1 (Sphinx and its book theme, which work
offline), and prints each page to PDF with Debian's chromium through playwright.

- **learner**: exercise solutions left out (a line says where they are);
- **instructor**: solutions shown, under a "Solution" heading.

Both have the command cheat sheet (``tools/cheatsheet.py``), generated from the notebooks. The
output goes to ``build/handouts/<edition>/``: ``site/`` (open ``site/index.html``) and
``pdf/`` (one PDF per page plus ``docker-notebooks-<edition>.pdf``, the whole series).

The Korean edition is made the same way from ``notebooks/ko/NN-*.ipynb`` (the Korean twins,
same file names) into ``build/handouts/ko/<edition>/`` (the series as
``docker-notebooks-<edition>-ko.pdf``), its own texts taken from :data:`TEXTS`. Every page of
either site links to the same page in the other language (a relative link, so it works from
the files and on any server). A Markdown file outside the notebooks' folder that a lesson links
to (the glossary) becomes a page of the book after the lessons.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cheatsheet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "handouts"
EDITIONS = ("learner", "instructor")
LANGUAGES = ("en", "ko")
#: Each language's notebooks (the Korean twins have the English file names).
NOTEBOOK_DIRS = {"en": ROOT / "notebooks", "ko": ROOT / "notebooks" / "ko"}
#: A warning (a broken link between lessons, say) fails the build; HANDOUTS_LENIENT=1 lets it pass.
STRICT = [] if os.environ.get("HANDOUTS_LENIENT") else ["--warningiserror"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: On paper nothing scrolls: long command lines and outputs wrap instead of being cut off.
PRINT_CSS = """@media print {
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  .bd-article-container, .bd-content { max-width: 100% !important; }
}
.language-switch { font-size: 0.9rem; font-weight: 600; }
"""
MARGINS = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
#: What the handouts say, per language. ``folder``: where the language's handouts go under
#: ``build/handouts/``; ``name``: the language's own name, the switch's text on the other's pages;
#: ``english``: its name in English.
TEXTS = {
    "en": {
        "folder": "",
        "name": "English",
        "english": "English",
        "title": "Docker, hands on",
        "edition": {"learner": "learner's edition", "instructor": "instructor's edition"},
        "intro": "A series of Jupyter notebooks that teaches Docker by running it. Every output "
        "on these pages came from a real run of the notebook on a real Docker Engine (the "
        "offline lab's Engine 26.1), and is checked by the series' tests.",
        "which": {
            "learner": "This is the **learner's edition**: each exercise's solution is left out.",
            "instructor": "This is the **instructor's edition**: each exercise's solution is "
            "shown.",
        },
        "sheet": "The [command cheat sheet](cheatsheet.md) lists every command the lessons run.",
        "lessons": "Lessons",
        "left_out": "*The solution is left out of the learner's handout: try it in JupyterLab, "
        "where the notebook has it hidden under the empty cell.*",
        "solution": "**Solution** (instructor's edition):",
        "series_pdf": "docker-notebooks-{edition}.pdf",
    },
    "ko": {
        "folder": "ko",
        "name": "한국어",
        "english": "Korean",
        "title": "직접 해 보는 Docker",
        "edition": {"learner": "학습자용", "instructor": "강사용"},
        "intro": "Docker를 직접 실행하면서 배우는 Jupyter 노트북 시리즈입니다. 이 페이지의 모든 "
        "출력은 실제 Docker Engine(오프라인 실습 환경의 Engine 26.1)에서 노트북을 실제로 실행해 "
        "얻은 것이며, 시리즈의 테스트가 확인합니다.",
        "which": {
            "learner": "이 유인물은 **학습자용**입니다. 연습 문제의 풀이는 싣지 않았습니다.",
            "instructor": "이 유인물은 **강사용**입니다. 연습 문제마다 풀이를 실었습니다.",
        },
        "sheet": "[명령어 요약표](cheatsheet.md)에는 레슨에서 실행하는 모든 명령이 있습니다.",
        "lessons": "레슨",
        "left_out": "*학습자용 유인물에는 풀이를 싣지 않았습니다. JupyterLab에서 직접 해 보세요. "
        "노트북에서는 빈 셀 아래에 풀이가 숨겨져 있습니다.*",
        "solution": "**풀이** (강사용):",
        "series_pdf": "docker-notebooks-{edition}-ko.pdf",
    },
}


def notebooks(language: str = "en") -> list[Path]:
    return sorted(NOTEBOOK_DIRS[language].glob("[0-9][0-9]-*.ipynb"))


def missing(language: str) -> str | None:
    """One sentence when ``language`` lacks lessons to make its handouts from (the Korean
    edition needs the twin of every English lesson, or its links would break), else None."""
    have = {path.name for path in notebooks(language)}
    lacking = [path.stem for path in notebooks("en") if path.name not in have]
    if have and not lacking:
        return None
    folder = NOTEBOOK_DIRS[language]
    where = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
    make = "make notebooks" + ("" if language == "en" else f' NB="{language}"')
    what = (
        f"lacks {len(lacking)} of the {len(notebooks('en'))} lessons ({', '.join(lacking)})"
        if have
        else "holds no notebooks yet"
    )
    return (
        f"handouts: {where}/ {what}, so there are no {TEXTS[language]['english']} handouts: "
        f"build them with `{make}`, then run `make handouts` again."
    )


def other(language: str) -> str:
    return next(code for code in LANGUAGES if code != language)


#: A Markdown link (not an image): ``[words](target#anchor)``.
_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]\(([^()\s#]+)(#[^()\s]*)?\)")


def appendix(language: str) -> dict[Path, str]:
    """The Markdown files outside the notebooks' folder that the lessons link to (the
    glossary), each with the page name it gets in the book: its file name without suffixes
    (``docs/glossary.ko.md`` -> ``glossary``), the same in both languages."""
    folder = NOTEBOOK_DIRS[language].resolve()
    pages = {}
    for path in notebooks(language):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for link in _LINK.finditer(cell.source):
                target = link.group(2)
                found = (folder / target).resolve()
                if target.endswith(".md") and found.parent != folder and found.is_file():
                    pages[found] = found.name.split(".")[0]
    return pages


def book_links(language: str) -> dict[Path, str]:
    """Each file that is a page of the book, with the link to it from inside the book."""
    pages = {path.resolve(): path.name for path in notebooks(language)}
    return pages | {path: f"{name}.md" for path, name in appendix(language).items()}


def local_links(text: str, origin: Path, pages: dict[Path, str]) -> str:
    """``text`` (from a file in ``origin``) with its links to the book's ``pages``
    (:func:`book_links`) made links inside the book: to a lesson
    (``../notebooks/ko/06-publishing-ports.ipynb``), to the glossary. A link to a document of
    the repository that is not in the book (``../README.ko.md``) keeps only its words; one to
    no file at all stays, and fails the build."""

    def inside(link: re.Match) -> str:
        words, target, anchor = link.group(1), link.group(2), link.group(3) or ""
        if re.match(r"^[a-z]+:", target) or not target.endswith((".md", ".ipynb")):
            return link.group(0)
        found = (origin / target).resolve()
        if found in pages:
            return f"[{words}]({pages[found]}{anchor})"
        return words if found.exists() else link.group(0)

    return _LINK.sub(inside, text)


def handout_notebook(
    path: Path, edition: str, language: str = "en", pages: dict[Path, str] | None = None
) -> nbformat.NotebookNode:
    """The notebook as the handout shows it: stored outputs as they are, the test harness's
    marks taken off the code (``# NBVAL_IGNORE_OUTPUT``), solutions per edition, links to
    the book's ``pages`` made links inside the book."""
    texts, pages = TEXTS[language], book_links(language) if pages is None else pages
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = local_links(cell.source, path.parent, pages)
        if cell.cell_type == "code":
            cell.source = re.sub(r"^# NBVAL_IGNORE_OUTPUT\n", "", cell.source)
            cell.metadata.pop("jupyter", None)  # source_hidden is JupyterLab's, not the page's
            if cheatsheet.is_solution(cell):
                if edition == "learner":
                    cells.append(nbformat.v4.new_markdown_cell(texts["left_out"]))
                    continue
                cells.append(nbformat.v4.new_markdown_cell(texts["solution"]))
        cells.append(cell)
    notebook.cells = cells
    return notebook


def _lesson_titles(language: str = "en") -> list[tuple[str, str]]:
    """``(file stem, title)`` per lesson, from each notebook's first heading."""
    titles = []
    for path in notebooks(language):
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        titles.append((path.stem, first.lstrip("# ").strip()))
    return titles


def intro_page(edition: str, language: str = "en") -> str:
    texts = TEXTS[language]
    lessons = "\n".join(f"1. [{title}]({stem}.ipynb)" for stem, title in _lesson_titles(language))
    return (
        f"# {texts['title']}\n\n{texts['intro']}\n\n{texts['which'][edition]} {texts['sheet']}"
        f"\n\n## {texts['lessons']}\n\n{lessons}\n"
    )


def edition_folder(edition: str, language: str = "en", out: Path = OUT) -> Path:
    """Where an edition's handouts go: ``build/handouts/<edition>`` in English,
    ``build/handouts/ko/<edition>`` in Korean."""
    return out / TEXTS[language]["folder"] / edition


def stage(edition: str, dest: Path, language: str = "en") -> None:
    """Write the Jupyter Book sources of ``edition`` in ``language`` into ``dest``."""
    texts, lessons, extra = TEXTS[language], notebooks(language), appendix(language)
    pages = book_links(language)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for path in lessons:
        nbformat.write(handout_notebook(path, edition, language, pages), dest / path.name)
    (dest / "index.md").write_text(intro_page(edition, language))
    (dest / "cheatsheet.md").write_text(
        cheatsheet.markdown(lessons, solutions=edition == "instructor", language=language)
    )
    for path, name in extra.items():
        (dest / f"{name}.md").write_text(local_links(path.read_text(), path.parent, pages))
    (dest / "_static").mkdir()
    (dest / "_static" / "handout.css").write_text(PRINT_CSS)
    chapters = "\n".join(
        f"  - file: {name}" for name in [*(p.stem for p in lessons), *extra.values()]
    )
    (dest / "_toc.yml").write_text(
        f"format: jb-book\nroot: index\nchapters:\n  - file: cheatsheet\n{chapters}\n"
    )
    config = {
        "title": f"{texts['title']} ({texts['edition'][edition]})",
        "author": "docker-notebooks",
        "copyright": "",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "html": {"use_search_button": True, "home_page_in_navbar": True},
        "launch_buttons": {"thebe": False},
        # No dollar math: "$(docker ps -q)" in prose is shell, not TeX, and without math no
        # page loads MathJax from a CDN (pages opened offline or printed load whole).
        "parse": {"myst_enable_extensions": ["colon_fence"]},
        "sphinx": {
            "config": {
                "html_show_copyright": False,
                # IPython's lexer trips on a cell magic followed by a `!` line (`%%time`, then
                # `!docker build`); the cell still shows, highlighted loosely.
                "suppress_warnings": ["misc.highlighting_failure"],
                "html_css_files": ["handout.css"],
                # The theme's light/dark switch starts from this (without it, a page opened
                # from a file logs "invalid theme mode" on the console).
                "html_context": {"default_mode": "light"},
                "nb_render_markdown_format": "myst",
                # The theme's own words (search, contents) in the page's language.
                **({} if language == "en" else {"language": language}),
            }
        },
    }
    # JSON is YAML: no YAML writer needed.
    (dest / "_config.yml").write_text(json.dumps(config, indent=2, ensure_ascii=False))


def build_site(source: Path, site: Path) -> None:
    """Build the static site of ``source`` into ``site`` with Jupyter Book."""
    scratch = source.parent / f"{source.name}-build"
    shutil.rmtree(scratch, ignore_errors=True)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source),
         "--path-output", str(scratch), *STRICT, "--quiet"],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        # Sphinx's own warning names the page and the cause; the traceback after it does not.
        causes = [line.strip() for line in lines if "SphinxWarning:" in line or "ERROR:" in line]
        sys.exit(
            f"handouts: the site of {source.name} did not build: "
            + ("; ".join(causes) if causes else "\n".join(lines[-25:]))
        )
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(scratch / "_build" / "html", site)
    shutil.rmtree(scratch, ignore_errors=True)


def finish_pages(site: Path, edition: str, language: str) -> None:
    """Each page of ``site`` without sphinx-thebe and with its language switch."""
    there = other(language)
    pages = set() if missing(there) else {*page_order(there), "search", "genindex"}
    here_site = edition_folder(edition, language, Path("/"))
    there_site = edition_folder(edition, there, Path("/"))
    for page in site.glob("*.html"):
        html = without_thebe(page.read_text())
        if pages:
            target = page.name if page.stem in pages else "index.html"
            href = os.path.relpath(there_site / "site" / target, here_site / "site")
            html = with_switch(html, href, there)
        page.write_text(html)


#: Jupyter Book 1 always adds sphinx-thebe (live code cells loaded from a CDN), and declares its
#: settings twice on every page, which the browser logs as an error. Handouts are static pages
#: meant to work offline, so its scripts go.
_THEBE_SCRIPT = re.compile(
    r"^\s*<script>const THEBE_JS_URL = .*?</script>\n|^\s*<script [^>]*sphinx-thebe\.js[^>]*>"
    r"</script>\n",
    re.MULTILINE,
)


def without_thebe(html: str) -> str:
    """``html`` without sphinx-thebe's scripts.

    Example:
        >>> without_thebe('<p>\\n  <script>const THEBE_JS_URL = "x"; </script>\\n</p>')
        '<p>\\n</p>'
    """
    return _THEBE_SCRIPT.sub("", html)


#: Where the switch goes: first among the buttons at the top of each page (not printed).
_BUTTONS = '<div class="article-header-buttons">'


def with_switch(html: str, href: str, language: str) -> str:
    """``html`` with a link to ``href``, the page in ``language``, named in that language.

    Example:
        >>> print(with_switch('<div class="article-header-buttons">', "../x.html", "ko"))
        <div class="article-header-buttons">
        <a class="btn btn-sm language-switch" href="../x.html" hreflang="ko" lang="ko">한국어</a>
    """
    if _BUTTONS not in html:
        sys.exit("handouts: the book theme's page has no header buttons for the language switch")
    link = (
        f'<a class="btn btn-sm language-switch" href="{href}" hreflang="{language}" '
        f'lang="{language}">{TEXTS[language]["name"]}</a>'
    )
    return html.replace(_BUTTONS, f"{_BUTTONS}\n{link}", 1)


def page_order(language: str = "en") -> list[str]:
    """The site's pages in reading order: the introduction, the cheat sheet, the lessons, the
    pages the lessons link to (the glossary)."""
    return [
        "index", "cheatsheet", *(path.stem for path in notebooks(language)),
        *appendix(language).values(),
    ]  # fmt: skip


def print_pdfs(site: Path, pdf_dir: Path, edition: str, language: str = "en") -> list[Path]:
    """Print each page of ``site`` to PDF with chromium, then the whole series as one PDF."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter

    shutil.rmtree(pdf_dir, ignore_errors=True)
    pdf_dir.mkdir(parents=True)
    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for name in page_order(language):
            page.goto((site / f"{name}.html").as_uri(), wait_until="load")
            page.emulate_media(media="print")
            target = pdf_dir / f"{name}.pdf"
            page.pdf(path=str(target), format="A4", print_background=True, margin=MARGINS)
            pages.append(target)
        browser.close()
    whole = PdfWriter()
    for target in pages:
        whole.append(str(target))
    series = pdf_dir / TEXTS[language]["series_pdf"].format(edition=edition)
    with open(series, "wb") as handle:
        whole.write(handle)
    return [*pages, series]


def build(edition: str, pdf: bool = True, out: Path = OUT, language: str = "en") -> Path:
    """Build one edition in one language; returns its folder (``build/handouts/<edition>`` or
    ``build/handouts/ko/<edition>`` by default)."""
    if missing(language):
        sys.exit(missing(language))
    folder = edition_folder(edition, language, out)
    source = edition_folder(edition, language, out / "_src")
    stage(edition, source, language)
    build_site(source, folder / "site")
    finish_pages(folder / "site", edition, language)
    if pdf:
        print_pdfs(folder / "site", folder / "pdf", edition, language)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/handouts.py", description=__doc__.split("\n")[0])
    parser.add_argument("--edition", choices=[*EDITIONS, "both"], default="both")
    parser.add_argument("--language", choices=[*LANGUAGES, "both"], default="both")
    parser.add_argument("--no-pdf", action="store_true", help="the site only")
    parser.add_argument(
        "--ko-notebooks", type=Path, metavar="DIR",
        help="the Korean notebooks (default notebooks/ko)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.ko_notebooks:
        NOTEBOOK_DIRS["ko"] = args.ko_notebooks.resolve()
    status = 0
    for language in LANGUAGES if args.language == "both" else (args.language,):
        if missing(language):
            print(missing(language), flush=True)
            status = 1 if args.language == language else status
            continue
        for edition in EDITIONS if args.edition == "both" else (args.edition,):
            started = time.monotonic()
            folder = build(edition, pdf=not args.no_pdf, language=language)
            where = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
            print(f"{where}: {time.monotonic() - started:.1f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
