"""Exercise checks of lessons whose topic has no helpers module of its own.

Each check looks at what the learner made, on the engine, and returns one line: ``Pass: ...``,
or a ``Hint: ...`` saying what to look at (never the answer), in the learner's language
(:mod:`helpers.i18n`). The other lessons' checks live beside their topic's helpers
(:func:`helpers.layers.check_disk_used`, :func:`helpers.swarm.check_dnsrr_service`, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .http import http_get
from .i18n import _

if TYPE_CHECKING:
    import docker


def check_page_from_volume(
    client: docker.DockerClient, exclude: str, path: str = "/var/www/html"
) -> str:
    """Lesson 08's exercise: does a running container (other than ``exclude``) serve a page of
    its own from a named volume mounted read-only at ``path``, published on 127.0.0.1?

    Args:
        client: Engine client.
        exclude: The lesson's own container, left out (``"web-08"``).
        path: Where the volume is mounted in the container (nginx's web root on Debian).

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    served = [
        (c, m)
        for c in client.containers.list()
        if c.name != exclude
        for m in c.attrs["Mounts"]
        if m["Type"] == "volume" and m["Destination"] == path
    ]
    ports = [(c, m, b) for c, m in served for b in c.ports.get("80/tcp") or []]
    local = [(c, m, b) for c, m, b in ports if b["HostIp"] == "127.0.0.1"]
    replies = [(c, m, http_get(f"http://127.0.0.1:{b['HostPort']}")) for c, m, b in local]
    yours = [
        (c, m)
        for c, m, r in replies
        if r.status == 200 and r.title != "Welcome to nginx!" and not m["RW"]
    ]
    if yours:
        c, m = yours[0]
        return _("Pass: {name} serves your page from volume {volume}, mounted read-only.").format(
            name=c.name, volume=m["Name"]
        )
    if any(r.title == "Welcome to nginx!" for c, m, r in replies):
        return _("Hint: nginx serves its own welcome page: look at what your volume holds (ls -A).")
    if replies and all(m["RW"] for c, m, r in replies):
        return _(
            "Hint: the volume is mounted read-write: look at the options after the second colon."
        )
    if replies:
        return _("Hint: your container does not answer with a page: look at `docker logs` for it.")
    if served:
        return _("Hint: no port published on 127.0.0.1: look at the address part of your -p.")
    return _("Hint: no running container mounts a volume at {path}: look at your -v.").format(
        path=path
    )
