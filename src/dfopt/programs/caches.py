"""Cache, package-index and log paths: the only files a SAFE fix may remove.

A SAFE fix keeps the built image's files, owners, modes, user, environment, working
directory, entrypoint, command, ports and labels; it may only change the layer count and
what sits in these paths (package indexes and caches that package managers rebuild on
demand, and logs). The execution oracles of the test suite compare images with these
paths left out, and the build fingerprint treats their removal as cache-only.
"""

from __future__ import annotations

import posixpath

CACHE_PATHS: tuple[str, ...] = (
    "/var/lib/apt/lists",
    "/var/cache/apt",
    "/var/cache/apk",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/libdnf5",
    "/var/cache/zypp",
    "/root/.cache",
    "/root/.npm",
    "/usr/local/share/.cache/yarn",
    "/root/.yarn-cache",
    "/root/.composer/cache",
    "/root/.gem/specs",
    "/var/log/apt",
    "/var/log/dpkg.log",
    "/var/log/alternatives.log",
)
"""Absolute paths whose contents (and the path itself) a SAFE fix may remove."""


def is_cache_path(path: str) -> bool:
    """True when ``path`` (absolute, as in the image) is one of :data:`CACHE_PATHS` or
    lies inside one."""
    normal = posixpath.normpath("/" + path.lstrip("/"))
    return any(normal == root or normal.startswith(root + "/") for root in CACHE_PATHS)
