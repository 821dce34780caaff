"""DL3045: COPY to a relative destination before any WORKDIR."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Form, Instruction, Rule, Severity, Stage, Violation


def is_absolute_destination(dest: str) -> bool:
    """Absolute POSIX or Windows paths, and destinations that start with a variable."""
    value = dest.strip("\"'")
    return value.startswith(("/", "$")) or value[1:3] in (":\\", ":/")


def stage_sets_workdir(stage: Stage, before: Instruction | None = None) -> bool:
    """True when ``stage`` (up to ``before``) or a stage it is built ``FROM`` has a
    WORKDIR."""
    current: Stage | None = stage
    limit = before
    seen: set[int] = set()
    while current is not None and current.index not in seen:
        seen.add(current.index)
        for instruction in current.instructions:
            if instruction is limit:
                break
            if instruction.keyword == "WORKDIR":
                return True
        current = current.parent
        limit = None
    return False


class CopyRelativeWithoutWorkdir(Rule):
    """## What it does
    Flags a `COPY` whose destination is a relative path (`COPY app.py app/`) when
    neither the stage nor a stage it is built `FROM` has set a `WORKDIR` before it.
    Absolute destinations (POSIX or Windows) and destinations that start with a
    variable are fine. `ONBUILD COPY` is not checked, like hadolint: it runs in the
    downstream build, whose working directory this file cannot know.

    ## Why is this bad?
    A relative destination is resolved against the working directory the base image
    happens to set, which this file does not show and which can change with a new
    version of the base. Set a `WORKDIR` first, or copy to an absolute path.
    """

    code = "DL3045"
    name = "copy-relative-without-workdir"
    summary = "COPY to a relative destination without WORKDIR set"
    severity = Severity.WARNING
    targets = frozenset({"COPY"})
    include_onbuild = False
    bad = "FROM python:3.12\nCOPY requirements.txt app/\n"
    good = "FROM python:3.12\nWORKDIR /srv\nCOPY requirements.txt app/\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        args = instruction.exec_args if instruction.form is Form.EXEC else instruction.words
        if len(args) < 2:
            return
        dest = args[-1]
        if is_absolute_destination(dest.value):
            return
        stage = ctx.stage(instruction)
        if stage is not None and stage_sets_workdir(stage, instruction):
            return
        yield self.violation(
            dest.span,
            f"`COPY` to the relative destination `{dest.value}` without a `WORKDIR` set",
        )
