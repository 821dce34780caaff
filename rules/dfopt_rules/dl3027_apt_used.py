"""DL3027: `apt` used in a RUN instead of `apt-get` or `apt-cache`."""

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
    ShellWord,
    SimpleCommand,
    Violation,
)
from dfopt_rules._packages import (
    APT_GET_OPTIONS,
    can_edit,
    command_span,
    commands_of,
    split_arguments,
)

# apt subcommands that apt-get runs the same way.
_SAME_IN_APT_GET = frozenset({"install", "update", "remove", "purge", "autoremove"})


def _subcommand(command: SimpleCommand) -> ShellWord | None:
    operands = split_arguments(command, APT_GET_OPTIONS)[1]
    return operands[0] if operands else None


def _rename(name: ShellWord, text: str) -> Edit | None:
    """Turn the `apt` program word into `apt-get`, keeping any directory and quotes."""
    if text.endswith("apt"):
        offset = name.span.end
    elif text.endswith(("apt'", 'apt"')):
        offset = name.span.end - 1
    else:
        return None
    return Edit.insert(offset, "-get")


class AptUsed(Rule):
    """## What it does
    Flags `apt` commands in `RUN`, `ONBUILD RUN` and here-document scripts.

    Like hadolint, every `apt` command is reported, whatever its subcommand. dfopt also
    recognises `apt` called by its path (`/usr/bin/apt`).

    An exec-form `RUN` (`RUN ["apt", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    `apt` is meant for people at a terminal: its command-line interface is not promised
    to stay stable and it warns so when used in a script. `apt-get` and `apt-cache` are
    the stable interfaces for scripts and builds.

    ## Fix safety
    Safe for `install`, `update`, `remove`, `purge` and `autoremove`: `apt` becomes
    `apt-get`, which runs these the same way; only the progress output and whether the
    downloaded `.deb` files stay in apt's cache differ.

    Unsafe for `upgrade`: it becomes `apt-get upgrade --with-new-pkgs`, since `apt
    upgrade` installs the new dependencies that plain `apt-get upgrade` holds back. The
    upgrade itself is the same, but the rewrite goes beyond the program name, so it waits
    for `--unsafe-fixes` (it is safe when `--with-new-pkgs` is already given).

    Other subcommands (`full-upgrade`, `search`, `list`, `show`, ...) get no fix: they
    have no exact `apt-get` counterpart.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix.
    """

    code = "DL3027"
    name = "apt-used"
    summary = "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"apt"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12\nRUN apt update && apt install -y curl\n"
    good = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "apt"):
            if command.command != "apt" or command.name is None:
                continue
            yield self.violation(
                command_span(command),
                "Use `apt-get` or `apt-cache` instead of `apt`, whose interface is meant "
                "for people, not scripts",
                self._fix(command, ctx) if can_edit(instruction, ctx, command) else None,
            )

    @staticmethod
    def _fix(command: SimpleCommand, ctx: Context) -> Fix | None:
        assert command.name is not None
        subcommand = _subcommand(command)
        if subcommand is None:
            return None
        rename = _rename(command.name, ctx.slice(command.name.span))
        if rename is None:
            return None
        if subcommand.value in _SAME_IN_APT_GET:
            return Fix.safe("Use `apt-get`", [rename])
        if subcommand.value == "upgrade":
            if "--with-new-pkgs" in command.arg_values:
                return Fix.safe("Use `apt-get`", [rename])
            new_packages = Edit.insert(subcommand.span.end, " --with-new-pkgs")
            return Fix.unsafe("Use `apt-get upgrade --with-new-pkgs`", [rename, new_packages])
        return None
