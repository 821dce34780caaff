"""Helpers for the hygiene and security rules (DF108-DF110, DF302-DF305).

Short-option scanning, word classification, the paths a command downloads or unpacks,
and appending a command to a plain ``&&`` chain without breaking the ``RUN``'s layout.
Private to the pack: the module name starts with an underscore, so no rule is loaded
from it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from fnmatch import fnmatchcase

from dfopt.rules_api import (
    ShellScript,
    ShellWord,
    SimpleCommand,
    Span,
)

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
"""Commands that run a shell script read from standard input."""

WRAPPERS = frozenset({"sudo", "doas", "env", "nice", "nohup", "time", "su-exec", "gosu"})


def command_span(command: SimpleCommand) -> Span:
    """From the command name (after any ``VAR=value`` prefix) to the end of the command."""
    start = command.name.span.start if command.name is not None else command.span.start
    return Span(start, command.span.end)


def is_option(word: ShellWord) -> bool:
    return word.value.startswith("-") and word.value not in ("-", "--")


def short_letters(value: str, with_value: Collection[str] = ()) -> str:
    """The option letters of a short-option word (``-fsSLk`` gives ``fsSLk``).

    Scanning stops after the first letter in ``with_value``: the rest of the word is
    that option's value (``-oout.tgz`` gives ``o``)."""
    if not value.startswith("-") or value.startswith("--") or value == "-":
        return ""
    letters = []
    for letter in value[1:]:
        letters.append(letter)
        if letter in with_value:
            break
    return "".join(letters)


def options(command: SimpleCommand, with_value: Collection[str] = ()) -> Iterator[ShellWord]:
    """The option words of a command, skipping words that are the value of an option in
    ``with_value`` (short letters like ``o`` or long names like ``output``)."""
    skip = False
    for arg in command.args:
        if skip:
            skip = False
            continue
        value = arg.value
        if value == "--":
            return
        if not is_option(arg):
            continue
        yield arg
        if value.startswith("--"):
            skip = "=" not in value and value[2:] in with_value
        else:
            letters = short_letters(value, with_value)
            skip = bool(letters) and letters[-1] in with_value and len(letters) + 1 == len(value)


def operands(command: SimpleCommand, with_value: Collection[str] = ()) -> list[ShellWord]:
    """The arguments that are neither options nor the values of options in ``with_value``."""
    found: list[ShellWord] = []
    skip = False
    ended = False
    for arg in command.args:
        value = arg.value
        if skip:
            skip = False
            continue
        if ended or not is_option(arg):
            if value == "--" and not ended:
                ended = True
                continue
            found.append(arg)
            continue
        if value.startswith("--"):
            skip = "=" not in value and value[2:] in with_value
        else:
            letters = short_letters(value, with_value)
            skip = bool(letters) and letters[-1] in with_value and len(letters) + 1 == len(value)
    return found


def option_values(
    command: SimpleCommand, short: str | None, long: str | None, with_value: Collection[str]
) -> list[tuple[ShellWord, str]]:
    """Every value of ``-s VALUE``, ``-sVALUE``, ``--long VALUE`` and ``--long=VALUE``, as
    the word holding it and the value text."""
    found: list[tuple[ShellWord, str]] = []
    args = command.args
    for index, arg in enumerate(args):
        value = arg.value
        following = args[index + 1] if index + 1 < len(args) else None
        if value == "--":
            break
        if long is not None and value == f"--{long}":
            if following is not None:
                found.append((following, following.value))
        elif long is not None and value.startswith(f"--{long}="):
            found.append((arg, value.split("=", 1)[1]))
        elif short is not None and not value.startswith("--"):
            letters = short_letters(value, with_value)
            if letters.endswith(short):
                rest = value[len(letters) + 1 :]
                if rest:
                    found.append((arg, rest))
                elif following is not None:
                    found.append((following, following.value))
    return found


def unwrap(command: SimpleCommand) -> tuple[str | None, list[ShellWord]]:
    """The command actually run through ``sudo``/``env`` style wrappers, and its args."""
    name = command.command
    args = list(command.args)
    while name in WRAPPERS:
        rest = [arg for arg in args if not is_option(arg) and "=" not in arg.value]
        if not rest:
            return None, []
        first = rest[0]
        name = first.value.rsplit("/", 1)[-1]
        args = args[args.index(first) + 1 :]
    return name, args


# -- paths --------------------------------------------------------------------------------


def url_name(value: str) -> str | None:
    """The file name a URL is saved under by ``curl -O`` or ``wget``."""
    if "://" not in value:
        return None
    path = value.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    if "/" not in path:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1] if not path.endswith("/") else ""
    return name or None


def shell_quote(value: str) -> str:
    import shlex  # only when a fix is written

    return shlex.quote(value)


class Paths:
    """Resolves the path words of one shell script.

    Relative paths are resolved against the working directory: the stage's ``WORKDIR``
    and then each top-level ``cd`` with a literal target. When a directory is unknown,
    a relative path keeps the number of ``cd`` commands before it, so two words compare
    equal only when they are relative to the same directory. A ``cd`` nested in a
    subshell, loop or function makes relative paths unresolvable.
    """

    def __init__(self, script: ShellScript, workdir: str | None) -> None:
        self.changes: list[tuple[int, str | None]] = []
        self.nested = False
        current = workdir if workdir and workdir.startswith("/") else None
        for command in script.commands:
            if command.command not in ("cd", "pushd", "popd"):
                continue
            if command.depth > 0 or command.in_pipeline:
                self.nested = True
                continue
            target = [arg for arg in command.args if not is_option(arg)]
            if command.command == "popd" or not target or not target[0].literal:
                current = None
            else:
                value = target[0].value
                if value.startswith("/"):
                    current = posixpath.normpath(value)
                elif current is not None and not value.startswith(("~", "-")):
                    current = posixpath.normpath(posixpath.join(current, value))
                else:
                    current = None
            self.changes.append((command.start, current))
        self.initial = workdir if workdir and workdir.startswith("/") else None

    def epoch(self, at: int) -> int:
        return sum(1 for position, _ in self.changes if position < at)

    @property
    def final_epoch(self) -> int:
        return len(self.changes)

    def directory(self, at: int) -> str | None:
        epoch = self.epoch(at)
        return self.changes[epoch - 1][1] if epoch else self.initial

    def key(self, value: str, at: int) -> str | None:
        """An absolute path, or ``@<epoch>:<relative path>``; None when unknown."""
        if not value or "$" in value or "`" in value or value.startswith("~"):
            return None
        if value.startswith("/"):
            return posixpath.normpath(value).replace("//", "/")
        if self.nested:
            return None
        directory = self.directory(at)
        if directory is not None:
            return posixpath.normpath(posixpath.join(directory, value))
        return f"@{self.epoch(at)}:{posixpath.normpath(value)}"


def removes(pattern: str, path: str) -> bool:
    """True when removing ``pattern`` (a path key, maybe a glob) removes ``path``."""
    if pattern.startswith("@") != path.startswith("@"):
        return False
    if pattern.startswith("@"):
        pattern_epoch, _, pattern = pattern.partition(":")
        path_epoch, _, path = path.partition(":")
        if pattern_epoch != path_epoch:
            return False
        if pattern == ".":
            return True
    if fnmatchcase(path, pattern):
        return True
    parent = path
    while True:
        parent = posixpath.dirname(parent)
        if parent in ("", "/", "."):
            return False
        if fnmatchcase(parent, pattern):
            return True


# -- plain `&&` chains ----------------------------------------------------------------------
