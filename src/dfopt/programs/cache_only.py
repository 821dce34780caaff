"""Operations that only touch caches, prompts or logs, per program.

A SAFE fix may add exactly these to a RUN (``--no-cache-dir``, ``-y``, ``apt-get clean``,
``rm -rf /var/lib/apt/lists/*``), so the build fingerprint leaves them out: what is left
is what the image depends on.
"""

from __future__ import annotations

from dfopt.programs.caches import is_cache_path
from dfopt.programs.specs import SPECS

__all__ = [
    "CACHE_ONLY_FLAGS",
    "CLEAN_SUBCOMMANDS",
    "QUIET_FLAGS",
    "SPELLINGS",
    "cache_only_stripped",
]

CACHE_ONLY_FLAGS = frozenset({"--no-cache-dir", "--progress=dot:giga", "-nv"})
"""Options that only touch caches or logs whatever program they are given to (pip's
``--no-cache-dir`` also reaches pip through ``python -m pip``)."""
QUIET_FLAGS: dict[str, frozenset[str]] = {
    name: spec.cache_only for name, spec in SPECS.items() if spec.cache_only
}
"""Per program, the options that only change caches, prompts or logs (from its spec)."""
SPELLINGS = {name: spec.same_as for name, spec in SPECS.items() if spec.same_as != name}
"""Programs that are spellings of another one, for comparison (``apt`` as ``apt-get``)."""
CLEAN_SUBCOMMANDS = {name: spec.cleans for name, spec in SPECS.items() if spec.cleans}
"""Per program, the subcommands that only clean caches (from its spec)."""
_HOME_CACHES = ("~/.cache", "$HOME/.cache")
"""Cache folders named relative to the home directory, as written in RUN bodies."""


def cache_only_stripped(name: str, args: list[str]) -> tuple[str, ...] | None:
    """A command's name and arguments without its cache-only, prompt and log options;
    None for a command that only cleans caches (``apt-get clean``, ``rm -rf
    /var/lib/apt/lists/*``)."""
    name = SPELLINGS.get(name, name)
    if name in CLEAN_SUBCOMMANDS and args and args[0] in CLEAN_SUBCOMMANDS[name]:
        return None
    if name == "rm":
        targets = [arg for arg in args if not arg.startswith("-")]
        if targets and all(_cache_target(path) for path in targets):
            return None
    quiet = QUIET_FLAGS.get(name, frozenset())
    kept = tuple(
        arg
        for arg in args
        if arg not in CACHE_ONLY_FLAGS and arg not in quiet and not arg.startswith("--progress=")
    )
    return (name, *kept)


def _cache_target(path: str) -> bool:
    """An ``rm`` operand inside a cache folder (``/var/lib/apt/lists/*``, ``~/.cache``)."""
    cleaned = path.rstrip("*").rstrip("/") or path
    if cleaned.startswith(("~", "$HOME")):
        return any(cleaned == root or cleaned.startswith(root + "/") for root in _HOME_CACHES)
    return cleaned.startswith("/") and is_cache_path(cleaned)
