"""The classroom cache: Debian's ``docker-registry`` in proxy mode, a pull-through cache of Docker
Hub for a room that is online behind one router.

Docker Hub lets anonymous users pull 10 times per hour per address (since 2025), and a room behind
one router shares one address: a class exhausts that in minutes. The learners' engines pull
through this cache instead (their ``registry-mirrors``), so Docker Hub sees one download per image
for the whole room. A registry in proxy mode refuses pushes, so the cache runs beside the lab
registry (``127.0.0.1:5000``), never instead of it.

The cache keeps its configuration, data, log and record (``cache.json``: what ``up`` started, so
``down`` stops exactly that) in ``<state dir>/classroom-cache/``. It listens on loopback unless
the instructor chooses another address, and then says plainly that the room can reach it.

Command line: ``python -m helpers.lab.cache up|down|status [--listen ADDR:PORT] [--upstream URL]``
(``make classroom [CACHE_LISTEN=0.0.0.0:5001]``, ``make classroom-down``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
from pathlib import Path

from ..errors import LabError, TutorialError
from ..registry_api import registry_answers
from ..state import state_dir
from . import daemon, registry_service
from . import listen as listen_mod
from .progress import say
from .records import recorded_pid

DEFAULT_LISTEN = "127.0.0.1:5001"
DEFAULT_UPSTREAM = "https://registry-1.docker.io"
DEFAULT_NAME = "classroom-cache"

#: The lab's sentence for ``docker push`` to the cache: the registry answers ``405 UNSUPPORTED``
#: ("The operation is unsupported."), and the CLI, after retrying each layer 5 times (about 50 s
#: on Engine 26.1), ends with the one word ``unsupported``.
PUSH_REFUSED = (
    "The classroom cache is a pull-through cache of Docker Hub and refuses every push: push to a "
    "registry of your own instead, such as the lab registry on 127.0.0.1:5000."
)


def cache_dir(name: str = DEFAULT_NAME) -> Path:
    """The cache's folder in the state directory: ``registry.yml``, ``registry/`` (the cached
    layers), ``registry.log`` and ``cache.json`` (what ``up`` started)."""
    return state_dir() / name


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``ADDR:PORT`` (``[::1]:5001`` for IPv6) into its address and port.

    Raises:
        LabError: ``listen`` is not ``ADDR:PORT``.

    Example:
        >>> parse_listen("0.0.0.0:5001")
        ('0.0.0.0', 5001)
    """
    return listen_mod.parse(
        listen, "The cache's address", "CACHE_LISTEN", DEFAULT_LISTEN, "0.0.0.0:5001"
    )


def _is_wildcard(host: str) -> bool:
    return host in {"0.0.0.0", "::"}


def is_loopback(listen: str) -> bool:
    """True when ``listen`` (``ADDR:PORT``) is reachable from this machine only."""
    return listen_mod.host_is_loopback(parse_listen(listen)[0])


def exposure_warning(listen: str) -> str | None:
    """The one plain sentence ``up`` prints when the cache listens beyond loopback, else None.

    Example:
        >>> exposure_warning("127.0.0.1:5001") is None
        True
    """
    if is_loopback(listen):
        return None
    return (
        f"The cache listens on {listen}, beyond this machine: every machine in the room can reach "
        "it and pull through it (and so can any other that reaches this address), so keep it to "
        "the classroom network and stop it with `make classroom-down` after class."
    )


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def local_url(listen: str) -> str:
    """Where this machine reaches the cache (loopback when it listens on every interface)."""
    host, port = parse_listen(listen)
    return _url("127.0.0.1" if _is_wildcard(host) else host, port)


