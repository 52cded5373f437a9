"""The build cache the series' own builds leave, recorded and removed by cleanup.

A BuildKit build keeps cache records on the engine, and those records hold on to the layers of
the image it was built ``FROM``. After a lesson builds on ``nginx:stable``, removing that image
no longer frees its layers, and notebook 02's first ``docker pull nginx:stable`` would then say
"Already exists" for layers the learner never pulled. Build cache has no labels, so the series
records which cache records each of its builds created (the records present after the build and
not before) and prunes exactly those at cleanup, never a learner's own cache.

Example:
    >>> with recording("04"):  # doctest: +SKIP
    ...     subprocess.run(["docker", "build", "-t", "dn-04-hello", "."])
    >>> release("04")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .engine import client_or_connect
from .state import locked_engine_json

if TYPE_CHECKING:
    import docker

#: Rounds of pruning: a record still used by a newer one goes only once that one has gone.
PRUNE_ROUNDS = 5


def _ledger():
    """Which cache records each notebook's builds made, locked for the ``with`` block."""
    return locked_engine_json("build-cache")


def cache_ids(client: docker.DockerClient | None = None) -> set[str]:
    """The IDs of every build-cache record on the engine (``docker buildx du``)."""
    client = client_or_connect(client)
    return {record["ID"] for record in (client.df().get("BuildCache") or [])}


@contextlib.contextmanager
def recording(notebook: str, client: docker.DockerClient | None = None) -> Iterator[None]:
    """Record, for ``notebook``, the cache records a build inside the ``with`` block creates."""
    client = client_or_connect(client)
    before = cache_ids(client)
    try:
        yield
    finally:
        remember(notebook, cache_ids(client) - before)


def remember(notebook: str, made: set[str]) -> None:
    """Record cache records ``notebook``'s build made (see :func:`recording`)."""
    if made:
        with _ledger() as ledger:
            ledger[notebook] = sorted(set(ledger.get(notebook, [])) | made)


def prune(records: set[str], client: docker.DockerClient | None = None) -> set[str]:
    """Prune exactly ``records``, in rounds (a record a newer one builds on goes only after
    it); return those still there (used by an image, say)."""
    import docker

    if not records:  # every clean-up calls this; `docker system df` is not free
        return set()
    client = client_or_connect(client)
    left = set(records) & cache_ids(client)
    for _ in range(PRUNE_ROUNDS):
        for record in sorted(left):
            with contextlib.suppress(docker.errors.APIError):
                client.api.prune_builds(filters={"id": record}, all=True)
        still = left & cache_ids(client)
        if still == left:
            break
        left = still
    return left


def release(notebook: str | None = None, client: docker.DockerClient | None = None) -> int:
    """Prune the cache records recorded for ``notebook`` (every notebook's when None).

    Call it after the images built from them are removed: a record an image still uses stays,
    recorded, for the next cleanup. Returns how many records are gone.
    """
    client = client_or_connect(client)
    with _ledger() as ledger:
        names = [notebook] if notebook else list(ledger)
        wanted = {i for name in names for i in ledger.get(name, [])}
        left = prune(wanted, client)
        for name in names:
            kept = sorted(set(ledger.get(name, [])) & left)
            if kept:
                ledger[name] = kept
            else:
                ledger.pop(name, None)
    return len(wanted) - len(left)
