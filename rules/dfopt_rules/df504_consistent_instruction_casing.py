"""DF504: an instruction keyword cased unlike most keywords of the file."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Rule,
    Severity,
    Violation,
)


class ConsistentInstructionCasing(Rule):
    """## What it does
    Counts the instruction keywords written all in lower case and all in upper case; the
    larger group is the file's casing (upper case on a tie). Every keyword that is not in
    that casing is flagged, including mixed-case keywords such as `Run`, which never
    count. Only the keyword that starts each instruction is considered (not the trigger
    keyword after `ONBUILD`), as in BuildKit's `ConsistentInstructionCasing` check.

    ## Why is this bad?
    The builder accepts any casing, but a file that mixes `RUN` and `run` is harder to
    scan, and the odd keyword often marks a pasted or half-edited line.

    ## Fix safety
    Safe: the keyword is rewritten in the file's casing. Keyword casing has no effect on
    the build.
    """

    code = "DF504"
    name = "consistent-instruction-casing"
    summary = "Instruction keywords should all use the same casing"
    severity = Severity.WARNING
    aliases = ("ConsistentInstructionCasing",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM alpine:3.20\nRUN apk add --no-cache curl\ncopy app /app\n"
    good = "FROM alpine:3.20\nRUN apk add --no-cache curl\nCOPY app /app\n"

    def finish(self, ctx: Context) -> Iterator[Violation]:
        keywords = [
            (instruction, ctx.slice(instruction.keyword_span))
            for instruction in ctx.document.instructions
        ]
        lower = sum(1 for _, text in keywords if text == text.lower())
        upper = sum(1 for _, text in keywords if text == text.upper())
        majority_lower = lower > upper
        casing = "lowercase" if majority_lower else "uppercase"
        for instruction, text in keywords:
            wanted = text.lower() if majority_lower else text.upper()
            if text == wanted:
                continue
            fix = Fix.safe(f"Write `{wanted}`", [Edit.replace(instruction.keyword_span, wanted)])
            yield self.violation(
                instruction.keyword_span,
                f"Command `{text}` should match the case of the command majority ({casing})",
                fix,
            )
