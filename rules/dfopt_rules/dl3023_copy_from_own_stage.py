"""DL3023: COPY --from names the stage it is in."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import resolved_copy_source


class CopyFromOwnStage(Rule):
    """## What it does
    Flags `COPY --from=<name>` inside the stage called `<name>`, or `--from=<n>` inside
    stage number `<n>`. Names are compared case-insensitively and variables are resolved
    with the `ARG` defaults in scope, as the builder does (hadolint compares the text as
    written, and does not check indexes). `ONBUILD COPY` is not checked, like hadolint:
    it runs in another build.

    ## Why is this bad?
    A stage cannot copy from itself: the builder rejects the Dockerfile with a circular
    dependency. The reference is usually a copy-paste slip for an earlier stage.
    """

    code = "DL3023"
    name = "copy-from-own-stage"
    summary = "COPY --from cannot reference its own FROM alias"
    severity = Severity.ERROR
    targets = frozenset({"COPY"})
    include_onbuild = False
    bad = "FROM golang:1.23 AS build\nCOPY --from=build /src /src\n"
    good = (
        "FROM golang:1.23 AS deps\nRUN go mod download\n"
        "FROM golang:1.23 AS build\nCOPY --from=deps /go /go\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        source = resolved_copy_source(ctx, instruction)
        if stage is None or source is None:
            return
        flag, value = source
        own_name = stage.name is not None and stage.name == value.lower()
        own_index = value.isdigit() and int(value) == stage.index
        if not (own_name or own_index):
            return
        yield self.violation(flag.span, f"`COPY --from={value}` names the stage it is in")
