"""The series on learners' set-ups, for real (issues #15 and #16): an unprivileged user in the
``docker`` group, and a rootless engine of a learner's own. Each set-up is made as root, checked
as that user, and removed again, pass or fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import learner_runs
import pytest
from support import free_loopback_port, skip_or_fail

from helpers import cleanup, registry_api, series_lock
from helpers import engine as engine_mod
from helpers.errors import LabError
from helpers.lab import learners
from helpers.labels import LABEL_KEY, LABEL_VALUE
from helpers.polling import wait_for
from helpers.state import locked_json

#: Test users, apart from the module's defaults so a learner's own set-up is never touched.
GROUP_LEARNER = "dn-test-learner"
ROOTLESS_LEARNER = "dn-test-rootless"
LOCK_NAME = "tests-learners"
IMAGE = "nginx:stable"
LABEL = f"--label={LABEL_KEY}={LABEL_VALUE}"


def as_learner(name: str, *cmd: str, docker_host: str | None = None, timeout: float = 120):
    """Run ``cmd`` as the learner ``name`` with their own HOME (and ``DOCKER_HOST``)."""
    user = pwd.getpwnam(name)
    env = {"HOME": user.pw_dir, "USER": name, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    return subprocess.run(
        learners.as_user(name, list(cmd)), env=env, cwd=user.pw_dir,
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def root_engine_and_registry_answer() -> None:
    """The lab engine (root's) and the lab registry still answer."""
    assert engine_mod.connect(engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "lab")).ping()
    assert registry_api.registry_answers()


@pytest.fixture(scope="module")
def as_root(client):
    if os.geteuid() != 0:
        skip_or_fail("learners' set-ups are made as root")
    if not registry_api.registry_answers():
        skip_or_fail("the lab registry must answer on 127.0.0.1:5000: run `make setup`")
    return client


# -- pure checks: names, addresses, the host setting ------------------------------------------


def test_the_rootless_mirror_follows_the_lab_registry_port(monkeypatch):
    """Inside the engine's network the registry answers at the lab's own address, forwarded to
    the host's loopback as that network reaches it (10.0.2.2)."""
    monkeypatch.setattr(learners, "REGISTRY_URL", "http://127.0.0.1:5999")
    assert learners.mirror_for_rootless() == "http://127.0.0.1:5999"
    cmd = learners.registry_forwarder_command(4242)
    assert cmd[:5] == ["nsenter", "--target", "4242", "--net", "--"]
    assert cmd[-2:] == ["TCP-LISTEN:5999,bind=127.0.0.1,fork,reuseaddr", "TCP:10.0.2.2:5999"]


def test_the_rootless_engine_runs_as_the_learner_with_host_loopback():
    user = pwd.getpwnam("nobody")
    cmd = learners.rootless_command(user, Path("/tmp/state"))
    assert cmd[:5] == ["setpriv", "--reuid", str(user.pw_uid), "--regid", str(user.pw_gid)]
    assert cmd[cmd.index("--registry-mirror") + 1] == learners.mirror_for_rootless()
    env = learners.rootless_env(user)
    assert env["DOCKERD_ROOTLESS_ROOTLESSKIT_DISABLE_HOST_LOOPBACK"] == "false"
    assert env["XDG_RUNTIME_DIR"] == f"/run/user/{user.pw_uid}"
    assert str(learners.CONTRIB) in env["PATH"].split(":") and "/usr/sbin" in env["PATH"]


