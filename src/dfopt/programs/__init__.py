"""What dfopt knows about the programs a ``RUN`` runs, in one place for every pack.

- :mod:`dfopt.programs.caches`: the cache, package-index and log paths that a SAFE fix
  may empty (the only files in which a fixed image may differ from the original).
"""

from __future__ import annotations

from dfopt.programs.caches import CACHE_PATHS, is_cache_path

__all__ = ["CACHE_PATHS", "is_cache_path"]
