"""The engine matrix: the Docker Engine set-ups on which the series observes its engine facts.

What the lessons teach about an engine (restart policies at daemon restart, layer sharing and
sizes, ``docker system df``, ``docker history``) is observed on each of these set-ups, every one
a throwaway :class:`~helpers.lab.scratch.ScratchEngine` (never the learner's engine):

- ``20.10``: Debian 12's ``docker.io`` 20.10.24, the engine the lab used to install (out of
  support since 2023). Its package is downloaded with apt from the host's own Debian mirror into
  ``<state dir>/engines/`` and unpacked there with ``dpkg-deb -x``; it is never installed. Its
  ``dockerd`` runs beside the installed one with the host's containerd, runc and ``docker-init``
  (tini), and its own ``docker-proxy`` from the same package.
- ``26.1``: the installed ``dockerd`` (Debian 13's ``docker.io`` 26.1.5), classic image store.
- ``26.1-containerd-store``: the installed ``dockerd`` with the containerd image store switched
  on (``daemon.json``: ``{"features": {"containerd-snapshotter": true}}``), the default of
  Engine 29's new installs.

Example:
    >>> with engine(SETUPS["26.1"]) as scratch:  # doctest: +SKIP
    ...     scratch.client.version()["Version"]
    '26.1.5+dfsg1'
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabError
from ..i18n import _
from ..state import state_dir
from . import apt
from .progress import say
from .scratch import ScratchEngine, scratch_engine

#: The Debian release whose ``docker.io`` is the 20.10 set-up, and that package's engine series.
DEBIAN_12 = "bookworm"
ENGINE_20_10 = "20.10"


@dataclass(frozen=True)
class EngineSetup:
    """One engine set-up of the matrix.

    Attributes:
        name: Its key in the data files (``20.10``, ``26.1``, ``26.1-containerd-store``).
        description: One line for a reader of the data files.
        series: The engine version it must report (``20.10`` matches ``20.10.24+dfsg1``).
        image_store: ``classic`` (overlay2 graph driver) or ``containerd`` (snapshotter).
        config: Extra ``daemon.json`` settings.
        debian_package: For a binary that is not installed: the Debian release to take
            ``docker.io`` from; None for the installed ``dockerd``.
    """

    name: str
    description: str
    series: str
    image_store: str = "classic"
    config: dict = field(default_factory=dict)
    debian_package: str | None = None


SETUPS: dict[str, EngineSetup] = {
    setup.name: setup
    for setup in (
        EngineSetup(
            "20.10",
            "Debian 12's docker.io 20.10.24 (unpacked from its package, not installed), "
            "classic image store",
            ENGINE_20_10,
            debian_package=DEBIAN_12,
        ),
        EngineSetup(
            "26.1",
            "the installed dockerd (Debian 13's docker.io 26.1.5), classic image store",
            "26.1",
        ),
        EngineSetup(
            "26.1-containerd-store",
            "the installed dockerd with the containerd image store "
            '(daemon.json {"features": {"containerd-snapshotter": true}}, the default of '
            "Engine 29's new installs)",
            "26.1",
            image_store="containerd",
            config={"features": {"containerd-snapshotter": True}},
        ),
    )
}
#: The set-up a notebook shows by default: the lab's own engine.
DEFAULT_SETUP = "26.1"


def engines_dir() -> Path:
    """``<state dir>/engines``: downloaded packages and the binaries unpacked from them."""
    path = state_dir() / "engines"
    path.mkdir(parents=True, exist_ok=True)
    return path


def download_package(package: str, release: str, dest: Path) -> Path:
    """Download ``package`` of Debian ``release`` (not install it) into ``dest``, with apt,
    from the host's own Debian mirror through a throwaway source list; return the ``.deb``.

    Raises:
        LabError: apt has no Debian mirror to use, or the download fails.
    """
    archive, security = apt.debian_mirrors()
    dest.mkdir(parents=True, exist_ok=True)
    with apt.throwaway_apt(
        apt.release_sources(release, archive, security),
        preferences="",
        empty_status=True,
        directory=state_dir(),
    ) as (work, options):
        say(
            _("downloading Debian {release}'s {package} from {archive}").format(
                release=release, package=package, archive=archive
            )
        )
        for args in (["update", "-qq"], ["download", "-qq", package]):
            done = subprocess.run(
                ["apt-get", *options, *args], cwd=work, capture_output=True, text=True
            )
            if done.returncode != 0:
                last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
                raise LabError(
                    _(
                        "apt-get could not download Debian {release}'s {package} ({said}): "
                        "check that this machine reaches Debian's package mirror."
                    ).format(release=release, package=package, said=last[0])
                )
        debs = sorted(work.glob(f"{package}_*.deb"))
        if not debs:
            raise LabError(
                _("apt-get downloaded no {package} package from Debian {release}.").format(
                    package=package, release=release
                )
            )
        target = dest / debs[-1].name
        shutil.move(debs[-1], target)
    return target


def unpacked_engine(release: str = DEBIAN_12, series: str = ENGINE_20_10) -> Path:
    """Debian ``release``'s ``docker.io``, unpacked (never installed) into
    ``<state dir>/engines/<series>/``; return that folder. Downloaded once, then reused.

    Raises:
        LabError: The package cannot be downloaded or unpacked.
    """
    root = engines_dir() / series
    if (root / "usr" / "sbin" / "dockerd").is_file():
        return root
    deb = download_package("docker.io", release, engines_dir())
    partial = engines_dir() / f"{series}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    done = subprocess.run(
        ["dpkg-deb", "-x", str(deb), str(partial)], capture_output=True, text=True
    )
    if done.returncode != 0 or not (partial / "usr" / "sbin" / "dockerd").is_file():
        raise LabError(
            _("dpkg-deb could not unpack {package}: {said}.").format(
                package=deb.name, said=done.stderr.strip() or "?"
            )
        )
    partial.replace(root)
    return root


def dockerd_for(setup: EngineSetup) -> tuple[str, dict]:
    """The ``dockerd`` binary of ``setup`` and the ``daemon.json`` settings it runs with."""
    if setup.debian_package is None:
        return "dockerd", dict(setup.config)
    root = unpacked_engine(setup.debian_package, setup.series)
    config = {"userland-proxy-path": str(root / "usr" / "sbin" / "docker-proxy")}
    return str(root / "usr" / "sbin" / "dockerd"), config | setup.config


def version_matches(setup: EngineSetup, version: str) -> bool:
    """True when an engine reporting ``version`` (``26.1.5+dfsg1``) is of ``setup``'s series."""
    return version == setup.series or version.startswith(setup.series + ".")


