"""DL3011: EXPOSE of a port outside 0-65535."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._instructions import unquote

_MAX_PORT = 65535
# `80`, `80/tcp`, `8000-9000`, `8000-9000/udp` (the protocol is checked elsewhere).
_PORT = re.compile(r"^(\d+)(?:-(\d+))?(?:/[A-Za-z]*)?$")


class ExposeInvalidPort(Rule):
    """## What it does
    Flags an `EXPOSE` port, or either end of a port range, above 65535
    (`EXPOSE 80000`, `EXPOSE 8000-90000/tcp`), as hadolint's DL3011 does. Words with a
    variable (`EXPOSE $PORT`) are skipped since their value is only known at build time,
    and so are words in other shapes (`8080:80`, an IP address), which BuildKit's
    `ExposeInvalidFormat` check covers. `ONBUILD EXPOSE` is not checked.

    ## Why is this bad?
    TCP and UDP ports are 16-bit numbers, so a larger number is a typo: the builder rejects
    it, or the port the author meant is never published.
    """

    code = "DL3011"
    name = "expose-invalid-port"
    summary = "Valid UNIX ports range from 0 to 65535"
    severity = Severity.ERROR
    targets = frozenset({"EXPOSE"})
    include_onbuild = False
    bad = "FROM nginx:1.27\nEXPOSE 80800\n"
    good = "FROM nginx:1.27\nEXPOSE 8080\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for word in instruction.words:
            value, _quote = unquote(word.value)
            if "$" in value:
                continue
            match = _PORT.match(value)
            if match is None:
                continue
            ports = [int(number) for number in match.groups() if number is not None]
            if any(port > _MAX_PORT for port in ports):
                yield self.violation(
                    word.span, f"`{value}` is not a valid port; ports range from 0 to 65535"
                )
