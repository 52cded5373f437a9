"""Search and pull: Docker Hub when it answers, the offline lab registry when it does not.

``docker search`` only ever asks Docker Hub; a private registry (API v2) has no search, but lists
its repositories at ``GET /v2/_catalog`` and a repository's tags at ``GET /v2/<name>/tags/list``.
:func:`search` tries Hub through the engine (exactly what ``docker search`` does) and falls back to
the lab registry's catalog, saying which one answered. :func:`pull` pulls with one progress bar
per layer and returns a DataFrame with one row per layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cleanup import claim_pulls
from .engine import client_or_connect
from .errors import ImageNotFound, RegistryUnreachable, TutorialError
from .i18n import _
from .refs import normalize_ref, split_ref
from .registry_api import (
    REGISTRY_HOST,
    REGISTRY_URL,
    registry_answers,
    registry_catalog,
    registry_image_labels,
)

if TYPE_CHECKING:
    import docker
    import pandas as pd

HUB = "Docker Hub"
LAB = f"lab registry ({REGISTRY_URL})"
#: Final statuses a layer can reach in a pull, in the engine's own words.
FINAL_STATUSES = ("Already exists", "Pull complete")


def _hub_unreachable(message: str) -> bool:
    lowered = message.lower()
    return any(
        marker in lowered
        for marker in (
            "no such host",
            "dial tcp",
            "i/o timeout",
            "connection refused",
            "network is unreachable",
            "tls handshake timeout",
        )
    )


def search(term: str, client: docker.DockerClient | None = None, limit: int = 25) -> pd.DataFrame:
    """Search for images the way ``docker search`` does, offline too.

    Args:
        term: Word to look for, e.g. ``"nginx"``.
        client: Engine client; one from :func:`helpers.engine.connect` when omitted.
        limit: Most results to return.

    Returns:
        A DataFrame with columns ``name``, ``description``, ``stars``, ``official`` and
        ``tags`` (tags are known only for the lab registry; its images are lab builds, so
        ``official`` is False there and ``description`` is the image's OCI description label),
        and ``source`` naming who answered:
        :data:`HUB` or :data:`LAB`. ``df.attrs["source"]`` holds the same.

    Raises:
        RegistryUnreachable: Neither Docker Hub nor the lab registry answered.

    Example:
        >>> search("nginx")[["name", "source"]].head(1)  # doctest: +SKIP
    """
    import docker
    import pandas as pd

    client = client_or_connect(client)
    columns = ["name", "description", "stars", "official", "tags", "source"]
    try:
        results = client.api.search(term, limit=limit)
    except docker.errors.APIError as exc:
        if not _hub_unreachable(str(exc)):
            raise TutorialError(
                _("Docker Hub refused the search ({said}).").format(said=exc.explanation)
            ) from None
    else:
        rows = [
            {
                "name": r.get("name"),
                "description": r.get("description"),
                "stars": r.get("star_count"),
                "official": bool(r.get("is_official")),
                "tags": None,
                "source": HUB,
            }
            for r in results
        ]
        frame = pd.DataFrame(rows, columns=columns)
        frame.attrs["source"] = HUB
        return frame

    if not registry_answers():
        raise RegistryUnreachable(
            _(
                "Docker Hub is unreachable and no lab registry answers on {host}: run `make "
                "setup` to start the offline lab."
            ).format(host=REGISTRY_HOST)
        )
    rows = []
    for repo, tags in registry_catalog().items():
        name = repo.removeprefix("library/")
        if term.lower() in name.lower():
            # The lab builds its own images: none is Docker's official one, whatever the
            # repository is called. Their OCI description label says what they are.
            labels = registry_image_labels(repo, tags[-1]) if tags else None
            description = (labels or {}).get("org.opencontainers.image.description")
            rows.append(
                {
                    "name": name,
                    "description": description or f"{repo} in the lab registry",
                    "stars": None,
                    "official": False,
                    "tags": ", ".join(tags),
                    "source": LAB,
                }
            )
    frame = pd.DataFrame(rows[:limit], columns=columns)
    frame.attrs["source"] = LAB
    return frame


def _lab_holds(repository: str, tag: str) -> bool | None:
    """Whether the lab registry holds ``repository:tag`` (None when no lab registry answers)."""
    if not registry_answers():
        return None
    repo = repository if "/" in repository else f"library/{repository}"
    return tag in registry_catalog().get(repo, [])


def _explain_pull_error(ref: str, message: str) -> TutorialError:
    repository, tag = split_ref(ref)
    if _hub_unreachable(message):
        held = _lab_holds(repository, tag)
        if held is False:
            return ImageNotFound(
                _(
                    "{ref} is not in the lab registry and Docker Hub is unreachable: check the "
                    "name and tag (`python -m helpers.lab status` lists what the lab holds)."
                ).format(ref=normalize_ref(ref))
            )
        if held is None:
            return RegistryUnreachable(
                _(
                    "Docker Hub is unreachable and no lab registry answers on {host}: run `make "
                    "setup` to start the offline lab, then pull again."
                ).format(host=REGISTRY_HOST)
            )
        return RegistryUnreachable(
            _(
                "Docker Hub is unreachable and this engine does not pull through the lab mirror: "
                "add {setting} to /etc/docker/daemon.json, restart Docker, then pull {ref} again."
            ).format(setting=f'"registry-mirrors": ["{REGISTRY_URL}"]', ref=ref)
        )
    lowered = message.lower()
    if "not found" in lowered or "manifest unknown" in lowered or "does not exist" in lowered:
        return ImageNotFound(
            _("{ref} does not exist: check the name and the tag.").format(ref=normalize_ref(ref))
        )
    return TutorialError(_("Pulling {ref} failed ({said}).").format(ref=ref, said=message.strip()))


def _text_bar(**kwargs):
    """A tqdm text bar on stdout: readable live, and as plain text in a saved notebook."""
    import sys

    from tqdm import tqdm

    return tqdm(file=sys.stdout, ncols=90, mininterval=0.2, position=0, **kwargs)


def pull(
    ref: str, client: docker.DockerClient | None = None, progress: bool | type = True
) -> pd.DataFrame:
    """Pull an image, with one progress bar per layer, and tabulate what happened to each layer.

    Args:
        ref: Image reference, e.g. ``"nginx:stable"`` or ``"nginx@sha256:..."``.
        client: Engine client; one from :func:`helpers.engine.connect` when omitted.
        progress: Show a text progress bar per layer (tqdm, on stdout, so a notebook keeps the
            finished bars as plain text in its saved output); False for none, or a
            tqdm-compatible class to draw them.

    Returns:
        One row per layer in pull order: ``layer`` (short id), ``status`` (the final status the
        engine reported, e.g. ``Already exists`` or ``Pull complete``) and ``downloaded_mb``
        (compressed megabytes fetched; 0 for a layer already present). ``attrs`` holds ``ref``,
        ``digest``, ``status`` (the engine's closing line) and ``downloaded_bytes``.

    Raises:
        ImageNotFound: No registry has the image or tag.
        RegistryUnreachable: Neither Docker Hub nor the lab mirror can serve it.

    Example:
        >>> layers = pull("nginx:stable")  # doctest: +SKIP
        >>> layers["status"].value_counts()  # doctest: +SKIP
    """
    import docker
    import pandas as pd

    client = client_or_connect(client)
    repository, tag = split_ref(ref)
    layers: dict[str, dict] = {}
    bars: dict[str, object] = {}
    digest = closing = None
    bar_class = progress if isinstance(progress, type) else _text_bar if progress else None
    try:
        events = client.api.pull(repository, tag, stream=True, decode=True)
        for event in events:
            if "error" in event:
                raise _explain_pull_error(ref, event["error"])
            status = event.get("status", "")
            layer = event.get("id")
            if status.startswith("Digest:"):
                digest = status.split(":", 1)[1].strip()
            elif status.startswith("Status:"):
                closing = status.split(":", 1)[1].strip()
            if not layer or layer == tag or status.startswith(("Pulling from", "Digest", "Status")):
                continue
            row = layers.setdefault(layer, {"layer": layer, "status": status, "bytes": 0})
            row["status"] = status
            detail = event.get("progressDetail") or {}
            if status == "Downloading" and detail.get("total"):
                row["bytes"] = detail["total"]
                if bar_class is not None:
                    if layer not in bars:
                        bars[layer] = bar_class(
                            total=detail["total"],
                            desc=layer,
                            unit="B",
                            unit_scale=True,
                            leave=True,
                        )
                    bar = bars[layer]
                    bar.update(detail.get("current", 0) - bar.n)
            elif status in ("Download complete", "Pull complete") and layer in bars:
                bar = bars[layer]
                bar.update(bar.total - bar.n)
    except docker.errors.APIError as exc:
        raise _explain_pull_error(ref, str(exc.explanation or exc)) from None
    finally:
        for bar in bars.values():
            bar.close()
    frame = pd.DataFrame(
        [
            {
                "layer": row["layer"],
                "status": row["status"],
                "downloaded_mb": round(row["bytes"] / 1e6, 1)
                if row["status"] != "Already exists"
                else 0.0,
            }
            for row in layers.values()
        ],
        columns=["layer", "status", "downloaded_mb"],
    )
    frame.attrs.update(
        ref=ref,
        digest=digest,
        status=closing,
        downloaded_bytes=sum(
            r["bytes"] for r in layers.values() if r["status"] != "Already exists"
        ),
    )
    return frame


def ensure_image(ref: str, client: docker.DockerClient | None = None) -> str:
    """Make sure ``ref`` is present, pulling it (quietly) when it is not.

    A tag pulled here is claimed for the series (:func:`helpers.cleanup.claim_pulls`), so the
    series' cleanup may remove it later; a tag that was already present is left alone.

    Returns:
        The short ID of the image.
    """
    import docker

    client = client_or_connect(client)
    try:
        return client.images.get(ref).short_id
    except docker.errors.ImageNotFound:
        pass
    claim_pulls([ref], notebook="series", client=client)
    pull(ref, client=client, progress=False)
    return client.images.get(ref).short_id
