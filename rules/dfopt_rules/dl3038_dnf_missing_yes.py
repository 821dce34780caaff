"""DL3038: `dnf install` (or `microdnf install`) without `-y`."""

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

DNF_PROGRAMS = frozenset({"dnf", "microdnf"})


class DnfMissingYes(Rule):
    """## What it does
    Flags `dnf install` (also `groupinstall`, `localinstall`) and `microdnf install`
    without `-y` (or `--assumeyes`, or `y` in a cluster such as `-qy`), in `RUN`,
    `ONBUILD RUN` and here-document scripts. As in hadolint, any `dnf` or `microdnf`
    command with one of these words among its arguments is checked; dfopt also checks
    them called by their path.

    An exec-form `RUN` (`RUN ["dnf", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without `-y`, dnf asks for confirmation before it installs anything. A build has no
    one to answer: dnf reads the end of its input, aborts and the build fails.

    ## Fix safety
    Safe: ` -y` is inserted right after the install subcommand. A build that succeeded
    never reached the prompt, so nothing else changes.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix.
    """

    code = "DL3038"
    name = "dnf-missing-yes"
    summary = "Use the `-y` switch to avoid manual input: `dnf install -y <package>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"dnf", "microdnf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM fedora:40\nRUN dnf install curl-8.6.0 && dnf clean all\n"
    good = "FROM fedora:40\nRUN dnf install -y curl-8.6.0 && dnf clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "dnf", "microdnf"):
            if command.command not in DNF_PROGRAMS:
                continue
            install = first_word(command, *RPM_INSTALLS)
            if install is None:
                continue
            if rpm_assumes_yes(command):
                continue
            yield self.violation(
                command_span(command),
                f"`{command.command} {install.value}` without `-y` stops at the confirmation "
                "prompt",
                insert_flag(instruction, ctx, command, install, "-y", "Add `-y`"),
            )
