"""DL3009: `apt-get update` without deleting the apt lists in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    APT,
    APT_NEEDS_LISTS,
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Span,
    Stage,
    Violation,
    append_to_chain,
    apt_needs_lists_first,
    later_runs_may,
    plain_chain,
)
from dfopt_rules._commands import ordered_commands, script_text

LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"
_CLEANED_PATHS = frozenset({LISTS, "/var/lib/apt"})
_APT = APT
_NEEDS_LISTS = APT_NEEDS_LISTS


def _values(command: SimpleCommand) -> list[str]:
    return [arg.value for arg in command.args]


def _is_update(command: SimpleCommand) -> bool:
    return command.command in _APT and "update" in _values(command)


def _needs_lists(command: SimpleCommand) -> bool:
    if command.command == "apt-cache":
        return True
    return command.command in _APT and any(value in _NEEDS_LISTS for value in _values(command))


def _cleaned_path(value: str) -> bool:
    path = value.rstrip("*").rstrip("/")
    return path in _CLEANED_PATHS


def _removes_lists(command: SimpleCommand) -> bool:
    name = command.command
    if name == "rm":
        return any(_cleaned_path(value) for value in _values(command))
    if name == "find":
        values = _values(command)
        return "-delete" in values and any(_cleaned_path(value) for value in values)
    return False


class AptListsNotDeleted(Rule):
    """## What it does
    Flags a `RUN` that runs `apt-get update` but does not delete `/var/lib/apt/lists`
    afterwards in the same `RUN` (`rm -rf /var/lib/apt/lists/*`).

    As in hadolint, only the stages that end up in an image are checked: the final stage
    and every stage a later `FROM` builds on. `ONBUILD RUN` is always checked, since it
    runs in the child image. A `RUN` whose lists directory sits on a BuildKit cache mount
    is not reported.

    Differences from hadolint:

    - hadolint accepts any `rm` that has a `-rf` argument (even `rm -rf /tmp/x`) or the
      exact argument `/var/lib/apt/lists/*`, wherever it stands in the `RUN`. dfopt wants
      an `rm` (or `find ... -delete`) of `/var/lib/apt/lists` (written `lists`, `lists/`
      or `lists/*`, or of `/var/lib/apt`) *after* the last `apt-get update`; any flags
      are fine (`-rf`, `-fr`, `-r`). `apt-get clean` does not count: it empties
      `/var/cache/apt`, not the lists.
    - hadolint silences the rule for a `type=cache` mount on `/var/lib/apt/lists`, or for
      mounts on both `/var/lib/apt` and `/var/cache/apt`. dfopt is silent whenever a cache
      or tmpfs mount covers the lists directory (a mount on `/var/lib/apt/lists`,
      `/var/lib/apt` or a parent), because then the lists never reach the layer.

    ## Why is this bad?
    The package lists that `apt-get update` downloads are only needed to install
    packages. Left in the layer they add tens of megabytes to the image, and a later
    layer cannot take the bytes back.

    ## Fix safety
    Safe: ` && rm -rf /var/lib/apt/lists/*` is appended to the end of the `RUN` (on a
    new continuation line, indented like the others, when the command already spans
    several lines). Only package lists, a cache, leave the image.

    The fix is only offered when the script is a plain `&&` chain, so the removal runs
    exactly when everything before it succeeded. No fix is offered while a later `RUN`
    of the stage (or of a stage built on it, or a later `ONBUILD RUN`) uses apt without
    running its own `apt-get update` first: that command relies on the lists and would
    fail. apt is recognised however it is started: through `sudo`, `env`, `timeout`,
    `nice`, `command`, `eatmydata`, `xargs`, a `sh -c "..."` string or an exec-form
    `RUN`. A later `RUN` that runs code dfopt cannot see (a script, `make`, `eval`, a
    shell reading a file or a pipe, a command name held in a variable) or cannot read (a
    syntax error, a non-POSIX `SHELL`) counts as such a use. The fix is also refused
    where errexit could have stopped the last command midway (an errexit `SHELL` or
    `set -e` with a compound last statement), since `&&` after it would change that.
    Merging the split `RUN`s first (DF104, DL3059) usually removes the first obstacle,
    and the next fix pass then appends the removal.
    """

    code = "DL3009"
    name = "apt-lists-not-deleted"
    summary = "Delete the apt-get lists after installing something"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    good = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl"
        " && rm -rf /var/lib/apt/lists/*\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if "apt" not in script_text(ctx, instruction):
            return  # no apt, apt-get or aptitude command (see `script_text`)
        commands = ordered_commands(ctx, instruction)
        index = next(
            (index for index in range(len(commands) - 1, -1, -1) if _is_update(commands[index])),
            None,
        )
        if index is None:
            return
        last = commands[index]
        # Commands before the last update in source order do not start after it.
        if any(
            _removes_lists(command) and command.span.start > last.span.start
            for command in commands[index + 1 :]
        ):
            return
        if ctx.cache_mounted(instruction, LISTS):
            return
        stage = ctx.stage(instruction)
        if stage is None:
            return
        if not ctx.onbuild and not self._kept(stage, ctx):
            return
        start = last.name.span.start if last.name else last.span.start
        onbuild = ctx.onbuild

        def plan() -> Fix | None:
            # Planned when the fix is read, maybe after the engine moved on to another
            # instruction: `_later_use` reads `ctx.onbuild`, so it gets this check's value.
            saved = ctx.onbuild
            ctx.onbuild = onbuild
            try:
                return self._fix(instruction, stage, ctx)
            finally:
                ctx.onbuild = saved

        yield self.violation(
            Span(start, last.span.end),
            "`apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same `RUN` "
            "leaves the package lists in the image",
            plan,
        )

    @staticmethod
    def _kept(stage: Stage, ctx: Context) -> bool:
        """The stage is the final one or a later FROM builds on it."""
        if ctx.is_final_stage(stage):
            return True
        return any(other.parent is stage for other in ctx.stages)

    # -- the fix ----------------------------------------------------------------------

    def _fix(self, instruction: Instruction, stage: Stage, ctx: Context) -> Fix | None:
        chain = plain_chain(ctx, instruction)
        if chain is None or self._later_use(instruction, ctx):
            return None
        return Fix.safe(
            "Delete the apt lists at the end of the `RUN`",
            [append_to_chain(ctx, chain, CLEANUP)],
        )

    @staticmethod
    def _later_use(instruction: Instruction, ctx: Context) -> bool:
        """A later RUN may use apt without updating the lists itself (through any wrapper,
        ``sh -c``, an exec-form RUN), or runs code dfopt cannot see (a script, ``make``)."""
        return later_runs_may(
            ctx,
            instruction,
            apt_needs_lists_first,
            skip=lambda run: ctx.cache_mounted(run, LISTS),
        )
