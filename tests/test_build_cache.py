"""The series' builds leave no build cache behind, and a learner's own build cache stays.

Why it matters: a BuildKit build's cache records hold on to the layers of the image it was
built FROM. Left behind, they would keep nginx:stable's layers after the series removed the
image, and notebook 02's first pull would say "Already exists" for layers never pulled.
"""

from __future__ import annotations

import subprocess

import pytest
from support import skip_or_fail

from helpers import build_cache, cleanup
from helpers.registry import ensure_image, pull

NOTEBOOK = "tests-build-cache"


def _build(tag: str, dockerfile: str) -> None:
    done = subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=dockerfile,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture
def learners_cache(client):
    """A learner's own build (no label) and the cache records it made; removed afterwards."""
    ensure_image("nginx:stable", client=client)
    before = build_cache.cache_ids(client)
    _build("learner-own-build:1", "FROM nginx:stable\nRUN echo mine > /mine.txt\n")
    made = build_cache.cache_ids(client) - before
    yield made
    client.images.remove("learner-own-build:1")
    assert not build_cache.prune(made, client)


def test_cleanup_prunes_the_series_build_cache_and_frees_the_base_layers(client, learners_cache):
    # The learner's build is on nginx:stable: the series builds on nginx:latest, so freeing
    # the series' own image can be seen.
    if cleanup.claim_fresh(["nginx:latest"], notebook=NOTEBOOK, client=client) != ["nginx:latest"]:
        skip_or_fail("nginx:latest is on this engine and not the series': it cannot be removed")
    pull("nginx:latest", client=client, progress=False)
    latest_top = client.images.get("nginx:latest").attrs["RootFS"]["Layers"][-1]
    with build_cache.recording(NOTEBOOK, client):
        _build("dn-tests-build-cache:1", "FROM nginx:latest\n"
               "LABEL tutorial=docker-notebooks tutorial.notebook=tests-build-cache\n"
               "RUN echo series > /series.txt\n")  # fmt: skip
    recorded = build_cache.cache_ids(client) - learners_cache
    assert recorded, "the build made no cache records: nothing was tested"

    try:
        cleanup.cleanup(notebook=NOTEBOOK, client=client)
        left = build_cache.cache_ids(client)
        assert learners_cache <= left, "a learner's own build cache was pruned"
        assert not client.images.list(name="nginx:latest")
        cleanup.claim_pulls(["nginx:latest"], notebook="series", client=client)
        # Of nginx:latest's two layers only the base (nginx:stable has it) is still on the
        # engine: pulling it again downloads its own top layer.
        events = list(client.api.pull("nginx", tag="latest", stream=True, decode=True))
        already = [e.get("id") for e in events if e.get("status") == "Already exists"]
        assert len(already) == 1, already
        assert client.images.get("nginx:latest").attrs["RootFS"]["Layers"][-1] == latest_top
    finally:
        cleanup.cleanup(notebook=NOTEBOOK, client=client)
