"""Podman for lesson 11: its configuration for the series, and clean-up of the series' Pods.

Podman runs Pods for real (an infra container that holds the Pod's namespaces, and the Pod's
containers joined to it), with its own image store and containers, apart from the Docker
Engine's. A lesson never writes into ``/etc``: :func:`setup_podman` writes the series' own
``registries.conf`` (and, where this machine needs it, a ``containers.conf``) into the series'
state folder and points ``CONTAINERS_REGISTRIES_CONF`` / ``CONTAINERS_CONF`` at them in the
kernel's environment, so every ``!podman`` line uses them.

What the series makes with Podman carries its labels, as with Docker: the ``!`` hook adds
``--label`` to ``podman pod create`` and ``podman run``/``create``
(:func:`helpers.notebook.label_docker_runs`). ``podman kube play`` takes no ``--label`` in Podman
4.3, so there the hook adds the same pairs as ``--annotation``, which the Pod's containers carry;
:func:`remove_leftovers` selects by either, and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import NotOwnedError, TutorialError
from .i18n import _
from .labels import project_labels
from .registry_api import REGISTRY_HOST
from .shell_line import flag, literal, words_after
from .state import locked_json, state_dir

#: The open-files limit (``RLIMIT_NOFILE``, soft and hard) Podman 4.3 gives each container
#: unless ``default_ulimits`` in containers.conf says otherwise.
PODMAN_NOFILE = 1048576


class PodmanMissing(TutorialError):
    """Podman is not installed on this machine."""


def podman_installed() -> bool:
    """True when a ``podman`` command is on the PATH."""
    return shutil.which("podman") is not None


def _podman(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check)


def _json(*args: str) -> list[dict]:
    done = _podman(*args)
    try:
        return json.loads(done.stdout or "[]") or []
    except ValueError:
        return []


def podman_version() -> str | None:
    """The version ``podman --version`` reports (``4.3.1``), or None without Podman."""
    if not podman_installed():
        return None
    words = _podman("--version").stdout.split()
    return words[-1] if words else None


# --------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class PodmanSetup:
    """What :func:`setup_podman` found and set."""

    version: str
    registries_conf: Path
    #: The series' containers.conf, or None when Podman's defaults work on this machine.
    containers_conf: Path | None
    nofile_hard: int

    def __str__(self) -> str:
        lines = [
            _("Podman {version}: its own images and containers, apart from Docker's.").format(
                version=self.version
            ),
            _(
                "Pulls of docker.io/... go to the lab registry {host} first, as its mirror "
                "(CONTAINERS_REGISTRIES_CONF)."
            ).format(host=REGISTRY_HOST),
        ]
        if self.containers_conf is not None:
            lines.append(
                _(
                    "This machine lets a process open at most {limit} files, fewer than the "
                    "{wanted} Podman asks for each container (its start would fail), so "
                    "CONTAINERS_CONF sets default_ulimits = [] and containers keep the machine's "
                    "limit."
                ).format(limit=self.nofile_hard, wanted=PODMAN_NOFILE)
            )
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def registries_conf() -> str:
    """The series' registries.conf: Docker Hub (``docker.io``) with the lab registry as its
    mirror, over plain HTTP, as the engine's ``registry-mirrors`` does for ``docker pull``.

    Example:
        >>> "127.0.0.1:5000" in registries_conf()
        True
    """
    return (
        "# docker-notebooks: pulls of docker.io/... try the lab registry first (its mirror).\n"
        '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n'
        f'[[registry.mirror]]\nlocation = "{REGISTRY_HOST}"\ninsecure = true\n'
    )


def nofile_hard_limit() -> int:
    """This process's hard limit on open files (containers cannot be given more)."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return PODMAN_NOFILE if hard == resource.RLIM_INFINITY else hard


#: The device slirp4netns opens to give a Pod of an unprivileged user its network.
TUN = "/dev/net/tun"


