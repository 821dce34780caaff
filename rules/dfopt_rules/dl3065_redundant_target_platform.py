"""DL3065: FROM --platform=$TARGETPLATFORM is redundant."""

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

REDUNDANT_VALUES = frozenset({"$TARGETPLATFORM", "${TARGETPLATFORM}"})


class RedundantTargetPlatform(Rule):
    """## What it does
    Flags `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`, quoted or not).

    ## Why is this bad?
    Building for the target platform is what the builder does anyway; the flag adds
    noise and suggests to readers that something special happens here.

    ## Fix safety
    Safe: the fix deletes the flag and the blanks after it, and the stage is built for
    the same platform. When the file gives `TARGETPLATFORM` a default of its own with a
    global `ARG TARGETPLATFORM=...`, the flag may not be a no-op and the fix is unsafe.
    """

    code = "DL3065"
    name = "redundant-target-platform"
    summary = "FROM --platform=$TARGETPLATFORM is redundant"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("RedundantTargetPlatform",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM --platform=$TARGETPLATFORM alpine:3.20\nRUN uname -m\n"
    good = "FROM alpine:3.20\nRUN uname -m\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        flag = instruction.flag("platform")
        if flag is None or flag.value not in REDUNDANT_VALUES:
            return
        edits = [delete_with_trailing_space(ctx, flag.span)]
        title = "Remove the redundant `--platform` flag"
        if ctx.semantics.global_args.get("TARGETPLATFORM"):
            fix = Fix.unsafe(title, edits)
        else:
            fix = Fix.safe(title, edits)
        yield self.violation(
            flag.span,
            f"`--platform={flag.value}` is redundant: the builder targets that platform anyway",
            fix,
        )
