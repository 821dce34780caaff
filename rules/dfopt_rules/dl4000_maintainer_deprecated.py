"""DL4000: MAINTAINER is deprecated."""

from __future__ import annotations

import json
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
    Violation,
)


class MaintainerDeprecated(Rule):
    """## What it does
    Flags the `MAINTAINER` instruction.

    ## Why is this bad?
    `MAINTAINER` has been deprecated since Docker 1.13; the author belongs in the
    `org.opencontainers.image.authors` label, which every tool that reads image metadata
    understands.

    ## Fix safety
    Safe, with one metadata change: the instruction becomes
    `LABEL org.opencontainers.image.authors="..."`, so the image carries the label and
    no longer sets the legacy `Author` field of the image config. Nothing in the image's
    filesystem, user, environment or entrypoint changes. `ONBUILD MAINTAINER` (which the
    builder rejects) is reported but not rewritten.
    """

    code = "DL4000"
    name = "maintainer-deprecated"
    summary = "MAINTAINER is deprecated"
    severity = Severity.ERROR
    targets = frozenset({"MAINTAINER"})
    aliases = ("MaintainerDeprecated",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM alpine:3.20\nMAINTAINER Jane Doe <jane@example.com>\n"
    good = (
        'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"\n'
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        fix = None
        if not ctx.onbuild and instruction.args_text:
            value = json.dumps(instruction.args_text, ensure_ascii=False)
            label = f"LABEL org.opencontainers.image.authors={value}"
            start = instruction.keyword_span.start
            fix = Fix.safe(
                "Replace MAINTAINER with the org.opencontainers.image.authors label",
                [Edit.replace(Span(start, instruction.args_span.end), label)],
            )
        target = instruction.effective
        yield self.violation(target.keyword_span, "`MAINTAINER` is deprecated", fix)
