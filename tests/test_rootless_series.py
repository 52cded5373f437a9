"""The whole series on a rootless engine of a learner's own (issue #16's set-up (b)).

An unprivileged learner, in no ``docker`` group, starts a rootless Docker Engine (Debian's
rootlesskit, slirp4netns and uidmap with the ``dockerd-rootless.sh`` that ``docker.io`` ships,
the lab registry forwarded to ``127.0.0.1:5000`` inside its network) and runs every notebook
of a copy in their home through it. Each must run top to bottom with no error and no
traceback, every exercise must pass, and each lesson that differs on a rootless engine must
take the branch meant for it: ctr on the learner's own containerd (01), the bridge address
asked from a container (06), overlay-network cells set aside (10). The learner, their engine
and the host setting it needed are removed afterwards, pass or fail.
"""

from __future__ import annotations

import os
import re

import learner_runs
import pytest
from support import skip_or_fail

from helpers.lab import learners
from helpers.swarm import OVERLAY_SET_ASIDE

#: The rootless learner of this test (made and removed here).
NAME = "dn-test-rootless-series"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rootless_series(request):
    """The learner, their running rootless engine, and their executed copy of the series."""
    if os.geteuid() != 0:
        skip_or_fail("the rootless learner is made as root")
    learner_runs.require_learner_python()

    def remove():
        try:
            learners.remove_learner(NAME)
        finally:
            learners.restore_host()

    request.addfinalizer(remove)
    learners.create_learner(NAME, groups=())
    host = learners.start_rootless_engine(NAME)
    folder = learner_runs.prepare(NAME)
    copies = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
    run = learner_runs.start(NAME, copies, docker_host=host)
    printed = run.communicate(timeout=1500)[0]
    assert run.returncode == 0, printed[-4000:]
    assert all(f"{path.name}: " in printed for path in copies), printed
    return learner_runs.results(folder)


def test_every_lesson_runs_without_error_on_a_rootless_engine(rootless_series):
    assert len(rootless_series) == len(learner_runs.NOTEBOOKS)
    for lesson in rootless_series.values():
        assert not lesson.errors(), f"{lesson.name} on a rootless engine: {lesson.errors()}"
        assert "Set-up: a rootless engine of your own" in lesson.text, lesson.name


def test_every_exercise_passes_on_a_rootless_engine(rootless_series):
    """Each lesson's check prints ``Pass: ...`` and no ``Hint: ...``; 10's check, which needs an
    overlay network, is set aside instead."""
    for number, lesson in rootless_series.items():
        hints = lesson.lines_starting("Hint:")
        assert not hints, f"{lesson.name}: {hints}"
        if number == "10":
            assert OVERLAY_SET_ASIDE in lesson.printed_by('check_dnsrr_service(client, "dn-10-net"')
        else:
            assert lesson.lines_starting("Pass:"), f"{lesson.name} printed no Pass line"


def test_lesson_01_lists_containers_through_the_learners_own_containerd(rootless_series):
    address = rootless_series["01"].printed_by('os.environ["CONTAINERD_ADDRESS"] =')
    uid = learners.pwd.getpwnam(NAME).pw_uid
    assert f"/run/user/{uid}/docker/containerd/containerd.sock" in address
    rows = rootless_series["01"].printed_by('!ctr -n moby containers list "id==')
    assert "cannot reach" not in rows and re.search(r"^[0-9a-f]{64} ", rows, re.M), rows
    assert re.search(
        r"-namespace moby -id [0-9a-f]{64}", rootless_series["01"].printed_by("!ps -eo args")
    )


def test_lesson_06_asks_the_bridge_address_from_a_container(rootless_series):
    bridge = rootless_series["06"].printed_by("if bridge_ip_answers")
    assert "This machine does not reach the engine's bridge network (rootless)" in bridge
    assert "Welcome to nginx!" in bridge
    published = rootless_series["06"].text
    assert "Welcome to nginx!" in published.split("does not reach", 1)[1]


def test_lesson_10_sets_overlay_network_cells_aside(rootless_series):
    lesson = rootless_series["10"]
    aside = [printed for source, printed in lesson.cells if "# needs: overlay network" in source]
    assert len(aside) >= 5 and all(printed.strip() == OVERLAY_SET_ASIDE for printed in aside)
    assert OVERLAY_SET_ASIDE in lesson.cells[0][1]  # said once at setup
    # the rest of the lesson runs: a replicated service, scaled and rolled out, on this engine
    assert "dn-10-web" in lesson.printed_by("!docker service ls --filter name=dn-10-web")
