"""DL3015: `apt-get install` without `--no-install-recommends`."""

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
    Span,
    Violation,
)

_RECOMMENDS_KEY = "apt::install-recommends="
_FALSE_VALUES = frozenset({"false", "0", "no", "off"})


def _disables_recommends(command: SimpleCommand) -> bool:
    """True when the command turns recommended packages off."""
    for arg in command.args:
        value = arg.value
        if value == "--no-install-recommends" or value.startswith("--no-install-recommends="):
            return True
        if value.startswith("-o") and not value.startswith("--"):
            value = value[2:]
        if value.lower().startswith(_RECOMMENDS_KEY):
            setting = value[len(_RECOMMENDS_KEY) :].strip("\"'").lower()
            if setting in _FALSE_VALUES:
                return True
    return False


class AptRecommendsInstalled(Rule):
    """## What it does
    Flags `apt-get install` commands that neither pass `--no-install-recommends` nor set
    `APT::Install-Recommends` to false (for example with
    `-o APT::Install-Recommends=false`).

    Like hadolint, any `apt-get` command with an `install` argument is checked, in `RUN`
    and in `ONBUILD RUN`. dfopt also accepts the option written as one word
    (`-oAPT::Install-Recommends=false`) and the other false spellings apt understands
    (`0`, `no`, `off`), which hadolint reports.

    ## Why is this bad?
    By default apt also installs every package the requested ones *recommend*. Those
    are rarely needed in a container and can add hundreds of megabytes, more attack
    surface and longer builds.

    ## Fix safety
    Unsafe: ` --no-install-recommends` is inserted right after `install`. This changes
    the set of installed packages, and software that relied on a recommended package
    (a CA bundle, a locale, a helper binary) can break at run time, so check the image
    before shipping it.
    """

    code = "DL3015"
    name = "apt-recommends-installed"
    summary = "Avoid additional packages by specifying `--no-install-recommends`"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = frozenset({"apt-get"})
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    bad = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    good = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "apt-get":
                continue
            install = next((arg for arg in command.args if arg.value == "install"), None)
            if install is None or _disables_recommends(command):
                continue
            fix = Fix.unsafe(
                "Add `--no-install-recommends`",
                [Edit.insert(install.span.end, " --no-install-recommends")],
            )
            start = command.name.span.start if command.name else command.span.start
            yield self.violation(
                Span(start, command.span.end),
                "`apt-get install` without `--no-install-recommends` also installs "
                "recommended packages",
                fix,
            )
