"""Connect to a Docker Engine the way the Docker CLI does, and check it is fit for the series.

The Python SDK's ``docker.from_env()`` reads ``DOCKER_HOST`` but not the CLI's contexts, so on
Docker Desktop or Colima it looks at the wrong socket. :func:`resolve_endpoint` follows the CLI's
order instead: ``DOCKER_CONTEXT``, then ``DOCKER_HOST``, then the current context in the CLI's
config file, then the default socket.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EnginePermissionDenied, EngineTooOld, EngineUnavailable
from .i18n import N_, _

if TYPE_CHECKING:
    import docker
    from docker.tls import TLSConfig

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: The oldest Engine API the series is written for (Docker Engine 20.10).
MIN_API_VERSION = "1.41"
#: Seconds to wait for an engine to answer a request before calling it unavailable.
CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class Endpoint:
    """Where the engine is and why the helpers chose that address.

    Attributes:
        host: The engine address, e.g. ``unix:///var/run/docker.sock``.
        source: How it was found: ``DOCKER_HOST``, ``context <name>`` or ``default socket``.
        tls: The SDK's ``TLSConfig`` for a TLS endpoint (a TLS context's certificates, or
            ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``); None for a plain one.
    """

    host: str
    source: str
    tls: TLSConfig | None = field(default=None, repr=False)

    def client_kwargs(self) -> dict:
        """``base_url`` and ``tls`` for ``docker.DockerClient`` / ``docker.APIClient``.

        Example:
            >>> Endpoint("unix:///var/run/docker.sock", "default socket").client_kwargs()
            {'base_url': 'unix:///var/run/docker.sock', 'tls': False}
        """
        return {"base_url": self.host, "tls": self.tls or False}


@dataclass(frozen=True)
class EngineFacts:
    """What :func:`check` learned about the engine.

    Attributes:
        version: Docker Engine version, e.g. ``20.10.24+dfsg1``.
        api_version: Engine API version, e.g. ``1.41``.
        containerd_version: Version of the containerd the engine runs containers through.
        os: Operating system and architecture of the engine, e.g. ``linux/amd64``.
        endpoint: The :class:`Endpoint` the helpers used.
        mirrors: Registry mirrors the engine pulls Docker Hub images through.
        rootless: The engine runs rootless (``docker info`` lists ``name=rootless``).
        operating_system: What ``docker info`` calls the engine's system (``Docker Desktop``
            on a Mac or Windows laptop).
        product: The server's first component, ``Engine`` or ``Podman Engine``.
    """

    version: str
    api_version: str
    containerd_version: str
    os: str
    endpoint: Endpoint
    mirrors: tuple[str, ...]
    rootless: bool = False
    operating_system: str = ""
    product: str = "Engine"

    def __str__(self) -> str:
        via = f", pulls through mirror {', '.join(self.mirrors)}" if self.mirrors else ""
        return (
            f"Docker Engine {self.version} (API {self.api_version}, containerd "
            f"{self.containerd_version}, {self.os}) at {self.endpoint.host} "
            f"[{self.endpoint.source}]{via}"
        )


def _cli_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


_CONTEXT_LOOKUP = threading.Lock()


@contextlib.contextmanager
def _contexts_where_the_cli_keeps_them() -> Iterator[None]:
    """Make the SDK's context store the CLI's config directory for the ``with`` block.

    ``docker.context`` looks for contexts next to the ``config.json`` it finds, and finds none
    when that file does not exist (docker/docker-py#2622, #3190), which is common:
    ``docker context create`` does not write it. The CLI uses its config directory
    (``DOCKER_CONFIG`` or ``~/.docker``) either way, so the SDK is pointed there.
    """
    from docker.context import config as context_config

    with _CONTEXT_LOOKUP:
        found = context_config.find_config_file
        context_config.find_config_file = lambda config_path=None: str(
            _cli_config_dir() / "config.json"
        )
        try:
            yield
        finally:
            context_config.find_config_file = found


def _context_endpoint(name: str | None, source: str) -> Endpoint | None:
    """The docker endpoint of CLI context ``name`` (the current one when None), read by the
    SDK's ``ContextAPI`` with its TLS material; None for ``default`` or a context with none."""
    from docker.context import ContextAPI

    try:
        context = ContextAPI.get_context(name)
    except Exception:  # the SDK raises a bare Exception for a corrupted meta.json
        return None
    if context is None or context.Name == "default" or not context.Host:
        return None
    return Endpoint(context.Host, source.format(name=context.Name), context.TLSConfig)


def _docker_host_endpoint() -> Endpoint:
    """``DOCKER_HOST``, with ``DOCKER_TLS_VERIFY`` and ``DOCKER_CERT_PATH`` read as the CLI does."""
    import docker

    try:
        tls = docker.utils.kwargs_from_env().get("tls")
    except docker.errors.DockerException:
        where = os.environ.get("DOCKER_CERT_PATH") or _cli_config_dir()
        raise EngineUnavailable(
            _(
                "DOCKER_TLS_VERIFY asks for TLS but ca.pem, cert.pem and key.pem cannot be read in "
                "{where}: fix DOCKER_CERT_PATH or unset DOCKER_TLS_VERIFY."
            ).format(where=where)
        ) from None
    return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST", tls or None)


def resolve_endpoint() -> Endpoint:
    """Find the engine address the Docker CLI would use.

    The order is the CLI's: ``DOCKER_CONTEXT``, ``DOCKER_HOST``, the ``currentContext`` in the
    CLI's ``config.json`` (``docker context use``), then the default Unix socket. Contexts are
    read with the SDK's ``docker.context.ContextAPI``, TLS contexts included.

    Returns:
        The :class:`Endpoint` to connect to.

    Raises:
        EngineUnavailable: ``DOCKER_TLS_VERIFY`` asks for TLS with certificates that cannot be
            read.

    Example:
        >>> import os
        >>> from unittest import mock
        >>> env = {"DOCKER_CONTEXT": "", "DOCKER_HOST": "tcp://engine.example:2375"}
        >>> with mock.patch.dict(os.environ, env):
        ...     resolve_endpoint()
        Endpoint(host='tcp://engine.example:2375', source='DOCKER_HOST')
    """
    with _contexts_where_the_cli_keeps_them():
        explicit = os.environ.get("DOCKER_CONTEXT")
        if explicit:
            endpoint = _context_endpoint(explicit, "context {name} (DOCKER_CONTEXT)")
            if endpoint:
                return endpoint
        if os.environ.get("DOCKER_HOST"):
            return _docker_host_endpoint()
        endpoint = _context_endpoint(None, "context {name}")
        if endpoint:
            return endpoint
    return Endpoint(DEFAULT_HOST, "default socket")


def _socket_path(host: str) -> str | None:
    return host[len("unix://") :] if host.startswith("unix://") else None


#: The two ways forward of a learner who is not root and reaches no engine: root's engine
#: through the ``docker`` group, or a rootless engine of their own (Debian's ``docker.io`` keeps
#: the set-up tool in ``/usr/share/docker.io/contrib``, off the PATH).
JOIN_DOCKER_GROUP = N_("join the docker group (`sudo usermod -aG docker $USER`, then log in again)")
START_ROOTLESS_ENGINE = N_(
    "start a rootless engine of your own (`dockerd-rootless-setuptool.sh install`, in "
    "/usr/share/docker.io/contrib on Debian, then "
    "`export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock`)"
)


def _unprivileged_on_linux() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() != 0


def _explain(endpoint: Endpoint, exc: BaseException) -> Exception:
    """Turn a low-level connection failure into one plain sentence with the fix.

    Example:
        >>> denied = _explain(Endpoint(DEFAULT_HOST, "default socket"), PermissionError(13))
        >>> print(denied)  # doctest: +NORMALIZE_WHITESPACE
        Permission denied on the Docker socket /var/run/docker.sock: join the docker group
        (`sudo usermod -aG docker $USER`, then log in again) or start a rootless engine of your
        own (`dockerd-rootless-setuptool.sh install`, in /usr/share/docker.io/contrib on Debian,
        then `export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock`).
    """
    text = repr(exc)
    where = endpoint.host
    join, rootless = _(JOIN_DOCKER_GROUP), _(START_ROOTLESS_ENGINE)
    if "PermissionError" in text or "Permission denied" in text:
        return EnginePermissionDenied(
            _("Permission denied on the Docker socket {socket}: {join} or {rootless}.").format(
                socket=_socket_path(where) or where, join=join, rootless=rootless
            )
        )
    hint = _("start Docker (or run `make setup` to start the lab engine)")
    if endpoint.source == "default socket" and _unprivileged_on_linux():
        return EngineUnavailable(
            _(
                "No Docker Engine answers at {where} ({source}) and only root can start one "
                "there: have root start Docker (`make setup` as root) and {join}, or {rootless}."
            ).format(where=where, source=endpoint.source, join=join, rootless=rootless)
        )
    if endpoint.source == "DOCKER_HOST":
        hint = _("fix or unset DOCKER_HOST, or start the engine it names")
    elif endpoint.source.endswith("(DOCKER_CONTEXT)"):
        hint = _("start the engine that context names, or unset DOCKER_CONTEXT")
    elif endpoint.source.startswith("context "):
        hint = _("start the engine that context names, or pick another with `docker context use`")
    return EngineUnavailable(
        _("No Docker Engine answers at {where} ({source}): {hint}.").format(
            where=where, source=endpoint.source, hint=hint
        )
    )


def connect(
    endpoint: Endpoint | None = None, timeout: int = CONNECT_TIMEOUT
) -> docker.DockerClient:
    """Connect to the engine the Docker CLI would use.

    Args:
        endpoint: Where to connect; by default :func:`resolve_endpoint` decides.
        timeout: Seconds to wait for each API request.

    Returns:
        A ``docker.DockerClient`` speaking the engine's own API version.

    Raises:
        EngineUnavailable: Nothing answers at the address.
        EnginePermissionDenied: The socket exists but this user may not use it.

    Example:
        >>> client = connect()
        >>> client.ping()
        True
    """
    import docker

    endpoint = endpoint or resolve_endpoint()
    try:
        client = docker.DockerClient(**endpoint.client_kwargs(), version="auto", timeout=timeout)
    except docker.errors.DockerException as exc:
        raise _explain(endpoint, exc) from None
    client.endpoint = endpoint  # type: ignore[attr-defined]
    return client


def client_or_connect(client: docker.DockerClient | None = None) -> docker.DockerClient:
    """``client`` when given, else a new one from :func:`connect` (every helper's default)."""
    return client or connect()


def version_tuple(version: str) -> tuple[int, ...]:
    """A version as a tuple of ints, to compare as versions (``"1.9" < "1.41"``), not strings.

    Example:
        >>> version_tuple("1.9") < version_tuple("1.41")
        True
        >>> "1.9" < "1.41"
        False
    """
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def check(client: docker.DockerClient | None = None) -> EngineFacts:
    """Check that an engine answers and is recent enough, and describe it.

    This is the fast-failing first step of every notebook's setup cell.

    Args:
        client: A client from :func:`connect`; one is made when omitted.

    Returns:
        The :class:`EngineFacts` of the engine.

    Raises:
        EngineUnavailable: No engine answers.
        EnginePermissionDenied: The socket exists but this user may not use it.
        EngineTooOld: The engine's API is older than :data:`MIN_API_VERSION`.

    Example:
        >>> print(check())  # doctest: +ELLIPSIS
        Docker Engine ...
    """
    import docker

    client = client or connect()
    endpoint = getattr(client, "endpoint", None) or resolve_endpoint()
    try:
        version = client.version()
        info = client.info()
    except (docker.errors.DockerException, OSError) as exc:
        raise _explain(endpoint, exc) from None
    api = version.get("ApiVersion", "0")
    if version_tuple(api) < version_tuple(MIN_API_VERSION):
        raise EngineTooOld(
            _(
                "Docker Engine {version} speaks API {api}, older than the {minimum} this series "
                "needs: upgrade Docker to 20.10 or newer."
            ).format(version=version.get("Version"), api=api, minimum=MIN_API_VERSION)
        )
    components = {c.get("Name"): c.get("Version") for c in version.get("Components", [])}
    mirrors = tuple(m.rstrip("/") for m in info.get("RegistryConfig", {}).get("Mirrors") or [])
    return EngineFacts(
        version=version.get("Version", "?"),
        api_version=api,
        containerd_version=components.get("containerd", "?"),
        os=f"{version.get('Os', '?')}/{version.get('Arch', '?')}",
        endpoint=endpoint,
        mirrors=mirrors,
        rootless=any(
            option.split(",")[0] == "name=rootless" for option in info.get("SecurityOptions") or []
        ),
        operating_system=info.get("OperatingSystem", ""),
        product=next(iter(components), "Engine"),
    )
