"""Layers: which an image is made of, which two images share, and what they cost on disk.

An image is a stack of read-only layers (``RootFS.Layers`` in ``docker image inspect``), each
named by the digest of its uncompressed content (its *diff ID*). Two images that list the same
diff ID store that layer once, so the disk they use together is less than the sum of their sizes.

The arithmetic is pure (:func:`disk_usage` works on plain dicts); the engine calls only gather
the data (:func:`layer_sizes`) or report the engine's own view (:func:`engine_disk_usage`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import docker
    import pandas as pd

MB = 1_000_000  # Docker's CLI prints sizes in decimal units: 1 MB = 10**6 bytes


def short(digest: str, length: int = 12) -> str:
    """``sha256:3f4a...`` -> ``3f4a...`` cut to ``length`` hex digits, as the CLI shows IDs.

    Example:
        >>> short("sha256:0123456789abcdef0123")
        '0123456789ab'
    """
    return digest.split(":", 1)[-1][:length]


def layer_sizes(client: docker.DockerClient, ref: str) -> dict[str, int]:
    """The layers of an image, bottom first, with their uncompressed sizes in bytes.

    Sizes come from the image's history: the engine reports a size only on the history steps
    that made a layer, in the same order as ``RootFS.Layers``.

    Args:
        client: Engine client.
        ref: Image reference, e.g. ``"nginx:stable"``.

    Returns:
        An ordered dict ``{diff_id: size_in_bytes}``.

    Raises:
        ValueError: The history does not line up with the layers (then no size is guessed).

    Example:
        >>> sizes = layer_sizes(client, "nginx:stable")  # doctest: +SKIP
    """
    image = client.images.get(ref)
    diff_ids = image.attrs["RootFS"]["Layers"]
    steps = client.api.history(image.id)
    layer_of = layer_of_step(steps, diff_ids)
    if len(layer_of) != len(diff_ids):
        sized = sum(step["Size"] > 0 for step in steps)
        raise ValueError(
            f"{ref}: {sized} sized history steps but {len(diff_ids)} layers, so sizes "
            "cannot be matched to layers (an empty layer?); use engine_disk_usage instead"
        )
    # history is newest first; the highest step index is the bottom layer
    return {diff_id: steps[i]["Size"] for i, diff_id in sorted(layer_of.items(), reverse=True)}


def layer_of_step(steps: Sequence[Mapping], diff_ids: Sequence[str]) -> dict[int, str]:
    """Pair the history steps that made a layer with the layers they made.

    The engine reports a size only on layer-making steps; taken oldest first, they line up with
    ``RootFS.Layers`` (bottom first).

    Args:
        steps: ``client.api.history(...)`` entries, newest first, each with a ``Size``.
        diff_ids: The image's ``RootFS.Layers``.

    Returns:
        ``{index in steps: diff_id}``, or ``{}`` when the counts differ (an empty layer), so that
        no layer is ever paired with the wrong step.

    Example:
        >>> layer_of_step([{"Size": 0}, {"Size": 5}, {"Size": 9}], ["base", "top"])
        {2: 'base', 1: 'top'}
    """
    sized = [i for i, step in enumerate(steps) if step["Size"] > 0]
    if len(sized) != len(diff_ids):
        return {}
    return dict(zip(reversed(sized), diff_ids, strict=True))


def layer_users(images: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """How many of ``images`` (``{name: {layer id: bytes}}``) use each layer.

    Example:
        >>> layer_users({"a": {"base": 1, "x": 2}, "b": {"base": 1}})
        {'base': 2, 'x': 1}
    """
    users: dict[str, int] = {}
    for layers in images.values():
        for layer in layers:
            users[layer] = users.get(layer, 0) + 1
    return users


def shared_by_image(images: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """Per image, the bytes of its layers that another of ``images`` also uses.

    Given every image on an engine, this is what ``docker system df -v`` reports as each
    image's SHARED SIZE (its size minus this is UNIQUE SIZE).

    Example:
        >>> shared_by_image({"a": {"base": 69, "x": 64}, "b": {"base": 69}, "c": {"z": 5}})
        {'a': 69, 'b': 69, 'c': 0}
    """
    users = layer_users(images)
    return {
        name: sum(size for layer, size in layers.items() if users[layer] > 1)
        for name, layers in images.items()
    }


def disk_usage(images: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Disk used by several images together versus the sum of their sizes.

    Pure arithmetic on plain data: each image maps its layer IDs to sizes in bytes.

    Args:
        images: ``{image name: {layer id: bytes}}``.

    Returns:
        ``sum_of_sizes`` (what adding the sizes suggests), ``disk_used`` (each distinct layer
        once), ``shared`` (bytes of layers used by two or more images) and ``saved``
        (``sum_of_sizes - disk_used``), all in bytes.

    Example:
        >>> disk_usage({"a": {"base": 69, "x": 64}, "b": {"base": 69, "y": 64}})
        {'sum_of_sizes': 266, 'disk_used': 197, 'shared': 69, 'saved': 69}
    """
    sizes = {layer: size for layers in images.values() for layer, size in layers.items()}
    users = layer_users(images)
    total = sum(sum(layers.values()) for layers in images.values())
    used = sum(sizes.values())
    shared = sum(size for layer, size in sizes.items() if users[layer] > 1)
    return {"sum_of_sizes": total, "disk_used": used, "shared": shared, "saved": total - used}


def layer_table(images: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """One row per distinct layer: its short ID, size in MB, and which images use it.

    Args:
        images: ``{image name: {layer id: bytes}}`` as from :func:`layer_sizes`.

    Returns:
        Columns ``layer``, ``size_mb``, one boolean column per image, and ``shared``.
    """
    import pandas as pd

    rows = {}
    for name, layers in images.items():
        for layer, size in layers.items():
            row = rows.setdefault(layer, {"layer": short(layer), "size_mb": round(size / MB, 1)})
            row[name] = True
    frame = pd.DataFrame(list(rows.values()))
    names = list(images)
    frame[names] = frame[names].astype("boolean").fillna(False).astype(bool)
    frame["shared"] = frame[names].sum(axis=1) > 1
    return frame


def engine_disk_usage(client: docker.DockerClient, refs: Sequence[str]) -> pd.DataFrame:
    """The engine's own accounting, as ``docker system df -v`` prints it, for some images.

    Returns:
        One row per image: ``image``, ``size_mb``, ``shared_mb``, ``unique_mb``.
    """
    import pandas as pd

    wanted = {client.images.get(ref).id: ref for ref in refs}
    rows = []
    for image in client.df()["Images"]:
        if image["Id"] in wanted:
            rows.append(
                {
                    "image": wanted[image["Id"]],
                    "size_mb": round(image["Size"] / MB, 2),
                    "shared_mb": round(image["SharedSize"] / MB, 2),
                    "unique_mb": round((image["Size"] - image["SharedSize"]) / MB, 2),
                }
            )
    return pd.DataFrame(rows).sort_values("image").reset_index(drop=True)