def test_tun_is_opened_only_from_0600_and_put_back(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_NOTEBOOKS_STATE", str(tmp_path / "state"))
    tun = tmp_path / "tun"
    tun.touch()
    monkeypatch.setattr(learners, "TUN", tun)
    tun.chmod(0o640)
    learners.open_tun_for_users()
    assert stat.S_IMODE(tun.stat().st_mode) == 0o640 and not learners.restore_host()
    tun.chmod(0o600)
    learners.open_tun_for_users()
    assert stat.S_IMODE(tun.stat().st_mode) == 0o666
    learners.open_tun_for_users()  # a second call keeps the first record
    assert learners.restore_host()
    assert stat.S_IMODE(tun.stat().st_mode) == 0o600


def test_users_the_series_did_not_make_are_never_removed(as_root):
    for name in ("root", "nobody"):
        with pytest.raises(LabError):
            learners.remove_learner(name)
        with pytest.raises(LabError):
            learners.create_learner(name)
        assert pwd.getpwnam(name)


# -- (a) a learner in the docker group, on the root engine -------------------------------------


@pytest.fixture(scope="module")
def group_learner(as_root, request):
    request.addfinalizer(lambda: learners.remove_learner(GROUP_LEARNER))
    learners.create_learner(GROUP_LEARNER)
    return GROUP_LEARNER


@pytest.fixture
def series_image_on_root_engine(as_root, request):
    """nginx:stable on the root engine, with the series lock held so no notebook's pull or
    clean-up runs meanwhile; a copy pulled for this test is removed again."""
    series_lock.acquire(LOCK_NAME, wait=900, notice=None)

    def release():
        try:
            cleanup.release_pulls(LOCK_NAME, client=as_root)
        finally:
            series_lock.release(LOCK_NAME)

    request.addfinalizer(release)
    cleanup.claim_pulls([IMAGE], notebook=LOCK_NAME, client=as_root)
    return IMAGE


def test_group_learner_is_unprivileged_and_in_the_docker_group(group_learner):
    done = as_learner(group_learner, "id")
    assert done.returncode == 0 and "uid=0" not in done.stdout
    assert "(docker)" in done.stdout
    assert learners.is_series_user(group_learner)


def test_group_learner_runs_nginx_through_the_root_engine(
    group_learner, series_image_on_root_engine
):
    done = as_learner(group_learner, "docker", "run", "--rm", LABEL, IMAGE, "nginx", "-v")
    assert done.returncode == 0, done.stderr
    assert "nginx version: nginx/" in done.stderr  # nginx -v writes to stderr


def test_group_learner_may_not_open_the_engines_containerd_socket(group_learner):
    """The fact lesson 01 guards: ``ctr`` needs root on the root engine's containerd socket,
    though the docker group may use the engine's own socket."""
    sock = learners.containerd_socket(engine_mod.DEFAULT_HOST)
    connect = f"import socket; socket.socket(socket.AF_UNIX).connect({str(sock)!r})"
    as_root_done = subprocess.run(["python3", "-c", connect], capture_output=True, text=True)
    assert as_root_done.returncode == 0, as_root_done.stderr  # the socket is there and answers
    done = as_learner(group_learner, "python3", "-c", connect)
    assert done.returncode != 0 and "PermissionError" in done.stderr, done.stderr
    assert learners.ctr_permitted(engine_mod.DEFAULT_HOST, group_learner) is False
    assert learners.ctr_permitted(engine_mod.DEFAULT_HOST) is True


def test_root_engine_facts_for_a_group_learner(group_learner, series_image_on_root_engine):
    facts = learners.setup_facts(engine_mod.DEFAULT_HOST, user=group_learner)
    assert facts["rootless"] is False
    assert facts["bridge_ip_answers"] is True  # the probe can answer: on a root engine it does
    assert facts["ctr_permitted"] is False


# -- (b) a rootless engine of a learner's own --------------------------------------------------


class RootlessSetup:
    """The rootless learner's set-up, made once for the module and torn down by its last test
    (or by the finalizer, when a test failed first)."""

    def __init__(self) -> None:
        self.tun_mode_before = learner_runs.tun_mode()
        self.seconds: dict[str, float] = {}
        self.host: str | None = None
        self.user: pwd.struct_passwd | None = None

    def start(self) -> RootlessSetup:
        started = time.monotonic()
        self.user = learners.create_learner(ROOTLESS_LEARNER, groups=())
        self.host = learners.start_rootless_engine(ROOTLESS_LEARNER)
        self.seconds["set-up"] = time.monotonic() - started
        return self

    def teardown(self) -> None:
        try:
            learners.remove_learner(ROOTLESS_LEARNER)
        finally:
            learners.restore_host()

    def docker(self, *args: str, timeout: float = 120):
        return as_learner(ROOTLESS_LEARNER, "docker", *args, docker_host=self.host, timeout=timeout)


@pytest.fixture(scope="module")
def rootless(as_root, request):
    setup = RootlessSetup()
    request.addfinalizer(setup.teardown)
    return setup.start()


def test_rootless_engine_answers_and_says_rootless(rootless):
    assert rootless.host == f"unix:///run/user/{rootless.user.pw_uid}/docker.sock"
    done = rootless.docker("info", "--format", "{{json .SecurityOptions}}")
    assert done.returncode == 0, done.stderr
    assert "name=rootless" in done.stdout
    assert learners.rootless_engine_pid(ROOTLESS_LEARNER)
    assert rootless.seconds["set-up"] < 60


def test_rootless_engine_pulls_through_the_lab_registry(rootless):
    mirrors = rootless.docker("info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout
    assert learners.mirror_for_rootless() in mirrors
    done = rootless.docker("pull", IMAGE)
    assert done.returncode == 0, done.stderr
    labels = rootless.docker("inspect", IMAGE, "--format", "{{json .Config.Labels}}").stdout
    assert "lab build" in labels  # the lab registry's image, not Docker Hub's


def test_rootless_published_port_answers_on_the_host(rootless):
    port = free_loopback_port()
    name = f"dn-test-rootless-web-{port}"
    done = rootless.docker("run", "-d", LABEL, "--name", name, "-p", f"127.0.0.1:{port}:80", IMAGE)
    assert done.returncode == 0, done.stderr
    try:

        def page():
            fetched = subprocess.run(
                ["curl", "-s", "-m", "3", f"http://127.0.0.1:{port}/"],
                capture_output=True, text=True,
            )  # fmt: skip
            return fetched.stdout

        assert "Welcome to nginx!" in wait_for(page, timeout=30, what=f"port {port} to answer")
    finally:
        rootless.docker("rm", "-f", name)


def test_rootless_bridge_ip_does_not_answer_from_the_host(rootless):
    """The fact lesson 06 will branch on. A control shows the container does serve its token
    at that address inside the engine's own network namespace (rootlesskit's child)."""
    client = engine_mod.connect(engine_mod.Endpoint(rootless.host, "rootless"))
    child = Path(f"/run/user/{rootless.user.pw_uid}/dockerd-rootless/child_pid").read_text()
    try:
        with learners.probe_container(client, IMAGE) as (ip, token):
            url = f"http://{ip}/"
            curl = ["curl", "-s", "-m", "3", url]
            from_host = subprocess.run(curl, capture_output=True, text=True)
            inside = subprocess.run(
                ["nsenter", "--target", child.strip(), "--net", *curl],
                capture_output=True, text=True,
            )  # fmt: skip
        assert token in inside.stdout, inside.stderr
        assert token not in from_host.stdout
        assert learners.bridge_ip_answers(client) is False
    finally:
        client.close()


def test_rootless_engine_facts(rootless):
    facts = learners.setup_facts(rootless.host, user=ROOTLESS_LEARNER)
    assert facts["rootless"] is True
    assert facts["bridge_ip_answers"] is False
    assert facts["cgroup_driver"] in {"none", "cgroupfs", "systemd"}
    if facts["cgroup_version"] == "1":
        assert facts["cgroup_driver"] == "none"  # no per-learner CPU or memory limits


def test_rootless_teardown_leaves_nothing_but_the_lab(rootless):
    """Last in the module: stop the engine and remove the learner and their data; the root
    engine and the registry still answer."""
    uid, home = rootless.user.pw_uid, Path(rootless.user.pw_dir)
    pid = learners.rootless_engine_pid(ROOTLESS_LEARNER)
    assert pid
    rootless.teardown()
    with pytest.raises(KeyError):
        pwd.getpwnam(ROOTLESS_LEARNER)
    assert not home.exists()
    assert not Path(f"/run/user/{uid}").exists()
    assert not learners._user_processes(uid)
    assert ROOTLESS_LEARNER not in Path("/etc/subuid").read_text()
    with locked_json(learners.LEDGER) as ledger:
        others = [n for n in ledger.get("rootless", {}) if learners.rootless_engine_pid(n)]
    if not others:  # tun's mode is put back once no rootless engine runs
        assert learner_runs.tun_mode() == rootless.tun_mode_before
    root_engine_and_registry_answer()


def test_podman_without_root_says_what_it_lacks_in_one_sentence(group_learner):
    """Lesson 11's setup, as a learner: a $XDG_RUNTIME_DIR that is not theirs, then a tun
    device only root may open, each give one sentence naming the fix; neither as root."""
    from support import assert_one_sentence

    learner_runs.require_learner_python()
    learner_runs.prepare(group_learner)
    python = f"{pwd.getpwnam(group_learner).pw_dir}/.series-venv/bin/python"
    folder = Path(tempfile.mkdtemp(prefix="dn-test-tun-", dir="/tmp"))  # the learner may look
    folder.chmod(0o755)
    closed_tun = folder / "tun"
    closed_tun.touch(mode=0o600)
    ask = "from helpers.pods import rootless_network_problem as p; "
    ask += f"print(p(tun={str(closed_tun)!r}))"
    user = pwd.getpwnam(group_learner)

    def problem(runtime: str) -> str:
        env = {"HOME": user.pw_dir, "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": runtime}
        done = subprocess.run(
            learners.as_user(group_learner, [python, "-c", ask]), env=env, cwd=user.pw_dir,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    not_theirs = problem("/root")
    assert_one_sentence(not_theirs)
    assert "$XDG_RUNTIME_DIR (/root)" in not_theirs and "log in again" in not_theirs
    closed = problem(str(learners.runtime_dir(user)))
    assert_one_sentence(closed)
    assert f"chmod 0666 {closed_tun}" in closed
    from helpers.pods import rootless_network_problem

    assert rootless_network_problem(tun=str(closed_tun)) is None  # root may open it
    shutil.rmtree(folder)