def this_machine_address() -> str | None:
    """This machine's address on its default route (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("198.51.100.1", 9))
        except OSError:
            return None
        address = sock.getsockname()[0]
    return None if address.startswith("127.") else address


def learners_url(listen: str) -> str:
    """The mirror URL learners put in their ``daemon.json``: the address they reach the cache at
    (this machine's address when it listens on every interface)."""
    host, port = parse_listen(listen)
    if _is_wildcard(host):
        return _url(this_machine_address() or "THIS-MACHINES-ADDRESS", port)
    return _url(host, port)


def learner_instructions(url: str) -> str:
    """What the instructor tells learners: the ``registry-mirrors`` line, where it goes on Linux
    and in Docker Desktop, and the ``docker info`` check."""
    line = json.dumps({"registry-mirrors": [url]})
    return "\n".join(
        [
            "Learners point their engines at the cache, once per machine:",
            "  Linux: put this line in /etc/docker/daemon.json (create the file if it is missing,",
            "  or add the key to the JSON already there), then `sudo systemctl restart docker`:",
            f"    {line}",
            "  Docker Desktop (Windows, macOS): Settings → Docker Engine, add the same",
            '  "registry-mirrors" line to the JSON shown there, then Apply & restart.',
            f'  Check: `docker info` lists "Registry Mirrors:" with {url}/ ; a plain',
            "  `docker pull nginx:stable` then comes through the cache.",
        ]
    )


def push_refused_sentence(cli_output: str) -> str | None:
    """The lab's sentence (:data:`PUSH_REFUSED`) when ``cli_output`` (``docker push``'s) is the
    cache's refusal, else None."""
    lines = cli_output.strip().splitlines()
    refused = "The operation is unsupported" in cli_output or lines[-1:] == ["unsupported"]
    return PUSH_REFUSED if refused else None


def _load(name: str) -> dict:
    try:
        return json.loads((cache_dir(name) / "cache.json").read_text())
    except (OSError, ValueError):
        return {}


def _running(name: str, record: dict) -> int | None:
    """The pid of the cache ``up`` started if it still runs on this cache's configuration."""
    config = str(cache_dir(name) / "registry.yml")
    return recorded_pid({"cache": record}, "cache", config)


def _panic(log: Path, offset: int) -> str | None:
    """The ``panic: ...`` line docker-registry wrote to ``log`` after ``offset``, if any (a
    proxy-mode registry panics at start when its upstream does not answer)."""
    try:
        with open(log, errors="replace") as out:
            out.seek(offset)
            text = out.read()
    except OSError:
        return None
    lines = [line for line in text.splitlines() if line.startswith("panic: ")]
    return lines[-1].removeprefix("panic: ")[:200] if lines else None


def up(
    listen: str = DEFAULT_LISTEN, upstream: str = DEFAULT_UPSTREAM, name: str = DEFAULT_NAME
) -> dict:
    """Start the pull-through cache (idempotent) and print how learners use it.

    Args:
        listen: ``ADDR:PORT`` to listen on; anything but loopback prints :func:`exposure_warning`.
        upstream: The registry it caches: Docker Hub, or any v2 registry (the tests use one of
            their own).
        name: Its folder in the state directory (the tests use their own).

    Returns:
        ``{"started": bool, "pid", "listen", "upstream", "url", "learners_url"}``.

    Raises:
        LabError: The port is taken, docker-registry is missing and cannot be installed, or the
            upstream did not answer at start.
    """
    host, port = parse_listen(listen)
    upstream = upstream.rstrip("/")
    directory = cache_dir(name)
    record = _load(name)
    pid = _running(name, record)
    url = local_url(listen)
    if pid and (record.get("listen"), record.get("upstream")) == (listen, upstream):
        say(f"the classroom cache already runs on {listen} (pid {pid}), caching {upstream}")
        started = False
    else:
        if pid:
            say(f"stopping the classroom cache on {record.get('listen')} to start it anew")
            daemon.stop_pid(pid, "docker-registry")
        probe = "127.0.0.1" if _is_wildcard(host) else host
        if registry_service.port_taken(probe, port):
            raise LabError(
                f"Port {port} on {probe} is taken by another program: choose another address for "
                f"the cache, e.g. `make classroom CACHE_LISTEN={host}:{port + 1}`."
            )
        registry_service.install_registry(
            "The classroom cache needs Debian's docker-registry, which is not installed",
            retry="make classroom",
        )
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / "registry.log"
        offset = log.stat().st_size if log.exists() else 0
        config = registry_service.registry_config(directory / "registry", listen, upstream)
        try:
            proc, cmd = registry_service.serve(
                directory / "registry.yml", config, log, url,
                f"the classroom cache on {listen}, a pull-through cache of {upstream}",
            )  # fmt: skip
        except LabError as exc:
            panic = _panic(log, offset)
            if panic is None:
                raise
            raise LabError(
                f"The cache could not reach its upstream {upstream} at start ({panic}): connect "
                "this machine to the Internet (or pass another upstream), then run `make "
                "classroom` again."
            ) from exc
        pid = proc.pid
        record = {"pid": pid, "cmd": cmd, "log": str(log), "listen": listen, "upstream": upstream}
        (directory / "cache.json").write_text(json.dumps(record, indent=2) + "\n")
        started = True
    warning = exposure_warning(listen)
    if warning:
        say(f"warning: {warning}")
    mirror = learners_url(listen)
    if is_loopback(listen):
        say(
            f"{listen} serves this machine only: for the room, run "
            f"`make classroom CACHE_LISTEN=0.0.0.0:{port}`."
        )
    print(learner_instructions(mirror), flush=True)
    return {
        "started": started,
        "pid": pid,
        "listen": listen,
        "upstream": upstream,
        "url": url,
        "learners_url": mirror,
    }


def down(name: str = DEFAULT_NAME) -> bool:
    """Stop the cache that :func:`up` started (its record's pid, if it still runs that cache), and
    nothing else; keep what it cached. True when one was stopped."""
    directory = cache_dir(name)
    pid = _running(name, _load(name))
    if pid:
        say(f"stopping the classroom cache (pid {pid}); its cached layers stay in {directory}")
        daemon.stop_pid(pid, "docker-registry")
    else:
        say("nothing to stop: the classroom cache is not running")
    with contextlib.suppress(FileNotFoundError):
        (directory / "cache.json").unlink()
    return bool(pid)


def _stored_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def status(name: str = DEFAULT_NAME) -> dict:
    """Whether the cache runs, where, of what, and what it holds (repositories, bytes stored)."""
    import requests

    record = _load(name)
    pid = _running(name, record)
    report = {
        "running": bool(pid),
        "pid": pid,
        "listen": record.get("listen") if pid else None,
        "upstream": record.get("upstream") if pid else None,
        "stored_bytes": _stored_bytes(cache_dir(name) / "registry"),
        "log": str(cache_dir(name) / "registry.log"),
    }
    if pid:
        url = local_url(record["listen"])
        report["answers"] = registry_answers(url=url)
        report["learners_url"] = learners_url(record["listen"])
        with contextlib.suppress(requests.RequestException, ValueError):
            catalog = requests.get(f"{url}/v2/_catalog", timeout=5).json()
            report["holds"] = catalog.get("repositories") or []
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.lab.cache up|down|status``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.lab.cache",
        description="The classroom cache: a pull-through cache of Docker Hub for the room.",
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument(
        "--listen", default=DEFAULT_LISTEN, help=f"ADDR:PORT (default {DEFAULT_LISTEN})"
    )
    parser.add_argument("--upstream", default=DEFAULT_UPSTREAM, help=f"default {DEFAULT_UPSTREAM}")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            result = up(args.listen, args.upstream)
        elif args.command == "down":
            result = {"stopped": down()}
        else:
            result = status()
    except TutorialError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.command == "status":
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
