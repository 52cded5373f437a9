"""The setup step every notebook runs first.

:func:`setup_notebook` checks the engine (failing fast with one plain sentence), says which engine
and which registry the lesson will use, sets plot and table defaults, and makes the helpers' own
errors show as one line instead of a traceback. Nothing here happens on import.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .engine import EngineFacts, check, connect
from .errors import TutorialError


@dataclass(frozen=True)
class Setup:
    """What :func:`setup_notebook` found: the client to use and where pulls come from."""

    client: object
    facts: EngineFacts
    pulls_from: str
    waited: float = 0.0

    def __str__(self) -> str:
        waited = (
            f"Waited {self.waited:.1f} s for another notebook of the series to finish.\n"
            if self.waited >= 0.1
            else ""
        )
        return waited + (
            f"Engine: Docker {self.facts.version} (API {self.facts.api_version}), "
            f"containerd {self.facts.containerd_version}\nPulls from: {self.pulls_from}"
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _show_tutorial_error(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom exception handler: one plain line for the helpers' own errors."""
    print(f"{etype.__name__}: {value}", file=sys.stderr)


def _ipython_shell():
    """The running IPython shell, or None outside IPython (a plain script, pytest)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _run_shell_command(cmd: str) -> None:
    """``!command`` without a terminal: output streams as plain text, the exit code goes to
    ``_exit_code`` (as IPython does).

    IPython runs ``!`` commands in a pseudo-terminal, which makes ``docker pull`` draw its
    progress with terminal escape codes (unreadable in a saved notebook) and costs about 0.1 s
    per command. A pipe gives the plain output ``docker`` writes for scripts.
    """
    import subprocess

    shell = _ipython_shell()
    command = shell.var_expand(cmd, depth=1)
    with subprocess.Popen(
        command,
        shell=True,
        executable="/bin/bash",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
    shell.user_ns["_exit_code"] = proc.returncode


def _install_shell_hooks() -> None:
    """In IPython: the helpers' errors as one line, and ``!`` commands through a pipe."""
    shell = _ipython_shell()
    if shell is not None:
        shell.set_custom_exc((TutorialError,), _show_tutorial_error)
        shell.system = _run_shell_command


def _figure_png(figure) -> bytes:
    """A matplotlib Figure as PNG bytes, the way Jupyter's inline backend draws it."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _set_display_defaults() -> None:
    import matplotlib
    import pandas as pd

    shell = _ipython_shell()
    if shell is not None:
        # A Figure returned by a cell is drawn as PNG. Registered by name, so matplotlib's
        # plotting machinery loads only when a lesson draws its first figure.
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_png)

    matplotlib.rcParams.update(
        {
            "figure.figsize": (8, 4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.width", 120)


def pulls_from(facts: EngineFacts) -> str:
    """Say who serves this engine's pulls: Docker Hub, or the lab registry through the mirror."""
    from .registry_api import REGISTRY_URL, hub_reachable, registry_answers

    if REGISTRY_URL in facts.mirrors and registry_answers():
        if hub_reachable():
            return f"the lab registry mirror {REGISTRY_URL}, then Docker Hub"
        return f"the offline lab registry mirror {REGISTRY_URL} (Docker Hub is unreachable)"
    if hub_reachable():
        return "Docker Hub"
    return "nothing: Docker Hub is unreachable and no lab mirror is set up; run `make setup`"


def setup_notebook(notebook: str | None = None) -> Setup:
    """Check the engine and prepare the notebook; the first call in every lesson.

    With ``notebook``, it also takes the series lock (waiting, bounded, while another notebook
    uses the engine: :mod:`helpers.series_lock`) and removes what an earlier, interrupted run of
    this notebook left behind. The notebook's last cell, ``cleanup(notebook=...)``, lets go.

    Args:
        notebook: Short name of the notebook, e.g. ``"05"``.

    Returns:
        A :class:`Setup` with the ``client`` to use, the engine ``facts`` and ``pulls_from``.

    Raises:
        EngineUnavailable: No engine answers (with what to do).
        EnginePermissionDenied: The socket exists but this user may not use it.
        EngineTooOld: The engine is older than the series needs.
        SeriesBusy: Another notebook kept the engine longer than the lock wait.

    Example:
        >>> lab = setup_notebook("05")  # doctest: +SKIP
        >>> lab.client.ping()  # doctest: +SKIP
        True
    """
    _install_shell_hooks()
    client = connect()
    facts = check(client)
    waited = 0.0
    if notebook is not None:
        from . import series_lock
        from .cleanup import remove_leftovers

        waited = series_lock.acquire(notebook)
        remove_leftovers(notebook, client)
    _set_display_defaults()
    return Setup(client=client, facts=facts, pulls_from=pulls_from(facts), waited=waited)
