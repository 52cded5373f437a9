"""Benchmarks of the series, printed as one table of ratios and seconds (``make bench``).

Measures, each in the same run on the same engine (these machines are shared and noisy, so a
ratio within one run means more than absolute seconds):

1. series overhead: all notebooks (nbclient, fresh kernels) / the same Docker work as a shell
   script (``bench/series.sh``);
2. layer economy: bytes fetched pulling ``nginx:latest`` after ``nginx:stable`` / compressed bytes
   of the layers ``nginx:latest`` does not share;
3. set-up: warm ``make setup``; cold with ``--cold`` (wipes the engine and lab, then sets up a
   fresh clone: throwaway machines only);
4. helpers import time, and first-cell latency (kernel start to setup check done);
   handouts build time; JupyterLab's time to a first rendered notebook in chromium;
5. the build cache: lesson 07's image rebuilt from the cache / built cold;
6. the full test suite, warm (``make test``; skip with ``--no-suite``).

Options: ``--no-suite``, ``--cold``, ``--write`` (store the table in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers.registry_api import MANIFEST_TYPES, REGISTRY_URL

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
PY = sys.executable
SERIES_TAGS = ("nginx:stable", "nginx:latest", "debian:trixie-slim")


READING = """## Reading the numbers

- **Series overhead** compares executing every notebook (nbclient, a fresh kernel each) with
  `bench/series.sh`, the same Docker commands, waits and clean-ups as a plain script. Most of
  the difference is fixed per notebook: starting a Python kernel and the setup cell's imports
  (pandas, the Docker SDK), which the first-cell latency measures. The row "overhead less
  kernel starts" takes those out; what remains is the tables, plots and Python-side checks.
  Already cut: helpers import lazily, figures are drawn without loading pyplot, `!` commands run
  through a pipe instead of a pseudo-terminal (0.1 s each), the restart-policy demos run at
  once, no fixed sleeps (bounded polls), nothing already present is pulled again.
- **Layer economy** is the bytes the engine fetched pulling `nginx:latest` right after
  `nginx:stable`, over the compressed size of the layers `nginx:latest` does not share (from
  the registry's manifest): 1.00 means only what was missing crossed the wire.
- **Build cache** times lesson 07's `docker build` (a three-line Dockerfile copying one
  page onto `nginx:stable`) cold, with no build-cache record of it, and again, when every
  step is `CACHED`. "Cold" is a learner's first build: the base is pulled by the build too.
  With the base already here, cold and cached are close: the only step copies a few bytes,
  and most of either build is the CLI, the context transfer and writing the image.
- **Handouts** builds both editions of the site and their PDFs from the committed notebooks
  (`tools/handouts.py`, no engine); **first rendered notebook** is JupyterLab (served as
  `make start` serves it) drawing lesson 06's first cell in Debian's chromium, best of three.
- **Set-up, cold** (timed only with `--cold`; a table without that row did not) wipes Docker's
  packages and data and the lab's state, then runs `make setup` in a fresh clone with no pip
  cache; **warm** runs it again on a ready machine.
"""


def _timed(command: list[str], **kwargs) -> float:
    """Seconds ``command`` took; stops the bench with the command's last output if it fails."""
    kwargs.setdefault("cwd", ROOT)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        sys.exit(f"bench: {' '.join(command)} failed (exit {done.returncode}):\n{tail}")
    return time.perf_counter() - started


def _series_images_are_ours(client) -> None:
    """Refuse to run over a learner's own nginx or debian images: the series removes its own."""
    import docker

    from helpers.cleanup import claimed_images

    claimed = set(claimed_images())
    for tag in SERIES_TAGS:
        try:
            client.images.get(tag)
        except docker.errors.ImageNotFound:
            continue
        if tag not in claimed:
            sys.exit(f"bench: {tag} is here and is not the series': remove it or bench elsewhere.")


