"""The one project label and the names of everything the series creates.

Every container, network, volume and image the series creates carries :data:`PROJECT_LABELS`
and a name that starts with :data:`NAME_PREFIX`. Cleanup (:mod:`helpers.cleanup`) selects by the
label only, so a learner's own containers, images and networks are never touched.
"""

from __future__ import annotations

from typing import Any

LABEL_KEY = "tutorial"
LABEL_VALUE = "docker-notebooks"
#: The label every object the series creates carries.
PROJECT_LABELS = {LABEL_KEY: LABEL_VALUE}
#: A second label naming the notebook that made the object, for per-notebook cleanup.
NOTEBOOK_LABEL_KEY = "tutorial.notebook"
#: Every name the series gives starts with this.
NAME_PREFIX = "dn"


def project_labels(notebook: str | None = None) -> dict[str, str]:
    """Labels to put on anything the series creates.

    Args:
        notebook: Short name of the notebook creating the object, e.g. ``"05"``.

    Returns:
        A new dict: the project label, plus the notebook label when given.

    Example:
        >>> project_labels("05")
        {'tutorial': 'docker-notebooks', 'tutorial.notebook': '05'}
    """
    labels = dict(PROJECT_LABELS)
    if notebook:
        labels[NOTEBOOK_LABEL_KEY] = notebook
    return labels


def label_filter(notebook: str | None = None) -> dict[str, list[str]]:
    """An Engine API ``filters`` dict that selects only the series' objects.

    Example:
        >>> label_filter()
        {'label': ['tutorial=docker-notebooks']}
    """
    return {"label": [f"{k}={v}" for k, v in project_labels(notebook).items()]}


def resource_name(*parts: str) -> str:
    """A predictable name for an object the series creates.

    Args:
        *parts: Words describing it, e.g. ``("05", "always")``.

    Returns:
        ``dn-05-always``.

    Example:
        >>> resource_name("05", "always")
        'dn-05-always'
    """
    return "-".join([NAME_PREFIX, *parts])


def labels_of(obj: Any) -> dict[str, str]:
    """The labels of an SDK container, image, network, volume or swarm service (``{}`` when it
    has none)."""
    labels = getattr(obj, "labels", None)
    if labels is None:
        attrs = getattr(obj, "attrs", {}) or {}
        labels = (
            attrs.get("Labels")
            or (attrs.get("Config") or {}).get("Labels")
            or (attrs.get("Spec") or {}).get("Labels")
        )
    return dict(labels or {})


def is_owned(obj: Any) -> bool:
    """True when ``obj`` carries the project label, i.e. the series created it."""
    return labels_of(obj).get(LABEL_KEY) == LABEL_VALUE
