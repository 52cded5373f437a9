"""Helpers for the Docker notebook series.

The notebooks import small, documented functions from here so that each cell shows the Docker idea
being taught while the plumbing (connecting, DataFrames, plots, cleanup) lives in one place.

Sub-modules are imported lazily so ``import helpers`` stays fast:

- :mod:`helpers.engine`: connect the way the Docker CLI does and check the engine.
- :mod:`helpers.registry`: search and pull, on Docker Hub or the offline lab registry.
- :mod:`helpers.labels`: the project label, names and label-scoped cleanup.
- :mod:`helpers.registry_api`: what the lab registry holds (read only).
- :mod:`helpers.lab`: provisioning (engine, registry mirror, lab images); lessons never import it.
"""

from __future__ import annotations

from .errors import TutorialError

__all__ = ["TutorialError"]
