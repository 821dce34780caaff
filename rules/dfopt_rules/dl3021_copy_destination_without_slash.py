"""DL3021: COPY with several sources and a destination that does not end with `/`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
    expand,
)
from dfopt_rules._instructions import references


class CopyDestinationWithoutSlash(Rule):
    """## What it does
    Flags a `COPY` with more than one source whose destination does not end with `/`
    (`COPY package.json package-lock.json /app`), in shell form, exec form and with
    here-documents, as hadolint's DL3021 does. A destination made of variables is judged by
    its value when every variable has a known `ARG` default or `ENV` value
    (`ARG DEST=/app/` then `COPY a b $DEST` is fine; hadolint reports it). Unlike hadolint,
    `ONBUILD COPY` is checked too, since the image built from it would fail the same way.

    ## Why is this bad?
    With several sources the destination must be a directory, and the builder insists on
    the trailing `/` to be sure: `When using COPY with more than one source file, the
    destination must be a directory and end with a /` stops the build.

    ## Fix safety
    Safe: the fix appends `/` to the destination (inside the quotes, or inside the last
    JSON string of the exec form). The files land where they would land if the builder
    accepted the original line, and the original line could not build anyway. No fix is
    offered when the destination is written across continuation lines.
    """

    code = "DL3021"
    name = "copy-destination-without-slash"
    summary = "COPY with more than 2 arguments requires the last argument to end with /"
    severity = Severity.ERROR
    targets = frozenset({"COPY"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM node:22-alpine\nCOPY package.json package-lock.json /app\n"
    good = "FROM node:22-alpine\nCOPY package.json package-lock.json /app/\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if target.form is Form.EXEC:
            args = target.exec_args
            if len(args) < 3:
                return
            destination = args[-1].value
            span = args[-1].span
            # Inside the closing quote of the JSON string.
            insert_at = span.end - 1
        else:
            words = target.words
            if len(words) < 3:
                return
            raw = words[-1].value
            span = words[-1].span
            # Like hadolint, look past quotes at either end of the word.
            destination = raw.strip("\"'")
            insert_at = span.end - (len(raw) - len(raw.rstrip("\"'")))
            if ctx.slice(span) != raw:
                insert_at = -1
        if self._ends_with_slash(destination, instruction, ctx):
            return
        fix = None
        if insert_at >= 0:
            fix = Fix.safe("Append `/` to the destination", [Edit.insert(insert_at, "/")])
        yield self.violation(
            Span(span.start, span.end),
            f"`COPY` has several sources, so its destination `{destination}` must end with `/`",
            fix,
        )

    @staticmethod
    def _ends_with_slash(destination: str, instruction: Instruction, ctx: Context) -> bool:
        if destination.endswith("/"):
            return True
        if "$" not in destination or ctx.onbuild:
            return False
        variables = ctx.state(instruction).variables
        names = [reference.name for reference in references(destination, ctx.escape)]
        if not names or any(name not in variables for name in names):
            return False
        return expand(destination, variables, ctx.escape).endswith("/")
