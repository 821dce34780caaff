"""DL3004: `sudo` in a RUN."""

from __future__ import annotations

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
from dfopt_rules._commands import command_span, crosses_comment

_ROOT = frozenset({"root", "0"})


class SudoInRun(Rule):
    """## What it does
    Flags `sudo` run by a `RUN` (or `ONBUILD RUN`, or a heredoc script), once for each
    `sudo` command.

    ## Why is this bad?
    Build steps run as the user set by the last `USER` (root by default), so `sudo`
    is either useless or a sign that the build switched to an unprivileged user and
    then climbs back to root. `sudo` also brings its own behaviour into the image:
    it needs a TTY or a password policy, resets the environment and logs to syslog,
    which makes builds fail or behave unpredictably. Run privileged steps before the
    `USER` switch instead, and use a tool such as `gosu` or `su-exec` when a process
    must drop privileges at run time.

    ## Fix safety
    Unsafe: when `sudo` is given no options (`sudo apt-get install ...`), the fix
    drops the `sudo ` word and keeps the command. It is offered only while the step runs
    as root: the last `USER` before it (in its stage or the stages it builds on; for
    `ONBUILD RUN`, the last of the stage) is `root` or `0`, or there is none and the
    base image's user is assumed to be root. Under a non-root `USER`, or a `USER` with
    a variable, there is no fix: the command would run unprivileged. It stays unsafe
    because the base image may set another user, and `sudo`'s environment reset
    (`PATH` from `secure_path`, `HOME`) no longer happens. `sudo` with options (`-u`,
    `-E`, `-H` ...) is reported without a fix.
    """

    code = "DL3004"
    name = "sudo-in-run"
    summary = (
        "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to "
        "enforce root"
    )
    severity = Severity.ERROR
    targets = frozenset({"RUN"})
    programs = frozenset({"sudo"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM debian:12\nRUN sudo apt-get update\n"
    good = "FROM debian:12\nRUN apt-get update\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command == "sudo":
                yield self.violation(
                    command_span(command),
                    "`sudo` in a build step leads to unpredictable behaviour: run the step "
                    "as root before switching `USER`",
                    _fix(instruction, command) if _may_be_root(instruction, ctx) else None,
                )


def _fix(instruction: Instruction, sudo: SimpleCommand) -> Fix | None:
    if sudo.name is None or sudo.name.raw != "sudo" or not sudo.args:
        return None
    first = sudo.args[0]
    if first.value.startswith("-"):
        return None
    removed = Span(sudo.name.span.start, first.span.start)
    if crosses_comment(instruction, removed):
        return None
    return Fix.unsafe("Drop `sudo`", [Edit.delete(removed)])


def _may_be_root(instruction: Instruction, ctx: Context) -> bool:
    """The step runs as root, or as the base image's user (assumed to be root): no
    `USER` of the stage or of the stages it builds on says otherwise. An `ONBUILD RUN`
    runs in the child build as the user this stage ends with."""
    stage = ctx.stage(instruction)
    if stage is None:
        return False
    chain = [stage]
    while chain[-1].parent is not None and len(chain) <= len(ctx.stages):
        chain.append(chain[-1].parent)  # type: ignore[arg-type]
    last: Instruction | None = None
    for owner in reversed(chain):
        for item in owner.instructions:
            if item is instruction and instruction.trigger is None:
                break
            if item.keyword == "USER":
                last = item
    if last is None:
        return True
    written = last.args_text.strip()
    if "$" in written:
        return False  # a build argument may name anyone
    return written.split(":", 1)[0] in _ROOT
