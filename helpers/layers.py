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

from .i18n import _

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

    Pure arithmetic on plain data: each image maps its layer IDs to sizes in bytes. Adding the
    sizes up counts a layer once for every image that uses it, but it is stored once, so::

        disk used = sum of sizes - sum over shared layers of (users - 1) x layer size

    which is ``sum of sizes - shared`` only when every shared layer has exactly two users.

    Args:
        images: ``{image name: {layer id: bytes}}``.

    Returns:
        ``sum_of_sizes`` (what adding the sizes suggests), ``disk_used`` (each distinct layer
        once), ``shared`` (bytes of the layers used by two or more images, each counted once)
        and ``saved`` (the rule's ``sum over shared layers of (users - 1) x size``, which equals
        ``sum_of_sizes - disk_used``), all in bytes.

    Example:
        >>> disk_usage({"a": {"base": 69, "x": 64}, "b": {"base": 69, "y": 64}})
        {'sum_of_sizes': 266, 'disk_used': 197, 'shared': 69, 'saved': 69}
        >>> disk_usage({"a": {"base": 69, "x": 64}, "b": {"base": 69}, "c": {"base": 69}})
        {'sum_of_sizes': 271, 'disk_used': 133, 'shared': 69, 'saved': 138}
    """
    sizes = {layer: size for layers in images.values() for layer, size in layers.items()}
    users = layer_users(images)
    total = sum(sum(layers.values()) for layers in images.values())
    used = sum(sizes.values())
    shared = sum(size for layer, size in sizes.items() if users[layer] > 1)
    saved = sum((users[layer] - 1) * size for layer, size in sizes.items())
    return {"sum_of_sizes": total, "disk_used": used, "shared": shared, "saved": saved}


def layer_table(images: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """One row per distinct layer: its short ID, size in MB, which images use it, and how many.

    Args:
        images: ``{image name: {layer id: bytes}}`` as from :func:`layer_sizes`.

    Returns:
        Columns ``layer``, ``size_mb``, one boolean column per image, ``shared`` (used by more
        than one), ``users`` (how many use it) and ``overcount_mb`` (``(users - 1) x size``: how
        much adding the images' sizes up counts this layer too often).

    Example:
        >>> layer_table({"a": {"sha256:b": 2_000_000}, "b": {"sha256:b": 2_000_000}})
          layer  size_mb     a     b  shared  users  overcount_mb
        0     b      2.0  True  True    True      2           2.0
    """
    import pandas as pd

    users = layer_users(images)
    rows = {}
    for name, layers in images.items():
        for layer, size in layers.items():
            row = rows.setdefault(layer, {"layer": short(layer), "size_mb": round(size / MB, 1)})
            row[name] = True
    frame = pd.DataFrame(list(rows.values()))
    names = list(images)
    frame[names] = frame[names].astype("boolean").fillna(False).astype(bool)
    frame["shared"] = frame[names].sum(axis=1) > 1
    sizes = {layer: size for layers in images.values() for layer, size in layers.items()}
    frame["users"] = [users[layer] for layer in rows]
    frame["overcount_mb"] = [round((users[layer] - 1) * sizes[layer] / MB, 1) for layer in rows]
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


def chain_ids(diff_ids: Sequence[str]) -> list[str]:
    """The chain ID of each layer of an image, bottom first.

    The engine's layer store keeps a layer together with the layers below it, under a *chain
    ID*: the bottom layer's is its diff ID, each next one ``sha256("<chain below> <diff ID>")``
    (the OCI image spec's ``ChainID``). Two images share a stored layer when their chain IDs
    for it agree, that is when they start with the same layers up to it.

    Example:
        >>> [short(c) for c in chain_ids(["sha256:aa", "sha256:bb"])]
        ['aa', 'b68ad689d6d1']
    """
    import hashlib

    chains: list[str] = []
    for diff_id in diff_ids:
        if not chains:
            chains.append(diff_id)
        else:
            text = f"{chains[-1]} {diff_id}".encode()
            chains.append("sha256:" + hashlib.sha256(text).hexdigest())
    return chains


def engine_layer_users(client: docker.DockerClient) -> dict[str, int]:
    """How many images on the engine use each stored layer, keyed by chain ID.

    Counted over the images ``docker images`` lists (tagged images, and untagged ones no other
    image is built on), from their ``RootFS.Layers`` alone, the way the engine counts the
    users of a layer for ``docker system df -v``'s SHARED SIZE.
    """
    users: dict[str, int] = {}
    for image in client.images.list():
        for chain in chain_ids(image.attrs["RootFS"]["Layers"]):
            users[chain] = users.get(chain, 0) + 1
    return users


def engine_shares(client: docker.DockerClient, refs: Sequence[str]) -> pd.DataFrame:
    """Each image's size, shared and unique bytes from its layers, checked against the engine.

    A layer counts as shared when another image on the engine (any image, not only ``refs``)
    uses it: that is what ``docker system df -v`` reports as SHARED SIZE, and UNIQUE SIZE is
    the rest.

    Args:
        client: Engine client.
        refs: Images to report, e.g. ``["nginx:stable", "nginx:latest"]``.

    Returns:
        One row per image: ``image``, ``size_mb``, ``shared_mb``, ``unique_mb`` (worked out from
        ``RootFS.Layers`` and the history's sizes) and ``same_as_engine`` (True when all three
        equal the engine's own numbers to the byte).

    Example:
        >>> engine_shares(client, ["nginx:stable", "nginx:latest"])  # doctest: +SKIP
    """
    import pandas as pd

    users = engine_layer_users(client)
    engine = {image["Id"]: image for image in client.df()["Images"]}
    rows = []
    for ref in refs:
        sizes = layer_sizes(client, ref)
        chains = chain_ids(list(sizes))
        size = sum(sizes.values())
        shared = sum(s for s, c in zip(sizes.values(), chains, strict=True) if users[c] > 1)
        theirs = engine.get(client.images.get(ref).id, {})
        rows.append(
            {
                "image": ref,
                "size_mb": round(size / MB, 2),
                "shared_mb": round(shared / MB, 2),
                "unique_mb": round((size - shared) / MB, 2),
                "same_as_engine": theirs.get("Size") == size and theirs.get("SharedSize") == shared,
            }
        )
    return pd.DataFrame(rows)


def check_disk_used(
    client: docker.DockerClient, refs: Sequence[str], answer: int | None, name: str = "answer"
) -> str:
    """An exercise check: is ``answer`` the disk ``refs`` use together, in bytes?

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    import docker as docker_sdk

    images = {}
    for ref in refs:
        try:
            images[ref] = layer_sizes(client, ref)
        except docker_sdk.errors.ImageNotFound:
            return _(
                "Hint: {ref} is not on this engine yet: pull it, then run your cell again."
            ).format(ref=ref)
    if answer is None:
        return _("Hint: put your result, in bytes, in a variable named {name}.").format(name=name)
    usage = disk_usage(images)
    if answer == usage["disk_used"]:
        return _(
            "Pass: {count} images use {used:.1f} MB together, {saved:.1f} MB less than their "
            "sizes added up."
        ).format(count=len(refs), used=usage["disk_used"] / MB, saved=usage["saved"] / MB)
    if answer == usage["sum_of_sizes"]:
        return _("Hint: that is every size added up; a layer several images use is stored once.")
    if answer == usage["sum_of_sizes"] - usage["shared"]:
        return _(
            "Hint: that takes each shared layer off once; count how many of the images use it."
        )
    return _(
        "Hint: not yet: list each image's layers, then for every layer that several images use, "
        "count how many use it."
    )


def check_base_layer_shared(
    client: docker.DockerClient, base: str, tags: Sequence[str] = ("nginx:stable", "nginx:latest")
) -> str:
    """Lesson 02's exercise: is ``base`` pulled, and is its one layer in each of the nginx
    ``tags`` (so its pull said ``Already exists``)?

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    found = client.images.list(name=base)
    if not found:
        return _(
            "Hint: there is no {base} image yet: look at how the nginx tags were pulled."
        ).format(base=base)
    layer = found[0].attrs["RootFS"]["Layers"][0]
    if all(layer in client.images.get(tag).attrs["RootFS"]["Layers"] for tag in tags):
        return _(
            "Pass: {base}'s one layer is the base both nginx tags share: Already exists."
        ).format(base=base)
    return _(
        "Hint: the nginx tags do not both hold debian's layer: run the pull cells of section 2."
    )
