"""DF305: EXPOSE of the SSH port."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation, expand

SSH_PORT = 22


def _covers_ssh(value: str) -> bool:
    """True for ``22``, ``22/tcp`` and ranges such as ``20-25`` that include 22."""
    port, _, protocol = value.partition("/")
    if protocol and protocol.lower() not in ("tcp", "sctp"):
        return False
    low, _, high = port.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return False
    first = int(low)
    last = int(high) if high else first
    return first <= SSH_PORT <= last


class SshPortExposed(Rule):
    """## What it does
    Flags `EXPOSE 22` (also `22/tcp` and port ranges that include 22, after ARG and ENV
    values are substituted).

    ## Why is this bad?
    Port 22 is SSH. A container should run one service and be reached through
    `docker exec` (or the orchestrator's equivalent) for debugging; an SSH server adds
    a long-running daemon, keys or passwords baked into the image, and an attack
    surface exposed to the network.
    """

    code = "DF305"
    name = "ssh-port-exposed"
    summary = "EXPOSE of the SSH port 22"
    severity = Severity.WARNING
    targets = frozenset({"EXPOSE"})
    bad = "FROM debian:12\nEXPOSE 22 8080\n"
    good = "FROM debian:12\nEXPOSE 8080\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        variables = ctx.state(instruction).variables
        for word in instruction.effective.words:
            value = word.value
            if "$" in value:
                value = expand(value, variables, ctx.escape)
            if _covers_ssh(value.strip()):
                yield self.violation(
                    word.span,
                    f"`EXPOSE {word.value}` exposes the SSH port; use `docker exec` instead of "
                    "an SSH server in the container",
                )
