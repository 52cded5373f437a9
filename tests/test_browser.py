"""The series as a learner sees it: JupyterLab in a real browser (Debian's chromium, driven by
Python playwright with ``executable_path``; no browser download), and the handout site.

JupyterLab starts the way ``make start`` starts it, on a free port, serving a copy of
``notebooks/`` (so the run's autosaves never touch the committed notebooks). Each lesson is
opened, run with "Restart Kernel and Run All Cells" from the command palette, and saved; the test
then reads what the browser produced: every cell ran, no error and no traceback, each exercise's
check passed, the lesson's key output is there. A screenshot of each run is kept in
``build/test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lab_browser  # noqa: E402
from support import cell_text  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
ARTIFACTS = ROOT / "build" / "test-artifacts" / "browser"
#: What each lesson must show on the page after a run, beyond its exercise's "Pass".
KEY_OUTPUT = {"06": "Welcome to nginx!"}

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab as ``make start`` runs it, on a copy of the notebooks: (base URL, token, dir)."""
    served = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(ROOT / "notebooks", served, ignore=shutil.ignore_patterns("src", "work-*"))
    with lab_browser.serve(served) as lab:
        yield lab.base, lab.token, served


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = lab_browser.launch(playwright)
        yield chromium
        chromium.close()


def _shut_down_kernels(base: str, token: str) -> None:
    kernels = json.load(urllib.request.urlopen(f"{base}/api/kernels?token={token}"))
    for kernel in kernels:
        request = urllib.request.Request(
            f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE"
        )
        urllib.request.urlopen(request)


def _run_in_jupyterlab(browser, base: str, token: str, name: str) -> tuple[float, list[str]]:
    """Open ``name``, Restart Kernel and Run All Cells, save. Returns (seconds to the first
    rendered notebook, console errors)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    try:
        started = time.monotonic()
        page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        loaded = time.monotonic() - started
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60_000)
        page.keyboard.press("Control+Shift+C")
        page.fill("input.lm-CommandPalette-input", "Restart Kernel and Run All Cells")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=10_000)
        indicator = ".jp-Notebook-ExecutionIndicator[data-status='{}']"
        page.wait_for_selector(indicator.format("busy"), timeout=30_000)
        page.wait_for_selector(indicator.format("idle"), timeout=600_000)
        page.keyboard.press("Control+s")
        page.wait_for_selector("text=Saving completed", timeout=30_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{Path(name).stem}-top.png"))
        page.locator(".jp-Notebook .jp-Cell").last.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{Path(name).stem}-end.png"))
    finally:
        page.close()
    return loaded, console


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_each_lesson_runs_in_jupyterlab_in_a_real_browser(jupyterlab, browser, path):
    base, token, served = jupyterlab
    try:
        loaded, console = _run_in_jupyterlab(browser, base, token, path.name)
    finally:
        _shut_down_kernels(base, token)
    saved = nbformat.read(served / path.name, as_version=4)
    code = [c for c in saved.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count for c in code), "a cell did not run in the browser"
    errors = [c.source[:60] for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    everything = "\n".join(cell_text(c) for c in code)
    assert "Traceback" not in everything
    exercises = sum("solution" in c.metadata.get("tags", []) for c in code)
    assert everything.count("\nPass") + everything.startswith("Pass") >= exercises >= 1
    assert KEY_OUTPUT.get(path.name[:2], "") in everything
    assert loaded < 30, f"the notebook took {loaded:.1f} s to render"
    assert not console, f"the browser's console logged errors: {console}"


def test_every_handout_page_loads_with_no_console_error(browser, tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    import handouts

    handouts.build("learner", pdf=False, out=tmp_path)
    site = tmp_path / "learner" / "site"
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    for name in [*handouts.page_order(), "search"]:
        page.goto((site / f"{name}.html").as_uri(), wait_until="load")
        for image in page.locator("img").all():
            loaded = image.evaluate("i => i.complete && i.naturalWidth > 0")
            assert loaded, f"{name}: an image did not load"
    page.close()
    assert not problems, problems
