"""DF302: a script downloaded at build time is run straight from the network."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Instruction,
    Rule,
    Severity,
    ShellScript,
    SimpleCommand,
    Span,
    Violation,
)
from dfopt_rules._hygiene import SHELLS, command_span, option_values, unwrap

_CURL_VALUES = frozenset("oHdXuxAebcCEFKmrTwYyzUQt")
_WGET_VALUES = frozenset("OoaPeUTtwiBYQlADIXR")
_RUNS_TEXT = frozenset({"source", ".", "eval"})


def _to_stdout(command: SimpleCommand) -> bool:
    """True when the command is a downloader that writes the download to stdout."""
    name = command.command
    if name == "curl":
        outputs = option_values(command, "o", "output", _CURL_VALUES)
        if outputs and all(value != "-" for _word, value in outputs):
            return False
        return not any(
            arg.value in ("--remote-name", "--remote-name-all")
            or (
                arg.value.startswith("-")
                and not arg.value.startswith("--")
                and "O" in arg.value[1:].split("o", 1)[0]
            )
            for arg in command.args
        )
    if name == "wget":
        outputs = option_values(command, "O", "output-document", _WGET_VALUES)
        return any(value == "-" for _word, value in outputs)
    return False


def _shell_of(command: SimpleCommand) -> str | None:
    """The shell a command runs (through sudo/env wrappers) when it reads a script from
    standard input, else None."""
    name, args = unwrap(command)
    if name not in SHELLS:
        return None
    values = [arg.value for arg in args]
    if name == "busybox":
        if not values or values[0] not in ("sh", "ash"):
            return None
        values = values[1:]
    for value in values:
        if value == "--":
            break
        if value.startswith("-") and not value.startswith("--") and "c" in value[1:]:
            return None  # `sh -c CMD` runs its argument, not standard input
    return name


def _piped(script: ShellScript, first: SimpleCommand, second: SimpleCommand) -> bool:
    """True when ``first | second`` is written directly (one pipe between them)."""
    between = [
        operator
        for operator in script.operators
        if first.end <= operator.start and operator.end <= second.start
    ]
    return len(between) == 1 and between[0].text in ("|", "|&")


class PipeToShell(Rule):
    """## What it does
    Flags a `RUN` that runs a script straight from the network: `curl ... | sh`,
    `wget -O- ... | bash` (also through `sudo` or `env`), `bash <(curl ...)`,
    `sh -c "$(curl ...)"`, `source <(curl ...)` and `eval "$(curl ...)"`.

    ## Why is this bad?
    Whatever the server returns is executed as root in the build, unchecked: a
    compromised server, DNS or proxy controls the image, a truncated download runs half
    a script, and the image cannot be rebuilt the same way later. Download the script to
    a file, check it against a known sha256 digest (or a signature), and then run it;
    better still, install a packaged, pinned version.
    """

    code = "DF302"
    name = "pipe-to-shell"
    summary = "A downloaded script is piped into a shell"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"curl", "wget"})
    bad = "FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\n"
    good = (
        "FROM debian:12\n"
        "RUN curl -fsSL -o /tmp/install.sh https://example.com/install.sh \\\n"
        "    && echo '24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
        "  /tmp/install.sh' | sha256sum -c - \\\n"
        "    && sh /tmp/install.sh && rm /tmp/install.sh\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for source in ctx.scripts(instruction):
            script = source.script
            commands = [command for command in script.commands if command.reliable]
            downloaders = [c for c in commands if c.command in ("curl", "wget") and _to_stdout(c)]
            if not downloaders:
                continue
            for downloader in downloaders:
                found = self._pipe(script, commands, downloader) or self._substitution(
                    commands, downloader
                )
                if found is not None:
                    yield found

    def _pipe(
        self, script: ShellScript, commands: list[SimpleCommand], downloader: SimpleCommand
    ) -> Violation | None:
        if not downloader.in_pipeline:
            return None
        following = [
            command
            for command in commands
            if command.start >= downloader.end
            and command.depth == downloader.depth
            and command.in_pipeline
        ]
        if not following or not _piped(script, downloader, following[0]):
            return None
        shell = _shell_of(following[0])
        if shell is None:
            return None
        return self.violation(
            Span(command_span(downloader).start, following[0].span.end),
            f"`{downloader.command}` output is piped to `{shell}`, so a script from the "
            "network runs unverified",
        )

    def _substitution(
        self, commands: list[SimpleCommand], downloader: SimpleCommand
    ) -> Violation | None:
        for command in commands:
            if command.depth >= downloader.depth or command.start > downloader.start:
                continue
            name, args = unwrap(command)
            if name not in SHELLS and name not in _RUNS_TEXT:
                continue
            for arg in args:
                raw = arg.raw.lstrip("\"'")
                if not raw.startswith(("<(", "$(", "`")):
                    continue
                if arg.start <= downloader.start and downloader.end <= arg.end:
                    return self.violation(
                        command_span(command),
                        f"`{name}` runs a script downloaded by `{downloader.command}`, unverified",
                    )
        return None
