"""DL4001: both wget and curl are used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._commands import command_span, commands_of

_TOOLS = frozenset({"curl", "wget"})


class WgetAndCurl(Rule):
    """## What it does
    Flags the use of both `wget` and `curl` in one build stage. As in hadolint, the
    tools are counted per stage (from one `FROM` to the next), and from the `RUN` that
    brings in the second tool on, every `RUN` that calls either tool is reported, at
    its first `wget` or `curl`. `ONBUILD RUN` triggers are counted apart, since they
    run in another build. Commands inside heredoc scripts count too.

    ## Why is this bad?
    Both tools do the same job. Installing and using two of them adds packages to the
    image and makes the Dockerfile harder to follow (their options, retries and error
    handling differ). Pick one and use it throughout.
    """

    code = "DL4001"
    name = "wget-and-curl"
    summary = "Either use Wget or Curl but not both"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"curl", "wget"})
    bad = (
        "FROM debian:12\n"
        "RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\n"
        "RUN wget -q https://example.com/b.tgz\n"
    )
    good = (
        "FROM debian:12\n"
        "RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\n"
        "RUN curl -fsSLO https://example.com/b.tgz\n"
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._seen: dict[tuple[int, bool], set[str]] = {}

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        used = [command for command in commands_of(ctx, instruction) if command.command in _TOOLS]
        if not used:
            return
        stage = ctx.stage(instruction)
        key = (stage.index if stage is not None else -1, ctx.onbuild)
        seen = self._seen.setdefault(key, set())
        seen.update(command.command for command in used if command.command)
        if len(seen) < 2:
            return
        yield self.violation(
            command_span(used[0]),
            "Both `wget` and `curl` are used in this stage: use one of them",
        )
