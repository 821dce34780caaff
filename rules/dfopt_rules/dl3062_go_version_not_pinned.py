"""DL3062: `go install` (or `go get`, `go run`) of a module without `@version`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Violation,
)
from dfopt_rules._commands import command_span

# `go` build flags whose value is a separate word.
_WITH_VALUE = frozenset(
    {
        "o",
        "p",
        "C",
        "asmflags",
        "buildmode",
        "buildvcs",
        "compiler",
        "gccgoflags",
        "gcflags",
        "installsuffix",
        "ldflags",
        "mod",
        "modfile",
        "overlay",
        "pgo",
        "pkgdir",
        "tags",
        "toolexec",
        "exec",
        "covermode",
        "coverpkg",
    }
)
_FLOATING = ("@latest", "@none", "@upgrade", "@patch")


def _operands(command: SimpleCommand) -> list[ShellWord]:
    """Arguments that are not flags nor flag values. Go flags are words of their own,
    with one or two dashes (`-ldflags`, `--mod=mod`), and never combined."""
    found: list[ShellWord] = []
    skip = False
    for arg in command.args:
        value = arg.value
        if skip:
            skip = False
        elif value.startswith("-") and value not in ("-", "--"):
            name = value.lstrip("-")
            skip = "=" not in name and name in _WITH_VALUE
        else:
            found.append(arg)
    return found


def _packages(command: SimpleCommand) -> list[ShellWord]:
    """The module or package arguments of `go install`/`go get`/`go run`."""
    words = _operands(command)
    if not words or words[0].value not in ("install", "get", "run"):
        return []
    subcommand = words[0].value
    rest = [word for word in words[1:] if word.value != "tool"]
    if subcommand == "run":
        # Everything after the package is an argument of the program.
        return rest[:1]
    return rest


def _local(package: str) -> bool:
    return package.startswith((".", "/")) or package.endswith(".go")


def _pinned(package: str) -> bool:
    if _local(package):
        return True
    return "@" in package and not package.endswith(_FLOATING)


class GoVersionNotPinned(Rule):
    """## What it does
    Flags `go install`, `go get` and `go run` (in `RUN`, `ONBUILD RUN` and heredoc
    scripts) naming a remote package without a fixed version: `go install
    golang.org/x/tools/gopls` or `...@latest` instead of `...@v0.16.1`.

    As in hadolint, `@latest` and `@none` do not count as a version, and local
    packages (`.`, `./cmd/app`, `/src/app`) need none; for `go run` only the package
    is looked at, not the arguments passed to the program.

    Differences from hadolint: Go source files (`go run main.go`) are local; the
    value of build flags such as `-o DIR` or `-ldflags "..."` is not taken for a
    package; `@upgrade` and `@patch` float like `@latest`; and each command is judged
    on its own (hadolint ignores the `go install` of a `RUN` that also has a `go run`).

    ## Why is this bad?
    Without a version, `go install` fetches whatever the module's newest release is at
    build time, so two builds of the same Dockerfile can produce different tools and
    break without any change to the Dockerfile. A pinned `@vX.Y.Z` is repeatable and
    checked against the Go checksum database.
    """

    code = "DL3062"
    name = "go-version-not-pinned"
    summary = (
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"
    )
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"go"})
    bad = "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n"
    good = "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.16.1\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "go":
                continue
            unpinned = [word.value for word in _packages(command) if not _pinned(word.value)]
            if unpinned:
                listed = ", ".join(f"`{value}`" for value in unpinned)
                yield self.violation(
                    command_span(command),
                    f"`go {command.subcommand}` without a fixed version for {listed}: "
                    "use `<package>@<version>`",
                )
