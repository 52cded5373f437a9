"""JupyterLab as ``make start`` runs it, and Debian's chromium to look at it: shared by the
browser tests (``tests/test_browser.py``) and the benchmarks (``bench/``).

Playwright drives the system's chromium (``executable_path``): playwright's own browser
download does not work offline.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Quiet, offline-friendly chromium: no GPU, no background fetches, no first-run screens.
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass
class JupyterLab:
    """A running JupyterLab: where it is and what it serves."""

    base: str
    token: str
    folder: Path

    def url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (a fresh workspace: no tabs left from before)."""
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(folder: Path, timeout: float = 60) -> Iterator[JupyterLab]:
    """Run JupyterLab on ``folder`` as ``make start`` does, on a free port of 127.0.0.1 with a
    token of its own, until the ``with`` block ends."""
    port, token = _free_port(), secrets.token_hex(16)
    root = ["--allow-root"] if os.geteuid() == 0 else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}", "--ip=127.0.0.1",
         f"--port={port}", "--no-browser", f"--IdentityProvider.token={token}", *root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        env=dict(os.environ, DOCKER_NOTEBOOKS_LOCK_WAIT="900"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.3)
        yield JupyterLab(base, token, folder)
    finally:
        proc.terminate()  # JupyterLab shuts its kernels down first: give it a moment
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def launch(playwright):
    """Debian's chromium, headless, through ``playwright``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)


def seconds_to_first_notebook(lab: JupyterLab, notebook: str, browser) -> float:
    """Seconds from opening ``notebook``'s address to its first cell drawn on the page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        started = time.monotonic()
        page.goto(lab.url(notebook))
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        return time.monotonic() - started
    finally:
        page.close()
