"""The learner's language for what the helpers print: English, or Korean in the Korean edition.

Every sentence the helpers print or raise for a learner (the setup lines, the one-sentence
errors, the waits, the exercise checks, and the lab's lines of ``make setup``, ``make
lab-status`` and ``make lab-down``) is marked with :func:`_` and kept in a standard gettext
catalog, ``helpers/locale/<language>/LC_MESSAGES/docker-notebooks.po``, which
``make translations`` (``tools/translations.py``, with Babel) extracts, merges and compiles to
the ``.mo`` file read here. English is the source language and needs no catalog.

The language is, first match wins: the one a notebook's setup call names
(``setup_notebook("06", language="ko")``, as every Korean lesson does), then
``$DOCKER_NOTEBOOKS_LANG``, then the learner's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
``LANGUAGE``), else English.

Sentences kept in module-level tables are marked with :func:`N_` (which returns them
unchanged, so they are translated when shown, not when the module is imported).
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

#: The gettext domain of the helpers' catalog.
DOMAIN = "docker-notebooks"
#: Where the catalogs live (inside the package, so an installed copy carries them).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The editions of the series: English (the source) and Korean.
LANGUAGES = ("en", "ko")
#: Environment variable that chooses the language when no setup call did.
LANGUAGE_ENV = "DOCKER_NOTEBOOKS_LANG"

_chosen: str | None = None


def _from_locale() -> str | None:
    """The edition the learner's locale asks for, or None (the C or an English locale)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(":")[0].split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else None
    return None


def language() -> str:
    """The language the helpers speak now: ``"en"`` or ``"ko"``.

    Example:
        >>> set_language("ko"); language()
        'ko'
        >>> set_language(None)
    """
    if _chosen:
        return _chosen
    wanted = os.environ.get(LANGUAGE_ENV, "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    return _from_locale() or "en"


def set_language(code: str | None) -> None:
    """Speak ``code`` (``"en"`` or ``"ko"``) from now on in this process; None goes back to
    the environment's choice.

    Raises:
        ValueError: ``code`` is not one of :data:`LANGUAGES`.
    """
    global _chosen
    if code is not None and code not in LANGUAGES:
        raise ValueError(
            f"The series has no edition in {code!r}: use one of {', '.join(LANGUAGES)}."
        )
    _chosen = code


@functools.cache
def _translations(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language (itself in English, or when it has no translation).

    Example:
        >>> set_language("ko"); _("Pulls from: {source}")
        '이미지 출처: {source}'
        >>> set_language("en"); _("Pulls from: {source}")
        'Pulls from: {source}'
        >>> set_language(None)
    """
    if not message:
        return message
    return _translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translate with :func:`_`
    where it is shown)."""
    return message
