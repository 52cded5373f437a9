"""One bounded wait for everything the series waits on: a port, a restart, a daemon, a registry.

Every wait in the helpers and the lab polls a condition with :func:`wait_for` instead of writing
its own deadline loop or sleeping a fixed time, so a slow machine waits longer and a fast one not
at all, and every wait that runs out says the same kind of plain sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from .errors import TutorialError
from .i18n import N_, _

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    timeout: float = 30,
    interval: float = 0.1,
    what: str = N_("it"),
    hint: str = N_("check `docker ps -a`"),
    error: type[TutorialError] = TutorialError,
) -> T:
    """Poll ``condition`` until it returns something truthy; bounded, never a fixed sleep.

    Args:
        condition: Called again and again; may raise to abort the wait.
        timeout: Seconds before giving up.
        interval: Seconds between two calls.
        what: What is awaited, for the message ("port 8080 to answer"), in the learner's
            language (``_("...")``; an English message of the catalog is translated here too).
        hint: What the learner should do when the wait runs out (likewise).
        error: The :class:`TutorialError` subclass to raise.

    Returns:
        The first truthy value ``condition`` returned.

    Raises:
        TutorialError: ``timeout`` seconds passed first (or the ``error`` class given).

    Example:
        >>> wait_for(lambda: 42, timeout=1)
        42
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise error(
                _("Waited {timeout:g} s for {what} in vain: {hint}.").format(
                    timeout=timeout, what=_(what), hint=_(hint)
                )
            )
        time.sleep(interval)
