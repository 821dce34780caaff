"""Operations that only touch caches, prompts or logs, per program.

A SAFE fix may add exactly these to a RUN (``--no-cache-dir``, ``-y``, ``apt-get clean``,
``rm -rf /var/lib/apt/lists/*``), so the build fingerprint leaves them out: what is left
is what the image depends on.
"""

from __future__ import annotations

from dfopt.programs.caches import is_cache_path

__all__ = [
    "CACHE_ONLY_FLAGS",
    "CLEAN_SUBCOMMANDS",
    "QUIET_FLAGS",
    "SPELLINGS",
    "cache_only_stripped",
]

# Flags that only change caches, prompts or log output, per command.
CACHE_ONLY_FLAGS = frozenset({"--no-cache-dir", "--progress=dot:giga", "-nv"})
QUIET_FLAGS: dict[str, frozenset[str]] = {
    "apt-get": frozenset({"-y", "--yes", "--assume-yes"}),
    "yum": frozenset({"-y", "--assumeyes"}),
    "dnf": frozenset({"-y", "--assumeyes"}),
    "microdnf": frozenset({"-y", "--assumeyes"}),
    "zypper": frozenset({"-y", "-n", "--non-interactive", "--no-confirm"}),
    "apk": frozenset({"--no-cache", "--update", "--update-cache", "-U"}),
    "useradd": frozenset({"-l", "--no-log-init"}),
    "wget": frozenset({"-nv", "--no-verbose"}),
    "gem": frozenset({"--no-document", "-N"}),
    "uv": frozenset({"--no-cache", "-n"}),
}
# Spellings of the same command.
SPELLINGS = {"apt": "apt-get"}
# Commands that only clean caches.
CLEAN_SUBCOMMANDS = {
    "apt-get": {"clean", "autoclean"},
    "apt": {"clean", "autoclean"},
    "yum": {"clean"},
    "dnf": {"clean"},
    "microdnf": {"clean"},
    "zypper": {"clean", "cc"},
    "npm": {"cache"},
    "yarn": {"cache"},
    "pnpm": {"store"},
    "pip": {"cache"},
    "pip3": {"cache"},
    "gem": {"cleanup"},
    "composer": {"clear-cache", "clearcache"},
    "pipenv": {"--clear"},
}
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
