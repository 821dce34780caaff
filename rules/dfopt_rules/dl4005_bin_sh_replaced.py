"""DL4005: a RUN replaces /bin/sh with `ln` instead of using SHELL."""

from __future__ import annotations

import json
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Span,
    Violation,
)
from dfopt_rules._commands import command_span, is_option, line_indent

_SYSTEM_SHELL = frozenset({"/bin/sh", "/usr/bin/sh"})
_SHELLS = frozenset({"bash", "zsh", "ash", "dash", "ksh", "mksh"})


def _link_name(command: SimpleCommand) -> str | None:
    """The link `ln` creates (its last operand), or None."""
    names = [arg for arg in command.args if not is_option(arg)]
    if len(names) < 2:
        return None
    return names[-1].value.rstrip("/") or "/"


class BinShReplaced(Rule):
    """## What it does
    Flags `ln` in a `RUN` (or `ONBUILD RUN`, or a heredoc script) that makes
    `/bin/sh` a link to another program, such as `ln -sf /bin/bash /bin/sh`.

    Differences from hadolint: hadolint reports any `ln` with a `/bin/sh` argument,
    even one that only links *to* `/bin/sh` (`ln -s /bin/sh /usr/local/bin/sh`);
    dfopt reports the `ln` whose link is `/bin/sh`, and also `/usr/bin/sh`, the same
    file on merged-`/usr` systems (Debian 12, Ubuntu, Fedora).

    ## Why is this bad?
    Replacing `/bin/sh` changes the shell of every program in the image, at build
    time and at run time: init scripts, `system()` calls and package maintainer
    scripts that expect a POSIX `sh` get bash (or whatever the link points to), and
    the change is invisible to anyone reading the image's configuration. To run the
    build's `RUN` instructions with another shell, set it with `SHELL`, which is
    scoped to the Dockerfile and recorded in the image config.

    ## Fix safety
    Unsafe, when the `RUN` does nothing but the link: it is replaced by a `SHELL`
    instruction (`RUN ln -sf /bin/bash /bin/sh` becomes `SHELL ["/bin/bash", "-c"]`), so
    the build's later `RUN`s still use that shell, but `/bin/sh` in the image is no
    longer a link: programs that call `sh` at run time get the base image's `sh` again.
    Only a human can tell whether something at run time relies on the link, hence
    `--unsafe-fixes`. A `RUN <<EOF` whose script is just the link is replaced whole,
    here-document included. When the `RUN` does more than the link, dfopt only suggests
    the `SHELL` instruction (display only).
    """

    code = "DL4005"
    name = "bin-sh-replaced"
    summary = "Use SHELL to change the default shell"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"ln"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n"
    good = 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "ln" or _link_name(command) not in _SYSTEM_SHELL:
                continue
            yield self.violation(
                command_span(command),
                "`ln` replaces `/bin/sh` for the whole image: use `SHELL` to change the "
                "shell of the build",
                _suggestion(instruction, command, ctx),
            )


def _suggestion(instruction: Instruction, command: SimpleCommand, ctx: Context) -> Fix | None:
    if ctx.onbuild:
        return None
    names = [arg for arg in command.args if not is_option(arg)]
    source = names[0].value
    program = source.rsplit("/", 1)[-1]
    if not names[0].literal or program not in _SHELLS:
        return None
    path = source if source.startswith("/") else f"/bin/{program}"
    shell = json.dumps([path, "-c"])
    sources = ctx.scripts(instruction)
    script = sources[0].script if len(sources) == 1 else None
    if (
        script is not None
        and len(script.commands) == 1
        and script.commands[0] is command
        and not script.operators
        and not command.redirects
        and not command.assignments
        and instruction.trigger is None
    ):
        keyword = ctx.slice(instruction.keyword_span)
        replacement = ("shell" if keyword.islower() else "SHELL") + f" {shell}"
        if not instruction.heredocs:
            end = instruction.header_end
        elif sources[0].kind == "heredoc" and len(instruction.heredocs) == 1:
            # `RUN <<EOF` whose body is the link: the whole instruction, body and
            # terminator included, becomes the SHELL line.
            end = instruction.span.end
            if ctx.slice(instruction.span).endswith("\n"):
                replacement += ctx.newline_of(instruction)
        else:
            end = -1
        if end >= 0:
            return Fix.unsafe(
                f"Replace the `RUN` with `SHELL {shell}`",
                [Edit.replace(Span(instruction.keyword_span.start, end), replacement)],
            )
    text = f"{line_indent(ctx, instruction)}SHELL {shell}{ctx.newline_of(instruction)}"
    return Fix.display_only(
        f"Use `SHELL {shell}` instead of linking `/bin/sh`",
        [Edit.insert(instruction.span.start, text)],
    )
