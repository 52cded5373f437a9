"""The lab images: Docker Hub's names, built here from Debian packages with BuildKit.

``library/debian:trixie-slim`` is a ``debootstrap --variant=minbase`` root filesystem added
``FROM scratch``, as Docker's official Debian images are made; ``library/nginx:stable`` and
``library/nginx:latest`` install Debian's nginx on it, pinned in ``ENV NGINX_VERSION`` as the
official nginx image pins its version: ``stable`` the nginx of the base's release (Debian 13),
``latest`` Debian's newest (its next release), so the two tags hold different nginx versions and
share the base layer, like Docker Hub's. ``library/python:3.13-slim`` installs Debian 13's
Python 3.13 on the same base, pinned in ``ENV PYTHON_VERSION``. Each image says it is a lab
build in its OCI labels,
given to the build itself (``--label``, so they add no step to ``docker history``), and carries a
hash of its recipe so a changed recipe is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LabError
from ..i18n import _
from ..registry_api import REGISTRY_HOST, registry_image_labels
from ..state import state_dir
from . import apt
from .progress import say

if TYPE_CHECKING:
    from .scratch import ScratchEngine

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGES_DIR = REPO_ROOT / "lab" / "images"
DEBIAN_SUITE = "trixie"
#: The scratch engine the lab builds its images on.
BUILDER_NAME = "lab-builder"
#: Label on every lab image; its value changes whenever a recipe changes, which triggers a rebuild.
RECIPE_LABEL = "io.github.docker-notebooks.lab.recipe"


@dataclass(frozen=True)
class LabImage:
    """One image the lab builds and serves under a Docker Hub name.

    Attributes:
        repository: Docker Hub name, e.g. ``library/nginx``.
        tag: e.g. ``stable``.
        context: Folder under ``lab/images/``.
        description: What it is, for its OCI description label.
        package: The Debian package whose version the image pins (none for the base).
        version_arg: The build argument (and ``ENV``) that pins it, e.g. ``NGINX_VERSION``.
        suites: Debian suites whose newest ``package`` the image pins.
        version_prefix: What that version must start with, when the tag promises one
            (``3.13.`` for ``python:3.13-slim``).
    """

    repository: str
    tag: str
    context: str
    description: str
    package: str | None = None
    version_arg: str | None = None
    suites: tuple[str, ...] = ()
    version_prefix: str = ""

    @property
    def hub_name(self) -> str:
        short = self.repository.removeprefix("library/")
        return f"{short}:{self.tag}"

    @property
    def lab_ref(self) -> str:
        return f"{REGISTRY_HOST}/{self.repository}:{self.tag}"


BASE = LabImage(
    "library/debian",
    f"{DEBIAN_SUITE}-slim",
    "debian",
    f"Lab build for the docker-notebooks series: a Debian {DEBIAN_SUITE} root filesystem from "
    "debootstrap --variant=minbase, trimmed; not Docker's official image.",
)
NGINX_IMAGES = (
    LabImage(
        "library/nginx",
        "stable",
        "nginx-stable",
        f"Lab build for the docker-notebooks series: Debian {DEBIAN_SUITE}'s nginx on the lab's "
        f"debian:{DEBIAN_SUITE}-slim; not Docker's official image.",
        "nginx",
        "NGINX_VERSION",
        (DEBIAN_SUITE, f"{DEBIAN_SUITE}-security"),
    ),
    LabImage(
        "library/nginx",
        "latest",
        "nginx-latest",
        "Lab build for the docker-notebooks series: Debian's newest nginx (from its next "
        f"release, forky) on the lab's debian:{DEBIAN_SUITE}-slim; not Docker's official image.",
        "nginx",
        "NGINX_VERSION",
        ("forky",),
    ),
)
PYTHON_IMAGE = LabImage(
    "library/python",
    "3.13-slim",
    "python-slim",
    f"Lab build for the docker-notebooks series: Debian {DEBIAN_SUITE}'s Python 3.13 (python3) "
    f"on the lab's debian:{DEBIAN_SUITE}-slim; not Docker's official image.",
    "python3.13",
    "PYTHON_VERSION",
    (DEBIAN_SUITE, f"{DEBIAN_SUITE}-security"),
    "3.13.",
)
#: The images built ``FROM`` the lab's base, in the order they are built.
ON_BASE = (*NGINX_IMAGES, PYTHON_IMAGE)
LAB_IMAGES = (BASE, *ON_BASE)


def recipe_hash(image: LabImage) -> str:
    """A short hash of all that shapes ``image``: its build context and, for the images built
    on it, the base's."""
    digest = hashlib.sha256(DEBIAN_SUITE.encode())
    contexts = [BASE.context] if image is BASE else [BASE.context, image.context]
    for context in contexts:
        for path in sorted((IMAGES_DIR / context).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(IMAGES_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def image_labels(image: LabImage, pinned: str | None = None) -> dict[str, str]:
    """The OCI labels a lab image carries: what it is, that it is a lab build, and from what
    (``pinned``: the version of its package, e.g. nginx's)."""
    version = {"org.opencontainers.image.version": pinned} if pinned else {}
    return version | {
        "org.opencontainers.image.title": f"{image.hub_name} (lab build)",
        "org.opencontainers.image.description": image.description,
        "org.opencontainers.image.base.name": "scratch" if image is BASE else BASE.hub_name,
        "org.opencontainers.image.vendor": "docker-notebooks offline lab",
        RECIPE_LABEL: recipe_hash(image),
    }


def is_seeded(image: LabImage) -> bool:
    """True when the lab registry holds ``image`` built from the current recipe."""
    labels = registry_image_labels(image.repository, image.tag)
    return bool(labels) and labels.get(RECIPE_LABEL) == recipe_hash(image)


# --------------------------------------------------------------------------- the base rootfs


def _trim_rootfs(root: Path) -> None:
    """Drop what the official slim images drop: package lists, caches, docs, man pages, locales."""
    for pattern in (
        "var/lib/apt/lists/*",
        "var/cache/apt/*.bin",
        "var/cache/apt/archives/*.deb",
        "var/log/*",
        "usr/share/man/*",
        "usr/share/info/*",
        "usr/share/groff/*",
        "usr/share/lintian/*",
        "usr/share/linda/*",
    ):
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    for path in (root / "usr/share/doc").rglob("*"):
        if path.is_file() and path.name != "copyright":
            path.unlink()
    locale = root / "usr/share/locale"
    for path in locale.glob("*"):
        if path.name != "locale.alias":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    apt_conf = IMAGES_DIR / BASE.context / "apt.conf.d"
    for conf in apt_conf.glob("*"):
        shutil.copy(conf, root / "etc/apt/apt.conf.d" / conf.name)


def image_sources(archive: str, security: str | None) -> str:
    """The image's ``/etc/apt/sources.list.d/debian.sources``, as in the official images, with
    the host's own mirrors (archive stanza first)."""
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    text = (
        f"Types: deb\nURIs: {archive}\nSuites: {DEBIAN_SUITE} {DEBIAN_SUITE}-updates\n"
        f"Components: main\nSigned-By: {keyring}\n"
    )
    if security:
        text += (
            f"\nTypes: deb\nURIs: {security}\nSuites: {DEBIAN_SUITE}-security\n"
            f"Components: main\nSigned-By: {keyring}\n"
        )
    return text


def build_rootfs_tar(dest: Path) -> None:
    """Make a trimmed Debian root filesystem with debootstrap and pack it as ``dest``."""
    if not shutil.which("debootstrap"):
        if not apt.can_install_packages():
            raise LabError(
                _(
                    "Building the lab's Debian image needs debootstrap as root: install Debian's "
                    "debootstrap package and run `make setup` as root."
                )
            )
        apt.install(["debootstrap"])
    archive, security = apt.debian_mirrors()
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=state_dir()))
    try:
        root = work / "rootfs"
        say(
            _("debootstrap --variant=minbase {suite} from {archive} (about 30 s)").format(
                suite=DEBIAN_SUITE, archive=archive
            )
        )
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(root), archive],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
            raise LabError(
                _("debootstrap failed ({said}): check that this machine reaches {archive}.").format(
                    said=last[0], archive=archive
                )
            )
        _trim_rootfs(root)
        (root / "etc/apt/sources.list").unlink(missing_ok=True)
        (root / "etc/apt/sources.list.d/debian.sources").write_text(
            image_sources(archive, security)
        )
        partial = dest.with_suffix(".partial")
        subprocess.run(
            ["tar", "--numeric-owner", "--sort=name", "-C", str(root), "-cf", str(partial), "."],
            check=True,
        )
        partial.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- build and push


