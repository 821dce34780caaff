"""DL3047: `wget` without a progress option."""

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
    SimpleCommand,
    Violation,
)
from dfopt_rules._commands import (
    command_span,
    commands_of,
    earlier_runs,
    gnu_userland,
    has_option,
    installs_package,
)

# Options that keep wget's log short: progress style, quiet, no-verbose, or output to a
# log file (`-o`, `-a`).
_QUIET = ("progress", "q", "quiet", "no-verbose", "o", "output-file", "a", "append-output")
PROGRESS = "--progress=dot:giga"


def _quiet(command: SimpleCommand) -> bool:
    return has_option(command, *_QUIET) or "-nv" in command.arg_values


class WgetWithoutProgress(Rule):
    """## What it does
    Flags `wget` (in `RUN`, `ONBUILD RUN` and heredoc scripts) run without an option
    that tames its progress output. Accepted, as in hadolint: `--progress=...`,
    `-q`/`--quiet`, `-nv`/`--no-verbose`, and `-o`/`--output-file` or
    `-a`/`--append-output` (the log goes to a file). Short options may be combined
    (`-qO-`).

    Difference from hadolint: a `wget` called by its full path (`/usr/bin/wget`) is
    checked too.

    ## Why is this bad?
    Without a terminal, wget falls back to its "dot" progress display: a line of dots
    for every few kilobytes, so downloading a large file fills the build log with
    thousands of lines and hides the output that matters.

    ## Fix safety
    Safe: ` --progress=dot:giga` is inserted after `wget`, which prints one dot per
    megabyte instead. Only the build log changes.

    The option exists in GNU wget only; BusyBox's `wget` (the one in Alpine and
    BusyBox images) rejects it. The fix is therefore offered only when the stage's
    base image is known to be Debian, Ubuntu or RPM based (by its name: `debian`,
    `ubuntu`, `python`, `node`, `golang` ... without `alpine` in the tag) or when an
    earlier command of the stage installs the `wget` package.
    """

    code = "DL3047"
    name = "wget-without-progress"
    summary = (
        "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or "
        "consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)"
    )
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = frozenset({"wget"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12\nRUN wget https://example.com/tool.tar.gz\n"
    good = "FROM debian:12\nRUN wget --progress=dot:giga https://example.com/tool.tar.gz\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        gnu: bool | None = None
        for command in ctx.commands(instruction):
            if command.command != "wget" or command.name is None or _quiet(command):
                continue
            if gnu is None:
                gnu = _gnu_wget(instruction, ctx)
            fix = None
            if gnu:
                fix = Fix.safe(
                    f"Add `{PROGRESS}`", [Edit.insert(command.name.span.end, f" {PROGRESS}")]
                )
            yield self.violation(
                command_span(command),
                "`wget` without a progress option fills the build log: add "
                f"`{PROGRESS}`, `-nv` or `-q`",
                fix,
            )


def _gnu_wget(instruction: Instruction, ctx: Context) -> bool:
    """True when the wget the RUN calls is known to be GNU wget."""
    if gnu_userland(ctx.stage(instruction)):
        return True
    runs = [*earlier_runs(ctx, instruction), instruction]
    return any(
        installs_package(command, "wget") for run in runs for command in commands_of(ctx, run)
    )
