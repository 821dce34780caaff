"""DL3003: `cd` in a RUN instead of WORKDIR."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Chain,
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Span,
    Violation,
    mounts_of,
    plain_chain,
)
from dfopt_rules._commands import command_span, commands_of, crosses_comment, line_indent
from dfopt_rules.dl3000_workdir_relative_path import written_workdir

_UNSAFE_CHARS = frozenset(" \t\"'$`\\*?[]{}~#")


class CdInsteadOfWorkdir(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or a heredoc script) that runs `cd`, wherever it
    stands in the script. One finding per `RUN`, at its first `cd`.

    Difference from hadolint: hadolint does not look at `ONBUILD RUN`; dfopt does, since
    the trigger runs a `RUN` in the child build all the same.

    ## Why is this bad?
    `WORKDIR` states the directory the following instructions work in, once, where a
    reader looks for it; it also creates the directory. A `cd` only lasts until the end
    of its `RUN`, so the same `cd` gets repeated in `RUN` after `RUN`, and a `RUN` that
    forgets it quietly works in another directory.

    ## Fix safety
    Unsafe, and only offered in the plainest case: the `RUN` is a plain `&&` chain
    that starts with `cd DIR && ...`, where `DIR` is a literal absolute path, and the
    working directory in force before the `RUN` is known from an absolute `WORKDIR`
    written without variables (in the stage or the stages it builds on). The fix
    inserts `WORKDIR DIR` before the `RUN`, drops the leading `cd DIR && `, and
    restores the previous directory with a `WORKDIR` after the `RUN` (unless the next
    instruction sets an absolute `WORKDIR` itself), so later instructions, and the
    image's working directory, stay where they were. When the working directory is
    already `DIR`, the `cd` is only dropped. Without a known working directory to
    restore (the base image's own) there is no fix.

    It is unsafe because `WORKDIR` creates the directory if it is missing, where `cd`
    would have failed the build, and may create it with another owner than the `RUN`
    would see. `ONBUILD RUN`, heredocs, scripts with `;`, `||` or pipes between the
    statements, relative or variable directories and `RUN`s with a relative mount
    target are not fixed.
    """

    code = "DL3003"
    name = "cd-instead-of-workdir"
    summary = "Use WORKDIR to switch to a directory"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"cd"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM debian:12\nRUN cd /usr/src/app && make\n"
    good = "FROM debian:12\nWORKDIR /usr/src/app\nRUN make\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        first = next((c for c in commands_of(ctx, instruction) if c.command == "cd"), None)
        if first is None:
            return
        yield self.violation(
            command_span(first),
            "`cd` in a `RUN` only lasts for that `RUN`: use `WORKDIR` to switch to a directory",
            self._fix(instruction, first, ctx),
        )

    @staticmethod
    def _fix(instruction: Instruction, cd: SimpleCommand, ctx: Context) -> Fix | None:
        if ctx.onbuild:
            return None
        chain = plain_chain(ctx, instruction)
        if chain is None or len(chain.ranges) < 2 or chain.ranges[0] != (cd.start, cd.end):
            return None
        directory = _literal_directory(cd)
        if directory is None or not _mounts_are_absolute(instruction):
            return None
        removed = _leading_statement(chain)
        if crosses_comment(instruction, removed):
            return None
        previous = written_workdir(ctx, instruction)
        if previous is None or not previous.known or previous.dynamic or not previous.exact:
            return None  # the working directory to restore is not known
        if previous.path == directory:
            return Fix.unsafe(
                f"Drop `cd {directory}`: the WORKDIR is already `{directory}`",
                [Edit.delete(removed)],
            )
        keyword = "workdir" if ctx.slice(instruction.keyword_span).islower() else "WORKDIR"
        indent = line_indent(ctx, instruction)
        newline = ctx.newline_of(instruction)
        edits = [
            Edit.insert(instruction.span.start, f"{indent}{keyword} {directory}{newline}"),
            Edit.delete(removed),
        ]
        if not _sets_workdir(ctx.next_instruction(instruction)):
            restore = f"{indent}{keyword} {previous.path}"
            if ctx.slice(instruction.span).endswith("\n"):
                edits.append(Edit.insert(instruction.span.end, f"{restore}{newline}"))
            else:
                edits.append(Edit.insert(instruction.span.end, f"{newline}{restore}"))
        return Fix.unsafe(
            f"Move `cd {directory}` to `WORKDIR {directory}` around the `RUN`",
            edits,
        )


def _sets_workdir(instruction: Instruction | None) -> bool:
    """The next instruction sets an absolute working directory of its own."""
    if instruction is None or instruction.keyword != "WORKDIR":
        return False
    path = instruction.args_text.strip()
    return path.startswith("/") and not any(char in path for char in _UNSAFE_CHARS)


def _literal_directory(cd: SimpleCommand) -> str | None:
    if cd.name is None or cd.name.raw != "cd" or cd.assignments or cd.redirects:
        return None
    if cd.depth or cd.in_pipeline or len(cd.args) != 1:
        return None
    word = cd.args[0]
    value = word.value
    if not word.literal or word.raw != value or not value.startswith("/"):
        return None
    if any(char in _UNSAFE_CHARS for char in value):
        return None
    return value


def _mounts_are_absolute(instruction: Instruction) -> bool:
    """A relative mount target depends on the working directory the fix changes."""
    return all(
        mount.target is None or mount.target.startswith("/") for mount in mounts_of(instruction)
    )


def _leading_statement(chain: Chain) -> Span:
    """From the start of the first statement to the start of the second."""
    first = chain.statement(0)
    second = chain.statement(1)
    return Span(first.start, second.start)
