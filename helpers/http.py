"""Small HTTP checks that show a failure as data instead of an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .containers import wait_for


@dataclass(frozen=True)
class Reply:
    """What an HTTP GET got: a status and page title, or the error that stopped it."""

    url: str
    status: int | None = None
    title: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


def _reason(exc: Exception) -> str:
    text = str(exc)
    for reason in (
        "Connection refused",
        "Connection reset by peer",
        "timed out",
        "Name or service not known",
        "Network is unreachable",
    ):
        if reason.lower() in text.lower():
            return reason
    return type(exc).__name__


def http_get(url: str, timeout: float = 3) -> Reply:
    """GET ``url`` and return a :class:`Reply`; a refused connection is data, not an exception.

    Example:
        >>> http_get("http://127.0.0.1:9").error
        'Connection refused'
    """
    import requests

    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as exc:
        return Reply(url=url, error=_reason(exc))
    match = re.search(r"<title>(.*?)</title>", response.text, re.S | re.I)
    return Reply(
        url=url, status=response.status_code, title=match.group(1).strip() if match else None
    )


def wait_http(url: str, timeout: float = 15) -> Reply:
    """Poll ``url`` until it answers with a status (bounded by ``timeout`` seconds)."""
    return wait_for(lambda: (r := http_get(url, timeout=1)).status and r, timeout, 0.1, url)
