"""DF304: files or directories made writable by every user."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._hygiene import operands, option_values

_SYMBOLIC = re.compile(r"([ugoa]*)([-+=][rwxXst]*)+")
_CLAUSE_OPS = re.compile(r"([-+=])([rwxXst]*)")


def world_writable(mode: str) -> bool:
    """True when ``mode`` (octal or symbolic) gives write permission to other users.

    A mode with the sticky bit (``1777``, the usual mode of ``/tmp``) is not reported;
    neither is ``+w`` without ``a`` or ``o``, which the umask limits to the owner.
    """
    if mode.isdigit():
        if any(digit not in "01234567" for digit in mode) or len(mode) > 5:
            return False
        value = int(mode, 8)
        return bool(value & 0o002) and not value & 0o1000
    for clause in mode.split(","):
        match = _SYMBOLIC.fullmatch(clause)
        if match is None:
            return False
        who = match.group(1)
        if "a" not in who and "o" not in who:
            continue
        sticky = False
        writable = False
        for operator, permissions in _CLAUSE_OPS.findall(clause[len(who) :]):
            if operator in "+=" and "w" in permissions:
                writable = True
            if operator in "+=" and "t" in permissions:
                sticky = True
        if writable and not sticky:
            return True
    return False


class WorldWritable(Rule):
    """## What it does
    Flags modes that make files writable by every user: `chmod 777`, `chmod 0666`,
    `chmod -R a+w`, `chmod o+w`, `chmod ugo=rwx`, the same modes in `mkdir -m` and
    `install -m`, and `COPY --chmod=777` / `ADD --chmod=777`.

    Modes with the sticky bit (`chmod 1777 /tmp`, `a+wt`) are the usual shared
    temporary directory and are not reported. A bare `chmod +w` is not reported
    either: without `a` or `o` the umask keeps it from reaching other users.

    ## Why is this bad?
    Any process in the container, whatever user it runs as, can then replace the
    application's code, configuration or scripts, which turns a compromise of one
    unprivileged process into control of the application. Give write access to the
    user that needs it (`chown app` plus `u+w`, or a group) instead.
    """

    code = "DF304"
    name = "world-writable"
    summary = "A mode gives write access to every user"
    severity = Severity.WARNING
    targets = frozenset({"RUN", "COPY", "ADD"})
    programs = frozenset({"chmod", "mkdir", "install"})
    bad = "FROM debian:12\nRUN chmod -R 777 /app\n"
    good = "FROM debian:12\nRUN chown -R app:app /app && chmod -R 755 /app\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if target.keyword in ("COPY", "ADD"):
            for flag in target.flags:
                if flag.name == "chmod" and flag.value and world_writable(flag.value):
                    yield self.violation(
                        flag.span,
                        f"`--chmod={flag.value}` makes the copied files writable by every user",
                    )
            return
        for command in ctx.commands(instruction):
            name = command.command
            if name == "chmod":
                words = operands(command, {"reference"})
                mode = words[0] if words else None
                if mode is None:
                    continue
                if mode.literal and world_writable(mode.value):
                    paths = " ".join(f"`{word.value}`" for word in words[1:]) or "the files"
                    yield self.violation(
                        mode.span,
                        f"`chmod {mode.value}` makes {paths} writable by every user",
                    )
            elif name in ("mkdir", "install"):
                for word, value in option_values(command, "m", "mode", {"m", "mode"}):
                    if word.literal and world_writable(value):
                        yield self.violation(
                            word.span,
                            f"`{name}` mode `{value}` makes the files writable by every user",
                        )
