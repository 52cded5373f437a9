"""The browser and fonts for the handouts and the browser tests, from the host's own apt sources.

``make handouts`` prints each page to PDF with Debian's ``chromium``, and the browser tests drive
JupyterLab in it (Python playwright with ``executable_path``: playwright's own browser download
does not work offline). ``fonts-nanum`` gives the pages Korean glyphs, for the Korean edition
(without it, Korean text prints as boxes). A plain ``apt-get install``, skipped when all is
there.
"""

from __future__ import annotations

import shutil

from ..i18n import _
from . import apt
from .progress import say

#: Debian's browser, and a font with Korean coverage.
BROWSER_PACKAGES = ("chromium", "fonts-nanum")
#: Where Debian puts the browser (``CHROMIUM`` overrides it for the handouts and tests).
CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str | None:
    """The chromium binary the handouts and browser tests use, or None when there is none."""
    import os

    path = os.environ.get("CHROMIUM", CHROMIUM)
    return path if shutil.which(path) else None


def ensure_browser() -> str | None:
    """Install Debian's chromium and a Korean font when missing and the lab may (root, apt).

    Returns:
        The path of the chromium binary, or None when it is missing and cannot be installed.

    Raises:
        LabError: apt-get could not install the packages.
    """
    apt.install_when_allowed(BROWSER_PACKAGES)
    path = chromium_path()
    if path is None:
        say(_("chromium is not installed: as root, `make handouts` installs Debian's (apt-get)"))
    return path


def main() -> int:
    """``python -m helpers.lab.browser``: install what the handouts need, say where it is."""
    from ..errors import TutorialError

    try:
        path = ensure_browser()
    except TutorialError as exc:
        print(f"lab: {exc}")
        return 1
    if path:
        version = apt.installed_version("chromium") or "?"
        say(_("browser: {path} (chromium {version})").format(path=path, version=version))
    return 0 if path else 1


if __name__ == "__main__":
    raise SystemExit(main())