@contextlib.contextmanager
def engine(setup: EngineSetup, purpose: str = "facts") -> Iterator[ScratchEngine]:
    """A started scratch engine of ``setup``, named ``<purpose>-<setup>`` (its own data root,
    exec root, socket and bridge), stopped afterwards.

    Raises:
        LabError: The engine cannot start (see its log), or reports another version series.
    """
    binary, config = dockerd_for(setup)
    with scratch_engine(f"{purpose}-{setup.name}", binary, config) as scratch:
        info = scratch.client.info()
        version = scratch.client.version()["Version"]
        if not version_matches(setup, version):
            raise LabError(
                _("The {setup} set-up started Docker Engine {version}, not {series}.").format(
                    setup=setup.name, version=version, series=setup.series
                )
            )
        if image_store(info) != setup.image_store:
            raise LabError(
                _(
                    "The {setup} set-up runs the {driver} storage driver, not the {store} image "
                    "store: see {log}."
                ).format(
                    setup=setup.name,
                    driver=info.get("Driver"),
                    store=setup.image_store,
                    log=scratch.log,
                )
            )
        yield scratch


def image_store(info: dict) -> str:
    """``containerd`` when ``docker info`` reports the containerd image store, else
    ``classic``."""
    status = " ".join(str(value) for _key, value in info.get("DriverStatus") or [])
    return "containerd" if "containerd" in status else "classic"
