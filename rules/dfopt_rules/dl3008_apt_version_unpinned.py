"""DL3008: `apt-get install` without version pins."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._commands import script_text
from dfopt_rules._packages import (
    APT_GET_OPTIONS,
    command_span,
    commands_of,
    describe,
    has_word,
    operands,
)


def _pinned(package: str) -> bool:
    return "=" in package or "/" in package or package.endswith(".deb")


class AptVersionUnpinned(Rule):
    """## What it does
    Flags `apt-get install` commands with a package that has no version pin
    (`curl=8.5.0-2`), in `RUN`, `ONBUILD RUN` and here-document scripts.

    As in hadolint, a package also counts as pinned when it names a release
    (`curl/bookworm-backports`) or is a local `.deb` file, and the value of
    `-t`/`--target-release` is not a package. Any `apt-get` command with an `install`
    argument is checked.

    Differences from hadolint: the values of `-o`, `-c`, `--option`, `--config-file` and
    `--default-release` are not read as packages either, a value glued to its option
    (`--target-release=bookworm`) no longer hides the next package, and `apt-get` called
    by its path (`/usr/bin/apt-get`) is checked too.

    An exec-form `RUN` (`RUN ["apt-get", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without pins, every build installs whatever the archive holds that day: builds are
    not reproducible and an upstream change can break the image without any change to
    the Dockerfile.
    """

    code = "DL3008"
    name = "apt-version-unpinned"
    summary = "Pin versions in apt-get install"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    bad = "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n"
    good = "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if ctx.scripts(instruction) and "apt-get" not in script_text(ctx, instruction):
            return  # no command of the script is called `apt-get`
        for command in commands_of(instruction, ctx, "apt-get"):
            if command.command != "apt-get" or not has_word(command, "install"):
                continue
            packages = operands(command, APT_GET_OPTIONS, ("install",))
            missing = [word.value for word in packages if not _pinned(word.value)]
            if missing:
                yield self.violation(
                    command_span(command),
                    f"Pin the version of {describe(missing)} in `apt-get install` "
                    "(`apt-get install <package>=<version>`)",
                )
