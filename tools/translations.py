"""Keep the Korean edition in step with the English one (issue #14).

Two kinds of text are translated, each kept where a translator expects it:

* **The helpers' sentences** (setup lines, one-sentence errors, waits, exercise checks): a
  standard gettext catalog, ``helpers/locale/ko/LC_MESSAGES/docker-notebooks.po``. ``catalog``
  extracts every ``_()``/``N_()`` message from ``helpers/`` with Babel, merges it into the
  catalog (a changed English sentence becomes *fuzzy*, a new one untranslated) and compiles the
  ``.mo`` the helpers read.
* **The lessons' prose**: one Korean jupytext source per lesson, ``notebooks/src/ko/NN-*.py``,
  cell for cell beside its English twin ``notebooks/src/NN-*.py``. Its code cells are the
  English ones (the setup call adds ``language="ko"``); each Korean markdown cell records in its
  ``en`` metadata a short hash of the English cell it translates. ``sync`` rewrites the code
  cells from English and lines the markdown cells up again; an English cell that changed keeps
  its old translation and old hash, so ``status`` (and ``tests/test_translations.py``) names it
  until a translator updates the Korean text and its ``en`` hash.

    python tools/translations.py catalog        # extract, merge, compile the helpers' catalog
    python tools/translations.py sync [NN ...]  # Korean sources: code from English, cells lined up
    python tools/translations.py mark [NN ...]  # record the English hash on newly translated cells
    python tools/translations.py status         # what is untranslated or stale; exit 1 if any

``make translations`` runs ``catalog`` and ``sync`` then ``status``.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from helpers.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
KO_SRC = SRC / "ko"
HELPERS = ROOT / "helpers"
CATALOG = LOCALE_DIR / "ko" / "LC_MESSAGES" / f"{DOMAIN}.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SETUP_CALL = re.compile(r'setup_notebook\("(\d\d)"\)')


# ------------------------------------------------------------------------------- lessons' prose


def english_hash(text: str) -> str:
    """The short hash a Korean markdown cell records of the English cell it translates."""
    return hashlib.sha256(text.strip().encode()).hexdigest()[:10]


def korean_code(source: str) -> str:
    """An English code cell as the Korean edition runs it: the same, but the setup call asks
    for Korean (``setup_notebook("06")`` -> ``setup_notebook("06", language="ko")``)."""
    return SETUP_CALL.sub(r'setup_notebook("\1", language="ko")', source)


def english_sources(prefixes: list[str] | None = None) -> list[Path]:
    sources = sorted(SRC.glob("[0-9][0-9]-*.py"))
    return [s for s in sources if not prefixes or any(s.name.startswith(p) for p in prefixes)]


def sync(english: Path) -> Path:
    """Write the Korean source of ``english``: its code cells, and the Korean markdown cells
    lined up with the English ones (found by their ``en`` hash, else by their place)."""
    target = KO_SRC / english.name
    en = jupytext.read(english)
    ko = jupytext.read(target) if target.exists() else nbformat.v4.new_notebook()
    by_hash = {c.metadata.get("en"): c for c in ko.cells if c.cell_type == "markdown"}
    old_markdown = [c for c in ko.cells if c.cell_type == "markdown"]
    cells = []
    markdown_seen = 0
    for cell in en.cells:
        if cell.cell_type != "markdown":
            code = nbformat.v4.new_code_cell(korean_code(cell.source))
            code.metadata = dict(cell.metadata)
            cells.append(code)
            continue
        wanted = english_hash(cell.source)
        if wanted in by_hash:
            kept = by_hash[wanted]
        elif markdown_seen < len(old_markdown) and old_markdown[markdown_seen].metadata.get("en"):
            kept = old_markdown[markdown_seen]  # stale: the English changed since
        else:
            kept = nbformat.v4.new_markdown_cell(cell.source)
            kept.metadata["en"] = ""  # untranslated
        markdown_seen += 1
        fresh = nbformat.v4.new_markdown_cell(kept.source)
        fresh.metadata = {**cell.metadata, "en": kept.metadata["en"]}
        cells.append(fresh)
    ko.cells = cells
    KO_SRC.mkdir(parents=True, exist_ok=True)
    write_korean(ko, target)
    return target


def write_korean(ko: nbformat.NotebookNode, target: Path) -> None:
    """Write a Korean source as the English ones are written: no jupytext header, magics
    (``!docker ...``) as typed rather than commented out."""
    ko.metadata = {"jupytext": {"notebook_metadata_filter": "-all", "comment_magics": False}}
    target.write_text(jupytext.writes(ko, fmt="py:percent"), encoding="utf-8")


def mark(english: Path) -> int:
    """Record the English hash on every Korean markdown cell that a translator has translated
    (it holds Korean) but not yet marked (``en=""``); returns how many were marked."""
    target = KO_SRC / english.name
    en, ko = jupytext.read(english), jupytext.read(target)
    marked = 0
    for e, k in zip(en.cells, ko.cells, strict=True):
        if k.cell_type == "markdown" and not k.metadata.get("en") and HANGUL.search(k.source):
            k.metadata["en"] = english_hash(e.source)
            marked += 1
    write_korean(ko, target)
    return marked


def lesson_problems(english: Path) -> list[str]:
    """What keeps the Korean twin of ``english`` from being in step (empty: in step)."""
    target = KO_SRC / english.name
    if not target.exists():
        return [f"{english.stem}: no Korean source {target.relative_to(ROOT)}"]
    en, ko = jupytext.read(english), jupytext.read(target)
    if [c.cell_type for c in en.cells] != [c.cell_type for c in ko.cells]:
        return [f"{english.stem}: the Korean cells do not line up with the English ones (sync)"]
    problems = []
    for index, (e, k) in enumerate(zip(en.cells, ko.cells, strict=True)):
        where = f"{english.stem} cell {index}"
        if e.cell_type != "markdown":
            if k.source != korean_code(e.source):
                problems.append(f"{where}: code differs from the English (sync)")
            continue
        recorded, now = k.metadata.get("en", ""), english_hash(e.source)
        if not recorded:
            problems.append(f"{where}: untranslated")
        elif recorded != now:
            problems.append(
                f"{where}: the English changed since it was translated; update the Korean, then "
                f'set en="{now}". The English now reads:\n{e.source}'
            )
        elif not HANGUL.search(k.source) and re.search(r"[A-Za-z]{4}", e.source):
            problems.append(f"{where}: no Korean in it")
    return problems


# ---------------------------------------------------------------------------- helpers' catalog


def extract():
    """Every message marked in ``helpers/`` (Babel's extractor, keywords ``_`` and ``N_``),
    the lab's included (``helpers/lab/``: the lines of ``make setup`` and the other learner's
    commands; the instructor's modules there mark nothing and add nothing)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="docker-notebooks", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(HELPERS),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None},
        comment_tags=("TRANSLATORS:",),
    ):
        template.add(message, None, [(f"helpers/{filename}", lineno)],
                     auto_comments=comments, context=context)  # fmt: skip
    return template


