"""Image references, read the way the Docker SDK reads them.

:mod:`helpers.registry` (pull) and :mod:`helpers.cleanup` (the ledger of claimed tags) both need
to take ``nginx:stable`` apart; both import this module, and it imports neither of them. The
splitting itself is the SDK's ``docker.utils.parse_repository_tag``, which keeps a registry's
port in the repository (``localhost:5000/library/nginx``) and returns a digest in place of a tag.
"""

from __future__ import annotations


def split_ref(ref: str) -> tuple[str, str]:
    """Split an image reference into repository and tag (``latest`` when none is given).

    Args:
        ref: An image reference: ``nginx``, ``nginx:stable``, ``host:port/repo:tag`` or
            ``repo@sha256:...``.

    Returns:
        ``(repository, tag)``; for a reference by digest, ``(repository, digest)``.

    Example:
        >>> split_ref("nginx")
        ('nginx', 'latest')
        >>> split_ref("localhost:5000/library/nginx:stable")
        ('localhost:5000/library/nginx', 'stable')
        >>> split_ref("localhost:5000/library/nginx")
        ('localhost:5000/library/nginx', 'latest')
        >>> split_ref("nginx@sha256:0123")
        ('nginx', 'sha256:0123')
    """
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(ref)
    return repository, tag or "latest"


def is_digest(tag: str) -> bool:
    """True when the second half of :func:`split_ref` is a digest (a tag never holds ``:``).

    Example:
        >>> is_digest("sha256:0123"), is_digest("stable")
        (True, False)
    """
    return ":" in tag


def normalize_ref(ref: str) -> str:
    """The one spelling of ``ref``: ``repository:tag``, ``latest`` made explicit.

    Example:
        >>> normalize_ref("nginx")
        'nginx:latest'
        >>> normalize_ref("localhost:5000/library/nginx:stable")
        'localhost:5000/library/nginx:stable'
        >>> normalize_ref("nginx@sha256:0123")
        'nginx@sha256:0123'
    """
    repository, tag = split_ref(ref)
    return f"{repository}{'@' if is_digest(tag) else ':'}{tag}"
