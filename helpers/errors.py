"""Errors a learner can act on.

Every error the helpers raise on purpose is a :class:`TutorialError`. Its message is one plain
sentence that says what is wrong and what to do about it, so a notebook cell or a shell command can
show it as-is instead of a wall of traceback (see :func:`helpers.notebook.setup_notebook`).

Errors the Docker SDK raises (``NotFound``, ``ImageNotFound``, ``APIError`` 409, a socket that
stopped answering) are translated here too, in one place: :data:`SDK_SENTENCES` and
:func:`explain_sdk_error`. A notebook shows :func:`learner_message` for both kinds.
"""

from __future__ import annotations

import re

from .i18n import N_, _


class TutorialError(Exception):
    """Base class: the message is one sentence naming the cause and the fix."""


class EngineUnavailable(TutorialError):
    """No Docker Engine answers at the address the helpers resolved."""


class EnginePermissionDenied(TutorialError):
    """The engine's socket exists but this user may not open it."""


class EngineTooOld(TutorialError):
    """The engine answers but speaks an API older than the series needs."""


class ImageNotFound(TutorialError):
    """An image or tag does not exist locally or in any registry the engine asked."""


class RegistryUnreachable(TutorialError):
    """Neither Docker Hub nor a lab registry answered."""


class PortInUse(TutorialError):
    """A host port the lesson wanted is already taken by another program."""


class LabError(TutorialError):
    """The offline lab could not be set up; the message says which step failed and how to fix it."""


class NotOwnedError(TutorialError):
    """A cleanup helper was asked to remove something the series did not create."""


class SeriesBusy(TutorialError):
    """Another notebook of the series is using the engine and did not finish in time."""


# --------------------------------------------------------------------------- the SDK's errors

#: What the Docker SDK's errors say, and the sentence a learner reads instead: the engine's
#: message (``explanation``) is matched against each pattern in turn, first match wins, and its
#: named groups fill the sentence. ``status`` is the HTTP status the engine answered with (None:
#: any). Patterns are the Engine's own wording (Engine 26.1), like docker-py's ``docker/errors.py``
#: which tells ``ImageNotFound`` from ``NotFound`` by the same kind of fragments.
SDK_SENTENCES: list[tuple[int | None, str, str]] = [
    (
        404,
        r"No such image: (?P<image>\S+)",
        N_(
            "The image {image} is not on this engine: pull it first (docker pull {image}), then "
            "run this cell again."
        ),
    ),
    (
        404,
        r"No such container: (?P<name>\S+)",
        N_(
            "There is no container {name} on this engine: run the cell that creates it first, then "
            "run this cell again."
        ),
    ),
    (
        404,
        r"network (?P<name>\S+) not found",
        N_(
            "There is no network {name} on this engine: run the cell that creates it first, then "
            "run this cell again."
        ),
    ),
    (
        404,
        r"get (?P<name>\S+): no such volume",
        N_(
            "There is no volume {name} on this engine: run the cell that creates it first, then "
            "run this cell again."
        ),
    ),
    (
        409,
        r'container name "/(?P<name>[^"]+)" is already in use',
        N_(
            "A container named {name} already exists: remove it (docker rm -f {name}) or choose "
            "another name, then run this cell again."
        ),
    ),
    (
        409,
        r'cannot remove container "/(?P<name>[^"]+)": container is running',
        N_(
            "Container {name} is running: stop it first (docker stop {name}) or force the removal "
            "(docker rm -f {name})."
        ),
    ),
    (
        409,
        r"[Cc]ontainer (?P<id>[0-9a-f]{12})[0-9a-f]* is restarting",
        N_("Container {id} is restarting: wait a few seconds, then run this cell again."),
    ),
    (
        409,
        r"[Cc]ontainer (?P<id>[0-9a-f]{12})[0-9a-f]* is not running",
        N_(
            "Container {id} is not running: start it (docker start {id}) or run the cell that "
            "starts it, then run this cell again."
        ),
    ),
    (
        409,
        r'reference "(?P<image>[^"]+)".* container (?P<id>[0-9a-f]{12})',
        N_(
            "The image {image} is still used by container {id}: remove that container first, then "
            "run this cell again."
        ),
    ),
    (
        409,
        r"image is being used by (?:running |stopped )?container (?P<id>[0-9a-f]{12})",
        N_(
            "The image is still used by container {id}: remove that container first, then run this "
            "cell again."
        ),
    ),
    (
        None,
        r"address already in use|port is already allocated",
        N_(
            "A host port this cell publishes is already in use: stop the program using it or "
            "publish on another port, then run this cell again."
        ),
    ),
    (
        500,
        r"no such host|dial tcp|i/o timeout|connection refused",
        N_(
            "The engine could not fetch the image from any registry it knows (Docker Hub is not "
            "reachable from here): check the image name and tag, or run `make setup` if the lab "
            "registry is down."
        ),
    ),
]

