"""DF503: an empty line inside a continued instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    ALL_KEYWORDS,
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Violation,
)


class NoEmptyContinuation(Rule):
    """## What it does
    Flags empty (or blank) lines inside an instruction continued with the escape
    character, such as a blank line between two `\\`-continued lines of a `RUN`. This is
    BuildKit's `NoEmptyContinuation` check; the finding points at the first empty line of
    the instruction.

    ## Why is this bad?
    The builder skips such lines today, but has announced that empty continuation lines
    will become an error. They also hide where an instruction ends: a reader easily takes
    the text after the blank line for a new instruction.

    ## Fix safety
    Safe: the empty lines are deleted. The builder already drops them when it joins the
    continued lines, so the instruction it reads is unchanged. Comment lines inside the
    continuation are kept.
    """

    code = "DF503"
    name = "no-empty-continuation"
    summary = "Empty continuation lines will become errors"
    severity = Severity.WARNING
    targets = ALL_KEYWORDS
    include_onbuild = False
    aliases = ("NoEmptyContinuation",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n\n    git\n"
    good = "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    git\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        lines = instruction.empty_continuation_lines
        if not lines:
            return
        fix = Fix.safe("Delete the empty continuation lines", [Edit.delete(span) for span in lines])
        yield self.violation(lines[0], "Empty continuation line", fix)
