"""The lab registry seen from outside: the Docker Registry HTTP API v2 on 127.0.0.1:5000.

What lessons and tests may ask a registry (is it there, which repositories and tags, what labels
an image carries), with no provisioning code: :mod:`helpers.lab` starts and seeds the registry,
this module only reads it. A private registry has no search; it answers ``GET /v2/_catalog`` and
``GET /v2/<name>/tags/list`` instead.
"""

from __future__ import annotations

import os

#: The one address of the lab registry, used as the engine's Docker Hub mirror.
REGISTRY_HOST = "127.0.0.1:5000"
REGISTRY_URL = f"http://{REGISTRY_HOST}"
HUB_PROBE_URL = "https://registry-1.docker.io/v2/"
#: The host's loopback as a rootless engine sees it, from inside rootlesskit's slirp4netns
#: network: such an engine names the lab registry as its mirror at this address.
ROOTLESS_HOST_LOOPBACK = "10.0.2.2"


def rootless_mirror_url(registry_url: str = REGISTRY_URL) -> str:
    """The lab registry as a rootless engine reaches it: the same port on rootlesskit's view
    of the host's loopback.

    Example:
        >>> rootless_mirror_url("http://127.0.0.1:5000")
        'http://10.0.2.2:5000'
    """
    from urllib.parse import urlsplit

    parts = urlsplit(registry_url)
    return f"{parts.scheme}://{ROOTLESS_HOST_LOOPBACK}:{parts.port}"


def lab_mirror_urls() -> tuple[str, str]:
    """The addresses an engine may give the lab registry as its mirror: this machine's
    loopback (a root engine, or a docker-group learner's), and rootlesskit's view of it (a
    rootless engine's)."""
    return REGISTRY_URL, rootless_mirror_url(REGISTRY_URL)


MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ]
)


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when Docker Hub's registry answers over HTTPS (any HTTP status counts).

    ``DOCKER_NOTEBOOKS_OFFLINE=1`` makes it False, to rehearse the offline lab on a connected
    machine.

    Example:
        >>> isinstance(hub_reachable(timeout=1), bool)
        True
    """
    if os.environ.get("DOCKER_NOTEBOOKS_OFFLINE") == "1":
        return False
    import requests

    try:
        requests.get(HUB_PROBE_URL, timeout=timeout)
    except requests.RequestException:
        return False
    return True


def registry_answers(timeout: float = 2.0, url: str = REGISTRY_URL) -> bool:
    """True when a Docker registry (API v2) answers at ``url`` (by default :data:`REGISTRY_URL`,
    the lab registry)."""
    import requests

    try:
        response = requests.get(f"{url}/v2/", timeout=timeout)
    except requests.RequestException:
        return False
    return response.status_code == 200 and "Docker-Distribution-Api-Version" in response.headers


def registry_catalog() -> dict[str, list[str]]:
    """Repositories and their tags in the lab registry (``/v2/_catalog`` and ``tags/list``)."""
    import requests

    repos = requests.get(f"{REGISTRY_URL}/v2/_catalog", timeout=5).json().get("repositories") or []
    catalog = {}
    for repo in repos:
        tags = requests.get(f"{REGISTRY_URL}/v2/{repo}/tags/list", timeout=5).json().get("tags")
        catalog[repo] = sorted(tags or [])
    return catalog


def registry_image_config(repository: str, tag: str) -> dict | None:
    """The image configuration (``config`` part: Env, Labels, Cmd ...) of ``repository:tag`` in
    the lab registry, or None when it is not there."""
    import requests

    url = f"{REGISTRY_URL}/v2/{repository}/manifests/{tag}"
    response = requests.get(url, headers={"Accept": MANIFEST_TYPES}, timeout=5)
    if response.status_code != 200:
        return None
    config_digest = response.json().get("config", {}).get("digest")
    if not config_digest:
        return None
    blob = requests.get(f"{REGISTRY_URL}/v2/{repository}/blobs/{config_digest}", timeout=5)
    if blob.status_code != 200:
        return None
    return blob.json().get("config") or {}


def registry_image_labels(repository: str, tag: str) -> dict[str, str] | None:
    """The labels of ``repository:tag`` in the lab registry, or None when it is not there."""
    config = registry_image_config(repository, tag)
    return None if config is None else (config.get("Labels") or {})