_ONE_SENTENCE = re.compile(r"([.!?])\s+(?=[A-Z])")
_FULL_ID = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{52}\b")


def _clause(text: str) -> str:
    """The engine's message as one clause: full IDs cut to 12, sentences joined by ``;``."""
    text = _FULL_ID.sub(r"\1", " ".join(str(text).split())).strip().rstrip(".")
    return _ONE_SENTENCE.sub("; ", text)


def explain_sdk_error(exc: BaseException) -> str | None:
    """One plain sentence for an error the Docker SDK (or its HTTP layer) raised, else None.

    Args:
        exc: Typically ``docker.errors.NotFound``, ``ImageNotFound``, ``APIError`` (409 for a
            conflict), ``ContainerError``, or ``requests.exceptions.ConnectionError`` when the
            engine's socket stops answering.

    Returns:
        The sentence (cause, colon, what to do), or None when ``exc`` is not the SDK's.

    Example:
        >>> explain_sdk_error(ValueError("not docker")) is None
        True
    """
    import docker
    import requests

    if isinstance(exc, docker.errors.ContainerError):
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        if detail:
            return _(
                "The command in container {name} exited with status {status} ({said}): read its "
                "output above, fix the command, then run this cell again."
            ).format(name=exc.container.name, status=exc.exit_status, said=_clause(detail[-1]))
        return _(
            "The command in container {name} exited with status {status}: read its output "
            "above, fix the command, then run this cell again."
        ).format(name=exc.container.name, status=exc.exit_status)
    if isinstance(exc, docker.errors.APIError):
        text = str(exc.explanation or exc)
        for status, pattern, sentence in SDK_SENTENCES:
            if status is not None and exc.status_code != status:
                continue
            match = re.search(pattern, text)
            if match:
                return _(sentence).format(**match.groupdict())
        return _(
            "The engine refused the request ({said}): fix what it names, then run this cell again."
        ).format(said=_clause(text))
    if isinstance(exc, requests.exceptions.Timeout):
        return _(
            "The Docker Engine did not answer in time: check that it is running (make setup starts "
            "the lab engine), then run this cell again."
        )
    connection_lost = isinstance(exc, requests.exceptions.ConnectionError) or (
        isinstance(exc, docker.errors.DockerException) and "Connection aborted" in str(exc)
    )
    if connection_lost:
        return _(
            "The Docker Engine stopped answering on its socket: start it (make setup starts the "
            "lab engine), then run this cell again."
        )
    if isinstance(exc, docker.errors.DockerException):
        return _("Docker said: {said}: fix what it names, then run this cell again.").format(
            said=_clause(str(exc))
        )
    return None


def explain_shell_error(exc: BaseException) -> str | None:
    """One plain sentence for a ``%%bash`` cell whose script failed (IPython raises
    ``CalledProcessError`` after the script's own output), else None.

    Example:
        >>> import subprocess
        >>> explain_shell_error(subprocess.CalledProcessError(1, "docker pull nginx:nope"))
        'The shell commands of this cell ended with exit status 1: read their output above, fix what it names, then run this cell again.'
    """  # noqa: E501
    import subprocess

    if not isinstance(exc, subprocess.CalledProcessError):
        return None
    return _(
        "The shell commands of this cell ended with exit status {status}: read their output "
        "above, fix what it names, then run this cell again."
    ).format(status=exc.returncode)


