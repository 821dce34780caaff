"""DL3022: COPY --from names no earlier stage."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import earlier_stage_named, looks_like_image, resolved_copy_source


class CopyFromUnknownStage(Rule):
    """## What it does
    Flags `COPY --from=<name>` when `<name>` is neither an earlier stage's name nor the
    index of an earlier stage (`--from=0`). Stage names are compared case-insensitively,
    as the builder does (hadolint compares them as written).

    Values that can only be images are not reported: anything with a `:` (a tag,
    `--from=nginx:1.27`), a `/` (`--from=ghcr.io/org/tool`) or an `@` digest; hadolint
    exempts only the `:` form and reports untagged image references (hadolint #859).
    Variables are resolved with the `ARG` defaults of the file, global ones and those
    of the stage (`ARG STAGE=build` then `--from=${STAGE}`; hadolint reports these,
    #933), and a value that depends on an `ARG` without a default is not reported. A
    reference to the stage the COPY is in is DL3023's business. Like hadolint,
    `ONBUILD COPY --from` is not checked: it runs in another build, whose stages this
    file cannot know.

    ## Why is this bad?
    A name that is not a stage of this file is pulled as an image from a registry. A
    typo in a stage name, or a reference to a stage defined further down, therefore
    either fails with a confusing pull error or, worse, silently copies files out of
    some unrelated public image of that name.
    """

    code = "DL3022"
    name = "copy-from-unknown-stage"
    summary = "COPY --from should reference a previously defined FROM alias"
    severity = Severity.WARNING
    targets = frozenset({"COPY"})
    include_onbuild = False
    bad = (
        "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=buidl /app /app\n"
    )
    good = (
        "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        source = resolved_copy_source(ctx, instruction)
        if source is None:
            return
        flag, value = source
        if looks_like_image(value):
            return
        stage = ctx.stage(instruction)
        current = stage.index if stage is not None else 0
        if stage is not None and stage.name == value.lower():
            return  # its own stage: DL3023
        if value.isdigit() and int(value) <= current and stage is not None:
            return  # an earlier stage, or its own (DL3023)
        if earlier_stage_named(ctx.stages, current, value) is not None:
            return
        shown = f"`{value}`" if value == flag.value else f"`{value}` (from `{flag.value}`)"
        yield self.violation(
            flag.span, f"`COPY --from` names {shown}, which is not an earlier stage"
        )