def pinned_version(image: LabImage) -> str:
    """The Debian version of ``image.package`` the image pins: the newest in its suites on the
    host's mirror.

    Raises:
        LabError: The mirror has no such package, or a version its tag does not promise.
    """
    archive, security = apt.debian_mirrors()
    entries = [
        (security if suite.endswith("-security") else archive, suite)
        for suite in image.suites
        if security or not suite.endswith("-security")
    ]
    version = apt.candidate_version(image.package, entries)
    if not version.startswith(image.version_prefix):
        raise LabError(
            _(
                "Debian {suites} offers {package} {version}, which the tag {image} does not name: "
                "change the tag in helpers/lab/images.py to match."
            ).format(
                suites=", ".join(image.suites),
                package=image.package,
                version=version,
                image=image.hub_name,
            )
        )
    return version


def _cli_env(builder: ScratchEngine) -> dict[str, str]:
    env = dict(os.environ, DOCKER_HOST=builder.host)
    env.pop("DOCKER_CONTEXT", None)
    return env


def buildkit_available(builder: ScratchEngine) -> bool:
    """True when the docker CLI with its buildx plugin can build on ``builder``."""
    if not shutil.which("docker"):
        return False
    done = subprocess.run(
        ["docker", "buildx", "version"], env=_cli_env(builder), capture_output=True, text=True
    )
    return done.returncode == 0