def rootless_network_problem(euid: int | None = None, tun: str = TUN) -> str | None:
    """One sentence when Podman, run by this unprivileged user, could not run a Pod: it keeps
    its files in ``$XDG_RUNTIME_DIR`` when that is set (a login session makes it), and
    slirp4netns opens ``/dev/net/tun``, which Debian leaves open to users (mode 0666) but some
    machines keep to root. None when root, or when both are usable by this user.

    Example:
        >>> rootless_network_problem(euid=0) is None
        True
    """
    euid = os.geteuid() if euid is None else euid
    if euid == 0:
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and not os.access(runtime, os.W_OK | os.X_OK):
        return _(
            "Podman without root keeps its files in $XDG_RUNTIME_DIR ({runtime}), which is not "
            "there or not yours: log in again (a login session makes it) or unset "
            "XDG_RUNTIME_DIR, then run this cell again."
        ).format(runtime=runtime)
    if os.access(tun, os.R_OK | os.W_OK):
        return None
    return _(
        "Podman without root gives a Pod its network through slirp4netns, which needs {tun} "
        "open to users, and it is not here (Debian's default mode is 0666): ask root to run "
        "`chmod 0666 {tun}`, then run this cell again."
    ).format(tun=tun)


def setup_podman(notebook: str | None = None) -> PodmanSetup:
    """Check Podman and point it (in this kernel's environment) at the series' configuration.

    Writes ``registries.conf`` (and ``containers.conf`` with ``default_ulimits = []`` when this
    machine's hard limit on open files is below :data:`PODMAN_NOFILE`, so container starts do
    not fail) into ``<state dir>/podman/`` and sets ``CONTAINERS_REGISTRIES_CONF`` and
    ``CONTAINERS_CONF`` in ``os.environ``: the ``!podman`` lines inherit them. ``/etc`` is not
    written. Images the lesson pulls stay in Podman's store, as ``ensure_image`` leaves the
    Docker Engine's (a test claims its own pulls with :func:`claim_pulls`).

    Args:
        notebook: The lesson, e.g. ``"11"`` (kept for symmetry with ``setup_notebook``).

    Returns:
        A :class:`PodmanSetup`; printing it says what was set and why.

    Raises:
        PodmanMissing: No ``podman`` command (``make setup`` installs it), or, without root,
            no ``/dev/net/tun`` open to this user (:func:`rootless_network_problem`).

    Example:
        >>> podman = setup_podman("11")  # doctest: +SKIP
    """
    version = podman_version()
    if version is None:
        raise PodmanMissing(
            _(
                "Podman is not installed on this machine: run `make setup` (as root on Debian or "
                "Ubuntu it installs Debian's podman), then run this cell again."
            )
        )
    problem = rootless_network_problem()
    if problem:
        raise PodmanMissing(problem)
    folder = state_dir() / "podman"
    folder.mkdir(parents=True, exist_ok=True)
    registries = folder / "registries.conf"
    registries.write_text(registries_conf())
    os.environ["CONTAINERS_REGISTRIES_CONF"] = str(registries)
    hard = nofile_hard_limit()
    containers = None
    if hard < PODMAN_NOFILE:
        containers = folder / "containers.conf"
        containers.write_text(
            f"# docker-notebooks: this machine's hard limit on open files ({hard}) is below the\n"
            f"# {PODMAN_NOFILE} Podman sets per container; keep the machine's own limits.\n"
            "[containers]\ndefault_ulimits = []\n"
        )
        os.environ["CONTAINERS_CONF"] = str(containers)
    else:
        os.environ.pop("CONTAINERS_CONF", None)
    return PodmanSetup(version, registries, containers, hard)


# --------------------------------------------------------------------------- pulled images


