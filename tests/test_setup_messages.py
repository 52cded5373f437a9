"""What ``make setup`` (``python -m helpers.lab up``) says about the learner's set-up (issue #16,
item 4), for real: as root, as a learner in the ``docker`` group, and as a learner in no docker
group, who is told in one sentence the two ways forward and starts nothing. Each learner is a
throwaway user made as root and removed again, pass or fail.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest
from learner_runs import prepare, python_for_learners
from support import assert_one_sentence, skip_or_fail

from helpers import registry_api
from helpers.lab import learners
from helpers.lab.records import pid_command

ROOT = Path(__file__).resolve().parent.parent
GROUP_LEARNER = "dn-test-setupmsg-group"
NO_GROUP_LEARNER = "dn-test-setupmsg-none"
LAB_DAEMONS = ("dockerd", "docker-registry")
WAYS_FORWARD = ("usermod -aG docker", "dockerd-rootless-setuptool.sh install")


@pytest.fixture(scope="module")
def as_root(client):
    if os.geteuid() != 0:
        skip_or_fail("learners are made as root")
    if not registry_api.registry_answers():
        skip_or_fail("the lab registry must answer on 127.0.0.1:5000: run `make setup`")
    why = python_for_learners()
    if why:
        skip_or_fail(why)
    return client


def make_learner(request, name: str, groups: tuple[str, ...]) -> str:
    request.addfinalizer(lambda: learners.remove_learner(name))
    learners.create_learner(name, groups=groups)
    prepare(name)  # a Python the learner may run, with this environment's packages
    return name


@pytest.fixture(scope="module")
def group_learner(as_root, request):
    return make_learner(request, GROUP_LEARNER, ("docker",))


@pytest.fixture(scope="module")
def no_group_learner(as_root, request):
    return make_learner(request, NO_GROUP_LEARNER, ())


def lab_as(name: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m helpers.lab ARGS`` in the repo as the learner ``name``, with their own HOME
    and no DOCKER_HOST."""
    user = pwd.getpwnam(name)
    venv = Path(user.pw_dir) / ".series-venv"
    env = {
        "HOME": user.pw_dir, "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
        "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    }  # fmt: skip
    cmd = learners.as_user(name, [str(venv / "bin" / "python"), *args])
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def lab_daemons() -> set[tuple[int, str]]:
    """The engines and registries root runs: (pid, command line)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == 0:
                if (entry / "comm").read_text().strip() in LAB_DAEMONS:
                    found.add((int(entry.name), pid_command(int(entry.name))))
        except OSError:
            continue
    return found


def the_sentence(done: subprocess.CompletedProcess) -> str:
    """The last line ``up`` printed, as one learner-facing sentence."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), done.stderr
    sentence = last.removeprefix("error: ")
    assert_one_sentence(sentence)
    for way in WAYS_FORWARD:
        assert way in sentence, sentence
    return sentence


def test_up_as_root_names_the_root_setup(as_root):
    env = {k: v for k, v in os.environ.items() if k not in {"DOCKER_HOST", "DOCKER_CONTEXT"}}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.lab", "up"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lab: set-up: root, on this machine's engine (root)\n" in done.stdout, done.stdout


def test_up_as_a_docker_group_learner_names_that_setup_and_starts_nothing(group_learner):
    before = lab_daemons()
    done = lab_as(group_learner, "-m", "helpers.lab", "up")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    said = "lab: set-up: you, in the docker group, on root's engine"
    assert said in done.stdout and "(docker-group)\n" in done.stdout, done.stdout
    assert "starting" not in done.stdout, done.stdout
    assert lab_daemons() == before  # the lab's engine and registry, untouched
    assert not learners._user_processes(pwd.getpwnam(group_learner).pw_uid)
    status = lab_as(group_learner, "-m", "helpers.lab", "status")
    assert status.returncode == 0, status.stderr
    assert "set-up: you, in the docker group" in status.stdout, status.stdout


def test_up_outside_the_docker_group_says_the_two_ways_forward(no_group_learner):
    before = lab_daemons()
    done = lab_as(no_group_learner, "-m", "helpers.lab", "up")
    sentence = the_sentence(done)
    assert sentence.startswith("Permission denied on the Docker socket /var/run/docker.sock: ")
    assert lab_daemons() == before


def test_up_with_no_engine_as_a_learner_starts_none_and_says_the_two_ways(no_group_learner):
    """The default socket moved to a path where no engine answers (as on a machine whose engine
    is not running): a learner's ``up`` does not try to install or start one."""
    script = (
        "import sys, helpers.engine as e; e.DEFAULT_HOST = 'unix:///nonexistent/docker.sock'; "
        "from helpers.lab.commands import main; sys.exit(main(['up']))"
    )
    before = lab_daemons()
    done = lab_as(no_group_learner, "-c", script)
    sentence = the_sentence(done)
    assert "only root can start one there" in sentence, sentence
    assert "starting the lab engine" not in done.stdout, done.stdout
    assert lab_daemons() == before
