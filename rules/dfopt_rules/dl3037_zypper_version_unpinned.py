"""DL3037: `zypper install` without versions."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import (
    ZYPPER_OPTIONS,
    command_span,
    commands_of,
    describe,
    has_word,
    operands,
)


def _pinned(package: str) -> bool:
    return any(char in package for char in "=<>") or package.endswith(".rpm")


class ZypperVersionUnpinned(Rule):
    """## What it does
    Flags `zypper install` (`zypper in`) commands with a package that has no version
    constraint (`curl=8.6.0`, `'curl>=8'`), in `RUN`, `ONBUILD RUN` and here-document
    scripts.

    As in hadolint, an `.rpm` file counts as pinned and any `zypper` command with an
    `install` or `in` argument is checked. dfopt does not read the value of an option
    such as `-t pattern` or `--from repo` as a package, and also checks `zypper` called by
    its path.

    An exec-form `RUN` (`RUN ["zypper", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without versions, every build installs whatever the repositories hold that day:
    builds are not reproducible and an upstream change can break the image without any
    change to the Dockerfile.
    """

    code = "DL3037"
    name = "zypper-version-unpinned"
    summary = "Specify version with `zypper install -y <package>=<version>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"zypper"})
    bad = "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean\n"
    good = "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0 && zypper clean\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "zypper"):
            if command.command != "zypper" or not has_word(command, "install", "in"):
                continue
            packages = operands(command, ZYPPER_OPTIONS, ("install", "in"))
            missing = [word.value for word in packages if not _pinned(word.value)]
            if missing:
                yield self.violation(
                    command_span(command),
                    f"Specify the version of {describe(missing)} in `zypper install` "
                    "(`zypper install -y <package>=<version>`)",
                )
