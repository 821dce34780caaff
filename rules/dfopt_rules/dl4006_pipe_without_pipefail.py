"""DL4006: a RUN with a pipe while the shell has no `-o pipefail`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellScript,
    Span,
    Violation,
)
from dfopt_rules._commands import gnu_userland, line_indent

PIPEFAIL_SHELL = ("/bin/bash", "-o", "pipefail", "-c")
# Shells the fix may replace: the default one, or plain sh/bash with `-c` only.
_REPLACEABLE = frozenset(
    {("/bin/sh", "-c"), ("sh", "-c"), ("/bin/bash", "-c"), ("bash", "-c"), ("/usr/bin/bash", "-c")}
)
_PIPES = frozenset({"|", "|&"})


def sets_pipefail(words: Sequence[str]) -> bool:
    """True when the words turn pipefail on: `-o pipefail`, `-eo pipefail`, `-euxo pipefail`."""
    return any(
        value == "pipefail"
        and option.startswith("-")
        and not option.startswith("--")
        and "o" in option[1:]
        for option, value in itertools.pairwise(words)
    )


def _script_sets_pipefail_before(script: ShellScript, offset: int) -> bool:
    """A top-level `set -o pipefail` that runs before script offset ``offset``."""
    return any(
        command.command == "set"
        and command.depth == 0
        and command.end <= offset
        and sets_pipefail(command.arg_values)
        for command in script.commands
    )


def _pipeline_span(script: ShellScript, start: int, end: int) -> Span:
    """From the command before the pipe at ``[start, end)`` to the command after it."""
    before = [c for c in script.commands if c.in_pipeline and c.end <= start]
    after = [c for c in script.commands if c.in_pipeline and c.start >= end]
    left = max(before, key=lambda c: c.end) if before else None
    right = min(after, key=lambda c: c.start) if after else None
    first = left.name.span.start if left is not None and left.name else None
    if left is not None and first is None:
        first = left.span.start
    last = right.span.end if right is not None else None
    pipe = next(op for op in script.operators if op.start == start)
    return Span(pipe.span.start if first is None else first, last or pipe.span.end)


class PipeWithoutPipefail(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or a heredoc script) with a pipe (`a | b`) while
    the shell that runs it has no `-o pipefail`. As in hadolint, a `SHELL` that turns
    pipefail on (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`, `-eo pipefail` ...)
    covers the `RUN`s after it, and a non-POSIX `SHELL` (PowerShell, `cmd`) turns the
    check off. A pipe inside a quoted string (`bash -o pipefail -c "a | b"`) is not a
    pipe of the `RUN`.

    Differences from hadolint:

    - A stage built on an earlier stage (`FROM builder`) keeps that stage's `SHELL`,
      as the builder does; hadolint forgets it at every `FROM`.
    - A top-level `set -o pipefail` (or `set -euo pipefail`) in the script, before
      its pipes, covers them: if the shell cannot turn pipefail on, `set` fails and so
      does the build, so no failure can hide in the pipe either way.
    - Any POSIX shell given `-o pipefail` counts (`SHELL ["/bin/sh", "-o", "pipefail",
      "-c"]` works with BusyBox and fails the build with a shell that lacks it);
      hadolint only accepts bash, zsh and ash.
    - A heredoc script with its own `#!` line is run by that interpreter, not by the
      `SHELL`, so only a `set -o pipefail` inside it covers its pipes.
    - `ONBUILD RUN` is checked, against the `SHELL` in force at the end of the stage.

    ## Why is this bad?
    A POSIX shell takes the exit status of a pipeline from its last command, so in
    `RUN curl -fsSL https://example.com/install.sh | sh` a failed download still lets
    the step succeed (the shell happily runs an empty script) and the build goes on
    with a broken image. With `pipefail`, the pipeline fails when any part fails.

    ## Fix safety
    Unsafe, and only offered when the stage's base image is known to ship bash
    (Debian, Ubuntu, RPM-based and the official language images built on them; not
    Alpine, BusyBox, distroless or Windows images) and the shell in force is the
    default `/bin/sh -c` or a plain `bash -c`. The fix inserts
    `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the first offending `RUN`
    (of the stage, or since its last `SHELL`); when that `RUN` directly follows a
    plain `SHELL ["/bin/sh", "-c"]`, that `SHELL` is rewritten instead.

    It is unsafe because the new shell stays in force for the rest of the stage,
    stages built on it and shell-form `CMD`/`ENTRYPOINT`: later `RUN`s run under bash
    instead of `sh` (dash on Debian), which can change what they do, and pipelines
    that used to pass with a failing first command now fail the build.
    """

    code = "DL4006"
    name = "pipe-without-pipefail"
    summary = (
        "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using "
        "/bin/sh in an alpine image or if your shell is symlinked to busybox then consider "
        "explicitly setting your SHELL to /bin/ash, or disable this check"
    )
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\n"
    good = (
        "FROM debian:12\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN curl -fsSL https://example.com/install.sh | sh\n"
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._first: dict[tuple[int, int], Instruction] = {}

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        sources = ctx.scripts(instruction)
        if not sources:
            return
        shell = self._shell(instruction, ctx)
        shell_pipefail = sets_pipefail(shell[1:])
        for source in sources:
            script = source.script
            pipes = [op for op in script.operators if op.text in _PIPES]
            if not pipes:
                continue
            own_interpreter = source.kind == "heredoc" and script.text.startswith("#!")
            if shell_pipefail and not own_interpreter:
                continue
            if _script_sets_pipefail_before(script, min(op.start for op in pipes)):
                continue
            first = min(pipes, key=lambda op: op.start)
            fix = None if own_interpreter else self._fix(instruction, shell, ctx)
            yield self.violation(
                _pipeline_span(script, first.start, first.end),
                "A pipe in a `RUN` hides the failure of all but its last command: set "
                '`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before it',
                fix,
            )
            return

    @staticmethod
    def _shell(instruction: Instruction, ctx: Context) -> tuple[str, ...]:
        if ctx.onbuild:
            stage = ctx.stage(instruction)
            if stage is not None:
                return stage.final_state.shell
        return ctx.state(instruction).shell

    def _fix(self, instruction: Instruction, shell: tuple[str, ...], ctx: Context) -> Fix | None:
        if ctx.onbuild or tuple(shell) not in _REPLACEABLE:
            return None
        stage = ctx.stage(instruction)
        if stage is None or not gnu_userland(stage):
            return None
        last_shell = -1
        for index, candidate in enumerate(stage.instructions):
            if candidate is instruction:
                break
            if candidate.keyword == "SHELL":
                last_shell = index
        first = self._first.setdefault((stage.index, last_shell), instruction)
        import json  # only when a fix is planned

        value = json.dumps(list(PIPEFAIL_SHELL))
        title = "Set `SHELL` with `-o pipefail` before the first `RUN` with a pipe"
        previous = ctx.previous_instruction(first)
        if (
            previous is not None
            and last_shell >= 0
            and previous is stage.instructions[last_shell]
            and previous.args_span.end > previous.args_span.start
        ):
            # `SHELL [...]` right before the RUN: change it rather than add another.
            return Fix.unsafe(title, [Edit.replace(previous.args_span, value)])
        keyword = "shell" if ctx.slice(first.keyword_span).islower() else "SHELL"
        text = f"{line_indent(ctx, first)}{keyword} {value}{ctx.newline_of(first)}"
        return Fix.unsafe(title, [Edit.insert(first.span.start, text)])
