"""The lab's three commands: ``up`` (idempotent), ``status`` and ``down``.

``up`` uses an engine that already answers and never reconfigures or restarts it, or installs and
starts one (:mod:`.dockerd`); when Docker Hub is unreachable it runs the lab registry on
``REGISTRY_HOST`` (:mod:`helpers.registry_api`) and seeds it, once, with the lab images
(:mod:`.images`). A second ``up`` finds them there and finishes in about a second. ``status``
reports the engine, who serves pulls and what the lab registry holds; ``down`` stops only what
``up`` started and leaves images and containers alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .. import engine as engine_mod
from ..errors import TutorialError
from ..i18n import N_, _
from ..registry_api import REGISTRY_URL, hub_reachable, registry_answers, registry_catalog
from ..setups import describe, setup_kind
from . import daemon
from .dockerd import engine_origin, ensure_engine
from .images import LAB_IMAGES, seed
from .podman import ensure_podman, podman_version
from .progress import say
from .records import load_state, recorded_pid, save_state
from .registry_service import ensure_registry

#: What ``status`` reports in words (kept in English in its report, which ``--json`` prints
#: and the tests read; :func:`status_lines` shows them in the learner's language).
REACHABLE, UNREACHABLE = N_("reachable"), N_("unreachable")
PODMAN_MISSING = N_("not installed (make setup installs it as root)")
PULLS_FROM_NOTHING = N_("nothing: run `make setup`")
PULLS_FROM_MIRROR = N_("lab registry mirror {url}")
_STATUS_WORDS = {REACHABLE, UNREACHABLE, PODMAN_MISSING, PULLS_FROM_NOTHING, "Docker Hub"}


def _buildx_and_compose() -> dict[str, str]:
    """The versions of the CLI plugins the lessons use (``docker buildx``, ``docker compose``)."""
    import shutil
    import subprocess

    found = {}
    for plugin in ("buildx", "compose"):
        if shutil.which("docker") is None:
            found[plugin] = "missing (no docker CLI)"
            continue
        done = subprocess.run(["docker", plugin, "version"], capture_output=True, text=True)
        words = done.stdout.split()
        version = next((w for w in words if w[:1].isdigit() or w[:2] == "v2"), None)
        found[plugin] = version or "missing"
    return found


def setup_line(facts: engine_mod.EngineFacts) -> str:
    """Which learner's set-up ``facts`` show (:mod:`helpers.setups`): its description, then its
    kind in brackets.

    Example:
        >>> from helpers.engine import EngineFacts, Endpoint
        >>> facts = EngineFacts("26.1.5", "1.45", "1.6.20", "linux/amd64",
        ...                     Endpoint("unix:///run/user/1001/docker.sock", "DOCKER_HOST"), (),
        ...                     rootless=True)
        >>> print(setup_line(facts))  # doctest: +ELLIPSIS
        a rootless engine of your own, in a network of its own: ... (rootless)
    """
    return f"{describe(facts)} ({setup_kind(facts)})"


def up() -> dict:
    """Bring the lab up (idempotent) and return a summary of what it found and did.

    It says which learner's set-up it found (``set-up: ...``). A learner who is not root and
    reaches no engine gets one sentence naming their two ways forward, and nothing starts.
    """
    started = time.monotonic()
    state = load_state()
    client, origin = ensure_engine(state)
    facts = engine_mod.check(client)
    say(_("engine: {facts} [{origin}]").format(facts=facts, origin=origin))
    say(_("set-up: {setup}").format(setup=setup_line(facts)))
    summary = {
        "engine": origin, "engine_version": facts.version, "setup": setup_kind(facts), "built": [],
    }  # fmt: skip
    if hub_reachable():
        say(_("Docker Hub answers: lessons pull from it directly; the lab registry is not needed."))
        summary["pulls_from"] = "Docker Hub"
    else:
        summary["registry"] = ensure_registry(state)
        summary["built"] = seed()
        summary["pulls_from"] = "lab registry mirror"
        if summary["built"]:
            built = ", ".join(summary["built"])
            say(_("seeded the lab registry with {images}").format(images=built))
        else:
            held = ", ".join(i.hub_name for i in LAB_IMAGES)
            say(_("lab registry already seeded: {images}").format(images=held))
        if REGISTRY_URL not in facts.mirrors:
            say(
                _(
                    "warning: Docker Hub is unreachable and this engine has no registry mirror, "
                    'so plain `docker pull nginx` fails: add "registry-mirrors": ["{url}"] to '
                    "/etc/docker/daemon.json and restart Docker."
                ).format(url=REGISTRY_URL)
            )
    summary["podman"] = ensure_podman()
    summary["seconds"] = round(time.monotonic() - started, 1)
    say(_("ready in {seconds} s").format(seconds=summary["seconds"]))
    return summary


def status() -> dict:
    """Report the engine and its version, its CLI plugins, who serves pulls, and what the lab
    registry holds."""
    facts = engine_mod.check()
    hub = hub_reachable()
    registry = registry_answers()
    report = {
        "engine": str(facts),
        "set-up": setup_line(facts),
        "engine_version": facts.version,
        "engine_origin": engine_origin(load_state()),
        "cli_plugins": _buildx_and_compose(),
        "podman": podman_version() or PODMAN_MISSING,
        "docker_hub": REACHABLE if hub else UNREACHABLE,
        "mirror": REGISTRY_URL if REGISTRY_URL in facts.mirrors else None,
        "lab_registry": REGISTRY_URL if registry else None,
        "catalog": registry_catalog() if registry else {},
    }
    if hub:
        report["pulls_from"] = "Docker Hub"
    elif registry and report["mirror"]:
        report["pulls_from"] = PULLS_FROM_MIRROR.format(url=REGISTRY_URL)
    else:
        report["pulls_from"] = PULLS_FROM_NOTHING
    return report


def status_lines(report: dict) -> list[str]:
    """The lines ``status`` prints for ``report``: ``key: value``, the values that are words
    in the learner's language, then the lab registry's repositories and tags.

    Example:
        >>> from helpers.i18n import set_language
        >>> report = {"docker_hub": "unreachable", "catalog": {"library/nginx": ["stable"]}}
        >>> set_language("en"); status_lines(report)
        ['docker_hub: unreachable', '  library/nginx: stable']
        >>> set_language("ko"); status_lines(report)[0]
        'docker_hub: 닿지 않음'
        >>> set_language(None)
    """
    lines = []
    for key, value in report.items():
        if key == "catalog":
            lines += [f"  {repo}: {', '.join(tags)}" for repo, tags in value.items()]
            continue
        if isinstance(value, str) and value in _STATUS_WORDS:
            value = _(value)
        elif value == PULLS_FROM_MIRROR.format(url=REGISTRY_URL):
            value = _(PULLS_FROM_MIRROR).format(url=REGISTRY_URL)
        lines.append(f"{key}: {value}")
    return lines


def down() -> list[str]:
    """Stop the registry and engine that ``up`` started, and nothing else; keep images."""
    state = load_state()
    stopped = []
    for key, name in (("registry", "docker-registry"), ("dockerd", "dockerd")):
        pid = recorded_pid(state, key, name)
        if pid:
            say(_("stopping {name} (pid {pid})").format(name=name, pid=pid))
            daemon.stop_pid(pid, name)
            stopped.append(name)
        state.pop(key, None)
    save_state(state)
    if not stopped:
        say(_("nothing to stop: the lab started no engine or registry that is still running"))
    return stopped


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.lab up|status|down``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.lab", description="The offline lab: engine and registry mirror."
    )
    parser.add_argument("command", choices=["up", "status", "down"])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = {"up": up, "status": status, "down": down}[args.command]()
    except TutorialError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.command == "status":
        for line in status_lines(result):
            print(line)
    return 0
