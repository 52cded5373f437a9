"""Safe defaults: loopback publishing, no TCP socket for the engine, a loopback-only registry,
no privileged containers and no Docker socket handed to a container."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import registry_api
from helpers.containers import free_port, run
from helpers.lab import dockerd, registry_service

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    *sorted((ROOT / "helpers").glob("*.py")),
    *sorted((ROOT / "notebooks" / "src").glob("*.py")),
    *sorted((ROOT / "lab").rglob("*")),
    ROOT / "Makefile",
]
#: The one place the series publishes on every interface on purpose: lesson 06 shows why not.
EVERY_INTERFACE_DEMO = "dn-06-everywhere"


def _listening() -> list[str]:
    """``ss`` lines for every listening TCP socket on this machine, with the owning process."""
    return subprocess.run(
        ["ss", "-Hltnp"], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def test_helpers_publish_on_loopback_unless_told(client):
    from helpers.registry import ensure_image

    ensure_image("nginx:stable", client=client)
    port = free_port(18080)
    container = run(
        client, "nginx:stable", "test", "loopback", notebook="tests", ports={"80/tcp": port}
    )
    try:
        container.reload()
        bindings = container.ports["80/tcp"]
        assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}, bindings
    finally:
        container.remove(force=True)


def test_lab_engine_has_no_tcp_socket():
    assert not any(
        arg in ("-H", "--host") or "tcp://" in arg for arg in dockerd.dockerd_command(Path("x"))
    )
    assert not [line for line in _listening() if '"dockerd"' in line]


def test_lab_registry_listens_on_loopback_only(tmp_path):
    assert registry_api.REGISTRY_HOST.startswith("127.0.0.1:")
    assert f"addr: {registry_api.REGISTRY_HOST}" in registry_service.registry_config(tmp_path)
    if not registry_api.registry_answers():
        pytest.skip("no lab registry runs here")
    registry_lines = [line for line in _listening() if '"docker-registry"' in line]
    assert registry_lines
    assert all(line.split()[3].startswith("127.0.0.1:") for line in registry_lines), registry_lines


@pytest.mark.parametrize("path", [p for p in SOURCES if p.is_file()], ids=lambda p: p.name)
def test_nothing_privileged_and_no_socket_mount(path):
    text = path.read_text(errors="replace")
    assert not re.search(r"--privileged|privileged\s*=\s*True", text)
    # a bind mount reads ".../docker.sock:/..." (a sentence such as "docker.sock: join" is not one)
    assert not re.search(r"docker\.sock:/|docker\.sock['\"]\s*:\s*\{", text), "socket mount"


def test_notebooks_publish_on_loopback_but_the_one_demo():
    for source in sorted((ROOT / "notebooks" / "src").glob("*.py")):
        for line in source.read_text().splitlines():
            if re.search(r"docker run .*-p ", line) and EVERY_INTERFACE_DEMO not in line:
                assert re.search(r"-p 127\.0\.0\.1:", line), f"{source.name}: {line}"
