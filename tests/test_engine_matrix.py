"""The image facts the lessons teach, on every set-up of the engine matrix, match the records.

Each set-up of :mod:`helpers.lab.engines` (Docker Engine 20.10 unpacked from Debian 12's package,
the installed 26.1, and 26.1 with the containerd image store) is started as a throwaway scratch
engine, pulls the lab images afresh and is observed (:mod:`helpers.engine_facts`); the test fails
when an engine disagrees with its record in ``notebooks/data/image-facts.json``. Each set-up is
compared with its own record only: sizes under the containerd image store differ from the classic
store's, and that difference is itself a recorded fact. The set-ups run at once, each with its own
data root, socket and bridge; the learner's engine is never touched.
"""

from __future__ import annotations

import concurrent.futures
import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import skip_or_fail

from helpers import engine_facts
from helpers.registry_api import registry_answers

ROOT = Path(__file__).resolve().parent.parent
REFRESH = "python -m helpers.engine_facts --write, then rebuild notebooks 03 and 04"
#: `docker version` as notebook 01 prints it, and the version line of `docker info`.
COMPONENTS = '{{range .Server.Components}}{{.Name}} {{.Version}}{{"\\n"}}{{end}}'
SERVER_VERSION = "Server Version: {{.ServerVersion}}"


def _setups() -> list[str]:
    from helpers.lab.engines import SETUPS

    return list(SETUPS)


def _observe(name: str) -> tuple[dict, dict[str, str]]:
    """One set-up's record, plus the version outputs the sanitizer must make alike."""
    from helpers.lab import engines

    setup = engines.SETUPS[name]
    with engines.engine(setup, "facts") as engine:
        record = {
            "setup": setup.name,
            "description": setup.description,
            **engine_facts.observe_on(engine),
        }
        outputs = {
            "components": engine_facts.cli(engine, "version", "--format", COMPONENTS),
            "info": engine_facts.cli(engine, "info", "--format", SERVER_VERSION),
            "version": engine_facts.cli(engine, "version"),
        }
        engine_facts.remove_images(engine)
    return record, outputs


@pytest.fixture(scope="module")
def matrix(client):
    """Fresh observations on every set-up (root, dockerd, the docker CLI and the lab registry
    needed): ``{setup: (record, version outputs)}``."""
    missing = [
        reason
        for reason, ok in (
            ("root", os.geteuid() == 0),
            ("dockerd", shutil.which("dockerd") is not None),
            ("the docker CLI", shutil.which("docker") is not None),
            ("the lab registry", registry_answers()),
        )
        if not ok
    ]
    if missing:
        skip_or_fail(f"observing the engine matrix needs {', '.join(missing)}")
    names = _setups()
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        return dict(zip(names, pool.map(_observe, names), strict=True))


@pytest.fixture(scope="module")
def recorded():
    return engine_facts.load_all()


def test_every_setup_is_recorded(recorded):
    assert list(recorded) == _setups(), f"a set-up has no record: {REFRESH}"


@pytest.mark.slow
@pytest.mark.parametrize("setup", _setups())
def test_engine_agrees_with_its_record(matrix, recorded, setup):
    """Every fact, to the byte, when the lab registry holds the very images the record was made
    with; when this machine built its own lab images (other digests: every fresh machine
    does), what any build shows: the engine, its store, layers and sharing, the history rows,
    how sizes add up (:func:`helpers.engine_facts.shape`)."""
    observed, _ = matrix[setup]
    record = recorded[setup]
    assert observed["engine"] == record["engine"], f"recorded on another engine: {REFRESH}"
    same_images = all(
        observed["images"][ref]["digest"] == record["images"][ref]["digest"]
        for ref in engine_facts.IMAGES
    )
    if same_images:
        diff = engine_facts.differences(observed, record)
    else:
        diff = engine_facts.differences(engine_facts.shape(observed), engine_facts.shape(record))
    assert not diff, f"{setup} disagrees with its record ({'; '.join(diff[:5])}): {REFRESH}"


def test_layer_sharing_is_the_same_on_every_engine(recorded):
    """Diff IDs name layer content, so every store sees the same layers and the same sharing."""
    shared = {name: r["shared_layers"] for name, r in recorded.items()}
    layers = {
        name: {ref: i["layers"] for ref, i in r["images"].items()} for name, r in recorded.items()
    }
    assert len({repr(v) for v in shared.values()}) == 1, shared
    assert len({repr(v) for v in layers.values()}) == 1
    assert shared["26.1"]["count"] == 1
    assert shared["26.1"]["layers"] == recorded["26.1"]["images"]["debian:trixie-slim"]["layers"]


def test_classic_stores_of_20_10_and_26_1_agree(recorded):
    """Same store, same images: image IDs, sizes, system df and history rows are identical."""
    engine_specific = {"setup", "description", "engine", "api_version", "observed_on"}
    old, new = ({k: v for k, v in recorded[n].items() if k not in engine_specific}
                for n in ("20.10", "26.1"))  # fmt: skip
    assert engine_facts.differences(old, new) == []


