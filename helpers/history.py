"""``docker history`` as a DataFrame: which instruction made which layer, and how big it is."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .i18n import _
from .layers import MB, layer_of_step, layer_sizes, short

if TYPE_CHECKING:
    import docker
    import pandas as pd

_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s+")
_SHELL = re.compile(r"^/bin/sh -c ")


def instruction(created_by: str) -> str:
    """Turn a history ``CreatedBy`` into the Dockerfile instruction that made the step.

    BuildKit writes the instruction itself (``EXPOSE map[80/tcp:{}]``, ``RUN |1 V=1 /bin/sh -c
    ...``: the build arguments the command saw, then the command). The legacy builder wrote
    metadata steps as ``/bin/sh -c #(nop) <INSTRUCTION>`` and ``RUN`` steps as the shell command.

    Example:
        >>> instruction('ENV NGINX_VERSION=1.26.3')
        'ENV NGINX_VERSION=1.26.3'
        >>> instruction('/bin/sh -c #(nop)  EXPOSE 80')
        'EXPOSE 80'
        >>> instruction('/bin/sh -c apt-get update')
        'RUN apt-get update'
    """
    if _NOP.match(created_by):
        return _NOP.sub("", created_by).strip()
    if _SHELL.match(created_by):
        return "RUN " + _SHELL.sub("", created_by).strip()
    return created_by.strip()


def history_frame(client: docker.DockerClient, ref: str, width: int = 60) -> pd.DataFrame:
    """The history of an image, newest step first, as ``docker history`` lists it.

    Args:
        client: Engine client.
        ref: Image reference, e.g. ``"nginx:stable"``.
        width: Cut instructions to this many characters (``docker history`` cuts at 45).

    Returns:
        Columns ``image`` (short ID, or ``<missing>`` for steps that are not images of their
        own here), ``instruction``, ``size_mb``, ``kind`` (``layer`` when the step added files,
        ``metadata`` when it only changed the configuration) and ``layer`` (the short diff ID
        of the layer the step made, bottom-up order matching ``RootFS.Layers``).

    Example:
        >>> history_frame(client, "nginx:stable").head(3)  # doctest: +SKIP
    """
    import pandas as pd

    image = client.images.get(ref)
    steps = client.api.history(image.id)
    layer_of = layer_of_step(steps, image.attrs["RootFS"]["Layers"])
    rows = []
    for index, step in enumerate(steps):
        text = instruction(step["CreatedBy"])
        rows.append(
            {
                "image": step["Id"] if step["Id"] == "<missing>" else short(step["Id"]),
                "instruction": text if len(text) <= width else text[: width - 1] + "…",
                "size_mb": round(step["Size"] / MB, 1),
                "kind": "layer" if step["Size"] > 0 else "metadata",
                "layer": short(layer_of[index]) if index in layer_of else "",
            }
        )
    return pd.DataFrame(rows)


def check_own_build(client: docker.DockerClient, ref: str, base: str) -> str:
    """An exercise check: is ``ref`` a series-labelled image built on ``base`` with one more layer?

    Returns:
        One line: ``Pass: ...`` with what its history shows, or a ``Hint: ...`` saying what to
        look at.
    """
    import docker as docker_sdk

    from .labels import is_owned

    try:
        image = client.images.get(ref)
    except docker_sdk.errors.ImageNotFound:
        return _(
            "Hint: there is no image {ref} yet: build it with -t {ref}, then check again."
        ).format(ref=ref)
    if not is_owned(image):
        return _(
            "Hint: {ref} lacks the label tutorial=docker-notebooks: keep the LABEL line, so the "
            "clean-up can find it."
        ).format(ref=ref)
    below = client.images.get(base).attrs["RootFS"]["Layers"]
    layers = image.attrs["RootFS"]["Layers"]
    if layers[: len(below)] != below:
        return _("Hint: {ref}'s layers do not start with {base}'s: look at its FROM line.").format(
            ref=ref, base=base
        )
    if len(layers) != len(below) + 1:
        return _(
            "Hint: {ref} has {more} layers more than {base}; the task asks for one step that adds "
            "a file."
        ).format(ref=ref, more=len(layers) - len(below), base=base)
    new_layer = layer_sizes(client, ref)[layers[-1]]
    frame = history_frame(client, ref)
    with_id = int((frame["image"] != "<missing>").sum())
    if with_id == 1:
        sentence = _(
            "Pass: {ref} is {base} plus one layer of {size} bytes; {with_id} of its {rows} "
            "history rows has an image ID."
        )
    else:
        sentence = _(
            "Pass: {ref} is {base} plus one layer of {size} bytes; {with_id} of its {rows} "
            "history rows have an image ID."
        )
    return sentence.format(ref=ref, base=base, size=new_layer, with_id=with_id, rows=len(frame))
