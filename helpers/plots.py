"""Plots the lessons draw: the cluster hierarchy, shared versus unique bytes, layer sizes.

Each function returns a matplotlib Figure made without pyplot, so it is shown once, when the cell
returns it, and never again by pyplot's automatic display. Notebooks set the style in their setup
cell (:func:`helpers.notebook.setup_notebook`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .layers import MB, layer_users

if TYPE_CHECKING:
    import matplotlib.figure
    import pandas as pd


def _box(ax, x, y, w, h, text, color):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", fc=color, ec="0.3"))
    ax.text(x + w / 2, y + h - 0.035, text, ha="center", va="top", fontsize=9)


def cluster_diagram() -> matplotlib.figure.Figure:
    """Control plane -> worker nodes -> Pods -> containers, drawn as nested boxes.

    Returns:
        A Figure: one control plane managing two worker nodes; each node runs Pods, and each Pod
        holds containers sharing one IP, all run by containerd through the CRI.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 5.2))
    ax = fig.subplots()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    _box(ax, 0.30, 0.86, 0.40, 0.12, 'Control plane ("master")\nAPI server, scheduler', "#cfe2f3")
    for n, x in enumerate((0.02, 0.51)):
        ax.annotate(
            "",
            xy=(x + 0.235, 0.80),
            xytext=(0.5, 0.86),
            arrowprops={"arrowstyle": "->", "color": "0.3"},
        )
        _box(
            ax, x, 0.02, 0.47, 0.78, f"Worker node {n + 1}\nkubelet -> CRI -> containerd", "#eeeeee"
        )
        for p, px in enumerate((x + 0.025, x + 0.255)):
            ip = f"10.1.{n + 1}.{p + 10}"
            _box(ax, px, 0.06, 0.19, 0.56, f"Pod {n * 2 + p + 1}\nIP {ip}", "#d9ead3")
            for c, cy in enumerate((0.30, 0.10)):
                label = "app container" if c == 0 else "sidecar"
                _box(ax, px + 0.015, cy, 0.16, 0.15, label, "#fff2cc")
    ax.set_title("A Kubernetes cluster: who manages whom", fontsize=12)
    return fig


def shared_bytes_chart(images: Mapping[str, Mapping[str, int]]) -> matplotlib.figure.Figure:
    """Stacked bars per image: bytes in layers it shares with another image, and its own.

    Args:
        images: ``{image name: {layer id: bytes}}`` as from :func:`helpers.layers.layer_sizes`.
    """
    from matplotlib.figure import Figure

    users = layer_users(images)
    names = list(images)
    shared = [sum(s for lay, s in images[n].items() if users[lay] > 1) / MB for n in names]
    unique = [sum(s for lay, s in images[n].items() if users[lay] == 1) / MB for n in names]
    fig = Figure()
    ax = fig.subplots()
    ax.bar(names, shared, label="shared layers (stored once)", color="#6fa8dc")
    ax.bar(names, unique, bottom=shared, label="layers of its own", color="#f6b26b")
    ax.set_ylabel("MB")
    ax.set_ylim(0, max(a + b for a, b in zip(shared, unique, strict=True)) * 1.3)
    ax.set_title("Each image's size: shared and unique bytes")
    ax.legend(loc="upper right", ncol=2)
    return fig


def layer_size_chart(histories: Mapping[str, pd.DataFrame]) -> matplotlib.figure.Figure:
    """Horizontal bars of the layer-making steps of each image's history.

    Args:
        histories: ``{image name: history_frame(...)}``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * len(histories), 3))
    axes = fig.subplots(1, len(histories), sharex=True, squeeze=False)[0]
    for ax, (name, frame) in zip(axes, histories.items(), strict=True):
        layers = frame[frame["kind"] == "layer"].iloc[::-1]
        labels = [f"{row.layer}\n{row.instruction[:28]}" for row in layers.itertuples()]
        ax.barh(labels, layers["size_mb"], color="#93c47d")
        ax.set_title(name)
        ax.set_xlabel("MB")
    fig.tight_layout()
    return fig
