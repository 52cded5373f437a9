"""The classroom server (issue #15), for real: JupyterHub on this machine, a rootless engine per
seat, learners logging in over HTTP with the workshop password.

One classroom (:data:`SEATS` seats on a free loopback port) is set up for the module with
``helpers.lab.classroom.up`` and taken down by its last test (and by the finalizer, pass or
fail). The tests log in as the seats, start their servers through the hub's REST API, and check
as each seat (``setpriv``, the environment the hub gives it) that one seat never sees nor
touches another's containers, images or volumes, nor root's engine; that a seat whose engine
cannot start is told why in one sentence; that every seat runs lesson 06 at the same time
through its own engine, each on a host port of its own (host ports are one for the whole
server: helpers/ports.py reserves the one a lesson picks, see docs/classroom.md); and that
``down`` leaves the machine as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import stat
import struct
import subprocess
import threading
import time
from pathlib import Path

import learner_runs
import pytest
import requests
from support import (
    assert_one_sentence,
    free_loopback_port,
    import_sleeper_image,
    skip_or_fail,
)

from helpers import engine as engine_mod
from helpers import registry_api
from helpers.errors import LabError
from helpers.lab import classroom, learners

SEATS = 3
IMAGE = "nginx:stable"
LESSON = "06-publishing-ports.ipynb"
#: Objects of root's own on the lab engine that no seat's prune may reach.
WITNESS_IMAGE = "dn-classroom-witness:1"
WITNESS_VOLUME = "dn-classroom-witness"
#: What one test measured, printed at the end of the module (``-s`` shows it).
MEASURED: dict[str, object] = {}


# -- pure checks ---------------------------------------------------------------------------------


def test_seats_and_addresses():
    assert classroom.seat_names(3) == ["dn-seat-1", "dn-seat-2", "dn-seat-3"]
    assert classroom.local_url("0.0.0.0:8000") == "http://127.0.0.1:8000"
    assert classroom.exposure_warning("127.0.0.1:8000") is None
    with pytest.raises(LabError) as bad:
        classroom.parse_listen("8000")
    assert_one_sentence(str(bad.value))


def test_listening_beyond_loopback_prints_one_plain_warning():
    warning = classroom.exposure_warning("0.0.0.0:8000")
    assert warning.startswith("Warning: ") and "make classroom-server-down" in warning
    assert_one_sentence(warning)


def test_the_hub_configuration_keeps_no_secret():
    config = classroom.CONFIG_TEMPLATE.format(
        listen="127.0.0.1:8000", hub_port=1, proxy_api_port=2, seats=["dn-seat-1"]
    )
    compile(config, "jupyterhub_config.py", "exec")
    assert "password" not in config.split("\n#", 1)[-1].split("from", 1)[1]


def test_the_makefile_offers_the_two_targets():
    makefile = (learner_runs.ROOT / "Makefile").read_text()
    assert "SEATS ?= 3" in makefile and "CLASSROOM_LISTEN ?= 127.0.0.1:8000" in makefile
    assert re.search(r"^classroom-server: setup\n\t.*classroom up", makefile, re.M)
    assert re.search(r"^classroom-server-down: setup\n\t.*classroom down", makefile, re.M)


def test_user_namespaces_turned_off_are_named_in_one_sentence(tmp_path, monkeypatch):
    switch = tmp_path / "max_user_namespaces"
    switch.write_text("0\n")
    monkeypatch.setattr(classroom, "USERNS_FILES", (switch,))
    sentence = classroom.engine_trouble("dn-seat-1")
    assert "user namespaces" in sentence and "sysctl -w" in sentence, sentence
    assert_one_sentence(sentence)


# -- the classroom, for real -----------------------------------------------------------------------


class Classroom:
    """The module's classroom: its address, password and seats, and a hub session per seat
    (:class:`helpers.lab.classroom.HubSession`, shared with the load bench)."""

    def __init__(self, url: str, password: str, seats: list[str]) -> None:
        self.url = url
        self.password = password
        self.seats = seats
        self.hubs: dict[str, classroom.HubSession] = {}

    def hub(self, name: str) -> classroom.HubSession:
        """``name`` logged in with the workshop password (once)."""
        if name not in self.hubs:
            self.hubs[name] = classroom.HubSession(self.url, name, self.password).login()
        return self.hubs[name]

    def start(self, name: str) -> requests.Response:
        """Ask the hub to start ``name``'s server (REST API, with the login's cookie)."""
        return self.hub(name).start()

    def model(self, name: str) -> dict:
        return self.hub(name).model()

    def ready(self, name: str) -> float:
        """Start ``name``'s server unless it runs, and wait until the hub says it is ready;
        seconds from the request on."""
        return self.hub(name).wait_ready()


def as_seat(name: str, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return classroom.run_as_seat(name, list(cmd), timeout=timeout)


def docker(name: str, *args: str) -> str:
    done = as_seat(name, "docker", *args)
    assert done.returncode == 0, f"{name}: docker {' '.join(args)}: {done.stderr}"
    return done.stdout


def server_environ(name: str) -> dict[str, str]:
    """The environment of ``name``'s running JupyterLab (``jupyterhub-singleuser``)."""
    uid = pwd.getpwnam(name).pw_uid
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid != uid:
                    continue
                if b"jupyterhub-singleuser" not in (entry / "cmdline").read_bytes():
                    continue
                pairs = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
    raise AssertionError(f"no jupyterhub-singleuser runs as {name}")


