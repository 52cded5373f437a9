"""Lesson working folders (helpers.workdir): made with a marker, removed only with it."""

from __future__ import annotations

import pytest

from helpers import workdir


@pytest.fixture
def isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_NOTEBOOKS_STATE", str(tmp_path / "state"))
    return tmp_path


def test_a_lesson_folder_is_made_marked_and_removed_by_its_clean_up(isolated_state):
    folder = workdir.lesson_folder("99", root=isolated_state)
    (folder / "index.html").write_text("<h1>Mine</h1>")
    assert folder.name == "work-99" and (folder / workdir.MARKER).exists()
    assert workdir.lesson_folder("99", root=isolated_state) == folder  # re-run: same folder
    assert workdir.remove_lesson_folders("98") == []
    assert workdir.remove_lesson_folders("99") == [str(folder)]
    assert not folder.exists()


def test_a_learners_folder_of_the_same_name_is_refused_and_never_removed(isolated_state):
    mine = isolated_state / "work-99"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(workdir.NotOwnedError, match="did not make"):
        workdir.lesson_folder("99", root=isolated_state)
    assert workdir.remove_lesson_folders() == []
    assert (mine / "notes.txt").read_text() == "mine"


def test_a_folder_that_lost_its_marker_stays(isolated_state):
    folder = workdir.lesson_folder("99", root=isolated_state)
    (folder / workdir.MARKER).unlink()
    assert workdir.remove_lesson_folders("99") == []
    assert folder.exists()
