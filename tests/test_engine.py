"""Connecting the way the Docker CLI does, and failing with one plain sentence."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from conftest import assert_one_sentence

from helpers import engine
from helpers.errors import EngineUnavailable


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    return tmp_path / "docker-config"


def _make_context(config_dir, name: str, host: str, current: bool) -> None:
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}})
    )
    if current:
        (config_dir / "config.json").write_text(json.dumps({"currentContext": name}))


def test_default_socket_when_nothing_is_set(clean_env):
    assert engine.resolve_endpoint() == engine.Endpoint(engine.DEFAULT_HOST, "default socket")


def test_docker_host_wins_over_current_context(clean_env, monkeypatch):
    _make_context(clean_env, "colima", "unix:///tmp/colima.sock", current=True)
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/other.sock")
    assert engine.resolve_endpoint() == engine.Endpoint("unix:///tmp/other.sock", "DOCKER_HOST")


def test_docker_context_wins_over_docker_host(clean_env, monkeypatch):
    _make_context(clean_env, "desk", "unix:///tmp/desk.sock", current=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/other.sock")
    monkeypatch.setenv("DOCKER_CONTEXT", "desk")
    assert engine.resolve_endpoint().host == "unix:///tmp/desk.sock"


def test_current_context_connects_to_the_real_engine(clean_env, client):
    """A CLI context naming the real socket is followed, as `docker context use` would."""
    _make_context(clean_env, "lab", engine.DEFAULT_HOST, current=True)
    endpoint = engine.resolve_endpoint()
    assert endpoint.source == "context lab"
    assert engine.connect(endpoint).ping() is True


def test_check_describes_the_engine(client):
    facts = engine.check(client)
    assert facts.api_version >= engine.MIN_API_VERSION
    assert facts.containerd_version != "?"
    assert "Docker Engine" in str(facts)


def test_missing_socket_gives_one_sentence(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")
    with pytest.raises(EngineUnavailable) as info:
        engine.check()
    message = str(info.value)
    assert_one_sentence(message)
    assert "missing.sock" in message and "DOCKER_HOST" in message


def test_missing_socket_on_the_command_line_prints_no_traceback(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/missing.sock", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.lab", "status"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert_one_sentence(lines[0].removeprefix("error: "))