def read_catalog():
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="ko", domain=DOMAIN)


def write_catalog(catalog) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False)
    CATALOG.write_bytes(buffer.getvalue())
    with CATALOG.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)


def update_catalog() -> None:
    """Merge the extracted messages into the Korean catalog and compile it."""
    from babel.messages.catalog import Catalog

    template = extract()
    catalog = read_catalog() if CATALOG.exists() else Catalog(locale="ko", domain=DOMAIN)
    created = catalog.creation_date  # kept, so an unchanged catalog is an unchanged file
    catalog.update(template, no_fuzzy_matching=False, update_creation_date=False)
    catalog.creation_date = created
    catalog.obsolete.clear()
    write_catalog(catalog)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[^{}]*\}", text))


def catalog_problems() -> list[str]:
    """Messages of the helpers with no (or a fuzzy, or a mismatched) Korean translation."""
    known = {m.id: m for m in read_catalog() if m.id} if CATALOG.exists() else {}
    problems = []
    for message in extract():
        if not message.id:
            continue
        found = known.get(message.id)
        where = message.locations[0][0] if message.locations else "?"
        if found is None or not found.string:
            problems.append(f"{where}: no Korean for {message.id!r}")
        elif found.fuzzy:
            problems.append(f"{where}: the Korean of {message.id!r} is fuzzy (check, unmark)")
        elif placeholders(found.string) != placeholders(message.id):
            problems.append(f"{where}: the Korean of {message.id!r} has other {{fields}}")
    return problems


def main(argv: list[str]) -> int:
    command, *rest = argv or ["status"]
    if command == "catalog":
        update_catalog()
        print(f"{CATALOG.relative_to(ROOT)}: merged and compiled")
        return 0
    if command == "sync":
        for english in english_sources(rest):
            print(f"{sync(english).relative_to(ROOT)}: in step with {english.name}'s code")
        return 0
    if command == "mark":
        for english in english_sources(rest):
            print(f"{english.stem}: {mark(english)} translated cells marked")
        return 0
    if command == "status":
        problems = catalog_problems()
        for english in english_sources(rest):
            problems += lesson_problems(english)
        print("\n".join(problems) or "The Korean edition is in step with the English one.")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
