"""Connecting the way the Docker CLI does, and failing with one plain sentence."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import docker
import pytest
from support import assert_one_sentence, skip_or_fail

from helpers import engine
from helpers.errors import EngineUnavailable


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    return tmp_path / "docker-config"


def _docker_cli(*args: str) -> None:
    """Run the real docker CLI on the test's own ``DOCKER_CONFIG`` (contexts only: no engine)."""
    if shutil.which("docker") is None:
        skip_or_fail("the docker CLI is needed to make contexts the way users do")
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _make_context(name: str, host: str, current: bool, tls: dict[str, Path] | None = None):
    """``docker context create`` (and ``docker context use``), as a user would."""
    spec = f"host={host}"
    if tls:
        spec += "".join(f",{part}={path}" for part, path in tls.items())
    _docker_cli("context", "create", name, "--docker", spec)
    if current:
        _docker_cli("context", "use", name)


def _throwaway_certs(directory: Path) -> dict[str, Path]:
    """A self-signed certificate and key, also used as the CA: enough for a TLS context."""
    if shutil.which("openssl") is None:
        skip_or_fail("openssl is needed to make throwaway TLS certificates")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=docker-notebooks-test", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    ca = directory / "ca.pem"
    ca.write_bytes(cert.read_bytes())
    return {"ca": ca, "cert": cert, "key": key}


def test_default_socket_when_nothing_is_set(clean_env):
    assert engine.resolve_endpoint() == engine.Endpoint(engine.DEFAULT_HOST, "default socket")


def test_docker_host_wins_over_current_context(clean_env, monkeypatch):
    _make_context("colima", "unix:///tmp/colima.sock", current=True)
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/other.sock")
    assert engine.resolve_endpoint() == engine.Endpoint("unix:///tmp/other.sock", "DOCKER_HOST")


def test_docker_context_wins_over_docker_host(clean_env, monkeypatch):
    _make_context("desk", "unix:///tmp/desk.sock", current=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/other.sock")
    monkeypatch.setenv("DOCKER_CONTEXT", "desk")
    assert engine.resolve_endpoint().host == "unix:///tmp/desk.sock"


def test_current_context_connects_to_the_real_engine(clean_env, client):
    """A CLI context naming the real socket is followed, as `docker context use` would."""
    _make_context("lab", engine.DEFAULT_HOST, current=True)
    endpoint = engine.resolve_endpoint()
    assert endpoint.source == "context lab"
    assert engine.connect(endpoint).ping() is True


def test_default_context_named_explicitly_means_docker_host(clean_env, monkeypatch):
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/other.sock")
    assert engine.resolve_endpoint() == engine.Endpoint("unix:///tmp/other.sock", "DOCKER_HOST")


def test_tls_context_resolves_to_its_host_with_its_certificates(clean_env, monkeypatch, tmp_path):
    """A context made by the real CLI with TLS material, named by DOCKER_CONTEXT; the CLI writes
    no config.json for it, which the SDK alone would miss (docker/docker-py#2622)."""
    certs = _throwaway_certs(tmp_path)
    _make_context("remote-tls", "tcp://127.0.0.1:1", current=False, tls=certs)
    assert not (clean_env / "config.json").exists()
    monkeypatch.setenv("DOCKER_CONTEXT", "remote-tls")
    endpoint = engine.resolve_endpoint()
    assert (endpoint.host, endpoint.source) == (
        "tcp://127.0.0.1:1",
        "context remote-tls (DOCKER_CONTEXT)",
    )
    assert endpoint.tls is not None and endpoint.tls.verify is True
    cert, key = endpoint.tls.cert
    assert Path(cert).read_bytes() == certs["cert"].read_bytes()  # the CLI's copies
    assert Path(key).read_bytes() == certs["key"].read_bytes()
    assert Path(endpoint.tls.ca_cert).read_bytes() == certs["ca"].read_bytes()
    api = docker.APIClient(version=engine.MIN_API_VERSION, **endpoint.client_kwargs())
    assert api.base_url == "https://127.0.0.1:1"


def test_tls_context_without_an_engine_gives_one_sentence(clean_env, monkeypatch, tmp_path):
    _make_context("remote-tls", "tcp://127.0.0.1:1", current=True, tls=_throwaway_certs(tmp_path))
    with pytest.raises(EngineUnavailable) as info:
        engine.connect()
    message = str(info.value)
    assert_one_sentence(message)
    assert "tcp://127.0.0.1:1" in message and "context remote-tls" in message


def test_docker_host_with_tls_variables_uses_tls(clean_env, monkeypatch, tmp_path):
    _throwaway_certs(tmp_path)
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))
    endpoint = engine.resolve_endpoint()
    assert endpoint.source == "DOCKER_HOST" and endpoint.tls is not None
    assert endpoint.tls.ca_cert == str(tmp_path / "ca.pem")


def test_docker_host_with_unreadable_certificates_gives_one_sentence(clean_env, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(clean_env / "no-such-dir"))
    with pytest.raises(EngineUnavailable) as info:
        engine.resolve_endpoint()
    assert_one_sentence(str(info.value))
    assert "no-such-dir" in str(info.value)


def test_check_describes_the_engine(client):
    facts = engine.check(client)
    assert engine.version_tuple(facts.api_version) >= engine.version_tuple(engine.MIN_API_VERSION)
    assert facts.containerd_version != "?"
    assert "Docker Engine" in str(facts)


def test_missing_socket_gives_one_sentence(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")
    with pytest.raises(EngineUnavailable) as info:
        engine.check()
    message = str(info.value)
    assert_one_sentence(message)
    assert "missing.sock" in message and "DOCKER_HOST" in message


def test_api_versions_compare_as_versions():
    assert engine.version_tuple("1.9") < engine.version_tuple("1.41") < engine.version_tuple("1.45")
    assert engine.version_tuple("1.41") == (1, 41)


def test_missing_socket_on_the_command_line_prints_no_traceback(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/missing.sock", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.lab", "status"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert_one_sentence(lines[0].removeprefix("error: "))


def test_the_setup_names_the_lab_mirror_a_rootless_engine_uses(client):
    """A rootless engine names the lab registry at rootlesskit's view of the host loopback
    (10.0.2.2): the setup line still says the lab serves its pulls, and names that address."""
    from dataclasses import replace

    from helpers.engine import check
    from helpers.notebook import pulls_from
    from helpers.registry_api import REGISTRY_URL, registry_answers, rootless_mirror_url

    if not registry_answers():
        skip_or_fail("no lab registry here (an engine with Docker Hub): nothing to name")
    facts = check(client)
    rootless = replace(facts, mirrors=[rootless_mirror_url(REGISTRY_URL)])
    assert rootless_mirror_url(REGISTRY_URL) == "http://10.0.2.2:5000"
    assert f"lab registry mirror {rootless_mirror_url(REGISTRY_URL)}" in pulls_from(rootless)
    assert "lab registry mirror" not in pulls_from(replace(facts, mirrors=[]))
