"""The helpers speak the learner's language (issue #14): every sentence they print or raise has a
Korean translation in the catalog, the compiled catalog is the one the helpers read, the
language is chosen in the documented order, and the Korean notebooks' stored outputs are
sanitized as the English ones are.
"""

from __future__ import annotations

import configparser
import gettext
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from support import assert_one_sentence

from helpers import i18n
from helpers.i18n import _, language, set_language

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import translations  # noqa: E402  (tools/translations.py)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture
def environment(monkeypatch):
    """No language chosen by a setup call, the environment or the locale; restored after."""
    for variable in (i18n.LANGUAGE_ENV, *LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    set_language(None)
    yield monkeypatch
    set_language(None)


# ----------------------------------------------------------------------------------- catalog


def test_every_message_of_the_helpers_has_a_korean_translation_with_the_same_fields():
    extracted = [m for m in translations.extract() if m.id]
    assert len(extracted) > 150, "the extraction found too few messages: is _() still used?"
    assert translations.catalog_problems() == []


def test_the_committed_mo_is_a_fresh_compile_of_the_po():
    po = translations.CATALOG
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="ko", domain=translations.DOMAIN)
    wanted = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    compiled = gettext.GNUTranslations(io.BytesIO(po.with_suffix(".mo").read_bytes()))
    found = {k: v for k, v in compiled._catalog.items() if k}  # "" is the header
    assert found == wanted, "run `python tools/translations.py catalog` to compile the .mo"


def test_the_helpers_read_the_catalog_from_their_own_package():
    """The .mo sits where helpers.i18n looks (and pyproject ships it as package data)."""
    assert translations.CATALOG.with_suffix(".mo") == (
        i18n.LOCALE_DIR / "ko" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    )
    assert "locale/*/LC_MESSAGES/*.mo" in (ROOT / "pyproject.toml").read_text()


# ----------------------------------------------------------------------- choosing the language


def test_english_when_nothing_chooses(environment):
    assert language() == "en"
    environment.setenv("LANG", "C.UTF-8")
    assert language() == "en"
    assert _("Pulls from: {source}") == "Pulls from: {source}"


@pytest.mark.parametrize(
    "variable, value",
    [("LANG", "ko_KR.UTF-8"), ("LC_MESSAGES", "ko_KR.UTF-8"), ("LC_ALL", "ko_KR"),
     ("LANGUAGE", "ko:en")],
)  # fmt: skip
def test_the_learners_korean_locale_chooses_korean(environment, variable, value):
    environment.setenv(variable, value)
    assert language() == "ko"
    assert _("Pulls from: {source}") == "이미지 출처: {source}"


def test_locale_variables_in_order_lc_all_first(environment):
    environment.setenv("LANG", "ko_KR.UTF-8")
    environment.setenv("LC_ALL", "en_US.UTF-8")
    assert language() == "en"
    environment.setenv("LC_ALL", "ko_KR.UTF-8")
    environment.setenv("LANG", "en_US.UTF-8")
    assert language() == "ko"


def test_the_series_variable_beats_the_locale(environment):
    environment.setenv("LANG", "ko_KR.UTF-8")
    environment.setenv(i18n.LANGUAGE_ENV, "en")
    assert language() == "en"
    environment.setenv("LANG", "en_US.UTF-8")
    environment.setenv(i18n.LANGUAGE_ENV, "ko")
    assert language() == "ko"


def test_the_setup_calls_choice_beats_everything(environment):
    environment.setenv(i18n.LANGUAGE_ENV, "ko")
    environment.setenv("LC_ALL", "ko_KR.UTF-8")
    set_language("en")
    assert language() == "en"
    set_language("ko")
    environment.setenv(i18n.LANGUAGE_ENV, "en")
    assert language() == "ko"
    set_language(None)  # back to the environment's choice
    assert language() == "en"


