"""Per-stage facts: stages, ARG/ENV/SHELL/WORKDIR/USER, variable expansion, mounts."""

from dfopt.semantics.expand import expand, process_word, references
from dfopt.semantics.mounts import Mount, cache_mounted, mounts_of, parse_mount
from dfopt.semantics.stages import (
    DEFAULT_SHELL,
    PLATFORM_ARGS,
    Semantics,
    Stage,
    State,
    analyze,
    parse_assignments,
    raw_assignments,
)

__all__ = [
    "DEFAULT_SHELL",
    "PLATFORM_ARGS",
    "Mount",
    "Semantics",
    "Stage",
    "State",
    "analyze",
    "cache_mounted",
    "expand",
    "mounts_of",
    "parse_assignments",
    "parse_mount",
    "process_word",
    "raw_assignments",
    "references",
]
