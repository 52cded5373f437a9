"""Connect to a Docker Engine the way the Docker CLI does, and check it is fit for the series.

The Python SDK's ``docker.from_env()`` reads ``DOCKER_HOST`` but not the CLI's contexts, so on
Docker Desktop or Colima it looks at the wrong socket. :func:`resolve_endpoint` follows the CLI's
order instead: ``DOCKER_CONTEXT``, then ``DOCKER_HOST``, then the current context in the CLI's
config file, then the default socket.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EnginePermissionDenied, EngineTooOld, EngineUnavailable

if TYPE_CHECKING:
    import docker

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
    """

    host: str
    source: str


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
    """

    version: str
    api_version: str
    containerd_version: str
    os: str
    endpoint: Endpoint
    mirrors: tuple[str, ...]

    def __str__(self) -> str:
        via = f", pulls through mirror {', '.join(self.mirrors)}" if self.mirrors else ""
        return (
            f"Docker Engine {self.version} (API {self.api_version}, containerd "
            f"{self.containerd_version}, {self.os}) at {self.endpoint.host} "
            f"[{self.endpoint.source}]{via}"
        )


def _cli_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _context_host(name: str) -> str | None:
    """Return the docker endpoint of the CLI context called ``name``, or None if it has none."""
    if name == "default":
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = _cli_config_dir() / "contexts" / "meta" / digest / "meta.json"
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    return (data.get("Endpoints", {}).get("docker", {}) or {}).get("Host") or None


def _current_context() -> str | None:
    try:
        config = json.loads((_cli_config_dir() / "config.json").read_text())
    except (OSError, ValueError):
        return None
    return config.get("currentContext") or None


def resolve_endpoint() -> Endpoint:
    """Find the engine address the Docker CLI would use.

    The order is the CLI's: ``DOCKER_CONTEXT``, ``DOCKER_HOST``, the ``currentContext`` in the
    CLI's ``config.json`` (``docker context use``), then the default Unix socket.

    Returns:
        The :class:`Endpoint` to connect to.

    Example:
        >>> resolve_endpoint().source in {"DOCKER_HOST", "default socket"} or True
        True
    """
    explicit = os.environ.get("DOCKER_CONTEXT")
    if explicit:
        host = _context_host(explicit)
        if host:
            return Endpoint(host, f"context {explicit} (DOCKER_CONTEXT)")
    if os.environ.get("DOCKER_HOST"):
        return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST")
    current = _current_context()
    if current:
        host = _context_host(current)
        if host:
            return Endpoint(host, f"context {current}")
    return Endpoint(DEFAULT_HOST, "default socket")


def _socket_path(host: str) -> str | None:
    return host[len("unix://") :] if host.startswith("unix://") else None


def _explain(endpoint: Endpoint, exc: BaseException) -> Exception:
    """Turn a low-level connection failure into one plain sentence with the fix."""
    text = repr(exc)
    where = endpoint.host
    if "PermissionError" in text or "Permission denied" in text:
        return EnginePermissionDenied(
            f"Permission denied on the Docker socket {_socket_path(where) or where}: add your user "
            "to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root."
        )
    hint = "start Docker (or run `make setup` to start the lab engine)"
    if endpoint.source == "DOCKER_HOST":
        hint = "fix or unset DOCKER_HOST, or start the engine it names"
    return EngineUnavailable(f"No Docker Engine answers at {where} ({endpoint.source}): {hint}.")


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
        client = docker.DockerClient(base_url=endpoint.host, version="auto", timeout=timeout)
    except docker.errors.DockerException as exc:
        raise _explain(endpoint, exc) from None
    client.endpoint = endpoint  # type: ignore[attr-defined]
    return client


def client_or_connect(client: docker.DockerClient | None = None) -> docker.DockerClient:
    """``client`` when given, else a new one from :func:`connect` (every helper's default)."""
    return client or connect()


def _version_tuple(version: str) -> tuple[int, ...]:
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
    if _version_tuple(api) < _version_tuple(MIN_API_VERSION):
        raise EngineTooOld(
            f"Docker Engine {version.get('Version')} speaks API {api}, older than the "
            f"{MIN_API_VERSION} this series needs: upgrade Docker to 20.10 or newer."
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
    )
