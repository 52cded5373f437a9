"""Debian packages for the lab, taken from the host's own apt sources and leaving no trace.

The mirror is never written in the code: it is read from the host's apt sources (one-line
``sources.list`` entries and deb822 ``*.sources`` files). A package from another Debian release
(Debian 13's Docker Engine on a Debian 12 host) is installed through a temporary source list,
package-list directory and pin that exist only for that one ``apt-get`` run: ``/etc/apt`` and
``/var/lib/apt/lists`` stay as they were.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LabError
from ..i18n import _
from .progress import say

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
APT_ETC = Path("/etc/apt")


def os_release() -> dict[str, str]:
    """``/etc/os-release`` as a dict (``ID``, ``VERSION_CODENAME``, ...)."""
    facts = {}
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return facts
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            facts[key] = value.strip().strip('"')
    return facts


def can_install_packages() -> bool:
    """True when the lab may install Debian packages itself: root, with apt-get."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


@dataclass(frozen=True)
class Source:
    """One apt source entry: where (URI), which suites, which components."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


def _one_line_sources(text: str) -> list[Source]:
    found = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words.pop(0)
            words = words[1:]
        if len(words) >= 2:
            found.append(Source(words[0].rstrip("/"), (words[1],), tuple(words[2:])))
    return found


def _deb822_sources(text: str) -> list[Source]:
    found = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, _sep, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
            continue
        for uri in fields.get("uris", "").split():
            found.append(
                Source(
                    uri.rstrip("/"),
                    tuple(fields.get("suites", "").split()),
                    tuple(fields.get("components", "").split()),
                )
            )
    return found


def host_sources(etc: Path = APT_ETC) -> list[Source]:
    """Every ``deb`` source the host's apt uses, in the order apt reads them."""
    found = []
    if (etc / "sources.list").is_file():
        found += _one_line_sources((etc / "sources.list").read_text(errors="replace"))
    for path in sorted((etc / "sources.list.d").glob("*")):
        if path.suffix == ".list":
            found += _one_line_sources(path.read_text(errors="replace"))
        elif path.suffix == ".sources":
            found += _deb822_sources(path.read_text(errors="replace"))
    return found


def debian_mirrors(codename: str | None = None, etc: Path = APT_ETC) -> tuple[str, str | None]:
    """The host's Debian archive and security URIs, read from its apt sources.

    Args:
        codename: The host's release (``bookworm``); by default from ``/etc/os-release``.

    Returns:
        ``(archive, security)``; ``security`` is None when the host has no security source.

    Raises:
        LabError: The host's apt sources name no archive for its own release.
    """
    codename = codename or os_release().get("VERSION_CODENAME", "")
    archive = security = None
    for source in host_sources(etc):
        if "main" not in source.components:
            continue
        if codename in source.suites and archive is None:
            archive = source.uri
        if f"{codename}-security" in source.suites and security is None:
            security = source.uri
    if archive is None:
        raise LabError(
            _(
                "The host's apt sources name no Debian archive for {release}: add one to "
                "/etc/apt/sources.list, then run `make setup` again."
            ).format(release=codename or _("this release"))
        )
    return archive, security


def installed_version(package: str) -> str | None:
    """The installed version of ``package``, or None when it is not installed."""
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}\t${Version}", package], capture_output=True, text=True
    )
    status, _tab, version = done.stdout.partition("\t")
    return version.strip() if status.strip() == "install ok installed" else None


#: Seconds ``apt-get`` waits for another apt or dpkg run to release its lock, instead of failing.
LOCK_WAIT_SECONDS = 600


