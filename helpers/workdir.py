"""Per-lesson working folders: where a lesson writes the files it teaches with (a Dockerfile, an
``index.html``, a ``compose.yaml``), so a learner can open them in JupyterLab's file browser.

A lesson's folder is ``work-NN`` beside the notebook. It holds a marker file saying the series
made it, and the series' clean-up removes the folder only when that marker is there: a folder of
the learner's that happens to have the same name is never deleted. Nothing else is written
outside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import NotOwnedError
from .i18n import _
from .state import locked_json

#: The file that marks a folder as the series' own.
MARKER = ".made-by-docker-notebooks"


def lesson_folder(notebook: str, root: Path | None = None) -> Path:
    """Create (or reuse) lesson ``notebook``'s working folder and return its absolute path.

    Args:
        notebook: The lesson, e.g. ``"07"``.
        root: Where to put it; the current directory (the notebook's own folder) when omitted.

    Returns:
        ``<root>/work-NN``, existing, with the series' marker in it.

    Raises:
        NotOwnedError: A ``work-NN`` exists there without the marker: it is not the series'.

    Example:
        >>> folder = lesson_folder("07")  # doctest: +SKIP
        >>> (folder / "index.html").write_text("<h1>Mine</h1>")  # doctest: +SKIP
    """
    folder = ((root or Path.cwd()) / f"work-{notebook}").resolve()
    if folder.exists() and not (folder / MARKER).exists():
        raise NotOwnedError(
            _(
                "A folder {folder} exists that this series did not make: rename or remove it, "
                "then run this cell again."
            ).format(folder=folder)
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        f"Lesson {notebook} of docker-notebooks made this folder; its clean-up removes it.\n"
    )
    with locked_json("lesson-folders") as record:
        record[notebook] = sorted({*record.get(notebook, []), str(folder)})
    return folder


def remove_lesson_folders(notebook: str | None = None) -> list[str]:
    """Remove the working folders lesson ``notebook`` (every lesson when None) made.

    Only folders recorded by :func:`lesson_folder` that still hold the marker go.

    Returns:
        The paths removed.
    """
    removed = []
    with locked_json("lesson-folders") as record:
        for name in [notebook] if notebook else list(record):
            for path in record.pop(name, []):
                folder = Path(path)
                if (folder / MARKER).exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(path)
    return removed