@pytest.fixture(scope="module")
def room(request, client):
    if os.geteuid() != 0:
        skip_or_fail("the classroom server is set up as root")
    if not registry_api.registry_answers():
        skip_or_fail("the lab registry must answer on 127.0.0.1:5000: run `make setup`")
    problem = classroom._python_version_problem()
    if problem:
        skip_or_fail(problem)
    if not Path("/usr/bin/npm").exists() and not subprocess.run(["which", "npm"]).returncode == 0:
        skip_or_fail("npm is needed for JupyterHub's proxy: apt-get install npm")
    if classroom.existing_seats() or classroom.hub_pid():
        skip_or_fail("a classroom is already up here: run `make classroom-server-down` first")
    before = {
        "tun": learner_runs.tun_mode(),
        "prefix": classroom.PREFIX.exists(),
        "run_user": sorted(p.name for p in Path("/run/user").glob("*"))
        if Path("/run/user").is_dir()
        else None,
    }
    request.addfinalizer(classroom.down)
    listen = f"127.0.0.1:{free_loopback_port()}"
    started = time.monotonic()
    info = classroom.up(SEATS, listen)
    MEASURED["up (s)"] = round(time.monotonic() - started, 1)
    password = Path(info["password_file"]).read_text().strip()
    assert stat.S_IMODE(Path(info["password_file"]).stat().st_mode) == 0o600
    made = Classroom(info["url"], password, info["seats"])
    made.before = before
    return made


# -- a seat whose engine cannot start ------------------------------------------------------------

ACL = "system.posix_acl_access"


def refuse_tun_to(uid: int) -> None:
    """An ACL on /dev/net/tun refusing ``uid`` only (its mode bits kept): one seat's engine
    cannot open it, while every other user's can as before."""
    mode = learner_runs.tun_mode()
    entries = [
        (0x01, (mode >> 6) & 7, 0xFFFFFFFF),  # owner
        (0x02, 0, uid),  # this seat: nothing
        (0x04, (mode >> 3) & 7, 0xFFFFFFFF),  # group
        (0x10, (mode >> 3) & 7, 0xFFFFFFFF),  # mask
        (0x20, mode & 7, 0xFFFFFFFF),  # others
    ]
    data = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
    os.setxattr(learners.TUN, ACL, data)


def allow_tun_again() -> None:
    with contextlib.suppress(OSError):  # already gone
        os.removexattr(learners.TUN, ACL)


@pytest.mark.slow
def test_a_seat_whose_engine_cannot_start_is_told_why(room, request):
    name = room.seats[-1]
    try:
        refuse_tun_to(pwd.getpwnam(name).pw_uid)
    except OSError as error:
        skip_or_fail(f"no ACL can be set on {learners.TUN} here ({error})")
    request.addfinalizer(lambda: allow_tun_again())
    answer = room.start(name)
    assert answer.status_code >= 400, answer.text
    message = answer.json()["message"]
    assert f"{name} may not open /dev/net/tun" in message, message
    assert_one_sentence(message)
    assert message in classroom.hub_log().read_text()  # the instructor sees it in the hub's log
    assert not learners.rootless_engine_pid(name)
    allow_tun_again()
    assert room.ready(name) > 0  # once the cause is gone, the same seat starts


# -- isolation -----------------------------------------------------------------------------------


@pytest.fixture
def root_witnesses(room, client, request):
    """An image and a volume of root's own on the lab engine, removed again afterwards."""
    image = import_sleeper_image(client, WITNESS_IMAGE)
    volume = client.volumes.create(WITNESS_VOLUME)

    def remove():
        volume.remove(force=True)
        client.images.remove(WITNESS_IMAGE, force=True)

    request.addfinalizer(remove)
    return image


