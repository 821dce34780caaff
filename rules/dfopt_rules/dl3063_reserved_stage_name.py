"""DL3063: a stage is named `scratch` or `context`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Stage,
    Violation,
)
from dfopt_rules._stage_refs import flag_value_edit, from_line

RESERVED_NAMES = frozenset({"scratch", "context"})


def _mount_from_edits(ctx: Context, instruction: Instruction, old: str, new: str) -> list[Edit]:
    """Edits renaming ``from=<old>`` in the RUN's ``--mount`` flags."""
    edits: list[Edit] = []
    pattern = re.compile(r"(?<=[=,\"'])from=(" + re.escape(old) + r")(?=[,\"']|$)", re.I)
    for flag in instruction.flags:
        if flag.name != "mount":
            continue
        text = ctx.slice(flag.span)
        for match in pattern.finditer(text):
            start = flag.span.start + match.start(1)
            edits.append(Edit.replace(Span(start, start + len(match.group(1))), new))
    return edits


def rename_edits(ctx: Context, stage: Stage, new: str) -> list[Edit] | None:
    """Edits renaming ``stage`` to ``new`` and every later literal reference to it, or
    None when the stage has no alias to rename."""
    if stage.from_instruction is None or stage.name is None:
        return None
    alias = from_line(stage.from_instruction).alias
    if alias is None:
        return None
    old = stage.name
    edits = [Edit.replace(alias.span, new)]
    for later in ctx.stages[stage.index + 1 :]:
        head = later.from_instruction
        if head is not None:
            image = from_line(head).image
            if image is not None and image.value.lower() == old:
                edits.append(Edit.replace(image.span, new))
        if later.name == old:
            break  # a later stage of the same name shadows this one from here on
        for instruction in later.instructions:
            if instruction.keyword == "COPY":
                flag = instruction.flag("from")
                if flag is not None and (flag.value or "").lower() == old:
                    edits.append(flag_value_edit(ctx, flag, new))
            elif instruction.keyword == "RUN":
                edits.extend(_mount_from_edits(ctx, instruction, old, new))
    return edits


class ReservedStageName(Rule):
    """## What it does
    Flags a stage named `scratch` or `context` (in any letter case: the builder
    lower-cases stage names; hadolint matches the lower-case spelling only).

    ## Why is this bad?
    Both words already mean something to the builder: `scratch` is the empty base image
    and `context` names the build context (`COPY --from=context`, named contexts). A
    stage with such a name is ambiguous to readers and to tools, and which one a
    reference picks depends on the builder.

    ## Fix safety
    Unsafe: the fix renames the stage to `<name>-stage` and updates the later literal
    references to it (`FROM <name>`, `COPY --from=<name>` and `RUN --mount=from=<name>`).
    A reference that the builder resolved to the reserved meaning rather than the stage
    now points at the stage, references built from variables are not updated, and an
    external `docker build --target <name>` breaks. No fix is offered when
    `<name>-stage` is already a stage name.
    """

    code = "DL3063"
    name = "reserved-stage-name"
    summary = "Stage name should not be a reserved word"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("ReservedStageName",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = (
        "FROM golang:1.23 AS context\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=context /app /app\n"
    )
    good = (
        "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        alias = from_line(instruction).alias
        if stage is None or alias is None or stage.name not in RESERVED_NAMES:
            return
        new = f"{alias.value}-stage"
        fix = None
        if all(other.name != new.lower() for other in ctx.stages):
            edits = rename_edits(ctx, stage, new)
            if edits:
                fix = Fix.unsafe(f"Rename the stage to `{new}`", edits)
        yield self.violation(
            alias.span, f"Stage name `{alias.value}` is reserved by the builder", fix
        )
