"""DL3014: `apt-get install` without `-y`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Violation,
)
from dfopt_rules._packages import (
    APT_GET_OPTIONS,
    command_span,
    commands_of,
    first_word,
    insert_flag,
    long_option,
    short_letters,
)

_ASSUME_YES_KEY = "apt::get::assume-yes="
_TRUE_VALUES = frozenset({"true", "1", "yes", "on"})


def _quiet_level(command: SimpleCommand) -> int:
    """apt-get's quiet level: each `q` adds one, `-q=N` and `--quiet=N` set it."""
    level = 0
    for word in command.args:
        value = word.value
        if value == "--":
            break
        if value.startswith("--quiet"):
            name, sep, number = value.partition("=")
            if name != "--quiet":
                continue
            level = int(number) if sep and number.isdigit() else level + 1
        elif value.startswith("-") and not value.startswith("--"):
            letters, sep, number = value[1:].partition("=")
            if sep and letters == "q" and number.isdigit():
                level = int(number)
            elif letters.isalpha():
                level += letters.count("q")
    return level


def _assumes_yes(command: SimpleCommand) -> bool:
    """True when apt-get will not stop at a prompt."""
    if "y" in short_letters(command, APT_GET_OPTIONS) or long_option(command, "yes", "assume-yes"):
        return True
    if _quiet_level(command) >= 2:
        return True  # apt-get: a quiet level of 2 implies -y
    args = command.args
    for index, word in enumerate(args):
        value = word.value
        if value.startswith("-o") and not value.startswith("--") and len(value) > 2:
            setting = value[2:].lstrip("=")
        elif value in ("-o", "--option") and index + 1 < len(args):
            setting = args[index + 1].value
        elif value.startswith("--option="):
            setting = value[len("--option=") :]
        else:
            continue
        key, _, answer = setting.partition("=")
        if f"{key.lower()}=" == _ASSUME_YES_KEY and answer.strip("\"'").lower() in _TRUE_VALUES:
            return True
    return False


class AptGetMissingYes(Rule):
    """## What it does
    Flags `apt-get install` commands that do not answer apt's prompts in advance, in
    `RUN`, `ONBUILD RUN` and here-document scripts.

    As in hadolint, `-y` (also inside a cluster such as `-qy`), `--yes`, `--assume-yes`
    and a quiet level of two (`-qq`, `-q -q`) are accepted; a single `-q` is not. dfopt
    also accepts the other spellings apt-get understands: `--quiet=2`, `-q=2` and
    `-o APT::Get::Assume-Yes=true`, and it checks `apt-get` called by its path.

    An exec-form `RUN` (`RUN ["apt-get", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without `-y`, `apt-get install` asks for confirmation as soon as it has to install
    more than the packages named. A build has no one to answer, so apt-get reads the end
    of its input, aborts, and the build fails (or works only until a dependency is
    added).

    ## Fix safety
    Safe: ` -y` is inserted right after `install`. A build that succeeded never reached
    the prompt, so nothing else changes; a build that would have stopped at the prompt
    now goes on.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix.
    """

    code = "DL3014"
    name = "apt-get-missing-yes"
    summary = "Use the `-y` switch to avoid manual input: `apt-get -y install <package>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"apt-get"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12\nRUN apt-get install --no-install-recommends curl\n"
    good = "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "apt-get"):
            if command.command != "apt-get":
                continue
            install = first_word(command, "install")
            if install is None or _assumes_yes(command):
                continue
            yield self.violation(
                command_span(command),
                "`apt-get install` without `-y` stops at apt's confirmation prompt",
                insert_flag(instruction, ctx, command, install, "-y", "Add `-y`"),
            )
