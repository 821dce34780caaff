"""DL3061: an instruction other than ARG comes before the first FROM."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Rule, Severity, Violation


class InstructionBeforeFrom(Rule):
    """## What it does
    Flags every instruction other than `ARG` that comes before the first `FROM`
    (comments, blank lines and parser directives such as `# syntax=` are fine).

    ## Why is this bad?
    A Dockerfile must start with `FROM`, optionally preceded by global `ARG`s that
    parametrise the `FROM` lines. The builder rejects anything else there, so the file
    does not build; often the `FROM` was lost when the file was edited or generated.
    """

    code = "DL3061"
    name = "instruction-before-from"
    summary = "Invalid instruction order: Dockerfile must begin with FROM, ARG or comment"
    severity = Severity.ERROR
    bad = "LABEL maintainer=team@example.com\nFROM alpine:3.20\n"
    good = "# syntax=docker/dockerfile:1\nARG VERSION=3.20\nFROM alpine:${VERSION}\n"

    def finish(self, ctx: Context) -> Iterator[Violation]:
        for instruction in ctx.document.instructions:
            if instruction.keyword == "FROM":
                return
            if instruction.keyword == "ARG":
                continue
            yield self.violation(
                instruction.keyword_span,
                f"`{instruction.keyword}` comes before the first `FROM`",
            )
