"""The whole series run as a learner who is not root, for the set-up tests (issue #16).

A learner has a copy of the notebooks in their home and a Python that can import the series'
packages. :func:`prepare` gives a learner made by :mod:`helpers.lab.learners` both: the
notebooks (and their data) copied into ``~/series/notebooks``, and a virtual environment of the
system's Python whose ``series.pth`` adds this environment's site-packages (the repo's own
``venv`` lives under root's home, which other users may not enter). :func:`start` runs
``tests/run_series.py`` as that learner, with their HOME and, for a rootless engine, their
``DOCKER_HOST``; :func:`results` reads the executed copies back.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.lab import learners

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SYSTEM_PYTHON = "/usr/bin/python3"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def python_for_learners() -> str | None:
    """Why no Python can run the series as a learner here, or None when the system's Python
    has this environment's version (its packages then import there too)."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"no {SYSTEM_PYTHON} to give the learner a Python"
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.stdout.strip() != str(sys.version_info[:2]):
        return f"{SYSTEM_PYTHON} is {done.stdout.strip()}, this environment {sys.version_info[:2]}"
    return None


def require_learner_python() -> None:
    """Skip (fail in CI) when no Python can run the series as a learner here."""
    from support import skip_or_fail

    why_not = python_for_learners()
    if why_not:
        skip_or_fail(why_not)


def tun_mode() -> int:
    """``/dev/net/tun``'s permission bits (rootless engines and Podman need it open)."""
    return stat.S_IMODE(learners.TUN.stat().st_mode)


def prepare(name: str) -> Path:
    """Copy the notebooks into ``name``'s home and give them a Python and the runtime folder a
    login session would (``/run/user/UID``, where Podman keeps its files); the copy's folder."""
    user = pwd.getpwnam(name)
    learners.runtime_dir(user)
    home = Path(user.pw_dir)
    venv = home / ".series-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
        where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        site = subprocess.run(
            [str(venv / "bin" / "python"), "-c", where], capture_output=True, text=True, check=True
        ).stdout.strip()
        ours = sysconfig.get_paths()["purelib"]
        Path(site, "series.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    series = home / "series"
    shutil.rmtree(series, ignore_errors=True)
    (series / "notebooks").mkdir(parents=True)
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, series / "notebooks")
    shutil.copytree(ROOT / "notebooks" / "data", series / "notebooks" / "data")
    for path in (venv, series):
        subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(path)], check=True)
    return series / "notebooks"


def start(name: str, notebooks: list[Path], docker_host: str | None = None) -> subprocess.Popen:
    """Run ``tests/run_series.py`` on ``notebooks`` as ``name``; the running process."""
    user = pwd.getpwnam(name)
    venv = Path(user.pw_dir) / ".series-venv"
    env = {
        "HOME": user.pw_dir, "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
        "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "XDG_RUNTIME_DIR": f"/run/user/{user.pw_uid}", "DOCKER_NOTEBOOKS_LOCK_WAIT": "900",
    }  # fmt: skip
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    cmd = [
        str(venv / "bin" / "python"),
        str(ROOT / "tests" / "run_series.py"),
        *map(str, notebooks),
    ]
    return subprocess.Popen(
        learners.as_user(name, cmd), env=env, cwd=user.pw_dir, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


@dataclass
class Lesson:
    """What one executed notebook printed, cell by cell (ANSI colours removed)."""

    name: str
    cells: list[tuple[str, str]] = field(default_factory=list)  # (source, everything printed)

    @property
    def text(self) -> str:
        return "\n".join(printed for _, printed in self.cells)

    def errors(self) -> list[str]:
        """Cells that raised, or printed a traceback."""
        return [
            f"{source[:80]!r}: {printed[-400:]}"
            for source, printed in self.cells
            if "\x00error" in printed or "Traceback" in printed
        ]

    def lines_starting(self, prefix: str) -> list[str]:
        """Printed lines that start with ``prefix`` (an exercise's ``Pass:`` or ``Hint:``)."""
        return [line for line in self.text.splitlines() if line.startswith(prefix)]

    def printed_by(self, fragment: str) -> str:
        """What the first code cell whose source holds ``fragment`` printed."""
        for source, printed in self.cells:
            if fragment in source:
                return printed
        raise AssertionError(f"{self.name}: no cell holds {fragment!r}")


def _printed(output) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\x00error " + "\n".join(output.traceback)
    return str(output.get("data", {}).get("text/plain", ""))


def results(folder: Path) -> dict[str, Lesson]:
    """Each executed notebook in ``folder`` by its number (``"06"``)."""
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        lesson = Lesson(path.name)
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                printed = "".join(_printed(o) for o in cell.get("outputs", []))
                lesson.cells.append((cell.source, ANSI.sub("", printed)))
        found[path.name[:2]] = lesson
    return found
