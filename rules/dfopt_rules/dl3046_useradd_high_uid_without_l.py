"""DL3046: `useradd` with a high UID and without `-l`."""

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
from dfopt_rules._commands import command_span, has_option, option_value, resolve, variables_for

HIGH_UID = 100_000


class UseraddHighUidWithoutL(Rule):
    """## What it does
    Flags `useradd` with a UID of 100000 or more (six digits or more, as hadolint
    counts) and without `-l` / `--no-log-init`, in `RUN`, `ONBUILD RUN` and heredoc
    scripts. The UID may be given as `-u N`, `-uN`, `--uid N` or `--uid=N`.

    Differences from hadolint: hadolint only reads `-u`, and it judges the UID by the
    length of the text as written, so `-u $USER_ID` or `-u ${APP_UID}` is reported
    whatever the variable holds. dfopt resolves `ARG` defaults and `ENV` values and
    reports only a UID known to be high; a UID that depends on a build argument
    without a default or on the script itself is not reported.

    ## Why is this bad?
    `useradd` records the new user in `/var/log/lastlog` and `/var/log/faillog`,
    sparse files indexed by UID. Image layers do not keep files sparse, so a high UID
    turns them into gigabytes of zeros in the image. `-l` (`--no-log-init`) skips
    these records.

    ## Fix safety
    Safe: ` -l` is inserted after `useradd`. The user, its UID, groups and home are
    the same; only the lastlog and faillog records are not written.
    """

    code = "DL3046"
    name = "useradd-high-uid-without-l"
    summary = "`useradd` without flag `-l` and high UID will result in excessively large Image"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"useradd"})
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM debian:12\nRUN useradd -u 100001 app\n"
    good = "FROM debian:12\nRUN useradd -l -u 100001 app\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "useradd" or command.name is None:
                continue
            if has_option(command, "l", "no-log-init"):
                continue
            uid = self._uid(command, instruction, ctx)
            if uid is None or uid < HIGH_UID:
                continue
            fix = Fix.safe("Add `-l`", [Edit.insert(command.name.span.end, " -l")])
            yield self.violation(
                command_span(command),
                f"`useradd` with the high UID `{uid}` and without `-l` writes huge "
                "lastlog and faillog files into the image",
                fix,
            )

    @staticmethod
    def _uid(command: SimpleCommand, instruction: Instruction, ctx: Context) -> int | None:
        found = option_value(command, "u", "uid")
        if found is None:
            return None
        if isinstance(found, str):
            value: str | None = found if "$" not in found else None
        else:
            value = resolve(found, variables_for(ctx, instruction))
        if value is None:
            return None
        value = value.strip().strip("\"'")
        return int(value) if value.isdigit() else None
