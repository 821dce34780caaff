"""DL3043: ONBUILD triggers ONBUILD, FROM or MAINTAINER."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation

FORBIDDEN_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


class ForbiddenOnbuildTrigger(Rule):
    """## What it does
    Flags `ONBUILD ONBUILD ...`, `ONBUILD FROM ...` and `ONBUILD MAINTAINER ...`.

    ## Why is this bad?
    The builder does not allow these instructions as `ONBUILD` triggers: a chained
    `ONBUILD` is explicitly forbidden, and `FROM` or `MAINTAINER` make no sense in the
    downstream build, so a build based on this image fails when the trigger runs.
    """

    code = "DL3043"
    name = "forbidden-onbuild-trigger"
    summary = "ONBUILD, FROM or MAINTAINER triggered from within ONBUILD instruction"
    severity = Severity.ERROR
    targets = frozenset({"ONBUILD"})
    include_onbuild = False
    bad = "FROM alpine:3.20\nONBUILD ONBUILD RUN echo hi\n"
    good = "FROM alpine:3.20\nONBUILD RUN echo hi\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        trigger = instruction.trigger
        if trigger is None or trigger.keyword not in FORBIDDEN_TRIGGERS:
            return
        yield self.violation(
            trigger.keyword_span,
            f"`ONBUILD {trigger.keyword}` is not allowed: the builder rejects this trigger",
        )
