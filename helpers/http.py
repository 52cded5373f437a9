"""Small HTTP checks that show a failure as data instead of an exception."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import TutorialError
from .i18n import _
from .polling import wait_for

if TYPE_CHECKING:
    import docker


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


def _answer(url: str, timeout: float) -> Reply:
    """The first reply with a status within ``timeout`` seconds, else the refusal, as data."""
    try:
        return wait_http(url, timeout)
    except TutorialError:
        return http_get(url, timeout=1)


@dataclass(frozen=True)
class Page:
    """What one published port of a running container answered (see :func:`published_pages`)."""

    name: str
    host_ip: str
    host_port: str
    reply: Reply

    @property
    def local_only(self) -> bool:
        """True when the port listens on the loopback address only (``-p 127.0.0.1:...``)."""
        return self.host_ip in {"127.0.0.1", "::1"}


def published_pages(
    client, container_port: str = "80/tcp", exclude=(), timeout: float = 3
) -> list[Page]:
    """GET every host port on which a running container publishes ``container_port``.

    Looks at every running container (the learner's own too: it only reads), one
    :class:`Page` per distinct host port. A port published on every interface (``0.0.0.0`` or
    ``::``) is asked at 127.0.0.1. Each port gets at most ``timeout`` seconds to answer (nginx
    takes a moment to start), so a port that never answers costs a few seconds, not more.

    Args:
        client: Engine client.
        container_port: The container side of the mapping, e.g. ``"80/tcp"``.
        exclude: Names of containers to leave out, e.g. ``["nginx-exposed"]``.
        timeout: Seconds each port may take to answer.

    Returns:
        A list of :class:`Page`, oldest container first.

    Example:
        >>> [p.reply.title for p in published_pages(client)]  # doctest: +SKIP
        ['Welcome to nginx!']
    """
    excluded = {exclude} if isinstance(exclude, str) else set(exclude)
    pages = []
    for container in reversed(client.containers.list()):
        if container.name in excluded:
            continue
        seen = set()
        for binding in container.ports.get(container_port) or []:
            host_ip, host_port = binding["HostIp"], binding["HostPort"]
            if host_port in seen:
                continue
            seen.add(host_port)
            address = host_ip if host_ip not in {"", "0.0.0.0", "::"} else "127.0.0.1"
            address = f"[{address}]" if ":" in address else address
            url = f"http://{address}:{host_port}"
            pages.append(Page(container.name, host_ip, host_port, _answer(url, timeout)))
    return pages


def check_published_on_loopback(
    client: docker.DockerClient, exclude: str | Iterable[str] = ()
) -> str:
    """Lesson 06's exercise: does another running container publish port 80 on 127.0.0.1 only,
    and answer there with nginx's welcome page?

    Args:
        client: Engine client.
        exclude: Names of the lesson's own containers to leave out (``"nginx-exposed"``).

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    pages = published_pages(client, exclude=exclude)
    good = [p for p in pages if p.local_only and p.reply.title == "Welcome to nginx!"]
    if good:
        return _("Pass: {name} answers on 127.0.0.1:{port} with nginx's page.").format(
            name=good[0].name, port=good[0].host_port
        )
    if any(not p.local_only for p in pages):
        return _(
            "Hint: your container publishes on every interface: look at the address part of -p."
        )
    if pages:
        return _("Hint: {name} does not answer with nginx's page: look at `docker ps -a`.").format(
            name=pages[0].name
        )
    return _("Hint: no other running container publishes port 80: look at your -p and `docker ps`.")
