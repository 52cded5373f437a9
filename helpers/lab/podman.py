"""Podman for lesson 11, from the host's own apt sources, beside the Docker Engine.

Lesson 11 makes a real Pod with Podman. On Debian and Ubuntu the lab installs the host's own
``podman`` with ``catatonit`` (the init process of Podman's pause image, which a Pod's infra
container runs) and ``netavark`` with ``aardvark-dns`` (Podman 4's network backend, which it
picks on a fresh install when the binary is there). A plain ``apt-get install`` from the sources
the host already has, skipped when everything is installed; Podman keeps its own images and
containers (``/var/lib/containers``) and never touches the Docker Engine's.
"""

from __future__ import annotations

import shutil
import subprocess

from ..i18n import _
from . import apt
from .progress import say

#: What Lesson 11 needs: Podman, the pause image's init, Podman 4's network backend, and for
#: learners who are not root, slirp4netns (a Pod's network) and uidmap (subordinate IDs).
PODMAN_PACKAGES = ("podman", "catatonit", "netavark", "aardvark-dns", "slirp4netns", "uidmap")


def podman_version() -> str | None:
    """The version ``podman --version`` reports, or None when Podman is not installed."""
    if shutil.which("podman") is None:
        return None
    done = subprocess.run(["podman", "--version"], capture_output=True, text=True)
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and words else None


def ensure_podman() -> str | None:
    """Install Podman when it is missing and this machine lets the lab (root, apt); idempotent.

    Returns:
        The Podman version, or None when Podman is missing and the lab may not install it
        (lesson 11 then says so in one sentence).

    Raises:
        LabError: apt-get could not install the packages.
    """
    apt.install_when_allowed(PODMAN_PACKAGES)
    version = podman_version()
    if version is None:
        say(_("Podman is not installed and the lab installs it only as root with apt (lesson 11)"))
    else:
        say(_("podman {version} (lesson 11)").format(version=version))
    return version