def run_notebooks() -> float:
    """Seconds to execute every notebook top to bottom, each in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    started = time.perf_counter()
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook,
            timeout=600,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    return time.perf_counter() - started


def run_shell() -> float:
    """Seconds for bench/series.sh: the same Docker commands, waits and clean-ups.

    It gets the tags the series' ledger claims, so that, as notebook 02 does, it may remove and
    pull again those, and no tag the series did not pull.
    """
    from helpers.cleanup import claimed_images

    env = dict(os.environ, REGISTRY_URL=REGISTRY_URL, SERIES_PULLS=" ".join(claimed_images()))
    return _timed(["bash", str(ROOT / "bench" / "series.sh")], env=env)


def _lab_layer_sizes(repository: str, tag: str) -> dict[str, int]:
    """diff ID -> compressed size of each layer, from the lab registry's manifest and config."""
    base = f"{REGISTRY_URL}/v2/{repository}"
    request = urllib.request.Request(f"{base}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES})
    with urllib.request.urlopen(request, timeout=10) as reply:
        manifest = json.load(reply)
    with urllib.request.urlopen(f"{base}/blobs/{manifest['config']['digest']}", timeout=10) as r:
        diff_ids = json.load(r)["rootfs"]["diff_ids"]
    return {d: layer["size"] for d, layer in zip(diff_ids, manifest["layers"], strict=True)}


def layer_economy(client) -> tuple[int, int]:
    """(bytes fetched for nginx:latest after nginx:stable, compressed bytes it does not share)."""
    from helpers.cleanup import claim_fresh, release_pulls
    from helpers.registry import pull

    release_pulls("series", client=client, refs=["debian:trixie-slim"])
    claim_fresh(["nginx:stable", "nginx:latest"], notebook="series", client=client)
    pull("nginx:stable", client=client, progress=False)
    fetched = pull("nginx:latest", client=client, progress=False).attrs["downloaded_bytes"]
    stable = set(client.images.get("nginx:stable").attrs["RootFS"]["Layers"])
    sizes = _lab_layer_sizes("library/nginx", "latest")
    return fetched, sum(size for diff_id, size in sizes.items() if diff_id not in stable)


#: Lesson 07's Dockerfile and page (notebooks/src/07-building-and-shipping-images.py).
SITE_DOCKERFILE = (
    "FROM nginx:stable\n"
    "COPY index.html /var/www/html/\n"
    'LABEL org.opencontainers.image.title="my-site"\n'
)
SITE_PAGE = "<h1>Hello from my own image</h1>\n"


def build_cache_seconds(client) -> tuple[float, float, float]:
    """Seconds for lesson 07's ``docker build``: (cold, its base pulled by the build; cold, the
    base already here; a cache hit: the same build again).

    Cold means no build-cache record of it on the engine: the first is a learner's very first
    build (the series' own ``nginx:stable`` is removed first, so the build pulls it through the
    lab registry); the second has the base but no cache. Everything it makes carries the
    labels of the pseudo-notebook ``bench-07`` and goes afterwards, build-cache records
    included (:mod:`helpers.build_cache`); ``nginx:stable`` is the series' again at the end.
    """
    import tempfile

    from helpers import build_cache
    from helpers.cleanup import claim_fresh, remove_leftovers
    from helpers.labels import project_labels
    from helpers.registry import ensure_image

    notebook = "bench-07"
    labels = [f"--label={key}={value}" for key, value in project_labels(notebook).items()]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Dockerfile").write_text(SITE_DOCKERFILE)
        (Path(folder) / "index.html").write_text(SITE_PAGE)
        build = ["docker", "build", *labels, "-t", "dn-bench-07-site", folder]
        try:
            claim_fresh(["nginx:stable"], notebook="series", client=client)
            with build_cache.recording(notebook, client):
                pulled = _timed(build)
            remove_leftovers(notebook, client)
            ensure_image("nginx:stable", client=client)
            with build_cache.recording(notebook, client):
                cold = _timed(build)
                cached = _timed(build)
        finally:
            remove_leftovers(notebook, client)
            ensure_image("nginx:stable", client=client)
    return pulled, cold, cached


def import_seconds() -> float:
    """Seconds to import the helpers a notebook's setup cell imports, minus a bare interpreter."""
    code = "import helpers.notebook, helpers.cleanup, helpers.registry, helpers.containers"
    bare = min(_timed([PY, "-c", "pass"]) for _ in range(3))
    full = min(_timed([PY, "-c", code]) for _ in range(3))
    return full - bare


def first_cell_seconds() -> float:
    """Seconds from asking for a kernel to the end of notebook 03's setup cell."""
    import nbformat
    from jupyter_client.manager import start_new_kernel

    setup = nbformat.read(NOTEBOOKS[2], as_version=4).cells
    code = next(c.source for c in setup if c.cell_type == "code")
    started = time.perf_counter()
    manager, kernel = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS[2].parent))
    try:
        reply = kernel.execute_interactive(code + "\nfrom helpers.cleanup import cleanup as _c\n"
                                           "_ = _c(notebook='03')", timeout=120)  # fmt: skip
        elapsed = time.perf_counter() - started
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kernel.stop_channels()
        manager.shutdown_kernel(now=True)
    return elapsed


def handouts_seconds() -> float:
    """Seconds for ``tools/handouts.py``: both editions, sites and PDFs, from the committed
    notebooks (no engine involved), into a scratch folder."""
    import tempfile

    code = (
        "import sys; sys.path.insert(0, 'tools'); import handouts; from pathlib import Path; "
        "[handouts.build(e, out=Path(sys.argv[1])) for e in handouts.EDITIONS]"
    )
    with tempfile.TemporaryDirectory() as scratch:
        return _timed([PY, "-c", code, scratch])


def first_render_seconds() -> float:
    """Seconds from opening notebook 06 in JupyterLab (as ``make start`` runs it, in Debian's
    chromium) to its first cell on the page; the best of three, as a learner's second look."""
    import shutil
    import tempfile

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tools"))
    import lab_browser

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "notebooks"
        shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns("src", "work-*"))
        with lab_browser.serve(folder) as lab, sync_playwright() as playwright:
            browser = lab_browser.launch(playwright)
            try:
                name = NOTEBOOKS[5].name
                return min(lab_browser.seconds_to_first_notebook(lab, name, browser) for _ in "123")
            finally:
                browser.close()


