"""Layer arithmetic: pure on plain data, and equal to the engine's own accounting."""

from __future__ import annotations

import pytest
from support import import_sleeper_image

from helpers import layers
from helpers.registry import ensure_image

MB = layers.MB


def test_the_notes_arithmetic_on_plain_data():
    """Two 133 MB tags sharing a 69.3 MB base use 196.7 MB, not 266 MB."""
    images = {
        "nginx:latest": {"base": int(69.3 * MB), "a": int(63.7 * MB)},
        "nginx:stable": {"base": int(69.3 * MB), "b": int(63.7 * MB)},
    }
    usage = layers.disk_usage(images)
    assert usage["sum_of_sizes"] == 266 * MB
    assert usage["disk_used"] == pytest.approx(196.7 * MB, abs=1)
    assert usage["shared"] == usage["saved"] == int(69.3 * MB)


def test_no_shared_layer_means_no_saving():
    usage = layers.disk_usage({"a": {"x": 10}, "b": {"y": 20}})
    assert usage["shared"] == usage["saved"] == 0
    assert usage["disk_used"] == usage["sum_of_sizes"] == 30


@pytest.fixture
def engine_images(client):
    """Every image on the engine, with the nginx tags and an image sharing nothing among them."""
    for tag in ("nginx:stable", "nginx:latest"):
        ensure_image(tag, client=client)
    loner = import_sleeper_image(client, "dn-test/loner:1")
    refs = {image.id: image.id for image in client.images.list()}
    yield client, {ref: layers.layer_sizes(client, ref) for ref in refs}
    client.images.remove(loner)


def test_shared_and_unique_bytes_equal_the_engines(engine_images):
    """``docker system df -v``'s SHARED SIZE, for every image, from RootFS layers and history."""
    client, images = engine_images
    ours = layers.shared_by_image(images)
    engine = {image["Id"]: image for image in client.df()["Images"]}
    for image_id, layer_map in images.items():
        assert ours[image_id] == engine[image_id]["SharedSize"], image_id
        assert sum(layer_map.values()) == engine[image_id]["Size"], image_id


def test_nginx_tags_share_and_the_loner_shares_nothing(engine_images):
    client, images = engine_images
    stable, latest, loner = (client.images.get(r).id for r in
                             ("nginx:stable", "nginx:latest", "dn-test/loner:1"))  # fmt: skip
    pair = layers.disk_usage({"stable": images[stable], "latest": images[latest]})
    assert pair["shared"] > 0
    assert pair["disk_used"] == pair["sum_of_sizes"] - pair["shared"]
    apart = layers.disk_usage({"stable": images[stable], "loner": images[loner]})
    assert apart["shared"] == 0
    assert layers.shared_by_image(images)[loner] == 0
    assert {i["Id"]: i["SharedSize"] for i in client.df()["Images"]}[loner] == 0