def build(
    builder: ScratchEngine, image: LabImage, build_dir: Path, buildargs: dict[str, str]
) -> None:
    """Build ``image`` with BuildKit (``docker buildx build``) on the builder engine; its ``RUN``
    steps use the host's network (the builder engine has no NAT of its own)."""
    log = state_dir() / "build.log"
    if not buildkit_available(builder):
        raise LabError(
            _(
                "The lab builds its images with BuildKit, and `docker buildx version` fails here: "
                "install the docker-buildx package (or Docker's buildx plugin), then run "
                "`make setup`."
            )
        )
    cmd = ["docker", "buildx", "build", "--builder", "default", "--progress", "plain",
           "--network", "host", "--tag", image.lab_ref]  # fmt: skip
    for key, value in buildargs.items():
        cmd += ["--build-arg", f"{key}={value}"]
    pinned = buildargs.get(image.version_arg) if image.version_arg else None
    for key, value in image_labels(image, pinned).items():
        cmd += ["--label", f"{key}={value}"]
    cmd.append(str(build_dir))
    with open(log, "a") as out:
        done = subprocess.run(cmd, env=_cli_env(builder), stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise LabError(
            _("Building {image} failed: see the end of {log}.").format(
                image=image.hub_name, log=log
            )
        )


def push(builder: ScratchEngine, image: LabImage) -> None:
    """Push ``image`` from the builder engine to the lab registry."""
    log = state_dir() / "build.log"
    repo, tag = image.lab_ref.rsplit(":", 1)
    with open(log, "a") as out:
        for event in builder.client.api.push(repo, tag, stream=True, decode=True):
            if "error" in event:
                raise LabError(
                    _("Pushing {image} failed ({said}).").format(
                        image=image.hub_name, said=event["error"].strip()
                    )
                )
            out.write(f"{event.get('status', '')}\n")


def build_and_push(builder: ScratchEngine, image: LabImage) -> None:
    """Build ``image`` from ``lab/images/<context>`` and push it to the lab registry."""
    context = IMAGES_DIR / image.context
    buildargs: dict[str, str] = {}
    with tempfile.TemporaryDirectory(dir=state_dir()) as tmp:
        if image is BASE:
            cache = state_dir() / f"debian-{DEBIAN_SUITE}-rootfs-{recipe_hash(BASE)}.tar"
            if not cache.exists():
                build_rootfs_tar(cache)
            for stale in state_dir().glob("debian-*-rootfs-*.tar"):
                if stale != cache:  # made from an older recipe: never used again
                    stale.unlink()
            build_dir = Path(tmp)
            shutil.copy(context / "Dockerfile", build_dir / "Dockerfile")
            os.link(cache, build_dir / "rootfs.tar")
        else:
            build_dir = context
            buildargs["BASE"] = BASE.lab_ref
            buildargs[image.version_arg] = pinned_version(image)
        say(_("building {image} with BuildKit").format(image=image.hub_name))
        build(builder, image, build_dir, buildargs)
    say(_("pushing {image} to the lab registry").format(image=image.hub_name))
    push(builder, image)


def seed() -> list[str]:
    """Build and push the lab images the registry lacks; return the names built.

    The images are built on a scratch engine of the lab's own (:mod:`.scratch`, its data kept
    in the state directory as a build cache), never on the learner's engine: a build there
    would leave layers and build cache behind, and a lesson's first ``docker pull`` would then
    say "Already exists" for layers the learner never pulled. The nginx and python images are
    built on the very base the registry holds, so they all share its layer.
    """
    missing = [image for image in LAB_IMAGES if not is_seeded(image)]
    if not missing:
        return []
    from .scratch import scratch_engine

    say(_("starting the lab's builder engine"))
    with scratch_engine(BUILDER_NAME) as builder:
        if BASE in missing:
            build_and_push(builder, BASE)
        for image in ON_BASE:
            if image in missing:
                build_and_push(builder, image)
    return [image.hub_name for image in missing]
