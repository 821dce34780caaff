"""DL3029: FROM --platform with a fixed platform."""

from __future__ import annotations

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
from dfopt_rules._stage_refs import delete_with_trailing_space

_BUILDER_PLATFORM_ARGS = ("BUILDPLATFORM", "TARGETPLATFORM")


def uses_builder_platform(value: str) -> bool:
    """True when a `--platform` value uses `$BUILDPLATFORM` or `$TARGETPLATFORM`."""
    return "$" in value and any(name in value for name in _BUILDER_PLATFORM_ARGS)


class FromPlatformFlag(Rule):
    """## What it does
    Flags `FROM --platform=<value>` unless the value uses the builder's `BUILDPLATFORM`
    or `TARGETPLATFORM` variables (`--platform=$BUILDPLATFORM` for a cross-compiling
    builder stage is the intended use). `--platform=$TARGETPLATFORM` is redundant and
    reported by DL3065 instead.

    BuildKit's `FromPlatformFlagConstDisallowed` is a narrower check (constants only,
    and not when the stage name mentions the platform), so it is not an alias.

    ## Why is this bad?
    A fixed platform (`--platform=linux/amd64`) or one from an ordinary `ARG` pins the
    stage to one architecture whatever the build is for: a multi-platform build, or a
    build on an arm64 machine, silently gets an amd64 image (run under emulation, if at
    all). Let the builder pick the platform, or choose it with `docker build --platform`.

    ## Fix safety
    Unsafe: the fix deletes the flag, so the stage is built for the target platform
    instead of the pinned one. That is usually what was meant, but an image that only
    exists for the pinned platform, or a build that relied on emulation, changes.
    """

    code = "DL3029"
    name = "from-platform-flag"
    summary = "Do not use --platform flag with FROM"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    bad = "FROM --platform=linux/amd64 debian:12\nRUN uname -m\n"
    good = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN go build -o /app .\n"
        "FROM debian:12\nCOPY --from=build /app /app\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        flag = instruction.flag("platform")
        if flag is None or not flag.value or uses_builder_platform(flag.value):
            return
        fix = Fix.unsafe(
            "Remove the `--platform` flag", [delete_with_trailing_space(ctx, flag.span)]
        )
        yield self.violation(
            flag.span,
            f"`FROM --platform={flag.value}` pins the stage to one platform",
            fix,
        )
