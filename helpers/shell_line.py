"""Reading a ``!`` line the way the shell will: the words of one command, and its flags.

The notebook hook (:mod:`helpers.notebook`) and the Podman helpers (:mod:`helpers.pods`) both
need, before a line runs, the names it will give what it creates (``--name X``), so a re-run
replaces the series' own X and never a learner's.
"""

from __future__ import annotations

import re
import shlex

#: Ends one shell command inside a ``!`` line (what shlex yields for ``;``, ``&&``, ...).
COMMAND_ENDS = {";", "&&", "||", "|", "&", ")", ";;", "|&"}


def words_after(cmd: str, start: int) -> list[str] | None:
    """The words of the command that goes on at ``cmd[start:]``, up to where it ends.

    Returns:
        The words, quotes resolved as the shell resolves them; None when the quotes do not
        balance (the shell will refuse the line and say so).

    Example:
        >>> words_after("docker run --name 'my web' nginx; docker ps", 10)
        ['--name', 'my web', 'nginx']
    """
    lexer = shlex.shlex(cmd[start:], posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    try:
        for word in lexer:
            if word in COMMAND_ENDS:
                break
            words.append(word)
    except ValueError:
        return None
    return words


def commands(cmd: str, pattern: re.Pattern) -> list[list[str]]:
    """The words after each command ``pattern`` finds in ``cmd`` (see :func:`words_after`);
    a command whose quotes do not balance is left out."""
    found = (words_after(cmd, match.end()) for match in pattern.finditer(cmd))
    return [words for words in found if words is not None]


def flag(words: list[str], *names: str) -> str | None:
    """The value of the first of the flags ``names`` in ``words`` (``--name X`` or
    ``--name=X``), or None.

    Example:
        >>> flag(["-d", "--name=web", "nginx"], "--name", "-n")
        'web'
    """
    for index, word in enumerate(words):
        if word in names and index + 1 < len(words):
            return words[index + 1]
        for name in names:
            if name.startswith("--") and word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def literal(name: str | None) -> bool:
    """True when ``name`` is known before the line runs: not empty, and no ``$`` or backquote
    the shell would expand first."""
    return bool(name) and "$" not in name and "`" not in name
