"""DL3001: a RUN uses a command that makes no sense while building an image."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._commands import command_span

UNSUITABLE = frozenset({"free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"})


class UnsuitableCommand(Rule):
    """## What it does
    Flags `free`, `kill`, `mount`, `ps`, `service`, `shutdown`, `ssh`, `top` and `vim`
    run by a `RUN` (or `ONBUILD RUN`, or a heredoc script), wherever they stand in the
    script: in a chain, a subshell, a condition or a command substitution. The command
    is recognised by its name, with or without a directory (`/bin/kill`).

    hadolint's message also names `ifconfig`, but hadolint does not check it; dfopt
    checks the same nine commands. hadolint also misses a command written with its
    directory.

    ## Why is this bad?
    A build step runs in a throw-away container without an init system, a terminal or
    a user at the keyboard. Starting a service, killing or listing processes, mounting
    file systems, opening an editor or an ssh session there either fails, hangs the
    build or has no effect on the image. Such work belongs in the container's
    entrypoint or in the host's tooling.
    """

    code = "DL3001"
    name = "unsuitable-command"
    summary = (
        "For some bash commands it makes no sense running them in a Docker container like "
        "`ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`"
    )
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = UNSUITABLE
    bad = "FROM debian:12\nRUN service nginx start\n"
    good = 'FROM debian:12\nCMD ["nginx", "-g", "daemon off;"]\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            name = command.command
            if name in UNSUITABLE:
                yield self.violation(
                    command_span(command),
                    f"`{name}` makes no sense in a build step: it has no effect on the image",
                )