def _apt(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    lock = ["-o", f"DPkg::Lock::Timeout={LOCK_WAIT_SECONDS}"]
    return subprocess.run(["apt-get", *lock, *args], env=env, capture_output=True, text=True)


def _fail(done: subprocess.CompletedProcess, packages: list[str]) -> LabError:
    last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
    return LabError(
        _(
            "apt-get could not install {packages} ({said}): check that this machine reaches "
            "Debian's package mirror, then run `make setup` again."
        ).format(packages=" ".join(packages), said=last[0])
    )


def install(packages: tuple[str, ...] | list[str]) -> None:
    """Install the host's own packages that are missing, updating its lists only if needed."""
    missing = [p for p in packages if installed_version(p) is None]
    if not missing:
        return
    say(_("installing Debian packages: {packages}").format(packages=" ".join(missing)))
    cmd = ["install", "-y", "-qq", "--no-install-recommends", *missing]
    if _apt(cmd).returncode == 0:
        return
    _apt(["update", "-qq"])
    done = _apt(cmd)
    if done.returncode != 0:
        raise _fail(done, missing)


def install_when_allowed(packages: tuple[str, ...] | list[str]) -> None:
    """:func:`install` the missing ones when the lab may (:func:`can_install_packages`); else
    nothing, and the caller says what is missing."""
    if can_install_packages():
        install(packages)


def release_sources(release: str, archive: str, security: str | None) -> str:
    """A one-line source list for Debian ``release`` (and its security archive, if any)."""
    lines = [f"deb [signed-by={KEYRING}] {archive} {release} main"]
    if security:
        lines.append(f"deb [signed-by={KEYRING}] {security} {release}-security main")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def throwaway_apt(
    sources: str,
    *,
    host_sources: bool = False,
    preferences: str | None = None,
    empty_status: bool = False,
    directory: Path | None = None,
) -> Iterator[tuple[Path, list[str]]]:
    """A temporary apt set-up for one job: yields its folder and the ``-o`` options that point
    apt at it, and removes it all afterwards. ``/etc/apt`` and ``/var/lib/apt`` are never
    written.

    Args:
        sources: The source list (one-line format).
        host_sources: Also read the host's ``sources.list.d`` (its own release's packages, for
            dependencies); by default only ``sources``.
        preferences: A pin file to use instead of the host's preferences.
        empty_status: Pretend nothing is installed (an empty dpkg status), so the candidate is
            the release's own version whatever the host has; apt then runs as root throughout.
        directory: Where to make the temporary folder (default: the system's temp folder).
    """
    with tempfile.TemporaryDirectory(prefix="lab-apt-", dir=directory) as tmp:
        work = Path(tmp)
        (work / "lists" / "partial").mkdir(parents=True)
        (work / "archives" / "partial").mkdir(parents=True)
        (work / "sources.list").write_text(sources)
        options = [
            "-o", f"Dir::Etc::SourceList={work / 'sources.list'}",
            "-o", f"Dir::State::Lists={work / 'lists'}",
            "-o", f"Dir::Cache::Archives={work / 'archives'}",
            "-o", "Dir::Cache::pkgcache=",
            "-o", "Dir::Cache::srcpkgcache=",
        ]  # fmt: skip
        if not host_sources:
            options += ["-o", "Dir::Etc::SourceParts=/dev/null"]
        if preferences is not None:
            (work / "preferences").write_text(preferences)
            options += ["-o", f"Dir::Etc::Preferences={work / 'preferences'}",
                        "-o", "Dir::Etc::PreferencesParts=/dev/null"]  # fmt: skip
        if empty_status:
            (work / "status").touch()
            options += ["-o", f"Dir::State::status={work / 'status'}",
                        "-o", "APT::Sandbox::User=root"]  # fmt: skip
        yield work, options


def _release_pin(release: str, packages: list[str]) -> str:
    """Only ``packages`` come from ``release``; everything else keeps the host's own versions."""
    stanzas = []
    for suite in (release, f"{release}-security"):
        stanzas.append(f"Package: *\nPin: release n={suite}\nPin-Priority: 1\n")
        stanzas.append(
            f"Package: {' '.join(packages)}\nPin: release n={suite}\nPin-Priority: 990\n"
        )
    return "\n".join(stanzas)


def install_from_release(release: str, packages: list[str]) -> None:
    """Install ``packages`` from another Debian ``release`` through a throwaway apt set-up.

    The source list, package lists, pin and downloaded archives live in a temporary directory
    for this one run; the host's ``/etc/apt`` and ``/var/lib/apt/lists`` are not touched. The
    packages' dependencies come from the host's own release (the pin gives ``release`` priority
    1 for everything else).
    """
    archive, security = debian_mirrors()
    with throwaway_apt(
        release_sources(release, archive, security),
        host_sources=True,
        preferences=_release_pin(release, packages),
    ) as (_work, options):
        say(
            _("installing {packages} from Debian {release} ({archive})").format(
                packages=" ".join(packages), release=release, archive=archive
            )
        )
        done = _apt([*options, "update", "-qq"])
        if done.returncode == 0:
            done = _apt([*options, "install", "-y", "-qq", "--no-install-recommends", *packages])
        if done.returncode != 0:
            raise _fail(done, packages)


def candidate_version(package: str, entries: list[tuple[str, str]]) -> str:
    """The version of ``package`` that apt would pick from ``entries`` (``(uri, suite)`` pairs),
    through a throwaway package list (used to pin what a lab image installs, as the official
    images pin ``NGINX_VERSION``).

    Raises:
        LabError: The archive does not answer or has no such package.
    """
    sources = "".join(
        f"deb [signed-by={KEYRING} check-valid-until=no] {uri} {suite} main\n"
        for uri, suite in entries
    )
    with throwaway_apt(sources) as (_work, options):
        _apt([*options, "update", "-qq"])
        done = subprocess.run(
            ["apt-cache", *options, "policy", package], capture_output=True, text=True
        )
    for line in done.stdout.splitlines():
        key, _sep, value = line.strip().partition(":")
        if key == "Candidate" and value.strip() not in ("", "(none)"):
            return value.strip()
    raise LabError(
        _(
            "Debian {suites} offers no {package}: check that this machine reaches Debian's "
            "package mirror, then run `make setup` again."
        ).format(suites=", ".join(suite for _uri, suite in entries), package=package)
    )
