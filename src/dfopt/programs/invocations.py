"""The programs a RUN runs, seen through the wrappers that start them.

``sudo apt-get install``, ``env DEBIAN_FRONTEND=noninteractive apt-get install``,
``timeout 60 apk add``, ``xargs apt-get install``, ``sh -c "apt-get install -y curl"`` and
``RUN ["sudo", "apt-get", "install"]`` all run ``apt-get install``. :func:`invocations`
peels the wrappers off every command of a script (nested ones included) and reads the
strings given to ``sh -c`` as scripts of their own, so a rule asks one question
("does this RUN run ``apt-get install``?") and gets the same answer whatever the spelling.

A command whose code dfopt cannot see is *opaque*: a script run by its path
(``./install.sh``, ``/opt/setup``), a shell given a file or reading standard input
(``curl ... | sh``), ``make``, ``eval``, ``.``/``source``, a command name that is not a
literal, or a wrapper whose command is not a literal. Rules that must know whether a later
step uses something treat an opaque invocation as "it may".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dfopt.programs.specs import spec_of
from dfopt.shell.model import ShellScript, ShellWord, SimpleCommand, parse_script
from dfopt.syntax._record import record, set_field
from dfopt.syntax.source import Span

__all__ = [
    "OPAQUE_PROGRAMS",
    "SHELLS",
    "WRAPPERS",
    "Invocation",
    "invocations",
    "word_invocations",
]

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
"""Shells that run a ``-c`` string, a script file, or their standard input."""

OPAQUE_PROGRAMS = frozenset({"make", "gmake", "eval", ".", "source", "just", "task"})
"""Programs that run code dfopt cannot see (a Makefile's recipes, a string, a file)."""

# Wrappers that run the command after their options: the options that take a value, and
# how many operands come before the command.
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}), 0),
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "--class", "--classdata"}), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "xargs": (
        frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--delimiter"})
        | frozenset({"--arg-file", "--max-args", "--max-procs", "--max-lines"}),
        0,
    ),
    "eatmydata": (frozenset(), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "setsid": (frozenset(), 0),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
    "gosu": (frozenset(), 1),
    "su-exec": (frozenset(), 1),
    "runuser": (frozenset({"-u", "-g", "-G", "--user", "--group"}), 0),
    "chpst": (frozenset({"-u", "-U", "-e", "-/", "-n", "-l", "-L"}), 0),
    "tini": (frozenset({"-s", "-p", "-e"}), 0),
    "dumb-init": (frozenset({"-r", "--rewrite"}), 0),
    "unbuffer": (frozenset(), 0),
    "flock": (frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}), 1),
    "retry": (frozenset({"-t", "--tries", "-d", "--delay"}), 0),
}
# Wrappers that take a shell string with `-c` (`su -c "..."`, `flock /l -c "..."`).
_STRING_WRAPPERS = frozenset({"su", "runuser", "flock"})
_SYSTEM_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/")


@record()
class Invocation:
    """One program run by a command, after its wrappers are peeled off."""

    __slots__ = ("args", "command", "literal", "opaque", "program", "via")

    program: str
    """The program's name without its directory (``apt-get``); empty when opaque."""
    args: tuple[str, ...]
    """Its arguments, quotes removed (expansions kept as written)."""
    literal: bool
    """Every argument is a literal (no expansion or substitution)."""
    opaque: bool
    """It runs code dfopt cannot see (see the module documentation)."""
    via: tuple[str, ...]
    """The wrappers it was found through (``sudo``, ``sh -c`` ...), outermost first."""
    command: SimpleCommand | None
    """The command of the script it comes from (None for an exec-form RUN)."""

    def __init__(
        self,
        program: str,
        args: tuple[str, ...],
        literal: bool = True,
        opaque: bool = False,
        via: tuple[str, ...] = (),
        command: SimpleCommand | None = None,
    ) -> None:
        set_field(self, "program", program)
        set_field(self, "args", args)
        set_field(self, "literal", literal)
        set_field(self, "opaque", opaque)
        set_field(self, "via", via)
        set_field(self, "command", command)

    @property
    def subcommand(self) -> str | None:
        """The canonical subcommand (``install`` in ``apt-get -y install``, in ``dnf in``
        and in ``npm i``), read with the program's spec (options that take a value are
        skipped with it); without a spec, the first argument that is not an option."""
        spec = spec_of(self.program)
        if spec is not None:
            return spec.subcommand_of(self.args)
        for arg in self.args:
            if not arg.startswith("-"):
                return arg
        return None

    def has_option(self, *names: str) -> bool:
        """True when one of ``names`` is given (``--offline``, ``-y``; a short letter also
        matches inside a group such as ``-qy``; ``--name=value`` matches ``--name``)."""
        for arg in self.args:
            if arg == "--":
                return False
            for name in names:
                if name.startswith("--"):
                    if arg == name or arg.startswith(name + "="):
                        return True
                elif (
                    len(name) == 2
                    and arg.startswith("-")
                    and not arg.startswith("--")
                    and name[1] in arg[1:]
                ):
                    return True
        return False


