"""The facts notebooks 01 and 02 state, each checked on the real engine (see tests/claims.toml).

Commands run as the CLI runs them (``docker``, ``ctr``), as the notebooks show them. Everything
created carries the series' label; pulled tags are claimed first and released afterwards, and the
series lock is held while the pull tests remove and re-pull the nginx tags.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request

import pytest
from support import skip_or_fail

from helpers import cleanup, registry, registry_api, series_lock
from helpers.labels import project_labels
from helpers.registry import ensure_image
from helpers.runtime import CONTAINERD_SOCKETS

NOTEBOOK = "tests-01-02"
LABELS = [f"--label={k}={v}" for k, v in project_labels(NOTEBOOK).items()]
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
#: What a client that understands indexes asks for.
ACCEPT_ANY = ", ".join([*INDEX_TYPES, *registry_api.MANIFEST_TYPES.split(", ")])


def sh(*args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=check, env=env, timeout=120)


def docker_run(*args: str) -> str:
    """``docker run -d`` with the series' labels; returns the full container ID."""
    return sh("docker", "run", "-d", *LABELS, *args).stdout.strip()


@pytest.fixture(scope="module")
def nginx(client):
    ensure_image("nginx:stable", client=client)
    yield "nginx:stable"
    cleanup.cleanup(notebook=NOTEBOOK, client=client)


def _lab_registry() -> None:
    if not registry_api.registry_answers():
        skip_or_fail("no lab registry answers on 127.0.0.1:5000")


