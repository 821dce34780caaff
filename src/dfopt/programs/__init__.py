"""What dfopt knows about the programs a ``RUN`` runs, in one place for every pack.

- :mod:`dfopt.programs.specs`: one spec per program (options that take a value,
  subcommands and their aliases, cache-only options and clean subcommands).
- :mod:`dfopt.programs.caches`: the cache, package-index and log paths that a SAFE fix
  may empty (the only files in which a fixed image may differ from the original).
- :mod:`dfopt.programs.invocations`: the programs a command runs, seen through wrappers
  (``sudo``, ``env``, ``timeout``, ``xargs``, ``sh -c`` ...) and in exec-form RUNs.
- :mod:`dfopt.programs.packages`: which package-manager commands need the index.
- :mod:`dfopt.programs.later`: the steps that come after an instruction, and whether one
  of them may need what it leaves.

Rule packs get all of it through :mod:`dfopt.rules_api`.
"""

from __future__ import annotations

from dfopt.programs.caches import CACHE_PATHS, is_cache_path
from dfopt.programs.invocations import Invocation, invocations, word_invocations
from dfopt.programs.later import later_instructions, later_runs_may, run_invocations
from dfopt.programs.packages import (
    apk_needs_index_first,
    apt_needs_lists_first,
    installs_offline,
)
from dfopt.programs.specs import SPECS, ProgramSpec, spec_of

__all__ = [
    "CACHE_PATHS",
    "SPECS",
    "Invocation",
    "ProgramSpec",
    "apk_needs_index_first",
    "apt_needs_lists_first",
    "installs_offline",
    "invocations",
    "is_cache_path",
    "later_instructions",
    "later_runs_may",
    "run_invocations",
    "spec_of",
    "word_invocations",
]
