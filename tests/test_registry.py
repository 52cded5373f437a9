"""Search and pull on a real engine, through Docker Hub or the offline lab mirror."""

from __future__ import annotations

import pytest
from support import assert_one_sentence, skip_or_fail

from helpers import cleanup, registry, registry_api
from helpers.errors import ImageNotFound
from helpers.refs import normalize_ref, split_ref


@pytest.fixture(scope="module")
def pulled(client):
    """Pull nginx:stable, then nginx:latest; remove afterwards only tags this test pulled."""
    tags = ["nginx:stable", "nginx:latest"]
    claimed = cleanup.claim_fresh(tags, notebook="tests", client=client)
    if claimed != tags:
        cleanup.release_pulls("tests", client=client)
        message = f"{set(tags) - set(claimed)} already here (not the series'): pulls show no layers"
        skip_or_fail(message)
    stable = registry.pull("nginx:stable", client=client, progress=False)
    latest = registry.pull("nginx:latest", client=client, progress=False)
    yield stable, latest
    cleanup.release_pulls("tests", client=client)


def test_split_ref_keeps_a_registry_port_and_a_digest():
    """The SDK's parse_repository_tag, with ``latest`` made explicit as the engine does."""
    host = registry_api.REGISTRY_HOST
    assert split_ref("nginx") == ("nginx", "latest")
    assert split_ref(f"{host}/library/nginx:stable") == (f"{host}/library/nginx", "stable")
    assert split_ref(f"{host}/library/nginx") == (f"{host}/library/nginx", "latest")
    assert split_ref("nginx@sha256:abc") == ("nginx", "sha256:abc")
    assert normalize_ref("nginx@sha256:abc") == "nginx@sha256:abc"
    assert normalize_ref(f"{host}/library/nginx") == f"{host}/library/nginx:latest"


def test_pull_reports_layers_and_digest(pulled):
    stable, _ = pulled
    assert list(stable.columns) == ["layer", "status", "downloaded_mb"]
    assert set(stable["status"]) <= set(registry.FINAL_STATUSES)
    assert stable.attrs["digest"].startswith("sha256:")
    assert len(stable) >= 2


def test_shared_base_layer_already_exists(client, pulled):
    """Every layer nginx:latest shares with nginx:stable is reported "Already exists"."""
    _, latest = pulled
    stable_layers = client.images.get("nginx:stable").attrs["RootFS"]["Layers"]
    latest_layers = client.images.get("nginx:latest").attrs["RootFS"]["Layers"]
    shared = len([d for d in latest_layers if d in stable_layers])
    assert shared >= 1
    assert (latest["status"] == "Already exists").sum() == shared
    # The first layer of the pull is the base; it is the shared one.
    assert latest.iloc[0]["status"] == "Already exists"
    assert latest.iloc[0]["downloaded_mb"] == 0


def test_search_says_who_answered(client):
    results = registry.search("nginx", client=client)
    assert not results.empty
    if registry_api.hub_reachable():
        assert results.attrs["source"] == registry.HUB
    else:
        assert results.attrs["source"] == registry.LAB
        row = results.set_index("name").loc["nginx"]
        assert row["tags"] == "latest, stable"
        assert not bool(row["official"])  # lab builds, not Docker's official images
        assert "not Docker's official image" in row["description"]


def test_missing_tag_gives_one_sentence(client):
    with pytest.raises(ImageNotFound) as info:
        registry.pull("nginx:no-such-tag-0", client=client, progress=False)
    assert_one_sentence(str(info.value))
    assert "nginx:no-such-tag-0" in str(info.value)
