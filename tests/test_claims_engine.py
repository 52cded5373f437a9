"""The facts the lessons state, each checked on the real engine (see tests/claims.toml)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import pytest

from helpers import cleanup, registry, registry_api, runtime
from helpers.containers import free_port, run
from helpers.http import http_get, wait_http
from helpers.polling import wait_for
from helpers.registry import ensure_image

NOTEBOOK = "tests-claims"
#: Generous bound on how long starting a container takes on a loaded machine.
START_UP_SECONDS = 0.7


@pytest.fixture(scope="module")
def nginx(client):
    ensure_image("nginx:stable", client=client)
    yield "nginx:stable"
    cleanup.cleanup(notebook=NOTEBOOK, client=client)


def test_the_hosts_own_address_answers_only_once_published(client, nginx):
    """About 127.0.0.1, the host's own address; the container's bridge IP is another matter
    (tests/test_claims_06_12.py)."""
    port = free_port(18081)
    hidden = run(client, nginx, "claims", "hidden", notebook=NOTEBOOK)
    runtime.wait_listening(hidden, 80)
    assert http_get(f"http://127.0.0.1:{port}").error == "Connection refused"
    published = run(client, nginx, "claims", "shown", notebook=NOTEBOOK, ports={"80/tcp": port})
    reply = wait_http(f"http://127.0.0.1:{port}")
    assert reply.title == "Welcome to nginx!"
    published.reload()
    assert published.ports["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(port)}]


def test_publishing_without_an_address_listens_on_every_interface(client, nginx):
    everywhere = run(
        client, nginx, "claims", "all", notebook=NOTEBOOK, ports={"80/tcp": ("0.0.0.0",)}
    )
    everywhere.reload()
    assert {b["HostIp"] for b in everywhere.ports["80/tcp"]} == {"0.0.0.0"}
    cli = subprocess.run(
        ["docker", "run", "-d", "-p", "80", "--label", "tutorial=docker-notebooks",
         "--label", f"tutorial.notebook={NOTEBOOK}", nginx],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    container = client.containers.get(cli.stdout.strip())
    assert {b["HostIp"] for b in container.ports["80/tcp"]} <= {"0.0.0.0", "::"}


def test_docker_runs_containers_through_containerd(client, nginx):
    container = run(client, nginx, "claims", "ctr", notebook=NOTEBOOK)
    assert container.id in runtime.containerd_containers("moby")


def test_a_pod_shares_one_network_namespace(client, nginx):
    """Containers joined with ``--network container:`` share one IP; localhost reaches nginx."""
    web = run(client, nginx, "claims", "pod-web", notebook=NOTEBOOK)
    sidecar = run(client, nginx, "claims", "pod-side", notebook=NOTEBOOK,
                  command=["sleep", "60"], network_mode=f"container:{web.id}")  # fmt: skip
    runtime.wait_listening(web, 80)
    assert runtime.network_namespace(web) == runtime.network_namespace(sidecar)
    probe = sidecar.exec_run(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80"])
    assert probe.exit_code == 0


def test_restart_and_rm_exclude_each_other(nginx):
    done = subprocess.run(["docker", "run", "--rm", "--restart", "always", nginx, "true"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode != 0
    assert "conflicting options" in done.stderr.lower()


def _events(client, container, since: float) -> list[tuple[str, float]]:
    """The container's ``start`` and ``die`` events since ``since``, oldest first."""
    events = client.events(
        since=int(since), until=int(time.time()) + 1, decode=True,
        filters={"container": container.id, "event": ["start", "die"]},
    )  # fmt: skip
    return [(e["status"], e["timeNano"] / 1e9) for e in events]


def _restart_delays(events: list[tuple[str, float]]) -> list[float]:
    """Seconds from each ``die`` to the next ``start``: the engine's restart delay alone.

    Example:
        >>> _restart_delays([("start", 0), ("die", 1), ("start", 1.1), ("die", 2), ("start", 2.2)])
        [0.1, 0.2]
    """
    delays = []
    for (kind, when), (next_kind, next_when) in zip(events, events[1:], strict=False):
        if kind == "die" and next_kind == "start":
            delays.append(round(next_when - when, 3))
    return delays


def test_restart_delays_double(client, nginx):
    """``always`` waits 100 ms, 200 ms, 400 ms, ... between restarts of a failing container.

    Each measured delay (``die`` to the next ``start``) is the engine's wait plus the container's
    start-up time, so it is at least 0.1 × 2^n s, and above that by no more than a start-up.
    """
    since = time.time() - 1
    failing = run(client, nginx, "claims", "backoff", notebook=NOTEBOOK,
                  command=["sh", "-c", "exit 1"], restart_policy={"Name": "always"})  # fmt: skip
    wait_for(lambda: len(_restart_delays(_events(client, failing, since))) >= 5, 30, 0.2, "5")
    failing.remove(force=True)
    delays = _restart_delays(_events(client, failing, since))[:5]
    for n, delay in enumerate(delays):
        wait = 0.1 * 2**n
        assert wait <= delay < wait + START_UP_SECONDS, (n, delays)


def test_a_digest_names_one_image_for_good(client):
    """Re-pulling a tag gives the same digest; pulling by digest gives the same image."""
    ref = "nginx:stable"
    ensure_image(ref, client=client)
    image = client.images.get(ref)
    digest_ref = image.attrs["RepoDigests"][0]
    assert digest_ref.startswith("nginx@sha256:")
    again = registry.pull(ref, client=client, progress=False)
    assert again.attrs["digest"] == digest_ref.split("@", 1)[1]
    by_digest = client.images.pull(digest_ref)
    assert by_digest.id == image.id


def test_a_v2_registry_answers_catalog_and_tags_not_search():
    if not registry_api.registry_answers():
        pytest.skip("no lab registry runs here")
    with urllib.request.urlopen(f"{registry_api.REGISTRY_URL}/v2/_catalog", timeout=5) as reply:
        assert "library/nginx" in json.load(reply)["repositories"]
    with urllib.request.urlopen(
        f"{registry_api.REGISTRY_URL}/v2/library/nginx/tags/list", timeout=5
    ) as reply:
        assert {"stable", "latest"} <= set(json.load(reply)["tags"])
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{registry_api.REGISTRY_URL}/v1/search?q=nginx", timeout=5)
    assert info.value.code == 404
