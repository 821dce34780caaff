"""DF510: FROM --platform with a constant platform the stage name does not mention."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Violation,
)
from dfopt_rules._buildkit import delete_flag, stage_name_words, variable_references

_KNOWN_OS = frozenset(
    {
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "illumos",
        "ios",
        "js",
        "linux",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
    }
)
_ARCH_ALIASES = {
    "i386": "386",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
}
_KNOWN_ARCH = frozenset(
    {
        "386",
        "amd64",
        "arm",
        "arm64",
        "loong64",
        "mips",
        "mips64",
        "mips64le",
        "mipsle",
        "ppc64",
        "ppc64le",
        "riscv64",
        "s390x",
        "wasm",
    }
)
_COMPONENT = re.compile(r"[A-Za-z0-9_.-]+")


def parse_platform(value: str) -> tuple[str, str] | None:
    """``(os, architecture)`` of a platform specifier as the builder normalises it."""
    parts = value.split("/")
    if not 1 <= len(parts) <= 3 or not all(_COMPONENT.fullmatch(part) for part in parts):
        return None
    lowered = [part.lower() for part in parts]
    if len(lowered) == 1:
        if lowered[0] in _KNOWN_OS:
            return lowered[0], "amd64"
        arch = _ARCH_ALIASES.get(lowered[0], lowered[0])
        return ("linux", arch) if arch in _KNOWN_ARCH else None
    arch = _ARCH_ALIASES.get(lowered[1], lowered[1])
    return lowered[0], arch


class FromPlatformFlagConstDisallowed(Rule):
    """## What it does
    Flags `FROM --platform=<constant>` (no variable in the value) when the stage name
    mentions neither the platform's OS nor its architecture: `FROM --platform=linux/amd64
    debian:12 AS build` is flagged, `... AS build-amd64` is not. This is BuildKit's
    `FromPlatformFlagConstDisallowed` check, narrower than DL3029 (which also flags
    platforms taken from ordinary ARGs).

    ## Why is this bad?
    A constant platform pins the stage to one architecture whatever the build targets,
    so a multi-platform build, or a build on an arm64 machine, gets an amd64 stage (run
    under emulation, if at all). When pinning is intended, naming the stage after the
    platform documents it.

    ## Fix safety
    Unsafe: the fix deletes the flag, so the stage is built for the target platform
    instead of the pinned one. An image that only exists for the pinned platform, or a
    build that relied on emulation, changes.
    """

    code = "DF510"
    name = "from-platform-flag-const-disallowed"
    summary = "FROM --platform should not use a constant value"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("FromPlatformFlagConstDisallowed",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    bad = "FROM --platform=linux/amd64 debian:12 AS build\nRUN uname -m\n"
    good = "FROM --platform=linux/amd64 debian:12 AS build-amd64\nRUN uname -m\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        flag = instruction.flag("platform")
        if flag is None or not flag.value:
            return
        if variable_references(ctx.slice(flag.span), ctx.escape) or "$" in flag.value:
            return
        platform = parse_platform(flag.value)
        if platform is None:
            return
        indexes = stage_name_words(instruction)
        stage_name = instruction.words[indexes[1]].value.lower() if indexes else ""
        if platform[0] in stage_name or platform[1] in stage_name:
            return
        fix = Fix.unsafe("Remove the `--platform` flag", [delete_flag(ctx, flag.span)])
        yield self.violation(
            flag.span, f"FROM --platform flag should not use constant value `{flag.value}`", fix
        )
