"""Cleanup removes what the series made and refuses everything else."""

from __future__ import annotations

import ast
from pathlib import Path

import docker
import pytest
from support import assert_one_sentence, import_sleeper_image

from helpers import cleanup, labels
from helpers.errors import NotOwnedError

IMAGE = "nginx:stable"


@pytest.fixture(scope="module")
def image(client):
    from helpers import registry

    cleanup.claim_pulls([IMAGE], notebook="tests-cleanup", client=client)
    registry.pull(IMAGE, client=client, progress=False)
    yield IMAGE
    cleanup.release_pulls("tests-cleanup", client=client)


@pytest.fixture
def learners_container(client, image):
    """A container the learner made: no project label."""
    container = client.containers.create(image, name="learners-own-container")
    yield container
    container.remove(force=True)


def test_cleanup_keeps_unlabelled_and_removes_labelled(client, image, learners_container):
    ours = client.containers.create(
        image,
        name=labels.resource_name("test", "cleanup"),
        labels=labels.project_labels("test-cleanup"),
    )
    removed = cleanup.cleanup(notebook="test-cleanup", client=client)
    assert ("container", ours.name) in set(map(tuple, removed.values.tolist()))
    names = {c.name for c in client.containers.list(all=True)}
    assert learners_container.name in names
    assert ours.name not in names


def test_remove_refuses_what_the_series_did_not_make(learners_container):
    with pytest.raises(NotOwnedError) as info:
        cleanup.remove_container(learners_container)
    assert_one_sentence(str(info.value))


def test_claims_skip_images_already_present(client, image):
    """An image present before the notebook ran is not claimed, so it is never removed."""
    assert cleanup.claim_pulls([image], notebook="someone-else", client=client) == []
    assert cleanup.release_pulls("someone-else", client=client) == []
    client.images.get(image)


def test_release_keeps_a_claimed_tag_while_a_container_uses_it(client):
    """Untagging an image a container runs from would leave that container's image nameless.

    The image is one only this test uses (not nginx, which a notebook may be running now)."""
    tag = "dn-test-in-use:1"
    assert cleanup.claim_pulls([tag], notebook="tests-in-use", client=client) == [tag]
    import_sleeper_image(client, tag)
    user = client.containers.create(tag, ["/bin/sleep", "1"], name="learners-container-on-tag")
    try:
        assert cleanup.release_pulls("tests-in-use", client=client) == []
        assert tag in client.images.get(tag).tags
    finally:
        user.remove(force=True)
    assert cleanup.release_pulls("tests-in-use", client=client) == [tag]
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(tag)


@pytest.mark.usefixtures("series_lock_released")
def test_cleanup_of_a_notebook_releases_the_series_lock(client):
    from helpers import series_lock

    series_lock.acquire("test-lock")
    assert series_lock.held_by() == "test-lock"
    cleanup.cleanup(notebook="another-notebook", client=client)
    assert series_lock.held_by() == "test-lock"
    cleanup.cleanup(notebook="test-lock", client=client)
    assert series_lock.held_by() is None


def test_cleanup_does_not_import_registry():
    """registry needs cleanup (claims), so cleanup must not need registry, not even inside a
    function: no import cycle (both read references through helpers.refs)."""
    names = set()
    for node in ast.walk(ast.parse(Path(cleanup.__file__).read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.name for alias in node.names)
    assert not {"registry", "helpers.registry"} & names, names
