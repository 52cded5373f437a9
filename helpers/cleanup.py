"""Remove what the series made, and nothing else.

Two kinds of things belong to the series:

- objects it creates (containers, networks, volumes, built images): they carry the project label
  (:mod:`helpers.labels`), and cleanup selects them by that label only;
- images it pulls (``nginx:stable``): a pulled image cannot be labelled, so a notebook *claims*
  the tags it is about to pull with :func:`claim_pulls`. Only tags that were absent are claimed,
  so an image the learner already had is never removed.

The remove functions refuse anything without the label (:class:`~helpers.errors.NotOwnedError`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import build_cache, ports, series_lock, workdir
from .engine import client_or_connect
from .errors import NotOwnedError
from .i18n import _
from .labels import is_owned, label_filter
from .refs import normalize_ref
from .state import locked_engine_json

if TYPE_CHECKING:
    import docker
    import pandas as pd


def require_owned(obj: Any) -> None:
    """Raise :class:`NotOwnedError` unless ``obj`` carries the project label."""
    if not is_owned(obj):
        name = getattr(obj, "name", None) or getattr(obj, "short_id", "?")
        raise NotOwnedError(
            _(
                "{name} does not carry the label tutorial=docker-notebooks, so the series did not "
                "create it and will not remove it: remove it yourself if you mean to."
            ).format(name=name)
        )


def remove_container(container: Any) -> None:
    """Force-remove a container the series created (refuses any other).

    A container the engine is already removing (a swarm task whose service was just removed:
    the engine answers 409 "removal ... is already in progress") or has removed counts as
    removed once it is gone (bounded wait)."""
    import docker

    from .polling import wait_for

    require_owned(container)
    try:
        container.remove(force=True, v=True)
    except docker.errors.NotFound:
        return
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            raise

        def gone() -> bool:
            try:
                container.reload()
            except docker.errors.NotFound:
                return True
            return False

        what = _("the engine to finish removing {name}").format(name=container.name)
        wait_for(gone, timeout=30, what=what)


def remove_network(network: Any) -> None:
    """Remove a network the series created (refuses any other)."""
    require_owned(network)
    network.remove()


# --------------------------------------------------------------------------- pulled-image ledger


def _ledger():
    """The ledger of claimed tags, locked for the duration of the ``with`` block."""
    return locked_engine_json("pulled-images")


def claim_pulls(
    refs: Iterable[str], notebook: str, client: docker.DockerClient | None = None
) -> list[str]:
    """Claim image tags the notebook is about to pull, so its cleanup may remove them later.

    Tags that are already present are not claimed: they belong to whoever pulled them first.

    Args:
        refs: Tags the notebook will pull, e.g. ``["nginx:stable", "nginx:latest"]``.
        notebook: Short name of the notebook, e.g. ``"02"``.
        client: Engine client; one from :func:`helpers.engine.connect` when omitted.

    Returns:
        The tags claimed now or earlier by this notebook (others' tags are left out).

    Example:
        >>> claim_pulls(["nginx:stable"], notebook="02")  # doctest: +SKIP
        ['nginx:stable']
    """
    import docker

    client = client_or_connect(client)
    claimed = []
    with _ledger() as ledger:
        for ref in map(normalize_ref, refs):
            if ref in ledger:
                if notebook in ledger[ref]:
                    claimed.append(ref)
                continue
            try:
                client.images.get(ref)
            except docker.errors.ImageNotFound:
                ledger[ref] = [notebook]
                claimed.append(ref)
    return claimed


def claim_fresh(
    refs: Iterable[str], notebook: str, client: docker.DockerClient | None = None
) -> list[str]:
    """Let the series' own copies of ``refs`` go, then claim the tags for ``notebook``.

    For a pull that must really download (a test, a benchmark): tags the series pulled earlier
    are removed first; tags you pulled yourself stay, and are left out of the result.

    Returns:
        The tags now claimed by ``notebook`` (absent, so a pull fetches them).
    """
    refs = list(refs)
    client = client_or_connect(client)
    release_pulls("series", client=client, refs=refs)
    return claim_pulls(refs, notebook=notebook, client=client)


def _used_by_a_container(client: docker.DockerClient, ref: str) -> bool:
    """True when any container, running or stopped, was made from the image ``ref`` names."""
    import docker

    try:
        image_id = client.images.get(ref).id
    except docker.errors.ImageNotFound:
        return False
    return any(
        c.attrs.get("ImageID") == image_id for c in client.containers.list(all=True, sparse=True)
    )


def _remove_tag_and_its_image(client: docker.DockerClient, ref: str) -> None:
    """Remove the tag ``ref``, and the image too when nothing else names it.

    Removing a tag whose image was pulled (so it also has a ``RepoDigests`` entry) only untags
    it: the image and its layers stay, and the next pull of that tag would say "Already
    exists" for layers it never downloaded. So when the image is left with no tag at all, it
    is removed by ID as well; an image with another tag (a learner's own ``docker tag``) stays.
    """
    import docker

    image_id = client.images.get(ref).id
    client.images.remove(ref)
    try:
        left = client.images.get(image_id)
    except docker.errors.ImageNotFound:
        return
    if not left.tags:
        client.images.remove(image_id)


def release_pulls(
    notebook: str, client: docker.DockerClient | None = None, refs: Iterable[str] | None = None
) -> list[str]:
    """Remove the image tags ``notebook`` claimed, and drop the claims.

    A tag another notebook also claimed stays until its last claimant releases it. A tag still
    used by a container (anyone's) stays too, claimed, until the next cleanup: removing it would
    leave that container's image untagged.

    Args:
        notebook: The claimant, e.g. ``"series"``.
        client: Engine client; one from :func:`helpers.engine.connect` when omitted.
        refs: Only these tags (all of the claimant's when None).

    Returns:
        The tags removed.
    """
    import docker

    client = client_or_connect(client)
    only = None if refs is None else {normalize_ref(r) for r in refs}
    removed = []
    with _ledger() as ledger:
        for ref, owners in list(ledger.items()):
            if notebook not in owners or (only is not None and ref not in only):
                continue
            owners.remove(notebook)
            if owners:
                continue
            if _used_by_a_container(client, ref):
                owners.append(notebook)  # in use; try again at the next cleanup
                continue
            try:
                _remove_tag_and_its_image(client, ref)
                removed.append(ref)
                del ledger[ref]
            except docker.errors.ImageNotFound:
                del ledger[ref]
            except docker.errors.APIError:
                owners.append(notebook)  # still in use; try again at the next cleanup
    return removed


# --------------------------------------------------------------------------- cleanup


def cleanup(notebook: str | None = None, client: docker.DockerClient | None = None) -> pd.DataFrame:
    """Remove everything the series (or one notebook of it) created or pulled.

    Selects swarm services, containers, networks, volumes and images by the project label,
    then releases the notebook's claimed pulls. Nothing without the label is looked at twice.
    Called with the notebook that holds the series lock (its last cell), it also lets the next
    notebook go (:mod:`helpers.series_lock`).

    Args:
        notebook: Only what this notebook made (``"05"``); everything the series made when None.
        client: Engine client; one from :func:`helpers.engine.connect` when omitted.

    Returns:
        One row per removed object: ``kind`` and ``name``.

    Example:
        >>> cleanup(notebook="05")  # doctest: +SKIP
    """
    import pandas as pd

    removed = remove_leftovers(notebook, client)
    ports.release(notebook)
    if notebook is not None:
        series_lock.release(notebook)
    return pd.DataFrame(removed, columns=["kind", "name"])


def remove_leftovers(
    notebook: str | None = None, client: docker.DockerClient | None = None
) -> list[tuple[str, str]]:
    """What :func:`cleanup` removes, as ``(kind, name)`` pairs, without touching the lock."""
    import docker

    client = client_or_connect(client)
    filters = label_filter(notebook)
    removed = []
    # A swarm service first: its tasks' containers carry the label too, and the orchestrator
    # would replace them if they went before it.
    for service in _labelled_services(client, filters):
        with contextlib.suppress(docker.errors.NotFound):
            service.remove()
            removed.append(("service", service.name))
    for container in client.containers.list(all=True, filters=filters):
        with contextlib.suppress(docker.errors.NotFound):
            remove_container(container)
            removed.append(("container", container.name))
    for network in client.networks.list(filters=filters):
        with contextlib.suppress(docker.errors.NotFound):
            remove_network(network)
            removed.append(("network", network.name))
    # A swarm the series initialised (lesson 10) is left, and only that one: see helpers.swarm.
    from .swarm import leave_made_swarm

    removed += leave_made_swarm(notebook, client)
    for volume in client.volumes.list(filters=filters):
        require_owned(volume)
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)
            removed.append(("volume", volume.name))
    for image in client.images.list(filters=filters):
        require_owned(image)
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            client.images.remove(image.id, force=True)
            removed.append(("image", ", ".join(image.tags) or image.short_id))
    # The series' builds keep cache records that hold on to their base images' layers.
    build_cache.release(notebook, client)
    removed += [("folder", path) for path in workdir.remove_lesson_folders(notebook)]
    # What lesson 07 pushed to the lab registry (its docker-notebooks/ repositories).
    from .shipping import delete_pushed

    removed += [("pushed repository", name) for name in delete_pushed(notebook)]
    # Lesson 11's Pods and Podman containers (by label or kube play's annotation); none
    # without Podman.
    from . import pods

    removed += pods.remove_leftovers(notebook)
    notebooks = [notebook] if notebook else _all_claimants()
    for name in notebooks:
        removed += [("pulled image", ref) for ref in release_pulls(name, client)]
    return removed


def _labelled_services(client: docker.DockerClient, filters: dict) -> list:
    """The swarm services that carry the label; none when this engine manages no swarm."""
    import docker

    if client.info().get("Swarm", {}).get("ControlAvailable") is not True:
        return []
    try:
        return client.services.list(filters=filters)
    except docker.errors.APIError:  # left the swarm meanwhile
        return []


def claimed_images() -> list[str]:
    """Image tags the series has claimed and not yet removed (empty after a full cleanup)."""
    with _ledger() as ledger:
        return sorted(ledger)


def _all_claimants() -> list[str]:
    with _ledger() as ledger:
        return sorted({owner for owners in ledger.values() for owner in owners})


def check_stopped_ids(
    client: docker.DockerClient, answer: Iterable[str] | None, name: str = "stopped"
) -> str:
    """Lesson 12's exercise: is ``answer`` (the lines of the learner's ``docker ps`` command)
    exactly the short IDs of the series' stopped containers?

    Args:
        client: Engine client.
        answer: The learner's list (``stopped = !docker ps ...``), or None when not made yet.
        name: The variable the exercise asks for, named in a hint.

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    series = client.containers.list(all=True, filters=label_filter())
    expected = sorted(c.id[:12] for c in series if c.status == "exited")
    given = sorted(answer or [])
    if not expected:
        return _(
            "Hint: the series has no stopped container now: run the cell that makes once-12 first."
        )
    if given == expected:
        return _("Pass: exactly the series' stopped containers.")
    if not given:
        return _(
            "Hint: `{name}` is empty: assign it the output of your `!docker ps ...` command."
        ).format(name=name)
    return _(
        "Hint: your list differs: look at `docker ps --help` and which filters must all match."
    )
