"""DF513: the protocol of an EXPOSE port is not lower case."""

from __future__ import annotations

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
from dfopt_rules._expose import port_words


class ExposeProtoCasing(Rule):
    """## What it does
    Flags `EXPOSE` ports whose protocol is not written in lower case: `EXPOSE 80/TCP`,
    `EXPOSE 53/Udp`. Ports with a variable are checked with the value the stage's ARG and
    ENV give them; `ONBUILD EXPOSE` is checked too. This is BuildKit's `ExposeProtoCasing`
    check; like BuildKit it stays silent on a protocol the builder rejects (`80/http`).

    ## Why is this bad?
    The builder accepts `tcp`, `udp` and `sctp` in any case and records them in lower case
    in the image, so an upper-case protocol is only inconsistent with what
    `docker inspect` shows and with the rest of the Dockerfile.

    ## Fix safety
    Safe: the protocol is rewritten in lower case. The builder lower-cases it anyway, so
    the image config is the same. Ports whose protocol comes from a variable or sits in
    quotes are reported without a fix.
    """

    code = "DF513"
    name = "expose-proto-casing"
    summary = "Protocols of EXPOSE ports should be lower case"
    severity = Severity.WARNING
    targets = frozenset({"EXPOSE"})
    aliases = ("ExposeProtoCasing",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM nginx:1.27\nEXPOSE 80/TCP\n"
    good = "FROM nginx:1.27\nEXPOSE 80/tcp\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for spec in port_words(instruction, ctx):
            if spec.proto == spec.proto.lower():
                continue
            fix = None
            if spec.literal and ctx.slice(spec.span) == spec.text:
                start = spec.span.start + len(spec.text) - len(spec.proto)
                span = Span(start, spec.span.end)
                fix = Fix.safe(
                    f"Write `{spec.proto.lower()}`", [Edit.replace(span, spec.proto.lower())]
                )
            yield self.violation(
                spec.span,
                f"Protocol of `{spec.text}` should be lower case (`{spec.proto.lower()}`)",
                fix,
            )