def claim_pulls(refs: Iterable[str], notebook: str) -> list[str]:
    """Claim images absent from Podman's store that ``notebook`` is about to pull, so its
    clean-up removes them; an image already there (yours, or another claimant's) is not claimed.

    Returns:
        The references this notebook holds claims on.
    """
    claimed = []
    with locked_json("podman-pulls") as ledger:
        for ref in refs:
            if ref in ledger:
                if notebook in ledger[ref]:
                    claimed.append(ref)
                continue
            if _podman("image", "exists", ref).returncode != 0:
                ledger[ref] = [notebook]
                claimed.append(ref)
    return claimed


def release_pulls(notebook: str | None = None) -> list[str]:
    """Remove the Podman images ``notebook`` (every claimant when None) claimed; one still used
    by a container stays claimed until the next clean-up."""
    removed = []
    with locked_json("podman-pulls") as ledger:
        for ref, owners in list(ledger.items()):
            if notebook is not None and notebook not in owners:
                continue
            left = [] if notebook is None else [o for o in owners if o != notebook]
            if left:
                ledger[ref] = left
                continue
            if _podman("image", "exists", ref).returncode != 0:
                del ledger[ref]
            elif _podman("rmi", ref).returncode == 0:
                removed.append(ref)
                del ledger[ref]
    return removed


# --------------------------------------------------------------------------- what is the series'


def _marks(notebook: str | None) -> dict[str, str]:
    return project_labels(notebook)


def _carries(pairs: dict | None, notebook: str | None) -> bool:
    pairs = pairs or {}
    return all(pairs.get(key) == value for key, value in _marks(notebook).items())


def series_pods(notebook: str | None = None) -> list[dict]:
    """The Pods the series (or lesson ``notebook``) made: labelled by ``podman pod create``, or
    made by ``podman kube play`` with the series' annotations on their containers.

    Returns:
        ``podman pod ps --format json`` entries (``Id``, ``Name``, ``Containers``, ...).
    """
    if not podman_installed():
        return []
    pods = _json("pod", "ps", "--format", "json")
    annotated = {c["Pod"] for c in _inspected_containers() if _annotated(c, notebook)}
    return [p for p in pods if _carries(p.get("Labels"), notebook) or p["Id"] in annotated]


def _inspected_containers() -> list[dict]:
    ids = _podman("ps", "-aq", "--no-trunc").stdout.split()
    if not ids:
        return []
    return [
        {
            "Id": c.get("Id"),
            "Name": c.get("Name"),
            "Pod": c.get("Pod") or "",
            "Labels": (c.get("Config") or {}).get("Labels") or {},
            "Annotations": (c.get("Config") or {}).get("Annotations") or {},
        }
        for c in _json("container", "inspect", *ids)
    ]


def _annotated(container: dict, notebook: str | None) -> bool:
    return _carries(container.get("Annotations"), notebook)


def series_containers(notebook: str | None = None) -> list[dict]:
    """The Podman containers the series (or lesson ``notebook``) made, in a Pod or not."""
    if not podman_installed():
        return []
    return [
        c
        for c in _inspected_containers()
        if _carries(c["Labels"], notebook) or _annotated(c, notebook)
    ]


def remove_leftovers(notebook: str | None = None) -> list[tuple[str, str]]:
    """Remove the series' Pods (with their containers) and its other Podman containers, then
    the images it pulled into Podman's store; nothing when Podman is not installed.

    Returns:
        ``(kind, name)`` pairs, as :func:`helpers.cleanup.remove_leftovers` reports them.
    """
    if not podman_installed():
        return []
    removed = remove_pods_and_containers(notebook)
    removed += [("podman image", ref) for ref in release_pulls(notebook)]
    return removed


