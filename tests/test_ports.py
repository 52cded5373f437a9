"""Host ports reserved across engines (helpers.ports): a lesson on another engine that picked a
port keeps it from this engine's lessons until its clean-up or its process's end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import ports
from helpers.containers import free_port, port_is_free
from helpers.state import SHARED_DIR_ENV


@pytest.fixture
def shared(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_DIR_ENV, str(tmp_path))
    return tmp_path


def _free_pair() -> int:
    """A port that is free on 127.0.0.1 and whose next one is free too."""
    for port in range(18080, 18180):
        if port_is_free(port) and port_is_free(port + 1):
            return port
    pytest.skip("no two free ports in 18080-18180")


def test_a_port_another_engine_reserved_is_skipped_while_its_holder_lives(shared):
    port = _free_pair()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (shared / "ports").mkdir()
        record = {"engine": "unix-run-user-4242-docker.sock", "notebook": "06", "pid": holder.pid}
        (shared / "ports" / str(port)).write_text(json.dumps(record))
        assert ports.reserved_elsewhere(port)
        assert free_port(port, notebook="06") == port + 1
        assert ports.release("06") == [port + 1]  # ours only: the other engine's stays
        assert (shared / "ports" / str(port)).exists()
    finally:
        holder.kill()
        holder.wait()
    assert not ports.reserved_elsewhere(port)  # its holder is gone: nothing is held
    assert free_port(port, notebook="06") == port
    assert ports.release() == [port]


def test_this_engines_own_reservation_does_not_move_its_lessons(shared):
    port = _free_pair()
    assert free_port(port, notebook="06") == port
    assert not ports.reserved_elsewhere(port)
    assert free_port(port, notebook="06") == port  # a re-run setup cell keeps its port
    assert ports.release("06") == [port]
