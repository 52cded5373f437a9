"""Notebooks 01-04: what the prose says about an output is what the stored output shows.

nbval checks that a fresh run reproduces the stored outputs; these tests check that the stored
outputs still say what the sentences around them claim (a re-recording that changes the story,
say a pull that no longer downloads, fails here). 05, 06 and 12 have theirs in test_claims_05.py and
test_claims_06_12.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def _cells(number: str):
    path = next((ROOT / "notebooks").glob(f"{number}-*.ipynb"))
    return nbformat.read(path, as_version=4).cells


def _output(cells, start: str) -> str:
    """The stored text of the one code cell whose source starts with ``start`` (or is exactly
    ``start`` when it ends in a newline)."""
    exact = start.rstrip("\n") if start.endswith("\n") else None
    found = [
        c
        for c in cells
        if c.cell_type == "code" and (c.source == exact if exact else c.source.startswith(start))
    ]
    assert len(found) == 1, f"{len(found)} cells start with {start!r}"
    parts = []
    for output in found[0].outputs:
        parts.append(output.get("text") or "".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def _layer_statuses(pull_output: str) -> dict[str, list[str]]:
    statuses: dict[str, list[str]] = {}
    for line in pull_output.splitlines():
        match = re.fullmatch(r"([0-9a-f]{12}): (.+)", line)
        if match:
            statuses.setdefault(match[1], []).append(match[2])
    return statuses


def test_01_containerd_lists_the_container_under_dockers_id_and_the_pod_shares_a_namespace():
    cells = _cells("01")
    version = _output(cells, "!docker version")
    server = version.split("Server:", 1)[1]
    assert " containerd:" in server and " runc:" in server
    started = _output(cells, "!docker run -d --name dn-01-web").strip()
    listed = _output(cells, "!ctr -n moby containers list ||")
    assert started in listed
    one = _output(cells, '!ctr -n moby containers list "id==').strip().splitlines()
    assert len(one) == 2 and one[1].startswith(started), "exactly one row: the container"
    namespaces = _output(cells, "!docker exec dn-01-pod readlink").split()
    assert len(namespaces) == 3
    assert namespaces[0] == namespaces[1] != namespaces[2]
    assert "<title>Welcome to nginx!</title>" in _output(cells, "!docker run --rm --network")


def test_02_pulls_download_then_find_the_shared_base_already_there():
    cells = _cells("02")
    assert _output(cells, "!docker search nginx").startswith("Error response from daemon")
    stable = _layer_statuses(_output(cells, "!docker pull nginx:stable"))
    assert len(stable) == 2, "two IDs, so two layers"
    assert all(s[-1] == "Pull complete" and "Already exists" not in s for s in stable.values())
    assert all(len(s) >= 3 for s in stable.values()), "several status lines per layer"
    latest_output = _output(cells, "!docker pull nginx\n")
    latest = _layer_statuses(latest_output)
    first, *rest = latest
    assert latest[first] == ["Already exists"] and first == next(iter(stable))
    assert rest and all(latest[layer][-1] == "Pull complete" for layer in rest)
    assert "Status: Downloaded newer image for nginx:latest" in latest_output
    assert "nginx/1.26." in _output(cells, "!docker run --rm nginx:stable nginx -v")
    assert "nginx/1.30." in _output(cells, "!docker run --rm nginx:latest nginx -v")
    assert "not Docker's official image" in _output(cells, "!docker inspect --format")
    inspected = _output(cells, "!docker buildx imagetools inspect 127.0.0.1")
    assert "MediaType: application/vnd.docker.distribution.manifest.v2+json" in inspected
    assert "Status: Image is up to date" in _output(cells, "!docker pull {digest_ref}")
    assert _output(cells, "!docker pull debian:trixie-slim").count("Already exists") == 1


def test_03_two_tags_share_one_layer_and_the_rule_holds_where_sum_minus_shared_fails():
    cells = _cells("03")
    layers = _output(cells, "!docker image inspect --format '{{json .RootFS.Layers}}'").split()
    stable, latest = (re.findall(r"sha256:[0-9a-f]{64}", line) for line in layers)
    assert len(stable) == len(latest) == 2 and stable[0] == latest[0] and stable[1] != latest[1]
    assert _output(cells, 'int(table["shared"].sum())').strip() == "1"
    assert _output(cells, "(\n    usage[").strip() == "(True, True)"
    df = _output(cells, "!docker system df -v").splitlines()[1:]
    assert len(df) == 2 and len({row.split()[5] for row in df}) == 1, "one SHARED SIZE"
    assert "True" in _output(cells, "engine_shares(client, TAGS)")
    assert "False" not in _output(cells, "engine_shares(client, TAGS)")
    assert _output(cells, "three_usage = ").strip() == "(True, False)"


def test_04_history_rows_are_buildkit_steps_with_missing_below_the_top():
    cells = _cells("04")
    for tag in ("nginx:stable", "nginx:latest"):
        rows = _output(cells, f"!docker history {tag}").splitlines()[1:]
        assert not rows[0].startswith("<missing>")
        assert all(row.startswith("<missing>") for row in rows[1:])
        assert all(row.rstrip().endswith("buildkit.dockerfile.v0") for row in rows)
        assert "ADD rootfs.tar / # buildkit" in rows[-1] and 'CMD ["bash"]' in rows[-2]
    built = _output(cells, "!docker history dn-04-hello").splitlines()[1:]
    assert all(row.startswith("<missing>") for row in built[1:])
    assert _output(cells, "!docker image inspect --format 'parent=").strip() == "parent="
    assert _output(cells, "!docker images --all --filter").split() == [
        "REPOSITORY", "TAG", "dn-04-hello", "latest"
    ]  # fmt: skip
    assert _output(cells, "versions = ").strip() == "(True, True)"
    assert "'nginx:stable': 'ADD', 'nginx:latest': 'ADD'" in _output(cells, "{name: frame.loc")
