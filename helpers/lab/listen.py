"""The ``ADDR:PORT`` an instructor gives a service the lab runs for a room (the classroom
cache, the classroom server): read it, and tell whether it stays on this machine."""

from __future__ import annotations

import ipaddress

from ..errors import LabError


def parse(listen: str, what: str, variable: str, default: str, room: str) -> tuple[str, int]:
    """Split ``listen`` (``[::1]:5001`` for IPv6) into its address and port.

    Args:
        listen: The ``ADDR:PORT`` given.
        what: The service, for the sentence (``"The cache's address"``).
        variable: The make variable that sets it (``"CACHE_LISTEN"``).
        default: Its loopback default; ``room``: an every-interface example.

    Raises:
        LabError: ``listen`` is not ``ADDR:PORT``.

    Example:
        >>> parse("[::1]:5001", "The cache's address", "CACHE_LISTEN", "127.0.0.1:5001", "x")
        ('::1', 5001)
    """
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise LabError(
            f"{what} {listen!r} is not ADDR:PORT: give one such as "
            f"{variable}={default} (this machine only) or {room} (the room)."
        )
    return host.strip("[]"), int(port)


def host_is_loopback(host: str) -> bool:
    """True when ``host`` is reachable from this machine only (a name other than
    ``localhost`` may resolve to any address).

    Example:
        >>> host_is_loopback("127.0.0.1"), host_is_loopback("0.0.0.0"), host_is_loopback("::1")
        (True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
