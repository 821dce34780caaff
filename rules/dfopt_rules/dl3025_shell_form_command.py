"""DL3025: CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form."""

from __future__ import annotations

import json
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    Violation,
)

# Shell builtins with no program of the same name in a typical image: in exec form the
# runtime would look for a binary and fail.
_BUILTINS = frozenset(
    {
        ".",
        ":",
        "alias",
        "bg",
        "break",
        "builtin",
        "cd",
        "command",
        "continue",
        "declare",
        "eval",
        "exit",
        "export",
        "fg",
        "getopts",
        "hash",
        "jobs",
        "let",
        "local",
        "read",
        "readonly",
        "return",
        "set",
        "shift",
        "source",
        "times",
        "trap",
        "type",
        "typeset",
        "ulimit",
        "umask",
        "unalias",
        "unset",
        "wait",
    }
)
# Characters that make the shell do something to a word even when the parse calls it
# literal: globs, tilde and brace expansion, `$'...'` strings, escapes, history.
_SPECIAL = frozenset("*?[]~{}$`\\!")


class ShellFormCommand(Rule):
    """## What it does
    Flags `CMD`, `ENTRYPOINT` and `HEALTHCHECK ... CMD` written in shell form
    (`CMD node server.js`) instead of exec form (`CMD ["node", "server.js"]`). This is
    hadolint 2.15's DL3025, which covers `HEALTHCHECK` too, and BuildKit's
    `JSONArgsRecommended` check (which covers only `CMD` and `ENTRYPOINT`, and stays quiet
    once a `SHELL` instruction has set the shell explicitly; this rule does not).

    ## Why is this bad?
    In shell form the builder wraps the command in `/bin/sh -c`, so the shell is the
    container's main process (PID 1) and your program runs as its child. Most shells do not
    forward `SIGTERM`, so `docker stop` waits for its timeout and then kills the program
    without a clean shutdown. A shell-form `ENTRYPOINT` also ignores the arguments given to
    `docker run`. The exec form runs the program directly, and needs no shell in the image.

    ## Fix safety
    The fix rewrites the command as a JSON array, one element per shell word with quotes
    removed (`CMD node "my app.js"` becomes `CMD ["node", "my app.js"]`; a leading `exec`
    is dropped since it only replaced the shell). It is offered only for a single simple
    command whose words are all literal: no variables, substitutions, globs, `~`, braces,
    escapes, operators (`&&`, `||`, `;`, `|`), redirects, assignments, comments or shell
    builtins. It is not offered when the stage's `SHELL` is not a POSIX shell, or when a
    comment line sits inside the command's continuation lines. The fix is unsafe: the
    program becomes PID 1 (it now receives signals and must reap children), a missing
    program fails the container start instead of exiting with status 127, and a `CMD`
    that follows an exec-form `ENTRYPOINT` now passes its words to the entrypoint instead
    of `/bin/sh -c ...`. A shell-form `ENTRYPOINT` is not rewritten while a `CMD` of
    its stage (before or after it), or of a stage built on it, exists: the shell form
    ignores that `CMD`, the exec form would pass its words as arguments; nor is an
    `ONBUILD ENTRYPOINT`, whose image may have one. For `HEALTHCHECK`, commands that
    rely on the shell to normalise the exit status (`curl -f http://localhost/ || exit
    1`, since Docker reserves status 2) are never rewritten; rewriting them by hand as a
    bare command would lose that normalisation, so keep the shell with
    `["/bin/sh", "-c", "..."]` there.
    """

    code = "DL3025"
    name = "shell-form-command"
    summary = "Use arguments JSON notation for CMD and ENTRYPOINT arguments"
    severity = Severity.WARNING
    targets = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"})
    aliases = ("JSONArgsRecommended",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM node:22-alpine\nCMD node server.js\n"
    good = 'FROM node:22-alpine\nCMD ["node", "server.js"]\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if target.form is not Form.SHELL or target.command_span is None:
            return
        if not target.command_text:
            return
        label = "HEALTHCHECK CMD" if target.keyword == "HEALTHCHECK" else target.keyword
        fix = None
        if ctx.shell_is_posix(instruction) and not (
            target.keyword == "ENTRYPOINT" and _cmd_reaches(instruction, ctx)
        ):
            fix = self._fix(target, ctx)
        yield self.violation(
            target.command_span,
            f"`{label}` uses the shell form; write its arguments as a JSON array",
            fix,
        )

    def _fix(self, target: Instruction, ctx: Context) -> Fix | None:
        span = target.command_span
        text = target.command_text
        if span is None or not text:
            return None
        if any(
            span.start < inner.end and inner.start < span.end for inner in target.inner_comments
        ):
            return None
        script = ctx.command_script(target)
        if script is None or script.has_errors or script.operators or script.constructs:
            return None
        if len(script.commands) != 1:
            return None
        command = script.commands[0]
        if (
            not command.reliable
            or command.depth
            or command.in_pipeline
            or command.assignments
            or command.redirects
            or command.name is None
            or script.text[command.start : command.end] != text.strip()
        ):
            return None
        words = [command.name, *command.args]
        if any(not word.literal or _SPECIAL & set(word.raw) for word in words):
            return None
        values = [word.value for word in words]
        if values[0] == "exec":
            values = values[1:]
            if not values or values[0].startswith("-"):
                return None
        if not values[0] or values[0] in _BUILTINS:
            return None
        array = "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"
        return Fix.unsafe("Rewrite the command in exec form", [Edit.replace(span, array)])


def _cmd_reaches(entrypoint: Instruction, ctx: Context) -> bool:
    """A `CMD` would become the arguments of this `ENTRYPOINT` in exec form: a `CMD` of
    its stage (before or after it: only a `CMD` inherited from the base image is reset
    by `ENTRYPOINT`) or of a stage built on it. Always true for `ONBUILD ENTRYPOINT`,
    whose image is not known."""
    if entrypoint.trigger is not None:
        return True
    stage = ctx.stage(entrypoint)
    if stage is None:
        return True
    return any(
        item.keyword == "CMD"
        for other in ctx.stages
        if other is stage or other.builds_on(stage)
        for item in other.instructions
    )
