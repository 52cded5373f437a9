"""The offline lab: a real Docker Engine and a local registry that stands in for Docker Hub.

``python -m helpers.lab up`` makes the plain commands of the lessons (``docker pull nginx:stable``)
work on a machine that cannot reach Docker Hub. One module per job:

- :mod:`.apt`: Debian packages from the host's own apt sources, other releases without a trace;
- :mod:`.daemon`: start, wait for and stop a background service (dockerd, the registry);
- :mod:`.dockerd`: use the engine that answers, or install a current one and start it;
- :mod:`.registry_service`: Debian's ``docker-registry`` on ``REGISTRY_HOST`` (loopback);
- :mod:`.cache`: the classroom cache, the same ``docker-registry`` in proxy mode: a
  pull-through cache of Docker Hub for a room behind one router (``make classroom``);
- :mod:`.images`: the lab images, built with BuildKit and pushed to that registry;
- :mod:`.scratch`: throwaway engines for experiments that restart the daemon;
- :mod:`.engines`: the engine matrix (20.10, 26.1, 26.1 with the containerd image store) as
  scratch engines, for the facts the lessons teach;
- :mod:`.learners`: learners' set-ups to try lessons on: an unprivileged user in the docker
  group, a rootless engine of a learner's own, and what a lesson may branch on there;
- :mod:`.commands`: ``up``, ``status`` and ``down``;
- :mod:`.records` (what ``up`` started) and :mod:`.progress` (its ``lab: ...`` lines).

Lessons never import this package: they read the registry through :mod:`helpers.registry_api`.
"""

from __future__ import annotations

from .commands import down, main, status, up

__all__ = ["down", "main", "status", "up"]
