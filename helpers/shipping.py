"""Images a lesson builds and pushes to the lab registry, and how they go again.

A lesson that ships an image tags it for the lab registry under the series' own namespace,
``127.0.0.1:5000/docker-notebooks/<name>``, and pushes it there. Images built with ``docker
build`` carry the series' label, so :func:`helpers.cleanup.cleanup` removes the local copies; a
registry has no labels, so :func:`series_repository` records, before the push, which repository
the lesson will push to, and :func:`delete_pushed` removes it again:

1. every tag of the repository, through the registry's API (``DELETE
   /v2/<name>/manifests/<digest>``, allowed by the lab registry's ``storage.delete.enabled``);
2. the repository's folder in the lab registry's storage, so that ``GET /v2/_catalog`` lists
   only the lab's images again (the API has no call that removes a repository: a registry keeps
   listing a repository whose every tag was deleted). Only when the registry on 127.0.0.1:5000
   is the lab's (its configuration is in the series' state directory), and only under
   ``docker-notebooks/``.

The few kilobytes of the lesson's own layers stay in the registry's blob store until a garbage
collection (``registry garbage-collect``); the base image's layers are the lab's and stay anyway.

Example:
    >>> series_repository("07", "my-site")  # doctest: +SKIP
    '127.0.0.1:5000/docker-notebooks/my-site'
    >>> delete_pushed("07")  # doctest: +SKIP
    ['docker-notebooks/my-site']
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .engine import client_or_connect
from .errors import NotOwnedError
from .i18n import _
from .labels import LABEL_VALUE, is_owned
from .registry_api import MANIFEST_TYPES, REGISTRY_HOST, REGISTRY_URL
from .state import locked_engine_json, state_dir

if TYPE_CHECKING:
    import docker

#: The lab registry namespace the series pushes to: ``127.0.0.1:5000/docker-notebooks/...``.
NAMESPACE = LABEL_VALUE


def _ledger():
    """Which registry repositories each notebook pushes to, locked for the ``with`` block."""
    return locked_engine_json("pushed-repositories")


def check_tags_free(refs: list[str], client: docker.DockerClient | None = None) -> None:
    """Refuse to build over a learner's own image: raise when a tag in ``refs`` names an image
    that does not carry the series' label (``docker build -t`` would take the tag from it).

    Raises:
        NotOwnedError: One of the tags is the learner's; the sentence says which.

    Example:
        >>> check_tags_free(["my-site"])  # doctest: +SKIP
    """
    import docker

    client = client_or_connect(client)
    for ref in refs:
        try:
            image = client.images.get(ref)
        except docker.errors.ImageNotFound:
            continue
        if not is_owned(image):
            raise NotOwnedError(
                _(
                    "An image tagged {ref} is on this engine and this series did not build it: "
                    "tag it otherwise (docker tag {ref} my-own-copy) and remove the tag "
                    "(docker rmi {ref}), then run this cell again."
                ).format(ref=ref)
            )


def series_repository(notebook: str, name: str) -> str:
    """The lab registry reference a lesson pushes ``name`` to, recorded for its clean-up.

    Args:
        notebook: The lesson, e.g. ``"07"``.
        name: The image's name, e.g. ``"my-site"``.

    Returns:
        ``127.0.0.1:5000/docker-notebooks/<name>``.

    Example:
        >>> series_repository("07", "my-site")  # doctest: +SKIP
        '127.0.0.1:5000/docker-notebooks/my-site'
    """
    repository = f"{NAMESPACE}/{name}"
    with _ledger() as ledger:
        ledger[notebook] = sorted({*ledger.get(notebook, []), repository})
    return f"{REGISTRY_HOST}/{repository}"


def registry_tags(repository: str) -> list[str]:
    """The tags of ``repository`` (``docker-notebooks/my-site``) in the lab registry; none when
    the registry does not know it."""
    import requests

    reply = requests.get(f"{REGISTRY_URL}/v2/{repository}/tags/list", timeout=5)
    if reply.status_code != 200:
        return []
    return sorted(reply.json().get("tags") or [])


def registry_digest(repository: str, tag: str) -> str | None:
    """The digest of the manifest ``repository:tag`` names in the lab registry (what ``docker
    push`` printed), or None when the registry does not hold that tag."""
    import requests

    url = f"{REGISTRY_URL}/v2/{repository}/manifests/{tag}"
    head = requests.head(url, headers={"Accept": MANIFEST_TYPES}, timeout=5)
    return head.headers.get("Docker-Content-Digest") if head.status_code == 200 else None


def _delete_tags(repository: str) -> None:
    """Delete every manifest a tag of ``repository`` names, through the registry API."""
    import requests

    for tag in registry_tags(repository):
        digest = registry_digest(repository, tag)
        if digest:
            requests.delete(f"{REGISTRY_URL}/v2/{repository}/manifests/{digest}", timeout=5)


def lab_registry_storage() -> Path | None:
    """Where the lab registry keeps its repositories, when the lab runs the registry on
    :data:`~helpers.registry_api.REGISTRY_HOST` (its configuration is in the state
    directory); else None."""
    config = state_dir() / "registry.yml"
    try:
        text = config.read_text()
    except OSError:
        return None
    root = re.search(r"(?m)^\s*rootdirectory:\s*(\S+)\s*$", text)
    if not root or f"addr: {REGISTRY_HOST}" not in text:
        return None
    return Path(root.group(1)) / "docker" / "registry" / "v2" / "repositories"


def _forget_repository(repository: str) -> None:
    """Remove ``repository``'s folder from the lab registry's storage (series' names only)."""
    storage = lab_registry_storage()
    if storage is None or not repository.startswith(f"{NAMESPACE}/"):
        return
    folder = (storage / repository).resolve()
    if storage.resolve() not in folder.parents:
        return
    shutil.rmtree(folder, ignore_errors=True)
    namespace = storage / NAMESPACE
    if namespace.is_dir() and not any(namespace.iterdir()):
        namespace.rmdir()


def delete_pushed(notebook: str | None = None) -> list[str]:
    """Delete from the lab registry the repositories ``notebook`` (every notebook's when None)
    recorded with :func:`series_repository`: their tags through the API, then their folders.

    Returns:
        The repositories deleted (``docker-notebooks/my-site``), whether or not they held tags.
    """
    import requests

    deleted = []
    with _ledger() as ledger:
        for name in [notebook] if notebook else list(ledger):
            for repository in ledger.pop(name, []):
                try:
                    _delete_tags(repository)
                except requests.RequestException:
                    pass  # the registry is down: its storage folder still goes below
                _forget_repository(repository)
                deleted.append(repository)
    return deleted


def pushed_repositories() -> dict[str, list[str]]:
    """What the series has recorded as pushed and not yet deleted: ``{notebook: [repos]}``."""
    with _ledger() as ledger:
        return {name: list(repos) for name, repos in ledger.items()}


def repository_of(ref: str) -> str:
    """The repository of a lab registry reference: ``docker-notebooks/my-site`` for
    ``127.0.0.1:5000/docker-notebooks/my-site[:tag|@digest]``."""
    path = ref.split("/", 1)[1] if ref.startswith(f"{REGISTRY_HOST}/") else ref
    return re.split(r"[@:]", path, maxsplit=1)[0]


__all__ = [
    "NAMESPACE",
    "check_new_push",
    "check_tags_free",
    "delete_pushed",
    "lab_registry_storage",
    "pushed_repositories",
    "registry_digest",
    "registry_tags",
    "repository_of",
    "series_repository",
]


def repo_digest(ref: str, client: docker.DockerClient | None = None) -> str:
    """``ref``'s name with the digest a push recorded (``127.0.0.1:5000/x@sha256:…``).

    Raises:
        TutorialError: The image has no repo digest yet: its push did not reach the registry.
    """
    from .errors import TutorialError

    digests = client_or_connect(client).images.get(ref).attrs.get("RepoDigests") or []
    if not digests:
        raise TutorialError(
            _(
                "{ref} has no digest yet, so its push did not reach the registry: run the "
                "`docker push` cell again and look for its `digest: sha256:` line."
            ).format(ref=ref)
        )
    return digests[0]


def check_new_push(ref: str, tag: str, pinned: str) -> str:
    """Lesson 07's exercise: does the lab registry hold ``ref:tag``, and is it a new image (its
    digest is not the one ``pinned`` names)?

    Args:
        ref: The lab registry repository the lesson pushes to
            (``127.0.0.1:5000/docker-notebooks/my-site``).
        tag: The tag the exercise asks for, e.g. ``"v2"``.
        pinned: The first push, by digest (``<ref>@sha256:...``).

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    repository = repository_of(ref)
    name = repository.rsplit("/", 1)[-1]
    digest = registry_digest(repository, tag)
    if digest and f"{ref}@{digest}" != pinned:
        return _(
            "Pass: the lab registry holds {name}:{tag}, a new image (its digest is not the "
            "first's)."
        ).format(name=name, tag=tag)
    if digest:
        return _(
            "Hint: {tag} has the first push's digest: change index.html and build before you push."
        ).format(tag=tag)
    return _(
        "Hint: the registry has no tag {tag}: look at the name you gave `docker tag` and `push`."
    ).format(tag=tag)