def remove_pods_and_containers(notebook: str | None = None) -> list[tuple[str, str]]:
    """:func:`remove_leftovers` without the images: the series' Pods and Podman containers."""
    if not podman_installed():
        return []
    removed = []
    pods = series_pods(notebook)
    if pods:
        _podman("pod", "rm", "-f", "-t", "0", *[p["Id"] for p in pods])
        removed += [("podman pod", p["Name"]) for p in pods]
    left = series_containers(notebook)
    if left:
        _podman("rm", "-f", "-t", "0", *[c["Id"] for c in left])
        removed += [("podman container", c["Name"]) for c in left]
    return removed


# --------------------------------------------------------------------------- re-running a cell

#: ``podman pod create`` / ``podman run|create`` / ``podman kube play`` where a command starts.
_PODMAN_MAKES = re.compile(
    r"(?:^|(?<=[;&|(\n]))\s*podman\s+(?P<sub>pod\s+create|(?:container\s+)?(?:run|create)"
    r"|kube\s+play|play\s+kube)(?=\s|$)"
)


def _yaml_pod_names(path: str) -> list[str]:
    """The ``metadata.name`` of each Pod in a Kubernetes YAML file (a plain reading: the
    ``name:`` right under ``metadata:`` of each ``kind: Pod`` document)."""
    try:
        text = Path(path).read_text()
    except OSError:
        return []
    names = []
    for document in re.split(r"(?m)^---\s*$", text):
        if not re.search(r"(?m)^kind:\s*Pod\s*$", document):
            continue
        match = re.search(r"(?m)^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*(\S+)", document)
        if match:
            names.append(match.group(1).strip("\"'"))
    return names


def make_room(cmd: str) -> str | None:
    """Before a ``!`` line runs: remove the series' own Pod or container that the line's
    ``podman pod create --name X``, ``podman run --name X`` or ``podman kube play FILE`` will
    make again, so re-running a cell replaces it.

    Returns:
        None when the line may run, else one sentence saying why not: a Pod or container of
        that name exists that the series did not make (it is left alone).
    """
    if "podman" not in cmd or not podman_installed():
        return None
    for match in _PODMAN_MAKES.finditer(cmd):
        sub = match.group("sub").split()
        words = words_after(cmd, match.end())
        if words is None:  # unbalanced quotes: the shell refuses the line, nothing is made
            continue
        if sub[0] in ("kube", "play"):
            files = [w for w in words if not w.startswith("-")]
            pods = _yaml_pod_names(files[-1]) if files else []
        elif sub[0] == "pod":
            pods = [n for n in [flag(words, "--name", "-n")] if n]
        else:
            pods = []
            name = flag(words, "--name")
            if literal(name):
                try:
                    _replace_container(name)
                except NotOwnedError as exc:
                    return str(exc)
        for pod in pods:
            try:
                _replace_pod(pod)
            except NotOwnedError as exc:
                return str(exc)
    return None


def _replace_pod(name: str) -> None:
    found = [p for p in _json("pod", "ps", "--format", "json") if p["Name"] == name]
    if not found:
        return
    if not any(p["Name"] == name for p in series_pods()):
        raise NotOwnedError(
            _(
                "A Pod named {name} exists that this series did not make: rename or remove it, "
                "then run this cell again."
            ).format(name=name)
        )
    _podman("pod", "rm", "-f", "-t", "0", name)


def _replace_container(name: str) -> None:
    if _podman("container", "exists", name).returncode != 0:
        return
    if not any(c["Name"] == name for c in series_containers()):
        raise NotOwnedError(
            _(
                "A Podman container named {name} exists that this series did not make: rename or "
                "remove it, then run this cell again."
            ).format(name=name)
        )
    _podman("rm", "-f", "-t", "0", name)


# --------------------------------------------------------------------------- looking inside