#: What the ``docker`` (or ``podman``) command line printed when a ``!`` line failed, matched in
#: turn (first match wins; named groups fill the sentence): the CLI's own message stays on the
#: page, and :func:`explain_cli_output` adds one plain sentence saying what is wrong and what to
#: do. Patterns are the tools' own wording (Docker CLI 26.1, BuildKit 0.13, Compose 2.26).
CLI_SENTENCES: list[tuple[str, str]] = [
    # 10 (swarm): before the general "address already in use" below, which they refine.
    (
        r"failed to listen on remote API address: listen tcp (?P<addr>\S+): bind: address "
        r"already in use",
        N_(
            "Another program already listens on {addr}, where swarm init was told to listen: stop "
            "that program, or give --listen-addr another port, then run this cell again."
        ),
    ),
    (
        r"This node is already part of a swarm",
        N_(
            "This engine is already in a swarm, so swarm init refused: use that swarm as it is "
            "(docker node ls shows it), or leave it first only if it is yours to end."
        ),
    ),
    (
        r"This node is not a swarm manager",
        N_(
            "This engine is not a manager of any swarm: run the lesson's docker swarm init cell "
            "first (or run this against a manager), then run this cell again."
        ),
    ),
    (
        r"hostip is not supported",
        N_(
            "A swarm service cannot publish on one host address such as 127.0.0.1: leave the "
            "address out (the port then listens on every interface of every node) or reach the "
            "service over an overlay network instead."
        ),
    ),
    (
        r"port '(?P<port>\d+)' is already in use by service '(?P<service>[^']+)'",
        N_(
            "Port {port} is already published by the swarm service {service}: publish on another "
            "port, or remove that service (docker service rm {service}), then run this cell again."
        ),
    ),
    (
        r"name conflicts with an existing object: service (?P<name>\S+) already exists",
        N_(
            "A service named {name} already exists (this cell ran before, or it is someone "
            "else's): go on with it, or remove it (docker service rm {name}) and run this cell "
            "again."
        ),
    ),
    (
        r"network with name (?P<name>\S+) already exists",
        N_(
            "A network named {name} already exists (this cell ran before, or it is someone "
            "else's): go on with it, or remove it (docker network rm {name}) and run this cell "
            "again."
        ),
    ),
    (
        r"podman: command not found",
        N_(
            "Podman is not installed on this machine: run `make setup` (as root on Debian or "
            "Ubuntu it installs Debian's podman), then run this cell again."
        ),
    ),
    (
        r"(?s)Container \S+\s+Starting\b.*on endpoint (?P<container>\S+) .*"
        r"(?:port is already allocated|address already in use)",
        N_(
            "A host port that {container} publishes is already in use, so docker compose stopped "
            "there and left the project half done: free that port or publish on another one, then "
            "run docker compose up -d again."
        ),
    ),
    (
        r"port is already allocated|address already in use",
        N_(
            "A host port this command publishes is already in use: stop the program using it or "
            "publish on another port, then run this cell again."
        ),
    ),
    (
        r"bind source path does not exist: (?P<path>\S+?)\.?(?=\s|$)",
        N_(
            "The host folder {path} does not exist, and --mount never creates one: create it "
            "(mkdir -p {path}) or correct the path, then run this cell again."
        ),
    ),
    (
        r"[Cc]ontainer (?P<id>[0-9a-f]{12})[0-9a-f]* is not running",
        N_(
            "Container {id} is not running, and this command needs a running container (docker "
            "exec does): start it (docker start {id}), then run this cell again."
        ),
    ),
    (
        r"Read-only file system",
        N_(
            "The container may not write there, because that path is mounted read-only (:ro, or "
            "the container runs with --read-only): change the files on the host instead, or mount "
            "them without :ro."
        ),
    ),
    (
        r"dockerfile parse error on line (?P<line>\d+): unknown instruction: (?P<word>\S+)",
        N_(
            "Line {line} of the Dockerfile starts with {word}, which is not a Dockerfile "
            "instruction: correct its spelling (FROM, COPY, RUN, ...), then build again."
        ),
    ),
    (
        r'failed to compute cache key: .*"/(?P<path>[^"]+)": not found',
        N_(
            "The build context has no file {path} (a COPY or ADD names it): check the name, and "
            "that .dockerignore does not leave it out, then build again."
        ),
    ),
    (
        r'Get "https?://(?P<host>[^/"]+)/v2/": dial tcp [^\s]+: connect: connection refused',
        N_(
            "No registry answers at {host}: check the registry address in the image's name, or "
            "start that registry, then run this cell again."
        ),
    ),
]


def explain_cli_output(output: str) -> str | None:
    """One plain sentence for what a failed ``docker``/``podman`` command printed, else None.

    Args:
        output: The command's stdout and stderr, as the notebook showed them.

    Returns:
        The sentence for the first pattern of :data:`CLI_SENTENCES` that matches, or None.

    Example:
        >>> explain_cli_output("Bind for 127.0.0.1:8080 failed: port is already allocated.")[:35]
        'A host port this command publishes '
        >>> explain_cli_output("all fine") is None
        True
    """
    for pattern, sentence in CLI_SENTENCES:
        match = re.search(pattern, output)
        if match:
            return _(sentence).format(**match.groupdict())
    return None


def learner_message(exc: BaseException) -> str:
    """What a notebook shows for ``exc`` instead of a traceback: ``Kind: one sentence``."""
    if isinstance(exc, TutorialError):
        sentence = str(exc)
    else:
        sentence = explain_sdk_error(exc) or explain_shell_error(exc)
    return f"{type(exc).__name__}: {sentence or _clause(str(exc))}"