def invocations(script: ShellScript) -> Iterator[Invocation]:
    """Every program the script runs, in script order, wrappers peeled off, ``sh -c``
    strings read as scripts (see the module documentation)."""
    for command in script.commands:
        if command.name is None:
            continue
        yield from _peel(command.name, list(command.args), (), command, 0)


def word_invocations(words: Sequence[str]) -> Iterator[Invocation]:
    """The programs an exec-form RUN runs (``["sudo", "apt-get", "install", "x"]``)."""
    if not words:
        return
    values = [ShellWord(word, word, True, _NO_SPAN, 0, 0) for word in words]
    yield from _peel(values[0], values[1:], (), None, 0)


def _peel(
    name: ShellWord,
    args: list[ShellWord],
    via: tuple[str, ...],
    command: SimpleCommand | None,
    depth: int,
) -> Iterator[Invocation]:
    literal = all(arg.literal for arg in args)
    values = tuple(arg.value for arg in args)
    if not name.literal:
        yield Invocation("", values, literal, True, via, command)
        return
    path = name.value
    program = path.rsplit("/", 1)[-1]
    if program in WRAPPERS and depth < 8:
        inner = _wrapped(program, args)
        if program in _STRING_WRAPPERS and _string_argument(args) is not None:
            yield from _shell_string(program, args, via, command, depth)
            return
        if inner is None:  # `env` alone, `sudo -i`, or a command that is not a literal
            opaque = not literal or (program in ("sudo", "doas") and bool(args))
            yield Invocation(program, values, literal, opaque, via, command)
            return
        if inner[0].value in ("-v", "-V") and program == "command":
            yield Invocation(program, values, literal, False, via, command)
            return
        yield from _peel(inner[0], inner[1:], (*via, program), command, depth + 1)
        return
    if program in _STRING_WRAPPERS and _string_argument(args) is not None:
        yield from _shell_string(program, args, via, command, depth)
        return
    if program in SHELLS:
        yield from _shell(program, args, via, command, depth)
        return
    opaque = program in OPAQUE_PROGRAMS or program.endswith(".sh") or _script_path(path)
    yield Invocation(program, values, literal, opaque, via, command)


def _script_path(path: str) -> bool:
    """A program run by a path outside the system directories (``./configure``)."""
    return "/" in path and not path.startswith(_SYSTEM_DIRS)


def _wrapped(program: str, args: list[ShellWord]) -> list[ShellWord] | None:
    """The command words a wrapper runs, or None when there is none or it is not known."""
    with_value, operands = WRAPPERS[program]
    index = 0
    while index < len(args):
        arg = args[index]
        value = arg.value
        if not arg.literal:
            return None
        if value == "--":
            index += 1
            break
        if program == "env" and "=" in value and not value.startswith("-"):
            index += 1
            continue
        if program == "nice" and value.startswith("-") and value[1:].isdigit():
            index += 1
            continue
        if value.startswith("-") and len(value) > 1:
            name = value.split("=", 1)[0]
            index += 2 if name in with_value and "=" not in value else 1
            continue
        break
    index += operands
    if index >= len(args):
        return None
    return args[index:]


def _string_argument(args: Sequence[ShellWord]) -> ShellWord | None:
    for index, arg in enumerate(args):
        if arg.value in ("-c", "--command") and index + 1 < len(args):
            return args[index + 1]
    return None


def _shell_string(
    program: str,
    args: list[ShellWord],
    via: tuple[str, ...],
    command: SimpleCommand | None,
    depth: int,
) -> Iterator[Invocation]:
    string = _string_argument(args)
    values = tuple(arg.value for arg in args)
    if string is None or not string.literal or depth >= 8:
        yield Invocation(program, values, False, True, via, command)
        return
    script = parse_script(string.value, lambda offset: 0)
    if script.has_errors:
        yield Invocation(program, values, True, True, via, command)
        return
    for inner in script.commands:
        if inner.name is not None:
            yield from _peel(
                inner.name, list(inner.args), (*via, f"{program} -c"), command, depth + 1
            )


def _shell(
    program: str,
    args: list[ShellWord],
    via: tuple[str, ...],
    command: SimpleCommand | None,
    depth: int,
) -> Iterator[Invocation]:
    if program == "busybox" and args and args[0].literal and args[0].value not in SHELLS:
        yield from _peel(args[0], args[1:], (*via, program), command, depth + 1)
        return
    if _string_argument(args) is not None or any(
        arg.value.startswith("-") and "c" in arg.value[1:] and not arg.value.startswith("--")
        for arg in args
    ):
        string = _combined_string(args)
        if string is not None:
            yield from _shell_string(program, [_C, string], via, command, depth)
            return
    # A script file, or commands read from standard input (`curl ... | sh`).
    yield Invocation(program, tuple(arg.value for arg in args), False, True, via, command)


def _combined_string(args: Sequence[ShellWord]) -> ShellWord | None:
    """The command string of ``sh -c STRING``, ``sh -ec STRING``, ``bash -xc STRING``."""
    for index, arg in enumerate(args):
        value = arg.value
        if value.startswith("-") and not value.startswith("--") and "c" in value[1:]:
            return args[index + 1] if index + 1 < len(args) else None
    return None


_NO_SPAN = Span(0, 0)
_C = ShellWord("-c", "-c", True, _NO_SPAN, 0, 0)
