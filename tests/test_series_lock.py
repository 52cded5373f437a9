"""The series lock: one notebook at a time on an engine, released when its holder goes away."""

from __future__ import annotations

import getpass
import os
import stat
import subprocess
import sys

import pytest
from support import assert_one_sentence

from helpers import series_lock
from helpers.errors import SeriesBusy
from helpers.state import engine_key

pytestmark = pytest.mark.usefixtures("series_lock_released")

HOLD = (
    "import sys, time; from helpers import series_lock; series_lock.acquire('other-nb'); "
    "print('held', flush=True); time.sleep(60)"
)


@pytest.fixture
def other_kernel():
    """Another process (a second kernel, another copy of the series) holding the lock."""
    series_lock.release()
    proc = subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True)
    try:  # killed however the test ends, so it never keeps the lock for the next one
        lines = (line.strip() for line in iter(proc.stdout.readline, ""))
        assert "held" in lines  # after any notice that a notebook holds the engine just now
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_second_notebook_is_told_who_holds_the_engine(other_kernel):
    mine = getpass.getuser()
    assert series_lock.holder() == {"notebook": "other-nb", "pid": other_kernel.pid, "user": mine}
    with pytest.raises(SeriesBusy) as info:
        series_lock.acquire("mine", wait=0.5)
    assert_one_sentence(str(info.value))
    assert "other-nb" in str(info.value)
    assert series_lock.held_by() is None


def test_lock_goes_with_its_holder(other_kernel):
    other_kernel.kill()  # a kernel restart or crash
    other_kernel.wait()
    assert series_lock.acquire("mine", wait=5) < 5
    assert series_lock.held_by() == "mine"
    assert series_lock.release("mine")
    assert series_lock.holder() is None


def test_rerun_setup_keeps_the_lock():
    series_lock.acquire("a")
    assert series_lock.acquire("a") == 0.0
    assert series_lock.release("a")


def test_one_engine_has_one_lock_whichever_path_names_its_socket():
    """``/var/run`` is a link to ``/run`` on Debian: both names are the one engine."""
    if os.path.realpath("/var/run") != "/run":
        pytest.skip("/var/run is not a link to /run here")
    assert engine_key("unix:///var/run/docker.sock") == engine_key("unix:///run/docker.sock")
    assert engine_key("unix:///run/user/1001/docker.sock") != engine_key("unix:///run/docker.sock")


def test_the_lock_is_in_a_folder_every_user_of_the_engine_may_write(monkeypatch):
    monkeypatch.delenv(series_lock.LOCK_DIR_ENV, raising=False)
    series_lock.acquire("mine", wait=5)
    try:
        folder = series_lock._lock_path().parent
        for shared in (folder, folder.parent):
            assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
        assert stat.S_IMODE(series_lock._lock_path().stat().st_mode) == 0o666
        assert series_lock.holder()["user"] == getpass.getuser()
    finally:
        series_lock.release("mine")
