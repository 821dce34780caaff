"""DL3030: `yum install` without `-y`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, FixAvailability, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import (
    RPM_INSTALLS,
    command_span,
    commands_of,
    first_word,
    insert_flag,
    rpm_assumes_yes,
)


class YumMissingYes(Rule):
    """## What it does
    Flags `yum install`, `yum groupinstall` and `yum localinstall` without `-y` (or
    `--assumeyes`, or `y` in a cluster such as `-qy`), in `RUN`, `ONBUILD RUN` and
    here-document scripts. As in hadolint, any `yum` command with one of these words
    among its arguments is checked; dfopt also checks `yum` called by its path.

    An exec-form `RUN` (`RUN ["yum", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without `-y`, yum asks for confirmation before it installs anything. A build has no
    one to answer: yum reads the end of its input, gives up and the build fails.

    ## Fix safety
    Safe: ` -y` is inserted right after the install subcommand. A build that succeeded
    never reached the prompt, so nothing else changes.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix.
    """

    code = "DL3030"
    name = "yum-missing-yes"
    summary = "Use the `-y` switch to avoid manual input: `yum install -y <package>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"yum"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM centos:7\nRUN yum install httpd-2.4.6 && yum clean all\n"
    good = "FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "yum"):
            if command.command != "yum":
                continue
            install = first_word(command, *RPM_INSTALLS)
            if install is None:
                continue
            if rpm_assumes_yes(command):
                continue
            yield self.violation(
                command_span(command),
                f"`yum {install.value}` without `-y` stops at yum's confirmation prompt",
                insert_flag(instruction, ctx, command, install, "-y", "Add `-y`"),
            )
