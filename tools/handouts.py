"""Workshop handouts from the committed notebooks: a static site and PDFs, in two editions.

    python tools/handouts.py                      # both editions, site and PDFs
    python tools/handouts.py --edition learner --no-pdf

Needs no engine and no network: it reads the stored outputs of ``notebooks/NN-*.ipynb`` (never
executes them), builds a site with Jupyter Book 1 (Sphinx and its book theme, which work
offline), and prints each page to PDF with Debian's chromium through playwright.

- **learner**: exercise solutions left out (a line says where they are);
- **instructor**: solutions shown, under a "Solution" heading.

Both have the command cheat sheet (``tools/cheatsheet.py``), generated from the notebooks. The
output goes to ``build/handouts/<edition>/``: ``site/`` (open ``site/index.html``) and
``pdf/`` (one PDF per page plus ``docker-notebooks-<edition>.pdf``, the whole series).
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
#: A warning (a broken link between lessons, say) fails the build; HANDOUTS_LENIENT=1 lets it pass.
STRICT = [] if os.environ.get("HANDOUTS_LENIENT") else ["--warningiserror"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TITLE = "Docker, hands on"
#: On paper nothing scrolls: long command lines and outputs wrap instead of being cut off.
PRINT_CSS = """@media print {
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  .bd-article-container, .bd-content { max-width: 100% !important; }
}
"""
MARGINS = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
SOLUTION_LEFT_OUT = (
    "*The solution is left out of the learner's handout: try it in JupyterLab, where the "
    "notebook has it hidden under the empty cell.*"
)


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def handout_notebook(path: Path, edition: str) -> nbformat.NotebookNode:
    """The notebook as the handout shows it: stored outputs as they are, the test harness's
    marks taken off the code (``# NBVAL_IGNORE_OUTPUT``), solutions per edition."""
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = re.sub(r"^# NBVAL_IGNORE_OUTPUT\n", "", cell.source)
            cell.metadata.pop("jupyter", None)  # source_hidden is JupyterLab's, not the page's
            if cheatsheet.is_solution(cell):
                if edition == "learner":
                    cells.append(nbformat.v4.new_markdown_cell(SOLUTION_LEFT_OUT))
                    continue
                cells.append(nbformat.v4.new_markdown_cell("**Solution** (instructor's edition):"))
        cells.append(cell)
    notebook.cells = cells
    return notebook


def _lesson_titles() -> list[tuple[str, str]]:
    """``(file stem, title)`` per lesson, from each notebook's first heading."""
    titles = []
    for path in notebooks():
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        titles.append((path.stem, first.lstrip("# ").strip()))
    return titles


def intro_page(edition: str) -> str:
    lessons = "\n".join(f"1. [{title}]({stem}.ipynb)" for stem, title in _lesson_titles())
    which = (
        "This is the **learner's edition**: each exercise's solution is left out."
        if edition == "learner"
        else "This is the **instructor's edition**: each exercise's solution is shown."
    )
    return (
        f"# {TITLE}\n\nA series of Jupyter notebooks that teaches Docker by running it. Every "
        "output on these pages came from a real run of the notebook on a real Docker Engine "
        "(the offline lab's Engine 26.1), and is checked by the series' tests.\n\n"
        f"{which} The [command cheat sheet](cheatsheet.md) lists every command the lessons "
        f"run.\n\n## Lessons\n\n{lessons}\n"
    )


def stage(edition: str, dest: Path) -> None:
    """Write the Jupyter Book sources of ``edition`` into ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for path in notebooks():
        nbformat.write(handout_notebook(path, edition), dest / path.name)
    (dest / "index.md").write_text(intro_page(edition))
    (dest / "cheatsheet.md").write_text(
        cheatsheet.markdown(notebooks(), solutions=edition == "instructor")
    )
    (dest / "_static").mkdir()
    (dest / "_static" / "handout.css").write_text(PRINT_CSS)
    chapters = "\n".join(f"  - file: {path.stem}" for path in notebooks())
    (dest / "_toc.yml").write_text(
        f"format: jb-book\nroot: index\nchapters:\n  - file: cheatsheet\n{chapters}\n"
    )
    config = {
        "title": f"{TITLE} ({edition}'s edition)",
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
            }
        },
    }
    # JSON is YAML: no YAML writer needed.
    (dest / "_config.yml").write_text(json.dumps(config, indent=2))


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
    for page in site.glob("*.html"):
        page.write_text(without_thebe(page.read_text()))


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


def page_order() -> list[str]:
    """The site's pages in reading order: the introduction, the cheat sheet, the lessons."""
    return ["index", "cheatsheet", *(path.stem for path in notebooks())]


def print_pdfs(site: Path, pdf_dir: Path, edition: str) -> list[Path]:
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
        for name in page_order():
            page.goto((site / f"{name}.html").as_uri(), wait_until="load")
            page.emulate_media(media="print")
            target = pdf_dir / f"{name}.pdf"
            page.pdf(path=str(target), format="A4", print_background=True, margin=MARGINS)
            pages.append(target)
        browser.close()
    whole = PdfWriter()
    for target in pages:
        whole.append(str(target))
    series = pdf_dir / f"docker-notebooks-{edition}.pdf"
    with open(series, "wb") as handle:
        whole.write(handle)
    return [*pages, series]


def build(edition: str, pdf: bool = True, out: Path = OUT) -> Path:
    """Build one edition; returns its folder (``build/handouts/<edition>`` by default)."""
    folder = out / edition
    stage(edition, out / "_src" / edition)
    build_site(out / "_src" / edition, folder / "site")
    if pdf:
        print_pdfs(folder / "site", folder / "pdf", edition)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/handouts.py", description=__doc__.split("\n")[0])
    parser.add_argument("--edition", choices=[*EDITIONS, "both"], default="both")
    parser.add_argument("--no-pdf", action="store_true", help="the site only")
    args = parser.parse_args(argv)
    for edition in EDITIONS if args.edition == "both" else (args.edition,):
        started = time.monotonic()
        folder = build(edition, pdf=not args.no_pdf)
        print(f"{folder.relative_to(ROOT)}: {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
