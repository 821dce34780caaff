"""DF501: a stage name is not lower case."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
)
from dfopt_rules._buildkit import stage_name_words


class StageNameCasing(Rule):
    """## What it does
    Flags stage names that are not all lower case: `FROM golang:1.23 AS Build`. This is
    BuildKit's `StageNameCasing` check.

    ## Why is this bad?
    The builder lower-cases stage names and every reference to them, so `Build`, `BUILD`
    and `build` are one stage. Writing it in upper or mixed case suggests a distinction
    that does not exist, and `docker build --target` lists it in lower case.

    ## Fix safety
    Safe: the stage name is rewritten in lower case, together with every reference to it
    written out in the file: `FROM <stage>`, `COPY --from=<stage>`, `ADD --from=<stage>`
    and `from=<stage>` in a `RUN --mount`. The builder compares stage names without regard
    to case, so the build is the same. References built from variables, in quotes or in
    `ONBUILD` triggers (which belong to the build that uses the image) are left as they are;
    they keep working.
    """

    code = "DF501"
    name = "stage-name-casing"
    summary = "Stage names should be lower case"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("StageNameCasing",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM golang:1.23 AS Build\nFROM alpine:3.20\nCOPY --from=Build /go/bin/app /app\n"
    good = "FROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=build /go/bin/app /app\n"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._fixed: set[str] = set()

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        indexes = stage_name_words(instruction)
        if indexes is None:
            return
        word = instruction.words[indexes[1]]
        name = word.value
        lowered = name.lower()
        if name == lowered:
            return
        edits = [Edit.replace(word.span, lowered)] if ctx.slice(word.span) == name else []
        if edits and lowered not in self._fixed:
            # A duplicate stage name shares its references with the first definition.
            self._fixed.add(lowered)
            edits.extend(_reference_edits(ctx, lowered))
        fix = Fix.safe(f"Rename the stage `{lowered}`", edits) if edits else None
        yield self.violation(word.span, f"Stage name `{name}` should be lower case", fix)


def _reference_edits(ctx: Context, lowered: str) -> Iterator[Edit]:
    """Edits that lower-case every literal reference to the stage ``lowered``."""
    for instruction in ctx.document.instructions:
        if instruction.trigger is not None:
            continue
        keyword = instruction.keyword
        if keyword == "FROM" and instruction.words:
            word = instruction.words[0]
            if _renames(ctx.slice(word.span), word.value, lowered):
                yield Edit.replace(word.span, lowered)
        elif keyword in ("COPY", "ADD"):
            for flag in instruction.flags:
                if flag.name == "from" and flag.value is not None:
                    yield from _value_edits(ctx, flag.span, [flag.value], lowered)
        elif keyword == "RUN":
            for flag in instruction.flags:
                if flag.name == "mount" and flag.value is not None:
                    values = [
                        value
                        for key, sep, value in (
                            part.partition("=") for part in flag.value.split(",")
                        )
                        if sep and key.strip().lower() == "from"
                    ]
                    yield from _value_edits(ctx, flag.span, values, lowered)


def _renames(source: str, value: str, lowered: str) -> bool:
    return source == value and value.lower() == lowered and value != lowered


def _value_edits(ctx: Context, span: Span, values: list[str], lowered: str) -> Iterator[Edit]:
    """Edits for the ``from`` values of one flag, when the flag is written without quotes."""
    source = ctx.slice(span)
    if not any(value.lower() == lowered and value != lowered for value in values):
        return
    _dashes, _sep, body = source.partition("=")
    if "$" in source or '"' in source or "'" in source or ctx.escape in source:
        return
    offset = span.start + len(source) - len(body)
    if source.lower().startswith("--from="):
        if _renames(body, body, lowered):
            yield Edit.replace(Span(offset, offset + len(body)), lowered)
        return
    for part in body.split(","):
        key, sep, value = part.partition("=")
        if sep and key.strip().lower() == "from" and _renames(value, value, lowered):
            start = offset + len(key) + 1
            yield Edit.replace(Span(start, start + len(value)), lowered)
        offset += len(part) + 1
