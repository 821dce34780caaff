"""DL3034: zypper install (or remove, patch, ...) without a non-interactive switch."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Violation,
)
from dfopt_rules._packages import (
    ZYPPER_OPTIONS,
    command_span,
    commands_of,
    first_word,
    insert_flag,
    long_option,
)

_SUBCOMMANDS = ("install", "in", "remove", "rm", "source-install", "si", "patch")
# Subcommands that take `-y` / `--no-confirm` themselves.
_TAKE_YES = frozenset({"install", "in", "remove", "rm"})


def _letters(words: list[ShellWord]) -> str:
    letters: list[str] = []
    for word in words:
        value = word.value
        if not value.startswith("-") or value.startswith("--"):
            continue
        for letter in value[1:]:
            letters.append(letter)
            if letter in ZYPPER_OPTIONS.short:
                break
    return "".join(letters)


def _non_interactive(command: SimpleCommand, subcommand: ShellWord) -> bool:
    if long_option(command, "non-interactive", "no-confirm"):
        return True
    position = command.args.index(subcommand)
    before, after = list(command.args[:position]), list(command.args[position + 1 :])
    if "--" in [word.value for word in after]:
        after = after[: [word.value for word in after].index("--")]
    # `-n` is the global switch (before the subcommand); after `install` it means --name.
    return "n" in _letters(before) or "y" in _letters(before + after)


class ZypperMissingYes(Rule):
    """## What it does
    Flags `zypper install`, `remove`, `source-install` and `patch` (also `in`, `rm`,
    `si`) without a non-interactive switch: the global `-n`/`--non-interactive` or the
    subcommand's `-y`/`--no-confirm`. Checked in `RUN`, `ONBUILD RUN` and here-document
    scripts; as in hadolint, any `zypper` command with one of these words among its
    arguments counts.

    Difference from hadolint: `-n` only counts before the subcommand, where it is
    zypper's global `--non-interactive`; after `install` it is `--name`, which does not
    stop any prompt. dfopt also checks `zypper` called by its path.

    An exec-form `RUN` (`RUN ["zypper", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    zypper asks for confirmation before it changes anything. A build has no one to
    answer, so the command fails or depends on how zypper treats a closed input.

    ## Fix safety
    Safe: ` -y` is inserted right after `install`/`in`/`remove`/`rm`; for
    `source-install` and `patch` the global ` -n` is inserted right after `zypper`. Both
    answer the prompts with their defaults, which is what a build that succeeded did.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix.
    """

    code = "DL3034"
    name = "zypper-missing-yes"
    summary = "Non-interactive switch missing from `zypper` command: `zypper install -y`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"zypper"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM opensuse/leap:15.6\nRUN zypper install curl=8.6.0 && zypper clean\n"
    good = "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0 && zypper clean\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "zypper"):
            if command.command != "zypper" or command.name is None:
                continue
            subcommand = first_word(command, *_SUBCOMMANDS)
            if subcommand is None or _non_interactive(command, subcommand):
                continue
            if subcommand.value in _TAKE_YES:
                fix = insert_flag(instruction, ctx, command, subcommand, "-y", "Add `-y`")
            else:
                fix = insert_flag(
                    instruction, ctx, command, command.name, "-n", "Add `-n` (`--non-interactive`)"
                )
            yield self.violation(
                command_span(command),
                f"`zypper {subcommand.value}` without `-y` or `-n` stops at zypper's prompts",
                fix,
            )
