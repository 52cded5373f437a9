"""The series as classrooms run it: two copies at once on one engine, one of them in reverse
order, the other with every notebook twice in a row, and the learner's own things untouched.

Both copies are full nbval runs in strict mode (the same sanitize file as ``make test``), each in
its own pytest process with its own kernels. The series lock (:mod:`helpers.series_lock`) lets
one notebook at a time use the engine, so the copies interleave notebook by notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import import_sleeper_image

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
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


def test_two_copies_at_once_reverse_and_twice_leave_the_learner_alone(client, learners_things):
    unclaimed_before = _unclaimed_lesson_images(client)  # yours, if you had them
    twice = [p for p in NOTEBOOKS for _ in range(2)]
    forward_twice = _copy(twice)
    reverse = _copy(NOTEBOOKS[::-1])
    outputs = {name: proc.communicate(timeout=1500)[0] for name, proc in
               (("each notebook twice", forward_twice), ("reverse order", reverse))}  # fmt: skip
    for name, proc in (("each notebook twice", forward_twice), ("reverse order", reverse)):
        assert proc.returncode == 0, f"{name} failed:\n{outputs[name][-4000:]}"

    container = client.containers.get(f"{LEARNER}-sleeper")
    assert (container.id, container.attrs["State"]["StartedAt"]) == learners_things["container"]
    assert container.status == "running"
    assert client.images.get(f"{LEARNER}/sleeper:1").id == learners_things["image"]
    assert client.networks.get(f"{LEARNER}-net").id == learners_things["network"]

    unclaimed = _unclaimed_lesson_images(client) - unclaimed_before
    assert not unclaimed, (
        f"pulled behind the ledger's back (cleanup would never remove): {unclaimed}"
    )
