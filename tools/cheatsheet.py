"""The series' command cheat sheet, generated from the notebooks' command cells so it never drifts.

Every ``docker``, ``podman`` and ``ctr`` command a lesson runs (a ``!`` line, or a line of a
``%%bash`` cell) is grouped by its command (``docker run``, ``docker image inspect``,
``docker compose up``, ...): one row per command with the lesson's own first example and the
lessons that use it. A Python variable a line expands (``{PORT}``) is shown as ``<PORT>``.

    python tools/cheatsheet.py                 # print the Markdown (learner's edition)
    python tools/cheatsheet.py --solutions     # the instructor's: solutions' commands too
    python tools/cheatsheet.py --language ko   # the Korean sheet, from notebooks/ko
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("docker", "podman", "ctr")
#: Management commands, per tool: the command is two words (``docker image inspect``).
MANAGEMENT = {
    "docker": {
        "builder", "buildx", "compose", "container", "context", "image", "manifest", "network",
        "node", "plugin", "secret", "service", "stack", "swarm", "system", "trust", "volume",
    },
    "podman": {
        "container", "generate", "image", "kube", "machine", "network", "pod", "system",
        "volume",
    },
    "ctr": {"containers", "content", "images", "namespaces", "snapshots", "tasks"},
}  # fmt: skip
#: Global options that take a value, skipped before the command word.
GLOBAL_WITH_VALUE = {"-n", "--namespace", "-H", "--host", "--context", "-c", "--address", "-a"}


@dataclass
class Entry:
    """One command of the sheet: its first example and the lessons that run it."""

    command: str
    example: str
    lessons: list[str] = field(default_factory=list)


def is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def command_lines(cell) -> list[str]:
    """The shell lines a code cell runs: its ``!`` lines, or every line of a ``%%bash`` cell."""
    source = cell.source
    if source.startswith("%%bash"):
        return [line for line in source.splitlines()[1:] if line.strip()]
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("!"):
            lines.append(stripped[1:])
        elif re.match(r"^\w+\s*=\s*!", stripped):  # stopped = !docker ps ...
            lines.append(stripped.split("!", 1)[1])
    return lines


def _placeholders(line: str) -> str:
    """``{var}`` a ``!`` line expands becomes ``<var>``; Go templates ``{{...}}`` stay."""
    kept = re.sub(r"\{\{.*?\}\}", lambda m: m.group(0).replace("{", "\0").replace("}", "\1"), line)
    kept = re.sub(r"\{([A-Za-z_][\w.]*)\}", r"<\1>", kept)
    return kept.replace("\0", "{").replace("\1", "}")


def _one_command(text: str) -> str:
    """``text`` up to where its command ends: ``;``, ``&&``, ``||`` or an unmatched ``)``
    outside quotes (a pipe stays: it is part of what the lesson shows)."""
    quote, depth, index = "", 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return text[:index].rstrip()
            depth -= 1
        elif char == ";" or text.startswith(("&&", "||"), index):
            return text[:index].rstrip()
        index += 1
    return text.rstrip()


def commands_in(line: str) -> list[tuple[str, str]]:
    """``(command, example)`` for each tool invocation in a shell line.

    Example:
        >>> commands_in("docker rm -f $(docker ps -aq --filter label=x)")[0][0]
        'docker rm'
        >>> commands_in("docker rm -f $(docker ps -aq --filter label=x)")[1]
        ('docker ps', 'docker ps -aq --filter label=x')
        >>> commands_in("ctr -n moby containers list || echo no")[0]
        ('ctr containers list', 'ctr -n moby containers list')
    """
    found = []
    for match in re.finditer(r"(?:^|(?<=[\s;&|($`]))(docker|podman|ctr)(?=\s)", line):
        tool, rest = match.group(1), line[match.end() :].strip()
        try:
            words = shlex.split(_one_command(rest), posix=True)
        except ValueError:
            words = rest.split()
        index = 0
        while index < len(words) and words[index].startswith("-"):
            index += 2 if words[index] in GLOBAL_WITH_VALUE else 1
        if index >= len(words):
            continue
        parts = [tool, words[index]]
        if words[index] in MANAGEMENT[tool] and index + 1 < len(words):
            if not words[index + 1].startswith("-"):
                parts.append(words[index + 1])
        example = f"{tool} {_one_command(rest)}"
        found.append((" ".join(parts), _placeholders(example.strip())))
    return found


def collect(notebooks: list[Path], solutions: bool = False) -> list[Entry]:
    """The sheet's entries, in the order the series first teaches each command."""
    entries: dict[str, Entry] = {}
    for path in notebooks:
        lesson = path.name[:2]
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "code" or (is_solution(cell) and not solutions):
                continue
            for line in command_lines(cell):
                for command, example in commands_in(line):
                    entry = entries.setdefault(command, Entry(command, example))
                    if lesson not in entry.lessons:
                        entry.lessons.append(lesson)
    return list(entries.values())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


#: The sheet's words per language (the table's commands and examples are the lessons' own).
TEXTS = {
    "en": {
        "title": "Command cheat sheet",
        "intro": "Every command the lessons run, with the first example the series gives and the "
        "lessons that use it. `<NAME>` stands for a value the lesson picks (a port, a digest). In "
        "a notebook, the series' setup adds its labels to commands that create something; in a "
        "terminal, type them as shown.",
        "columns": ("command", "example", "lessons"),
    },
    "ko": {
        "title": "명령어 요약표",
        "intro": "레슨에서 실행하는 모든 명령을, 시리즈가 처음 보여 주는 예와 그 명령을 "
        "쓰는 레슨과 함께 정리했습니다. `<NAME>`은 레슨이 고르는 값(포트, 다이제스트 등)을 "
        "나타냅니다. 노트북에서는 시리즈의 준비 셀이 무언가를 만드는 명령에 시리즈의 라벨을 "
        "붙입니다. 터미널에서는 보이는 그대로 입력하면 됩니다.",
        "columns": ("명령", "예", "레슨"),
    },
}


def markdown(notebooks: list[Path], solutions: bool = False, language: str = "en") -> str:
    """The cheat sheet as a Markdown page: one table row per command."""
    texts = TEXTS[language]
    rows = [
        f"| `{_cell(e.command)}` | `{_cell(e.example)}` | {', '.join(e.lessons)} |"
        for e in collect(notebooks, solutions)
    ]
    return "\n".join(
        [
            f"# {texts['title']}",
            "",
            texts["intro"],
            "",
            "| " + " | ".join(texts["columns"]) + " |",
            "| --- | --- | --- |",
            *rows,
            "",
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/cheatsheet.py", description="the cheat sheet")
    parser.add_argument("--solutions", action="store_true", help="the instructor's")
    parser.add_argument("--language", choices=sorted(TEXTS), default="en")
    args = parser.parse_args(argv)
    folder = ROOT / "notebooks" / ("" if args.language == "en" else args.language)
    notebooks = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
    print(markdown(notebooks, solutions=args.solutions, language=args.language))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
