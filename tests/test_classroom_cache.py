"""The classroom cache, tested for real: Debian's docker-registry in proxy mode in front of an
upstream registry, pulled through by a scratch engine that has it as its registry mirror.

Docker Hub is out of reach here, so the upstream is a throwaway registry of the test's own,
seeded from the lab registry (the lab registry itself is never stopped). The story: the first
pull through the cache fetches the layers from upstream; with the upstream stopped and the
engine's images wiped, a second pull is served by the cache alone; a push to the cache is refused,
and the lab says why in one sentence.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from support import assert_one_sentence, free_loopback_port, skip_or_fail

from helpers import registry_api
from helpers.errors import LabError
from helpers.lab import cache, daemon, registry_service
from helpers.lab.scratch import scratch_engine
from helpers.polling import wait_for
from helpers.state import state_dir

IMAGE = "nginx:stable"
CACHE_NAME = "classroom-cache-test"
UPSTREAM_DIR = "classroom-cache-test-upstream"
ENGINE_NAME = "classroom-cache-engine"
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.index.v1+json, " + registry_api.MANIFEST_TYPES
)


def _layer_digests(url: str, repository: str, tag: str) -> list[str]:
    """The layer digests of ``repository:tag`` in the registry at ``url`` (through an index)."""
    headers = {"Accept": MANIFEST_TYPES}
    manifest = requests.get(f"{url}/v2/{repository}/manifests/{tag}", headers=headers, timeout=5)
    manifest.raise_for_status()
    body = manifest.json()
    if "manifests" in body:  # an index: the one amd64/linux image in it
        digest = body["manifests"][0]["digest"]
        body = requests.get(
            f"{url}/v2/{repository}/manifests/{digest}", headers=headers, timeout=5
        ).json()
    return [layer["digest"] for layer in body["layers"]]


def _blob_bytes_served(log: Path) -> int:
    """Bytes of blobs a registry sent, summed from its access log (combined log format)."""
    pattern = r'"GET /v2/\S+/blobs/sha256:\w+ HTTP/[\d.]+" 200 (\d+)'
    return sum(int(size) for size in re.findall(pattern, log.read_text()))


def _stored_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _docker(engine, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The docker CLI against the scratch engine, as a learner types it."""
    return subprocess.run(
        ["docker", "-H", engine.host, *args], capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="module")
