"""DL3035: `zypper dist-upgrade` in a RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import command_span, commands_of, first_word


class ZypperDistUpgrade(Rule):
    """## What it does
    Flags `zypper dist-upgrade` (or `dup`) in `RUN`, `ONBUILD RUN` and here-document
    scripts. As in hadolint, any `zypper` command with one of these words among its
    arguments counts; dfopt also checks `zypper` called by its path.

    An exec-form `RUN` (`RUN ["zypper", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    A distribution upgrade inside an image build moves every package to whatever the
    repositories hold that day, possibly to a new release of the distribution: the
    image stops matching its base and builds are not reproducible. Use a newer base
    image instead, and install or update only the packages you need.
    """

    code = "DL3035"
    name = "zypper-dist-upgrade"
    summary = "Do not use `zypper dist-upgrade`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"zypper"})
    bad = "FROM opensuse/leap:15.6\nRUN zypper -n dist-upgrade && zypper clean\n"
    good = "FROM opensuse/leap:15.6\nRUN zypper -n install curl=8.6.0 && zypper clean\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "zypper"):
            if command.command != "zypper":
                continue
            word = first_word(command, "dist-upgrade", "dup")
            if word is not None:
                yield self.violation(
                    command_span(command),
                    f"Do not use `zypper {word.value}`: it upgrades the whole distribution",
                )
