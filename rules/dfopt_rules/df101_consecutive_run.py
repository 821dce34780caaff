"""DF101: adjacent RUN instructions that could be one layer (the pairs DL3059 leaves out)."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    Violation,
    command_count,
    merge_fix,
    same_run_flags,
)


class ConsecutiveRun(Rule):
    """## What it does
    Flags a shell-form `RUN` that directly follows another shell-form `RUN` of the same
    stage with the same flags, when at least one of the two runs several commands (for
    example `apt-get update && apt-get install -y curl`). Comment lines between the two do
    not separate them; any other instruction does. The second `RUN` is reported.

    hadolint's DL3059 (`multiple-consecutive-run`) deliberately skips such pairs and only
    reports two single-command `RUN`s; this rule covers exactly the pairs DL3059 leaves
    out, so the two rules never report the same pair and share one fix. Exec-form `RUN`s,
    `RUN`s with here-documents, `ONBUILD RUN` and `RUN`s with different flags are not
    reported.

    ## Why is this bad?
    Each `RUN` commits a layer. A chain of `RUN`s that could run as one keeps every
    intermediate state in the image: files that a later step deletes or overwrites still
    take space in the earlier layer, and each extra layer costs a snapshot during the build
    and a download for everyone who pulls the image.

    ## Fix safety
    Safe: the second body is appended to the first with `&&` on a continuation line, so
    the same commands run in the same order and a failure still stops the build; only the
    layer count and the build cache granularity change. The file's escape character, line
    endings and continuation indentation are kept.

    When the first body changes the state of its shell (`cd`, `pushd`, `export`, `set`,
    `source`, `alias`, `umask`, a variable assignment, a function, a background job ...),
    it is wrapped in `( ... )` so nothing leaks into the second body. A second body with a
    top-level `||`, `;`, `&` or several statements is wrapped too, so `a && b || c`
    cannot change what runs.

    Comment lines between the two `RUN`s move inside the merged `RUN`; as a comment may
    describe only the second step, that fix is unsafe. There is no fix when the stage's
    `SHELL` is not POSIX, a body does not parse, the first body ends with a shell comment
    (it would swallow the joined text), the flags appear in a different order, or a
    `# dfopt:` / `# hadolint` pragma sits between the two `RUN`s.

    Where sharing one shell would change what the bodies do (errexit, login shells,
    `BASH_ENV`, per-`RUN` mounts, background jobs, a replaced shell, Windows), the merge
    is refused or joined as DL3059's documentation describes.
    """

    code = "DF101"
    name = "consecutive-run"
    summary = "Adjacent `RUN` instructions could be one layer"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    include_onbuild = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        "RUN curl -fsSL https://example.com/install.sh -o /tmp/install.sh\n"
    )
    good = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && curl -fsSL https://example.com/install.sh -o /tmp/install.sh\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        previous = ctx.run_before(instruction)
        if previous is None:
            return
        for run in (previous, instruction):
            if run.form is not Form.SHELL or run.heredocs or not run.command_text:
                return
        if not same_run_flags(previous, instruction):
            return
        if command_count(previous) <= 1 and command_count(instruction) <= 1:
            return  # DL3059's case
        line = ctx.document.position(previous.keyword_span.start).line
        fix = merge_fix(ctx, previous, instruction, "Merge this `RUN` into the previous one")
        yield self.violation(
            instruction.keyword_span,
            f"This `RUN` and the `RUN` on line {line} could be one layer",
            fix,
        )
