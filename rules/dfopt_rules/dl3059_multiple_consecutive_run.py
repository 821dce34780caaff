"""DL3059: multiple consecutive RUN instructions, each running a single command."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Violation,
    command_count,
    merge_fix,
    same_run_flags,
)


class MultipleConsecutiveRun(Rule):
    """## What it does
    Flags a `RUN` that directly follows another `RUN` of the same stage with the same
    flags, when each of the two runs a single command. Comment lines between the two do
    not separate them; any other instruction does. The second `RUN` of each pair is
    reported, so three single-command `RUN`s in a row give two findings.

    This is hadolint's DL3059 with hadolint's exact scope: commands are counted the way
    hadolint counts them (nested commands such as `$(date)` count, an exec-form `RUN` is
    read as its words), `RUN` instructions whose flags differ (as a set) are left alone
    and `ONBUILD RUN` is never considered. Pairs where either `RUN` chains several
    commands are left to DF101 (`consecutive-run`), so the two rules never report the
    same pair.

    ## Why is this bad?
    Every `RUN` commits a new image layer. Two single-command `RUN`s in a row usually
    belong together: splitting them costs a layer, an extra snapshot during the build and
    an extra entry in the image history, and files that the second command deletes stay in
    the first layer.

    ## Fix safety
    Safe: the second body is appended to the first with `&&` on a continuation line, so
    the same commands run in the same order and a failing first command still stops the
    build. Only the layer count and the build cache granularity change. The merge keeps
    the file's escape character, line endings and the continuation indentation the first
    `RUN` already uses.

    When the first body changes the state of its shell (`cd`, `export`, `set`, `source`,
    a variable assignment, a function, a background job ...), it is wrapped in `( ... )`
    so the state cannot leak into the second body; a second body with a top-level `||`,
    `;` or `&` is wrapped too, so `a && b || c` cannot change what runs.

    Comment lines between the two `RUN`s move inside the merged `RUN` as comment lines of
    the continuation; as a comment may describe only the second step, that fix is unsafe.
    No fix is offered for exec-form or here-document `RUN`s, different flag order, a
    non-POSIX `SHELL`, a first body that ends with a shell comment, a body that does not
    parse, or a `# dfopt:` / `# hadolint` pragma between the two `RUN`s.

    No fix either where sharing one shell would change what the bodies do: a first body
    that may turn errexit on (`set -e` in any spelling, `source`, `eval`, a command in a
    variable) and is not one plain `&&` list, since POSIX shells ignore errexit on the
    left of `&&` (under an errexit `SHELL`, such a body is joined as `( first ); second`
    instead, where errexit still applies); a login or interactive `SHELL`, `BASH_ENV` or
    `BASHOPTS` (start-up files each `RUN` may change); tmpfs or writable bind mounts
    (fresh in each `RUN`); a first body that starts a background job or a daemon, or
    replaces the shell (`ln -sf /bin/bash /bin/sh`); a base image that may be Windows. A
    first body that may put a program the second runs earlier on `PATH` (`pip install
    --upgrade pip`) runs in `( ... )`, so the second does not reuse the shell's hashed
    old copy.
    """

    code = "DL3059"
    name = "multiple-consecutive-run"
    summary = "Multiple consecutive `RUN` instructions"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    include_onbuild = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    good = "FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y curl\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        previous = ctx.run_before(instruction)
        if previous is None:
            return
        if not same_run_flags(previous, instruction):
            return
        if command_count(previous) > 1 or command_count(instruction) > 1:
            return
        fix = merge_fix(ctx, previous, instruction, "Merge this `RUN` into the previous one")
        yield self.violation(
            instruction.keyword_span,
            "Multiple consecutive `RUN` instructions; consider merging them",
            fix,
        )