def test_a_language_without_an_edition_is_refused_in_one_sentence(environment):
    set_language("ko")
    with pytest.raises(ValueError) as info:
        set_language("fr")
    assert_one_sentence(str(info.value))
    assert "'fr'" in str(info.value) and "ko" in str(info.value)
    assert language() == "ko"  # the refused call changed nothing


# ------------------------------------------------------- sentences kept in tables, shown later


def test_table_sentences_are_translated_when_shown(environment):
    from helpers.errors import explain_cli_output
    from helpers.notebook import _set_aside, _set_aside_cell
    from helpers.swarm import OVERLAY_SET_ASIDE

    output = "Bind for 127.0.0.1:8080 failed: port is already allocated."
    english = explain_cli_output(output)
    set_language("ko")
    korean = explain_cli_output(output)
    assert english.startswith("A host port this command publishes") and HANGUL.search(korean)
    assert_one_sentence(korean)
    _set_aside["overlay network"] = OVERLAY_SET_ASIDE
    try:
        [line] = _set_aside_cell(["# needs: overlay network\n", "!docker network ls\n"])
    finally:
        del _set_aside["overlay network"]
    assert line == f"print({_(OVERLAY_SET_ASIDE)!r})\n" and HANGUL.search(line)


# ------------------------------------------------------------------------------ the lab's lines


NOTHING_TO_STOP = {
    "ko_KR.UTF-8": "멈출 것이 없습니다: "
    "랩이 시작한 엔진이나 레지스트리 중 아직 실행 중인 것이 없습니다",
    "C.UTF-8": "nothing to stop: the lab started no engine or registry that is still running",
}


@pytest.mark.parametrize("locale, said", NOTHING_TO_STOP.items())
def test_the_lab_speaks_the_learners_locale(tmp_path, locale, said):
    """``make lab-down`` (``python -m helpers.lab down``) with nothing recorded in a fresh state
    directory: no engine, no root, its one ``lab: ...`` line in the locale's language (English
    byte for byte under the C locale)."""
    env = {k: v for k, v in os.environ.items() if k not in (i18n.LANGUAGE_ENV, *LOCALE_VARIABLES)}
    env.update(LANG=locale, DOCKER_NOTEBOOKS_STATE=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "helpers.lab", "down"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"lab: {said}\n"


# --------------------------------------------------------------------------- stored outputs


def _sanitize(text: str) -> str:
    """``text`` after tests/sanitize.cfg, section by section in file order, as nbval does."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "sanitize.cfg", encoding="utf-8")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_helpers_varying_lines_are_sanitized_in_each_language(environment, code):
    """The setup cell's wait line, the busy notice and lesson 05's ID twins read alike from run
    to run once sanitized, in English and in Korean."""
    from helpers.containers import IdTwins
    from helpers.series_lock import busy_notice

    set_language(code)
    engine = _("Engine: Docker {version} (API {api}), containerd {containerd}")

    def setup_lines(waited: float | None, version: str) -> str:
        wait = ""
        if waited is not None:
            wait = _("Waited {seconds:.1f} s for another notebook of the series to finish.")
            wait = wait.format(seconds=waited) + "\n"
        return wait + engine.format(version=version, api="1.45", containerd="1.6.20") + "\n"

    runs = [
        setup_lines(None, "26.1.5+dfsg1")
        + busy_notice({"notebook": "05", "pid": 4242}, 60)
        + "\n"
        + str(IdTwins(("twin-a", "twin-b"), "7")),
        setup_lines(3.4, "20.10.24+dfsg1")
        + busy_notice({"notebook": "09", "pid": 7, "user": "someone-else"}, 900)
        + "\n"
        + str(IdTwins(("twin-a", "twin-b"), "c")),
        setup_lines(12.0, "28.0.1"),
    ]
    first, second, third = map(_sanitize, runs)
    assert first == second, (first, second)
    assert third == first.split("\n", 1)[0] + "\n"  # no notice, no twins: the setup line alone
    if code == "ko":
        assert HANGUL.search(first)
