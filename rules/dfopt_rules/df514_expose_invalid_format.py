"""DF514: EXPOSE with an IP address or a host port."""

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
    Violation,
)
from dfopt_rules._expose import PortWord, port_range, port_words, valid_ip


class ExposeInvalidFormat(Rule):
    """## What it does
    Flags `EXPOSE` ports written with an IP address or a host port, as in a
    `docker run -p` mapping: `EXPOSE 8080:80`, `EXPOSE 127.0.0.1:8080:80/tcp`,
    `EXPOSE [::1]:8080:80`. Ports with a variable are checked with the value the stage's
    ARG and ENV give them; `ONBUILD EXPOSE` is checked too. This is BuildKit's
    `ExposeInvalidFormat` check.

    ## Why is this bad?
    `EXPOSE` only documents which container ports the image listens on; publishing them on
    the host (and on which address) is decided by whoever runs the container. The builder
    still accepts the old mapping syntax but ignores the IP address and the host port, so
    the line promises a mapping that never happens.

    ## Fix safety
    Safe: only the container port and its protocol are kept
    (`EXPOSE 127.0.0.1:8080:80/tcp` becomes `EXPOSE 80/tcp`). The image config is unchanged
    because the builder stores only the container port. The fix is offered only when the
    builder accepts the spec as written: with an invalid IP address, a host port that does
    not parse, or host and container ranges of different sizes the build fails today, and
    dropping the bad part would make it succeed, so those are reported without a fix. Specs
    with variables, quotes or escapes are reported without a fix too.
    """

    code = "DF514"
    name = "expose-invalid-format"
    summary = "EXPOSE should not name an IP address or a host port"
    severity = Severity.WARNING
    targets = frozenset({"EXPOSE"})
    aliases = ("ExposeInvalidFormat",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM nginx:1.27\nEXPOSE 8080:80\n"
    good = "FROM nginx:1.27\nEXPOSE 80\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for spec in port_words(instruction, ctx):
            if not spec.ip and not spec.host_port:
                continue
            fix = None
            if spec.literal and ctx.slice(spec.span) == spec.text and _builds(spec):
                fix = Fix.safe(
                    f"Keep only `{spec.container}`", [Edit.replace(spec.span, spec.container)]
                )
            yield self.violation(
                spec.span,
                f"`{spec.text}` should expose only the container port; "
                "EXPOSE does not map host ports or IP addresses",
                fix,
            )


def _builds(spec: PortWord) -> bool:
    """True when the builder accepts the spec (so dropping the host part changes nothing)."""
    if spec.ip and not valid_ip(spec.ip):
        return False
    port, _slash, _proto = spec.container.partition("/")
    container = port_range(port)
    if container is None:
        return False
    if not spec.host_port:
        return True
    host = port_range(spec.host_port)
    if host is None:
        return False
    same_size = container[1] - container[0] == host[1] - host[0]
    return same_size or container[0] == container[1]
