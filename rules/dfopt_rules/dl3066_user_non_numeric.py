"""DL3066: USER names a user instead of a numeric id."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation, expand
from dfopt_rules._instructions import references


class UserNonNumeric(Rule):
    """## What it does
    Flags a `USER` whose user part (before any `:group`) is not a number: `USER app`,
    `USER root`, `USER app:app`, as hadolint 2.15's DL3066 does. `USER 1000` and
    `USER 1000:1000` are fine, and so is `USER 1000:app` (only the user part counts).
    A variable is judged by its value when the stage gives it one (`ARG UID=10001` then
    `USER $UID` is fine; hadolint reports it); a variable without a known value is
    reported, since nothing shows that it holds a number. `ONBUILD USER` is not checked.

    ## Why is this bad?
    A user name is resolved through the image's `/etc/passwd` when the container starts,
    so the host and the orchestrator cannot tell which uid the container will run as.
    Kubernetes' `runAsNonRoot`, for example, refuses to start a container whose image
    names a non-numeric user, because it cannot verify that the user is not root. A numeric
    uid (with a matching entry in `/etc/passwd` if the program needs one) is unambiguous.
    """

    code = "DL3066"
    name = "user-non-numeric"
    summary = "Non-numeric user-id may not be resolvable by host system"
    severity = Severity.INFO
    targets = frozenset({"USER"})
    include_onbuild = False
    bad = "FROM alpine:3.20\nRUN adduser -D -u 10001 app\nUSER app\n"
    good = "FROM alpine:3.20\nRUN adduser -D -u 10001 app\nUSER 10001\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        raw = instruction.args_text
        value = raw
        if "$" in raw:
            variables = ctx.state(instruction).variables
            names = [reference.name for reference in references(raw, ctx.escape)]
            if names and all(name in variables for name in names):
                value = expand(raw, variables, ctx.escape)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        user = value.split(":", 1)[0]
        if not user or (user.isascii() and user.isdigit()):
            return
        yield self.violation(
            instruction.args_span,
            f"`USER {raw}` names a user, not a numeric id; the host cannot resolve it",
        )