@pytest.mark.slow
def test_every_seat_has_both_editions_and_the_glossary_its_korean_lessons_link(room):
    english = sorted(p.name for p in (learner_runs.ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    for name in room.seats:
        folder = classroom.seat_folder(name)
        assert sorted(p.name for p in folder.glob("[0-9][0-9]-*.ipynb")) == english, name
        assert sorted(p.name for p in (folder / "ko").glob("[0-9][0-9]-*.ipynb")) == english, name
        assert (folder / "ko" / "../../docs/glossary.ko.md").resolve().is_file(), name


def test_each_seat_sees_and_touches_only_its_own_engine(room, client, root_witnesses):
    a, b = room.seats[0], room.seats[1]
    seconds = {name: room.ready(name) for name in (a, b)}
    MEASURED["login to ready server and engine (s)"] = {k: round(v, 1) for k, v in seconds.items()}
    for name in (a, b):
        assert server_environ(name)["DOCKER_HOST"] == learners.rootless_host(name)
        info = docker(name, "info", "--format", "{{json .SecurityOptions}} {{.CgroupDriver}}")
        assert "name=rootless" in info, info
        MEASURED["a seat's engine: cgroup driver"] = info.split()[-1]
        assert "docker" not in as_seat(name, "id", "-nG").stdout.split()
    docker(a, "run", "-d", "--name", "dn-classroom-a", IMAGE)
    docker(a, "tag", IMAGE, "dn-classroom-a-image:1")
    docker(a, "volume", "create", "dn-classroom-a-data")
    docker(b, "run", "-d", "--name", "dn-classroom-b", IMAGE)
    assert docker(a, "ps", "--format", "{{.Names}}").split() == ["dn-classroom-a"]
    assert docker(b, "ps", "-a", "--format", "{{.Names}}").split() == ["dn-classroom-b"]
    assert "dn-classroom-a-image" not in docker(b, "images", "--format", "{{.Repository}}")
    assert "dn-classroom-a-data" not in docker(b, "volume", "ls", "--format", "{{.Name}}")
    assert "dn-classroom-witness" not in docker(a, "images") + docker(a, "volume", "ls")

    for socket_path in (learners.rootless_host(b)[len("unix://") :], "/var/run/docker.sock"):
        connect = f"import socket; socket.socket(socket.AF_UNIX).connect({socket_path!r})"
        done = as_seat(a, "/usr/bin/python3", "-c", connect)
        assert done.returncode != 0 and "PermissionError" in done.stderr, done.stderr
    done = as_seat(a, "docker", "-H", "unix:///var/run/docker.sock", "ps")
    assert done.returncode != 0 and "permission denied" in done.stderr, done.stderr

    docker(a, "rm", "-f", "dn-classroom-a")
    docker(b, "volume", "create", "dn-classroom-b-data")
    pruned = docker(a, "system", "prune", "-af", "--volumes")
    assert "dn-classroom-a-image:1" in pruned, pruned
    docker(a, "volume", "prune", "-af")  # named volumes too (Engine 23+ prunes only anonymous)
    assert docker(a, "images", "-q") == "" and docker(a, "volume", "ls", "-q") == ""
    assert "dn-classroom-b-data" in docker(b, "volume", "ls", "--format", "{{.Name}}")
    assert docker(b, "ps", "--format", "{{.Names}}").split() == ["dn-classroom-b"]
    assert IMAGE.split(":")[0] in docker(b, "images", "--format", "{{.Repository}}")
    assert client.images.get(WITNESS_IMAGE).id == root_witnesses
    assert client.volumes.get(WITNESS_VOLUME)
    docker(b, "rm", "-f", "dn-classroom-b")
    MEASURED["memory (MiB PSS) with two servers up"] = classroom.memory()


# -- every seat runs lesson 06 at once -------------------------------------------------------------


def created_containers(name: str, since: str) -> set[str]:
    """IDs of the containers ``name``'s engine created since ``since`` (its own clock)."""
    out = docker(
        name, "events", "--since", since, "--until", str(int(time.time()) + 1),
        "--filter", "type=container", "--filter", "event=create", "--format", "{{.ID}}",
    )  # fmt: skip
    return set(out.split())


@pytest.mark.slow
def test_every_seat_runs_lesson_06_at_the_same_time_through_its_own_engine(room):
    for name in room.seats:
        room.ready(name)
    since = str(int(time.time()) - 1)
    runs, printed, seconds, starts = {}, {}, {}, {}
    began = time.monotonic()

    def run(name: str) -> None:
        copy = classroom.seat_folder(name) / LESSON
        cmd = [
            str(classroom.PREFIX / "bin" / "python"),
            str(learner_runs.ROOT / "tests" / "run_series.py"),
            str(copy),
        ]
        started = time.monotonic()
        starts[name] = round(started - began, 1)
        done = as_seat(name, *cmd, timeout=900)
        seconds[name] = round(time.monotonic() - started, 1)
        runs[name] = done
        printed[name] = learner_runs.results(copy.parent)["06"]

    threads = [threading.Thread(target=run, args=(name,)) for name in room.seats]
    # the most each seat (server, kernel, engine, containers) took at once, sampled each second
    with classroom.memory_peaks() as peaks:
        for thread in threads:  # all at once: helpers.ports keeps their host ports apart
            thread.start()
        for thread in threads:
            thread.join()
    peak = {name: seat["total"] for name, seat in peaks["seats"].items()}
    MEASURED["peak memory per seat during lesson 06 (MiB PSS)"] = peak
    MEASURED["hub with proxy (MiB PSS)"] = classroom.memory()["hub"]
    MEASURED["lesson 06, all seats at once (s)"] = seconds
    MEASURED["lesson 06 started at (s)"] = starts
    made = {name: created_containers(name, since) for name in room.seats}
    ports: dict[str, list[str]] = {}
    exercise_ports: dict[str, list[str]] = {}
    passed: list[str] = []
    for name in room.seats:
        assert runs[name].returncode == 0, runs[name].stdout + runs[name].stderr
        lesson = printed[name]
        assert not lesson.errors(), f"{name}: {lesson.errors()}"
        assert "Set-up: a rootless engine of your own" in lesson.text, name
        published = lesson.printed_by("!curl -s 127.0.0.1:{PORT} | grep Welcome")
        assert "Welcome to nginx!" in published, f"{name}: {published}"
        rows = lesson.printed_by("!docker ps -f name=nginx-exposed")
        ports[name] = re.findall(r"127\.0\.0\.1:(\d+)->80/tcp", rows)
        assert ports[name], f"{name}: {rows}"
        # The exercise's solution takes a free port too, reserved across the seats' engines
        # while its lesson runs (a seat that finished first may hand the same port on), so
        # every seat's own container answers its check.
        assert lesson.lines_starting("Pass:") and not lesson.lines_starting("Hint:"), (
            f"{name}'s exercise: {lesson.printed_by('MY_PORT = free_port(8090')}"
        )
        passed.append(name)
        exercise_ports[name] = re.findall(
            r"127\.0\.0\.1:(\d+) with nginx's page", "\n".join(lesson.lines_starting("Pass:"))
        )
        listed = set(
            re.findall(
                r"^([0-9a-f]{12}) ", lesson.printed_by("!docker ps -f name=nginx-exposed"), re.M
            )
        )
        run_cell = lesson.printed_by("!docker run -d -p 127.0.0.1:{PORT}:80 --name nginx-exposed")
        assert listed, f"{name}: docker ps listed no container; docker run printed {run_cell}"
        others = set().union(*(made[o] for o in room.seats if o != name))
        assert all(any(full.startswith(short) for full in made[name]) for short in listed), name
        assert not any(full.startswith(short) for short in listed for full in others), name
    MEASURED["lesson 06's port per seat"] = ports
    MEASURED["lesson 06's exercise port per seat"] = exercise_ports
    assert len({tuple(p) for p in ports.values()}) == len(ports), f"seats shared a port: {ports}"
    MEASURED["seats whose exercise passed"] = passed


# -- down ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_down_leaves_the_machine_as_it_was(room, client):
    uids = [pwd.getpwnam(name).pw_uid for name in room.seats]
    MEASURED["memory (MiB PSS) before down"] = classroom.memory()
    classroom.down()
    classroom.down()  # again: nothing left to do, no error
    for name in room.seats:
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
    assert not classroom.hub_pid()
    hubs = subprocess.run(["pgrep", "-f", str(classroom.PREFIX)], capture_output=True, text=True)
    assert hubs.stdout.strip() == "", hubs.stdout
    assert learner_runs.tun_mode() == room.before["tun"]
    for uid in uids:
        assert not Path(f"/run/user/{uid}").exists()
    assert classroom.PREFIX.exists() == room.before["prefix"]
    assert engine_mod.connect(engine_mod.Endpoint(engine_mod.DEFAULT_HOST, "lab")).ping()
    assert registry_api.registry_answers()
    with requests.Session() as probe, pytest.raises(requests.ConnectionError):
        probe.get(f"{room.url}/hub/api/", timeout=5)
    print("\nclassroom measured:", json.dumps(MEASURED, indent=1))