def _manifest(repository: str, tag: str) -> tuple[str, str, dict]:
    """Media type, digest and body of ``repository:tag``'s manifest in the lab registry."""
    request = urllib.request.Request(
        f"{registry_api.REGISTRY_URL}/v2/{repository}/manifests/{tag}",
        headers={"Accept": ACCEPT_ANY},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        return (
            reply.headers["Content-Type"],
            reply.headers["Docker-Content-Digest"],
            json.load(reply),
        )


# --------------------------------------------------------------------------------------- 01


def test_docker_version_names_containerd_and_runc():
    template = "{{json .Server.Components}}"
    components = json.loads(sh("docker", "version", "--format", template).stdout)
    names = [c["Name"] for c in components]
    assert names[0] == "Engine"
    assert {"containerd", "runc"} <= set(names)
    plain = sh("docker", "version").stdout
    assert re.search(r"^Server:.*\n Engine:\n", plain, re.MULTILINE | re.DOTALL)
    assert "\n containerd:\n" in plain and "\n runc:\n" in plain


def test_ctr_lists_dockers_containers_under_the_same_id(nginx):
    socket = next((s for s in CONTAINERD_SOCKETS if os.path.exists(s)), None)
    if socket is None or not os.access(socket, os.W_OK):
        skip_or_fail("containerd's socket is not reachable here (root on the engine's machine)")
    env = {**os.environ, "CONTAINERD_ADDRESS": socket}
    container_id = docker_run("--name", "dn-t0102-ctr", nginx)
    listed = sh("ctr", "-n", "moby", "containers", "list", env=env).stdout
    assert listed.splitlines()[0].split() == ["CONTAINER", "IMAGE", "RUNTIME"]
    assert container_id in listed
    only = sh("ctr", "-n", "moby", "containers", "list", f"id=={container_id}", env=env).stdout
    rows = only.splitlines()[1:]
    assert [r.split()[0] for r in rows] == [container_id]
    # Without CONTAINERD_ADDRESS, ctr tries /run/containerd/containerd.sock only.
    if socket != "/run/containerd/containerd.sock":
        bare = {k: v for k, v in env.items() if k != "CONTAINERD_ADDRESS"}
        assert sh("ctr", "-n", "moby", "containers", "list", check=False, env=bare).returncode != 0


def test_a_hand_built_pod_shares_one_network_namespace(nginx):
    docker_run("--name", "dn-t0102-pod", nginx, "sleep", "infinity")
    docker_run("--name", "dn-t0102-pod-nginx", "--network", "container:dn-t0102-pod", nginx)
    docker_run("--name", "dn-t0102-alone", nginx, "sleep", "infinity")

    def netns(name: str) -> str:
        return sh("docker", "exec", name, "readlink", "/proc/self/ns/net").stdout.strip()

    assert re.fullmatch(r"net:\[\d+\]", netns("dn-t0102-pod"))
    assert netns("dn-t0102-pod") == netns("dn-t0102-pod-nginx")
    assert netns("dn-t0102-alone") != netns("dn-t0102-pod")
    probe = (
        "for i in $(seq 150); do exec 3<>/dev/tcp/127.0.0.1/80 && break; sleep 0.1; done; "
        'printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; grep -o "<title>.*</title>" <&3'
    )
    title = sh("docker", "run", "--rm", *LABELS, "--network", "container:dn-t0102-pod",
               nginx, "bash", "-c", probe).stdout.strip()  # fmt: skip
    assert title == "<title>Welcome to nginx!</title>"


# --------------------------------------------------------------------------------------- 02


def test_docker_search_asks_docker_hub_only():
    done = sh("docker", "search", "nginx", check=False)
    if registry_api.hub_reachable():
        assert done.returncode == 0 and done.stdout.startswith("NAME")
    else:
        assert done.returncode != 0
        assert 'Get "https://index.docker.io/v1/search?q=nginx&n=25"' in done.stderr
        assert done.stderr.startswith("Error response from daemon:")


def test_the_lab_registry_lists_catalog_and_tags():
    _lab_registry()
    catalog = sh("curl", "-s", f"{registry_api.REGISTRY_URL}/v2/_catalog").stdout
    expected = ["library/debian", "library/nginx", "library/python"]  # helpers.lab.images
    # Lesson 07 run by another user's engine (a rootless learner, a classroom seat) leaves its
    # emptied repository listed: only root may remove its folder (tests/sanitize.cfg, 02).
    repositories = json.loads(catalog)["repositories"]
    listed = [r for r in repositories if not r.startswith("docker-notebooks/")]
    assert listed == expected
    tags = sh("curl", "-s", f"{registry_api.REGISTRY_URL}/v2/library/nginx/tags/list").stdout
    assert json.loads(tags) == {"name": "library/nginx", "tags": ["latest", "stable"]}


def test_search_helper_does_not_call_lab_images_official(client):
    results = registry.search("nginx", client=client)
    if results.attrs["source"] == registry.LAB:
        assert not results["official"].any()
        assert results["description"].str.contains("not Docker's official image").all()


@pytest.fixture(scope="module")
def fresh_pulls(client):
    """Hold the series lock; let the series' nginx tags go so the pulls really download."""
    _lab_registry()
    series_lock.acquire(NOTEBOOK, wait=900)
    tags = ["nginx:stable", "nginx:latest", "debian:trixie-slim"]  # nothing holds the base layer
    try:
        cleanup.remove_leftovers(NOTEBOOK, client)  # the containers above use nginx:stable
        claimed = cleanup.claim_fresh(tags, notebook=NOTEBOOK, client=client)
        if claimed != tags:
            cleanup.release_pulls(NOTEBOOK, client=client)
            skip_or_fail(f"{set(tags) - set(claimed)} already here (not the series'): no download")
        stable = sh("docker", "pull", "nginx:stable").stdout
        latest = sh("docker", "pull", "nginx").stdout
        yield stable, latest
    finally:
        cleanup.release_pulls(NOTEBOOK, client=client)
        series_lock.release(NOTEBOOK)


def _layer_lines(output: str) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for match in re.finditer(r"^([0-9a-f]{12}): (.+)$", output, re.MULTILINE):
        lines.setdefault(match.group(1), []).append(match.group(2))
    return lines


def test_a_pull_prints_several_status_lines_per_layer(client, fresh_pulls):
    stable, _ = fresh_pulls
    lines = _layer_lines(stable)
    _, _, manifest = _manifest("library/nginx", "stable")
    digests = [layer["digest"] for layer in manifest["layers"]]
    # One ID per layer: the first 12 hex digits of the layer's (compressed) digest.
    assert list(lines) == [d.removeprefix("sha256:")[:12] for d in digests]
    assert len(lines) == len(client.images.get("nginx:stable").attrs["RootFS"]["Layers"]) == 2
    for statuses in lines.values():
        assert len(statuses) >= 3, statuses
        assert statuses[0] == "Pulling fs layer" and statuses[-1] == "Pull complete"
        assert "Download complete" in statuses
    complete = re.findall(r"^([0-9a-f]{12}): Pull complete$", stable, re.MULTILINE)
    assert complete == list(lines)  # unpacked in layer order, whatever the download order
    assert "Status: Downloaded newer image for nginx:stable" in stable


def test_the_second_tag_finds_the_shared_base_already_there(client, fresh_pulls):
    stable, latest = fresh_pulls
    assert latest.startswith("Using default tag: latest\nlatest: Pulling from library/nginx\n")
    lines = _layer_lines(latest)
    first, *rest = lines
    assert lines[first] == ["Already exists"]
    assert first == next(iter(_layer_lines(stable)))  # the base layer of nginx:stable
    assert all(lines[layer][-1] == "Pull complete" for layer in rest) and rest
    assert "Status: Downloaded newer image for nginx:latest" in latest
    layers = {
        tag: client.images.get(tag).attrs["RootFS"]["Layers"]
        for tag in ("nginx:stable", "nginx:latest")
    }
    assert len(set(layers["nginx:stable"]) & set(layers["nginx:latest"])) == 1


def test_pulls_move_compressed_bytes_and_images_show_unpacked(client, fresh_pulls):
    """The registry's layer sizes (what a pull downloads, what the progress bar counts) are
    compressed; docker images / Size is the unpacked size, larger."""
    for tag in ("stable", "latest"):
        _, _, manifest = _manifest("library/nginx", tag)
        compressed = sum(layer["size"] for layer in manifest["layers"])
        assert compressed < client.images.get(f"nginx:{tag}").attrs["Size"]
    # Pull nginx:stable again from scratch through the API: each Downloading event's total (the
    # progress bar's 100 %) is the manifest's compressed size of that layer.
    cleanup.release_pulls(NOTEBOOK, client=client, refs=["nginx:stable"])
    assert cleanup.claim_pulls(["nginx:stable"], notebook=NOTEBOOK, client=client)
    _, _, manifest = _manifest("library/nginx", "stable")
    sizes = {d["digest"].removeprefix("sha256:")[:12]: d["size"] for d in manifest["layers"]}
    totals = {}
    for event in client.api.pull("nginx", "stable", stream=True, decode=True):
        if event.get("status") == "Downloading" and event.get("progressDetail", {}).get("total"):
            totals[event["id"]] = event["progressDetail"]["total"]
    assert totals, "nothing was downloaded"
    assert all(sizes[layer] == total for layer, total in totals.items())


def test_lab_tags_hold_debians_nginx_versions(nginx):
    ensure_image("nginx:latest")
    versions = {}
    for tag in ("stable", "latest"):
        out = sh("docker", "run", "--rm", *LABELS, f"nginx:{tag}", "nginx", "-v")
        versions[tag] = (out.stdout + out.stderr).strip()
        env = sh("docker", "inspect", "--format", "{{.Config.Env}}", f"nginx:{tag}").stdout
        upstream = versions[tag].rsplit("/", 1)[1]
        assert f"NGINX_VERSION={upstream}-" in env
    assert versions == {
        "stable": "nginx version: nginx/1.26.3",
        "latest": "nginx version: nginx/1.30.6",
    }
    label = sh("docker", "inspect", "--format",
               '{{index .Config.Labels "org.opencontainers.image.description"}}',
               "nginx:stable").stdout  # fmt: skip
    assert "not Docker's official image" in label


def test_a_lab_digest_names_one_single_platform_manifest(client, nginx):
    _lab_registry()
    media_type, digest, manifest = _manifest("library/nginx", "stable")
    assert media_type == "application/vnd.docker.distribution.manifest.v2+json"
    assert media_type not in INDEX_TYPES and "manifests" not in manifest
    assert client.images.get("nginx:stable").attrs["RepoDigests"] == [f"nginx@{digest}"]
    inspect = sh("docker", "buildx", "imagetools", "inspect",
                 f"{registry_api.REGISTRY_HOST}/library/nginx:stable").stdout  # fmt: skip
    assert re.search(r"^MediaType: +application/vnd\.docker\.distribution\.manifest\.v2\+json$",
                     inspect, re.MULTILINE)  # fmt: skip
    assert re.search(rf"^Digest: +{digest}$", inspect, re.MULTILINE)
    again = sh("docker", "pull", f"nginx@{digest}").stdout
    assert f"Status: Image is up to date for nginx@{digest}" in again
