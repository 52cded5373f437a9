"""The series as classrooms run it: two copies at once on one engine, by two users, and the
learner's own things untouched.

Root runs the Korean edition (``notebooks/ko/``, issue #14) in reverse order, as a full nbval
run in strict mode (the same sanitize file as ``make test``, whose own nbval run checks the
English notebooks in order). At the same time an unprivileged learner in the ``docker``
group runs the English copy in order, on the same engine, from their own home (issue #16's
set-up (a)); their notebooks must run top to bottom with no error and no traceback, and take
the branches meant for their set-up. The series lock (:mod:`helpers.series_lock`) is the
engine's, shared by both users, so the copies interleave notebook by notebook. (Each cell
twice in a row is ``tests/test_live_safety.py``'s.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import learner_runs
import pytest
from support import import_sleeper_image, skip_or_fail

from helpers.lab import learners as lab_learners

ROOT = Path(__file__).resolve().parent.parent
#: The Korean edition, which root runs here (``make test`` runs the English one in order).
KOREAN = sorted((ROOT / "notebooks" / "ko").glob("[0-9][0-9]-*.ipynb"))
NBVAL = [
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/sanitize.cfg",
    "--keep-duplicates",
    "-p",
    "no:cacheprovider",
    "-q",
]
LEARNER = "learner-own"
#: The docker-group learner of these tests (made and removed here).
GROUP_LEARNER = "dn-test-learner"

pytestmark = pytest.mark.slow


@pytest.fixture
def learners_things(client):
    """What a learner had before opening the series: an image tag, a network, a running
    container on both, none of them labelled. Removed (by name) after the test."""
    image_ref = f"{LEARNER}/sleeper:1"
    import_sleeper_image(client, image_ref)
    network = client.networks.create(f"{LEARNER}-net")
    container = client.containers.run(
        image_ref, ["/bin/sleep", "3600"], name=f"{LEARNER}-sleeper", network=network.name,
        detach=True,
    )  # fmt: skip
    container.reload()
    before = {
        "container": (container.id, container.attrs["State"]["StartedAt"]),
        "image": client.images.get(image_ref).id,
        "network": network.id,
    }
    yield before
    container.remove(force=True)
    network.remove()
    client.images.remove(image_ref)


def _unclaimed_lesson_images(client) -> set[str]:
    """Tags the lessons use that are present but not in the series' ledger."""
    from helpers.cleanup import claimed_images

    present = {tag for image in client.images.list() for tag in image.tags}
    lesson_tags = {"nginx:stable", "nginx:latest", "debian:trixie-slim"}
    return (present & lesson_tags) - set(claimed_images())


def _copy(paths: list[Path]) -> subprocess.Popen:
    env = dict(os.environ, DOCKER_NOTEBOOKS_LOCK_WAIT="900")
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *NBVAL, *map(str, paths)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def group_learner(client, request):
    """A learner in the docker group with a copy of the series in their home; /dev/net/tun
    open to users as Debian leaves it (Podman without root needs it), put back afterwards."""
    if os.geteuid() != 0:
        skip_or_fail("the docker-group learner is made as root")
    learner_runs.require_learner_python()

    def remove():
        try:
            lab_learners.remove_learner(GROUP_LEARNER)
        finally:
            lab_learners.restore_host()

    request.addfinalizer(remove)
    lab_learners.create_learner(GROUP_LEARNER)
    lab_learners.open_tun_for_users()
    return learner_runs.prepare(GROUP_LEARNER)


def test_root_and_a_docker_group_learner_at_once_leave_the_learner_alone(
    client, learners_things, group_learner
):
    unclaimed_before = _unclaimed_lesson_images(client)  # yours, if you had them
    assert len(KOREAN) == 12, "the Korean edition is not built: make notebooks NB=ko"
    reverse = _copy(KOREAN[::-1])
    copies = sorted(group_learner.glob("[0-9][0-9]-*.ipynb"))
    learner = learner_runs.start(GROUP_LEARNER, copies)
    outputs = {name: proc.communicate(timeout=1500)[0] for name, proc in
               (("root, reverse order", reverse), ("docker-group learner", learner))}  # fmt: skip
    assert reverse.returncode == 0, (
        f"root's Korean copy failed:\n{outputs['root, reverse order'][-4000:]}"
    )
    assert learner.returncode == 0, outputs["docker-group learner"][-4000:]
    ran = outputs["docker-group learner"]
    assert all(f"{path.name}: " in ran for path in copies), ran  # every notebook was executed

    lessons = learner_runs.results(group_learner)
    for lesson in lessons.values():
        assert not lesson.errors(), f"{lesson.name} as a docker-group learner: {lesson.errors()}"
        assert "Set-up: you, in the docker group, on root's engine" in lesson.text, lesson.name
        ending = [printed[-300:] for _, printed in lesson.cells[-4:]]
        passed = lesson.lines_starting("Pass:") and not lesson.lines_starting("Hint:")
        assert passed, f"{lesson.name}: its last cells printed {ending}"
    # 01: ctr may not open root's containerd, and the lesson says so; the shim shows the ID.
    ctr = lessons["01"].printed_by("!ctr -n moby containers list ||")
    assert "permission denied" in ctr and "ctr cannot reach Docker's containerd here" in ctr
    assert re.search(r"-namespace moby -id [0-9a-f]{64}", lessons["01"].printed_by("!ps -eo args"))
    # 06: root's engine routes its bridge network, so curl asks the bridge address itself.
    bridge = lessons["06"].printed_by("if bridge_ip_answers")
    assert "Welcome to nginx!" in bridge and "does not reach" not in bridge
    # 10: an overlay network works on root's engine, whoever talks to it.
    assert "Rootless Docker cannot make overlay networks" not in lessons["10"].text

    container = client.containers.get(f"{LEARNER}-sleeper")
    assert (container.id, container.attrs["State"]["StartedAt"]) == learners_things["container"]
    assert container.status == "running"
    assert client.images.get(f"{LEARNER}/sleeper:1").id == learners_things["image"]
    assert client.networks.get(f"{LEARNER}-net").id == learners_things["network"]

    unclaimed = _unclaimed_lesson_images(client) - unclaimed_before
    assert not unclaimed, (
        f"pulled behind the ledger's back (cleanup would never remove): {unclaimed}"
    )
