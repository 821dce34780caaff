"""DL3018: `apk add` without version pins."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import (
    APK_OPTIONS,
    command_span,
    commands_of,
    describe,
    has_word,
    operands,
)


def _pinned(package: str) -> bool:
    return "=" in package or "~" in package or package.endswith(".apk")


class ApkVersionUnpinned(Rule):
    """## What it does
    Flags `apk add` commands with a package that has no version constraint
    (`curl=8.9.1-r0` or `curl~8.9`), in `RUN`, `ONBUILD RUN` and here-document scripts.

    As in hadolint, a local `.apk` file counts as pinned and the names given to
    `-t`/`--virtual`, `-X`/`--repository` are not packages. Any `apk` command with an `add`
    argument is checked.

    Differences from hadolint: the values of apk's other options that take one (`--root`,
    `--arch`, `--cache-dir`, ...) are not read as packages, a value glued to its option
    (`--virtual=.build-deps`) no longer hides the next package, and `apk` called by its
    path (`/sbin/apk`) is checked too.

    An exec-form `RUN` (`RUN ["apk", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without pins, every build installs whatever the repository holds that day: builds
    are not reproducible and an upstream change can break the image without any change
    to the Dockerfile.
    """

    code = "DL3018"
    name = "apk-version-unpinned"
    summary = "Pin versions in apk add"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"apk"})
    bad = "FROM alpine:3.20\nRUN apk add --no-cache curl\n"
    good = "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "apk"):
            if command.command != "apk" or not has_word(command, "add"):
                continue
            packages = operands(command, APK_OPTIONS, ("add",))
            missing = [word.value for word in packages if not _pinned(word.value)]
            if missing:
                yield self.violation(
                    command_span(command),
                    f"Pin the version of {describe(missing)} in `apk add` "
                    "(`apk add <package>=<version>`)",
                )
