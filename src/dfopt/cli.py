"""dfopt's command line: the ``dfopt`` console script and ``python -m dfopt``.

Start-up time matters (pre-commit runs dfopt on every commit), and loading typer costs
more than linting a small Dockerfile. So :func:`main` first tries a small parser that
knows exactly the options of ``check``, ``fix`` and ``format`` (declared in
:data:`dfopt.commands.COMMAND_OPTIONS`) and calls the same implementation the typer
commands call. Anything else — help, ``--version``, the other commands, an unknown or
unusual option, a missing value — goes to the typer application (:mod:`dfopt.app`),
which owns the help texts and the usage errors.

Importing this module loads neither typer nor the engine; ``dfopt.cli.app`` is the typer
application, loaded on first use.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dfopt.commands import (
    COMMAND_OPTIONS,
    PATHS_REQUIRED,
    OptionSpec,
    run_check,
    run_fix,
    run_format,
)

if TYPE_CHECKING:
    import typer

__all__ = ["FastCall", "main", "parse_fast"]

#: Set by shells asking the typer application for completions.
_COMPLETION_VARIABLE = "_DFOPT_COMPLETE"


class FastCall:
    """A ``check``, ``fix`` or ``format`` invocation the fast parser understood."""

    __slots__ = ("command", "options", "paths")

    command: str
    paths: list[str]
    options: dict[str, Any]
    """The keyword arguments of the ``run_*`` function, by option ``dest``."""

    def __init__(self, command: str, paths: list[str], options: dict[str, Any]) -> None:
        self.command = command
        self.paths = paths
        self.options = options

    def run(self) -> int:
        """Run the command; return its exit status."""
        if self.command == "fix":
            return run_fix(self.paths, **self.options)
        if self.command == "format":
            return run_format(self.paths or None, **self.options)
        return run_check(self.paths or None, **self.options)


def _lookup(specs: Sequence[OptionSpec]) -> dict[str, OptionSpec]:
    table = {spec.name: spec for spec in specs}
    table.update({spec.negative: spec for spec in specs if spec.negative})
    table.update({alias: spec for spec in specs for alias in spec.aliases})
    return table


def parse_fast(args: Sequence[str]) -> FastCall | None:
    """Parse a plain ``check``/``fix``/``format`` command line, or None to let typer do it.

    Accepted: the command first, then paths (``-`` included) and the command's options in
    any order, values given as ``--opt value`` or ``--opt=value``, and ``--`` before
    paths that start with a dash. Anything else returns None, as do a value that starts
    with a dash, a ``--format`` other than the exact lowercase choices and a ``fix``
    without paths: typer's messages and help are the reference for those.
    """
    if not args or args[0] not in COMMAND_OPTIONS:
        return None
    command = args[0]
    specs = COMMAND_OPTIONS[command]
    by_name = _lookup(specs)
    options: dict[str, Any] = {spec.dest: spec.default for spec in specs}
    paths: list[str] = []
    index = 1
    while index < len(args):
        argument = args[index]
        index += 1
        if argument == "--":
            paths.extend(args[index:])
            break
        if argument == "-" or not argument.startswith("-"):
            paths.append(argument)
            continue
        name, equals, inline = argument.partition("=")
        spec = by_name.get(name)
        if spec is None:
            return None
        if not spec.takes_value:
            if equals:
                return None
            options[spec.dest] = spec.kind == "flag" or name == spec.name
            continue
        if equals:
            value = inline
        elif index < len(args) and not args[index].startswith("-"):
            value = args[index]
            index += 1
        else:
            return None
        if spec.kind == "list":
            options[spec.dest] = [*(options[spec.dest] or ()), value]
        elif spec.kind == "choice" and value not in spec.choices:
            return None
        else:
            options[spec.dest] = value
    if command in PATHS_REQUIRED and not paths:
        return None
    return FastCall(command, paths, options)


def _run(call: FastCall) -> int:
    """Run a parsed call, ending the way the typer application ends."""
    try:
        return call.run()
    except KeyboardInterrupt:
        return 130
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        return 1
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # The reader went away: say nothing more, and give the final flush somewhere
        # harmless to write to.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); exits."""
    args = list(sys.argv[1:] if argv is None else argv)
    call = None if os.environ.get(_COMPLETION_VARIABLE) else parse_fast(args)
    if call is None:
        from dfopt.app import run_app

        run_app(argv)
        return
    sys.exit(_run(call))


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        from dfopt.app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