def room(client):
    """An upstream registry seeded with nginx:stable, the cache in front of it, and a scratch
    engine whose registry mirror is the cache; all removed after."""
    if os.geteuid() != 0:
        skip_or_fail("the classroom cache test starts a scratch engine, which needs root")
    if not registry_api.registry_answers():
        skip_or_fail("the lab registry is not answering: run `make setup`")
    upstream_dir = state_dir() / UPSTREAM_DIR
    shutil.rmtree(upstream_dir, ignore_errors=True)
    shutil.rmtree(cache.cache_dir(CACHE_NAME), ignore_errors=True)
    upstream_dir.mkdir(parents=True)
    upstream_host = f"127.0.0.1:{free_loopback_port()}"
    upstream_url = f"http://{upstream_host}"
    upstream, _ = registry_service.serve(
        upstream_dir / "registry.yml",
        registry_service.registry_config(upstream_dir / "registry", upstream_host),
        upstream_dir / "registry.log",
        upstream_url,
        f"the test's upstream registry on {upstream_host}",
    )
    try:
        source = f"{registry_api.REGISTRY_HOST}/library/{IMAGE}"
        target = f"{upstream_host}/library/{IMAGE}"
        subprocess.run(
            ["docker", "buildx", "imagetools", "create", "--tag", target, source],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        listen = f"127.0.0.1:{free_loopback_port()}"
        started = cache.up(listen=listen, upstream=upstream_url, name=CACHE_NAME)
        config = {"registry-mirrors": [started["url"]]}
        with scratch_engine(ENGINE_NAME, config=config) as engine:
            yield {
                "upstream": upstream,
                "upstream_url": upstream_url,
                "upstream_log": upstream_dir / "registry.log",
                "cache": started,
                "engine": engine,
            }
    finally:
        cache.down(CACHE_NAME)
        daemon.stop_process(upstream)
        shutil.rmtree(upstream_dir, ignore_errors=True)
        shutil.rmtree(cache.cache_dir(CACHE_NAME), ignore_errors=True)
        shutil.rmtree(state_dir() / ENGINE_NAME, ignore_errors=True)


@pytest.mark.slow
def test_the_cache_serves_the_room_with_its_upstream_gone(room):
    engine, url = room["engine"], room["cache"]["url"]
    info = _docker(engine, "info").stdout
    assert "Registry Mirrors:" in info and f"{url}/" in info, "the learners' check would fail"
    layers = _layer_digests(room["upstream_url"], "library/nginx", "stable")
    cached = cache.cache_dir(CACHE_NAME) / "registry"
    assert _stored_bytes(cached) == 0

    started = time.monotonic()
    _docker(engine, "pull", IMAGE)
    first_pull = time.monotonic() - started
    image_id = engine.client.images.get(IMAGE).id
    upstream_log = room["upstream_log"].read_text()
    for digest in layers:
        assert f"GET /v2/library/nginx/blobs/{digest}" in upstream_log, digest
    layer_bytes = sum(
        int(requests.head(f"{url}/v2/library/nginx/blobs/{d}", timeout=5).headers["Content-Length"])
        for d in layers
    )
    # Distribution 2.8 fetches a missed blob twice: once for the client, once to store it
    # (distribution/distribution#3569 fixed that in 3.0).
    from_upstream = _blob_bytes_served(room["upstream_log"])
    assert layer_bytes <= from_upstream
    wait_for(
        lambda: _stored_bytes(cached) >= layer_bytes, timeout=15, what="the cache to store layers"
    )

    daemon.stop_process(room["upstream"])
    assert not registry_api.registry_answers(url=room["upstream_url"])
    engine.client.images.remove(IMAGE, force=True)
    assert engine.client.images.list(all=True) == []
    started = time.monotonic()
    _docker(engine, "pull", IMAGE)
    cached_pull = time.monotonic() - started
    assert engine.client.images.get(IMAGE).id == image_id
    cache_log = cache.cache_dir(CACHE_NAME) / "registry.log"
    assert _blob_bytes_served(cache_log) >= 2 * layer_bytes  # both pulls came through the cache
    print(
        f"\nclassroom cache: layers {layer_bytes / 1e6:.1f} MB; first pull through it "
        f"{first_pull:.2f} s ({from_upstream / 1e6:.1f} MB of blobs from upstream); cached pull "
        f"with the upstream stopped {cached_pull:.2f} s (0 bytes from upstream)"
    )


@pytest.mark.slow
def test_a_push_to_the_cache_is_refused_with_one_sentence(room):
    engine, host = room["engine"], room["cache"]["listen"]
    target = f"{host}/library/nginx:pushed"
    _docker(engine, "pull", IMAGE)
    _docker(engine, "tag", IMAGE, target)
    done = _docker(engine, "push", target, check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert output.strip().splitlines()[-1] == "unsupported", output
    assert cache.push_refused_sentence(output) == cache.PUSH_REFUSED
    assert cache.push_refused_sentence("denied: requested access to the resource is denied") is None
    assert_one_sentence(cache.PUSH_REFUSED)


@pytest.mark.slow
def test_a_second_up_finds_the_cache_running(room, capsys):
    again = cache.up(room["cache"]["listen"], room["upstream_url"], name=CACHE_NAME)
    assert again["started"] is False and again["pid"] == room["cache"]["pid"]
    printed = capsys.readouterr().out
    line = json.dumps({"registry-mirrors": [room["cache"]["url"]]})
    assert line in printed and "/etc/docker/daemon.json" in printed
    assert "Docker Desktop" in printed and "docker info" in printed


def test_beyond_loopback_the_cache_warns_that_the_room_can_reach_it():
    for listen in ("127.0.0.1:5001", "localhost:5001", "[::1]:5001"):
        assert cache.exposure_warning(listen) is None, listen
    for listen in ("0.0.0.0:5001", "192.168.1.10:5001", "[::]:5001"):
        warning = cache.exposure_warning(listen)
        assert "every machine in the room can reach it and pull through it" in warning
        assert_one_sentence(warning)
    with pytest.raises(LabError) as info:
        cache.parse_listen("5001")
    assert_one_sentence(str(info.value))


def test_an_upstream_that_does_not_answer_at_start_is_named():
    """Debian's 2.8 registry in proxy mode asks its upstream for /v2/ at start and panics when
    nothing answers (no Internet, for Docker Hub): the lab says so in one sentence."""
    if shutil.which("docker-registry") is None:
        skip_or_fail("docker-registry is not installed: run `make setup`")
    name = "classroom-cache-test-unreachable"
    upstream = f"http://127.0.0.1:{free_loopback_port()}"
    try:
        with pytest.raises(LabError) as info:
            cache.up(f"127.0.0.1:{free_loopback_port()}", upstream, name=name)
    finally:
        cache.down(name)
        shutil.rmtree(cache.cache_dir(name), ignore_errors=True)
    message = str(info.value)
    assert f"could not reach its upstream {upstream} at start" in message
    assert "connection refused" in message
    assert_one_sentence(message)
