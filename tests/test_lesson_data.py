"""Where lessons find the series' data files (helpers.state.lesson_data)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers import state as helpers_state


def test_lesson_data_is_found_beside_the_notebook_when_the_helpers_are_installed(tmp_path):
    """A classroom seat's helpers are an installed copy with no notebooks/data beside them: a
    lesson's data file then comes from the data folder beside the running notebook."""
    package = tmp_path / "site" / "helpers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shutil.copy(Path(helpers_state.__file__), package / "state.py")
    notebooks = tmp_path / "docker-notebooks"
    (notebooks / "data").mkdir(parents=True)
    (notebooks / "data" / "restart-policies.json").write_text("{}")
    ask = "from helpers.state import lesson_data; print(lesson_data('restart-policies.json'))"
    done = subprocess.run(
        [sys.executable, "-S", "-c", ask], cwd=notebooks, capture_output=True, text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.stdout.strip() == str(notebooks / "data" / "restart-policies.json"), done.stderr
    assert helpers_state.lesson_data("restart-policies.json").exists()  # a clone: its own copy