def cold_setup_seconds() -> float:
    """Wipe the engine and the lab, then time the README's ``make setup`` in a fresh clone.

    As on a fresh machine: no Docker packages, no images, no lab state, no pip cache, a new venv.
    Only for throwaway machines: it removes /var/lib/docker.
    """
    import tempfile

    from helpers.state import state_dir

    subprocess.run(["make", "lab-down"], cwd=ROOT, check=False, capture_output=True)
    subprocess.run(
        ["apt-get", "purge", "-y", "-qq", "docker.io", "docker-cli", "docker-buildx",
         "docker-compose", "docker-registry", "debootstrap", "containerd", "runc"],
        check=False, capture_output=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )  # fmt: skip
    for path in ("/var/lib/docker", "/var/lib/containerd", "/etc/docker", str(state_dir())):
        # The contents, not the folder: /var/lib/docker may be a mount point of its own.
        subprocess.run(["find", path, "-mindepth", "1", "-delete"], check=False)
    with tempfile.TemporaryDirectory() as scratch:
        clone = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        return _timed(["make", "setup"], cwd=clone, env=dict(os.environ, PIP_NO_CACHE_DIR="1"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--no-suite", action="store_true", help="skip timing `make test`")
    parser.add_argument("--cold", action="store_true", help="also time a cold set-up (wipes!)")
    parser.add_argument("--write", action="store_true", help="store results in bench/RESULTS.md")
    args = parser.parse_args(argv)

    rows = []
    if args.cold:
        cold = cold_setup_seconds()
        rows.append(("set-up, cold (s)", f"{cold:.0f}", "≤ 480"))
    warm = _timed(["make", "setup"])
    rows.append(("set-up, warm (s)", f"{warm:.1f}", "≤ 5"))

    from helpers.engine import check, connect

    client = connect()
    facts = check(client)
    _series_images_are_ours(client)

    notebooks = run_notebooks()
    shell = run_shell()
    rows.append(("series overhead: notebooks / shell", f"{notebooks / shell:.2f}", "≤ 1.3"))
    rows.append(("  notebooks, shell (s)", f"{notebooks:.1f}, {shell:.1f}", ""))

    fetched, unshared = layer_economy(client)
    rows.append(("layer economy: fetched / unshared bytes", f"{fetched / unshared:.2f}", "1.00"))
    rows.append(("  fetched, unshared (MB)", f"{fetched / 1e6:.1f}, {unshared / 1e6:.1f}", ""))

    pulled, cold, cached = build_cache_seconds(client)
    rows.append(
        ("build cache: cache-hit rebuild / cold build (07)", f"{cached / pulled:.2f}", "< 0.1")
    )
    rows.append(("  cold with its base pulled, cold with the base here, cached (s)",
                 f"{pulled:.2f}, {cold:.2f}, {cached:.2f}", ""))  # fmt: skip
    rows.append(("  cache-hit rebuild / cold build, base already here", f"{cached / cold:.2f}", ""))

    rows.append(("helpers import (s)", f"{import_seconds():.2f}", ""))
    first_cell = first_cell_seconds()
    rows.append(("first-cell latency (s)", f"{first_cell:.1f}", ""))
    startup = len(NOTEBOOKS) * first_cell
    rows.append(
        (
            "  overhead less kernel starts: (notebooks - N × first cell) / shell",
            f"{(notebooks - startup) / shell:.2f}",
            "",
        )
    )

    rows.append(("handouts, both editions (s)", f"{handouts_seconds():.0f}", "< 60"))
    rows.append(("JupyterLab: first rendered notebook (s)", f"{first_render_seconds():.1f}", "< 5"))

    if not args.no_suite:
        suite = _timed(["make", "test"])
        rows.append(("full test suite, warm (s)", f"{suite:.0f}", "≤ 300"))

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    machine = (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.platform()}, Docker {facts.version}, Python {platform.python_version()}"
    )
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measure':<{width}} | value | goal |", f"| {'-' * width} | --- | --- |"]
    lines += [f"| {m:<{width}} | {v} | {g} |" for m, v, g in rows]
    table = "\n".join(lines)
    print(table)
    print(f"\n{machine}; {dt.date.today().isoformat()}")
    if args.write:
        from bench.classroom import section, with_section

        results = ROOT / "bench" / "RESULTS.md"
        text = (
            f"# Benchmark results\n\nLatest `make bench` on {dt.date.today().isoformat()}: "
            f"{machine}.\n\n{table}\n\n{READING}"
        )
        classroom = section(results.read_text()) if results.exists() else None
        results.write_text(with_section(text, classroom) if classroom else text)  # keep it
    return 0


if __name__ == "__main__":
    sys.exit(main())