def test_containerd_store_counts_sizes_differently(recorded):
    """The facts notebook 03 must not state as universal: under the containerd image store the
    image ID is the manifest digest and every size is larger (it counts the compressed content
    it keeps too); the layers and the history's steps stay the same."""
    classic, store = recorded["26.1"], recorded["26.1-containerd-store"]
    assert store["image_store"] == "containerd" and classic["image_store"] == "classic"
    for ref in engine_facts.IMAGES:
        assert store["images"][ref]["id"] == store["images"][ref]["digest"]
        assert classic["images"][ref]["id"] != classic["images"][ref]["digest"]
        assert store["images"][ref]["size_bytes"] > classic["images"][ref]["size_bytes"]
    steps = [(r["image"], r["created_by"], r["comment"]) for r in store["history"]["nginx:stable"]]
    assert steps == [
        (r["image"], r["created_by"], r["comment"]) for r in classic["history"]["nginx:stable"]
    ]


def test_disk_usage_formula_holds_on_the_classic_store(recorded):
    """Disk used = sum of sizes - sum over shared layers of (users - 1) x size, on the classic
    store; the base layer is shared by all three images here."""
    for name in ("20.10", "26.1"):
        record = recorded[name]
        sizes = sum(i["size_bytes"] for i in record["images"].values())
        base = record["images"]["debian:trixie-slim"]["size_bytes"]
        assert sizes - 2 * base == record["system_df"]["layers_size_bytes"], name


def test_history_rows_are_buildkit_rows(recorded):
    for name, record in recorded.items():
        rows = record["history"]["nginx:stable"]
        assert {row["comment"] for row in rows} == {"buildkit.dockerfile.v0"}, name
        assert rows[0]["image"] == "image ID"
        assert {row["image"] for row in rows[1:]} == {"<missing>"}, name


def _sanitize(text: str) -> str:
    """``tests/sanitize.cfg`` applied as nbval applies it: every section, in file order."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tests" / "sanitize.cfg")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


@pytest.mark.slow
def test_sanitizers_make_every_engine_version_alike(matrix, recorded):
    """A stored output from one engine matches the same output from any other engine."""
    lab_components = subprocess.run(
        ["docker", "version", "--format", COMPONENTS], capture_output=True, text=True, check=True
    ).stdout
    for kind in ("components", "info", "version"):
        seen = {name: _sanitize(outputs[kind]) for name, (_, outputs) in matrix.items()}
        assert len(set(seen.values())) == 1, (kind, seen)
    assert _sanitize(lab_components) == _sanitize(matrix["20.10"][1]["components"])
    engines = {_sanitize(repr((r["engine"], "2026-11-28"))) for r in recorded.values()}
    assert engines == {"('Docker Engine VERSION', '2026-11-28')"}
    assert (
        _sanitize("Engine 28.0.1\n") == _sanitize("Engine 20.10.24+dfsg1\n") == "Engine VERSION\n"
    )


@pytest.mark.slow
def test_no_scratch_engine_is_left_running(matrix):
    from helpers.lab.scratch import bridge_name

    for name in matrix:
        assert not Path(f"/sys/class/net/{bridge_name(f'facts-{name}')}").exists()
    running = subprocess.run(["pgrep", "-af", "dockerd"], capture_output=True, text=True).stdout
    assert "/facts-" not in running, running


def _content_bytes(ref: str) -> tuple[str, int]:
    """The lab registry's manifest digest of ``ref`` and the bytes of its manifest, config and
    compressed layers (what a pull downloads)."""
    import requests

    from helpers.registry_api import MANIFEST_TYPES, REGISTRY_URL

    name, tag = ref.split(":")
    reply = requests.get(
        f"{REGISTRY_URL}/v2/library/{name}/manifests/{tag}",
        headers={"Accept": MANIFEST_TYPES},
        timeout=10,
    )
    reply.raise_for_status()
    manifest = reply.json()
    blobs = manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])
    return reply.headers["Docker-Content-Digest"], len(reply.content) + blobs


@pytest.mark.slow
def test_containerd_store_size_is_snapshots_plus_downloaded_content(matrix):
    """Under the containerd image store an image's SIZE is its unpacked layers (snapshots, as
    disk usage) plus the compressed content it keeps (manifest, config, layers), while
    ``docker system df`` counts each snapshot once and no content. Checked on a fresh
    observation, against the lab registry it pulled from."""
    record, _ = matrix["26.1-containerd-store"]
    snapshots = {}
    for ref in engine_facts.IMAGES:
        digest, content = _content_bytes(ref)
        assert digest == record["images"][ref]["digest"], "the registry changed while observing"
        snapshots[ref] = record["images"][ref]["size_bytes"] - content
    base = snapshots["debian:trixie-slim"]
    df = record["system_df"]
    assert base == df["images"]["nginx:stable"]["shared_size_bytes"]
    own = {ref: size - base for ref, size in snapshots.items()}
    assert base + own["nginx:stable"] + own["nginx:latest"] == df["layers_size_bytes"]