def lesson_port(preferred: int, notebook: str) -> int:
    """The host port for the lesson's Pod: ``preferred`` when free or already published by the
    lesson's own Pod (a re-run setup cell keeps it, since the cells replace that Pod), else the
    next free one (:func:`helpers.containers.free_port` says so). Either way the port is
    reserved for ``notebook`` across the machine's engines until its clean-up
    (:mod:`helpers.ports`), so a classroom seat running the same lesson at the same moment
    takes another one (measured: two seats' exercise Pods both took 8096 before, and one
    could not bind it).

    Example:
        >>> lesson_port(8095, notebook="11")  # doctest: +SKIP
        8095
    """
    from . import ports
    from .containers import free_port

    ours = set()
    for pod in series_pods(notebook):
        for container in _json("ps", "--format", "json", "--filter", f"pod={pod['Id']}"):
            ours |= {int(p.get("host_port", 0)) for p in container.get("Ports") or []}
    if preferred in ours:
        ports.reserve(preferred, notebook)
        return preferred
    return free_port(preferred, notebook=notebook)


def pod_answers(pod: str) -> tuple[int | None, str | None]:
    """The host port ``pod`` publishes on 127.0.0.1 for container port 80, and the page title
    that answers there (None for what is missing): the exercise's check."""
    from .http import http_get

    for container in _json("ps", "--format", "json", "--filter", f"pod={pod}"):
        for port in container.get("Ports") or []:
            if port.get("container_port") == 80 and port.get("host_ip") == "127.0.0.1":
                host_port = int(port["host_port"])
                return host_port, http_get(f"http://127.0.0.1:{host_port}").title
    return None, None


def pod_table(pod: str):
    """A Pod's containers as a DataFrame: name, whether it is the infra container, its image,
    the network mode it runs in, and its IP address.

    Args:
        pod: The Pod's name or ID.

    Returns:
        One row per container, the infra container first.

    Example:
        >>> pod_table("dn-11-pod")  # doctest: +SKIP
    """
    import pandas as pd

    rows = []
    ids = _podman("ps", "-aq", "--filter", f"pod={pod}").stdout.split()
    for c in _json("container", "inspect", *ids) if ids else []:
        mode = (c.get("HostConfig") or {}).get("NetworkMode", "")
        rows.append(
            {
                "container": c.get("Name"),
                "infra": bool(c.get("IsInfra")),
                "image": c.get("ImageName"),
                "network": "container:<infra>" if mode.startswith("container:") else mode,
                "IP": (c.get("NetworkSettings") or {}).get("IPAddress", ""),
            }
        )
    frame = pd.DataFrame(rows, columns=["container", "infra", "image", "network", "IP"])
    return frame.sort_values("infra", ascending=False, kind="stable").reset_index(drop=True)


def check_own_pod(pod: str, lesson_port: int, saved: Path) -> str:
    """Lesson 11's exercise: does the learner's Pod ``pod`` publish container port 80 on
    127.0.0.1 at another host port than ``lesson_port``, answer there with nginx's page, and is
    its Kubernetes YAML saved in ``saved``?

    Args:
        pod: The Pod the exercise asks for (``"dn-11-exercise"``).
        lesson_port: The host port of the lesson's own Pod, which the exercise must not reuse.
        saved: Where its YAML should be (``work-11/dn-11-exercise.yaml``).

    Returns:
        One line: ``Pass: ...``, or a ``Hint: ...`` saying what to look at.
    """
    port, title = pod_answers(pod)
    if port is None:
        return _(
            "Hint: no Pod {pod} publishes port 80 on 127.0.0.1: look at podman pod ps."
        ).format(pod=pod)
    if port == lesson_port:
        return _("Hint: your Pod uses the lesson's port: pick another host port in -p.")
    if title != "Welcome to nginx!":
        return _("Hint: nothing answers on your Pod's port yet: look at podman ps --pod.")
    if not saved.exists() or f"name: {pod}" not in saved.read_text():
        return _("Hint: {file} is missing: look at podman generate kube's > part.").format(
            file=f"{saved.parent.name}/{saved.name}"
        )
    return _("Pass: {pod} answers on 127.0.0.1:{port}, and its YAML is saved.").format(
        pod=pod, port=port
    )
