"""Driving the series live, as an instructor does: every cell run twice in a row, the setup cell
run again halfway through, a second notebook opened while another holds the engine, a kernel
that dies holding it. None of it may end in an error or a traceback.

The notebooks run for real (nbclient, the ``python3`` kernel, the real engine, ``notebooks/`` as
the working directory). A notebook that fails keeps its executed copy under pytest's tmp_path.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from support import assert_one_sentence

from helpers import series_lock
from helpers.errors import SeriesBusy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
CELL_TIMEOUT = 1200  # a setup cell may wait for another notebook (DOCKER_NOTEBOOKS_LOCK_WAIT)


# --------------------------------------------------------------------------- the series lock


@pytest.fixture
def own_state(tmp_path, monkeypatch):
    """A state directory and lock folder of its own, so these tests neither wait for nor block
    real notebooks."""
    monkeypatch.setenv("DOCKER_NOTEBOOKS_STATE", str(tmp_path))
    monkeypatch.setenv(series_lock.LOCK_DIR_ENV, str(tmp_path / "locks"))
    series_lock.release()
    yield tmp_path
    series_lock.release()


HOLD = (
    "from helpers import series_lock; series_lock.acquire('04'); print('held', flush=True); "
    "import time; time.sleep(120)"
)


@pytest.fixture
def other_kernel(own_state):
    """Another kernel holding the lock for notebook 04."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_a_busy_engine_is_told_at_once_naming_the_holder_and_the_way_out(other_kernel):
    told = []
    start = time.monotonic()

    def notice(sentence):
        told.append((time.monotonic() - start, sentence))

    with pytest.raises(SeriesBusy):
        series_lock.acquire("05", wait=2.0, notice=notice)
    assert len(told) == 1, told
    after, sentence = told[0]
    assert after < 0.5, f"the notice came after {after:.1f} s"
    assert_one_sentence(sentence)
    assert f"Notebook 04 (kernel process {other_kernel.pid})" in sentence
    assert "run its Clean up cell or shut down its kernel" in sentence


def test_a_killed_holder_blocks_nobody(other_kernel):
    other_kernel.kill()  # the kernel crashed, or was restarted or shut down
    other_kernel.wait()
    told = []
    start = time.monotonic()
    waited = series_lock.acquire("05", wait=30, notice=told.append)
    assert time.monotonic() - start < 0.5 and waited < 0.5
    assert told == []
    assert series_lock.held_by() == "05"


def test_running_setup_again_in_the_same_kernel_neither_waits_nor_deadlocks(own_state):
    assert series_lock.acquire("05", wait=0.5) < 0.5
    told = []
    start = time.monotonic()
    assert series_lock.acquire("05", wait=0.5, notice=told.append) == 0.0
    assert time.monotonic() - start < 0.1 and told == []
    assert series_lock.holder() == {"notebook": "05", "pid": os.getpid(), "user": getpass.getuser()}


# --------------------------------------------------------------------------- whole notebooks


def _code_cells(notebook) -> list[int]:
    return [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def _setup_cell(notebook) -> int:
    found = [i for i in _code_cells(notebook) if "setup_notebook(" in notebook.cells[i].source]
    assert found, "no cell calls setup_notebook"
    return found[0]


def each_code_cell_twice(notebook):
    """A copy of ``notebook`` with every code cell followed by a copy of itself."""
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if cell.cell_type == "code":
            cells.append(nbformat.from_dict({**cell, "id": f"{cell.get('id', 'cell')}-again"}))
    return nbformat.from_dict({**notebook, "cells": cells})


def setup_again_halfway(notebook):
    """A copy of ``notebook`` with its setup cell run again after half of its code cells."""
    code = _code_cells(notebook)
    setup = notebook.cells[_setup_cell(notebook)]
    halfway = code[len(code) // 2]
    cells = list(notebook.cells)
    cells.insert(halfway, nbformat.from_dict({**setup, "id": f"{setup.get('id', 'cell')}-again"}))
    return nbformat.from_dict({**notebook, "cells": cells})


def _text(output) -> str:
    return (
        output.get("text", "")
        + str(output.get("data", {}).get("text/plain", ""))
        + "\n".join(output.get("traceback", []))
        + output.get("evalue", "")
    )


def run_and_list_errors(notebook, keep: Path) -> list[str]:
    """Execute ``notebook`` to the end, errors or not; one line per cell that failed."""
    replies: dict[int, str] = {}
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.update(
            {cell_index: execute_reply["content"]["status"]}
        ),
    )
    try:
        client.execute()
    finally:
        nbformat.write(notebook, keep)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        texts = [_text(output) for output in cell.outputs]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        traceback = any("Traceback" in text for text in texts)
        if errors or traceback or replies.get(index) == "error":
            last = "".join(texts).strip().splitlines() or ["(no output)"]
            said = f"{errors[0].ename}: {errors[0].evalue}" if errors else last[-1]
            first = (cell.source.strip().splitlines() or [""])[0]
            problems.append(f"cell {index} `{first[:70]}`: {said[:300]}")
    return problems


@pytest.fixture
def leftovers_removed(client, path):
    """What the notebook left (an error can stop it before its Clean up cell) goes afterwards,
    under the series lock so no other notebook's run is touched."""
    yield
    from helpers.cleanup import remove_leftovers

    series_lock.acquire("tests-live-safety")
    try:
        remove_leftovers(path.name[:2], client)
    finally:
        series_lock.release("tests-live-safety")


IDS = [p.name[:2] for p in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
@pytest.mark.usefixtures("leftovers_removed")
def test_every_cell_twice_in_a_row_and_the_setup_again_halfway(path, tmp_path):
    """One run of each notebook drives it the two ways an instructor does: every code cell run
    twice in a row (the second run of each meets what the first left), and the setup cell run
    again after half of the notebook (mid-lesson, with the lesson's things on the engine)."""
    notebook = setup_again_halfway(each_code_cell_twice(nbformat.read(path, as_version=4)))
    problems = run_and_list_errors(notebook, tmp_path / f"live-{path.name}")
    assert not problems, f"{path.name}, each cell twice, setup again halfway:\n" + "\n".join(
        problems
    )


def test_the_live_copy_has_each_cell_twice_and_the_setup_once_more_halfway():
    """The live copy really is what the test above says (so that test can fail)."""
    original = nbformat.read(NOTEBOOKS[0], as_version=4)
    live = setup_again_halfway(each_code_cell_twice(original))
    code = [c.source for c in live.cells if c.cell_type == "code"]
    sources = [c.source for c in original.cells if c.cell_type == "code"]
    setup = next(s for s in sources if "setup_notebook(" in s)
    assert len(code) == 2 * len(sources) + 1
    assert code.count(setup) == 3 and code[0] == code[1] == setup
    halfway = len(code) // 2
    assert setup in code[halfway - 1 : halfway + 2]
