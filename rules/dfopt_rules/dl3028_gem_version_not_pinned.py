"""DL3028: `gem install` of gems without version pins."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, SimpleCommand, Violation
from dfopt_rules._commands import command_span, operands

_INSTALL = frozenset({"install", "i"})
# gem install options whose value is a separate word (so it is not a gem).
_WITH_VALUE = frozenset(
    {
        "n",
        "bindir",
        "i",
        "install-dir",
        "source",
        "s",
        "p",
        "http-proxy",
        "P",
        "trust-policy",
        "platform",
        "g",
        "file",
        "build-root",
        "target-rbconfig",
    }
)


def _version_given(command: SimpleCommand) -> bool:
    return any(
        value in ("-v", "--version") or value.startswith("--version=")
        for value in command.arg_values
    )


class GemVersionNotPinned(Rule):
    """## What it does
    Flags `gem install` (or `gem i`, in `RUN`, `ONBUILD RUN` and heredoc scripts) when
    a gem is named without a version: `gem install bundler` instead of
    `gem install bundler:2.5.11`.

    As in hadolint, a gem is pinned by the `name:version` form, and the whole
    command is accepted when it gives `-v`/`--version`.

    Difference from hadolint: dfopt knows which `gem install` options take a value.
    hadolint 2.15 takes the word after any option for that option's value, so it
    misses `gem install --no-document bundler` and `gem install -N rails`; dfopt
    skips only the values of the options that take one (`-n DIR`, `-i DIR`,
    `--source URL`, `--platform NAME` ...).

    ## Why is this bad?
    Without a pin, every build installs whatever version is newest at the time, so
    two builds of the same Dockerfile can differ and break without any change to the
    Dockerfile. Pinning makes builds repeatable and upgrades deliberate.
    """

    code = "DL3028"
    name = "gem-version-not-pinned"
    summary = (
        "Pin versions in gem install. Instead of `gem install <gem>` use `gem install "
        "<gem>:<version>`"
    )
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"gem"})
    bad = "FROM ruby:3.3-slim\nRUN gem install bundler\n"
    good = "FROM ruby:3.3-slim\nRUN gem install bundler:2.5.11\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "gem" or _INSTALL.isdisjoint(command.arg_values):
                continue
            if _version_given(command):
                continue
            unpinned = [
                word.value
                for word in operands(command, _WITH_VALUE)
                if word.value not in _INSTALL and word.value != "--" and ":" not in word.value
            ]
            if unpinned:
                listed = ", ".join(f"`{value}`" for value in unpinned)
                yield self.violation(
                    command_span(command),
                    f"`gem install` without a version pin for {listed}: use `<gem>:<version>`",
                )
