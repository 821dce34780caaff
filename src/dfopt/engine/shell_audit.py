"""Re-check, on a fixed text, that no RUN now shares a shell where it must not.

The build fingerprint sees commands, not the shell that runs them: ``a && b`` and two
RUNs ``a`` and ``b`` have the same fingerprint, yet errexit, a replaced ``/bin/sh`` or a
background job make them build different images. ``fix --verify`` therefore also maps
the fixed RUNs of each stage back to the RUNs of the input (by their fingerprint items,
which a merge concatenates) and, for every group of input RUNs that now run in one
shell, asks the same questions the merge planner asks (:func:`dfopt.run_merge.join_hazard`);
for a RUN that only grew at its end (a cleanup appended), whether ``&&`` after its last
statement changes what errexit decides; and for a RUN that now removes a package index
(apt lists, ``apk --no-cache``), whether a later RUN of the output may still read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from dfopt.engine.fingerprint import Item, instruction_items
from dfopt.programs.invocations import invocations
from dfopt.semantics import analyze
from dfopt.shell import parse_script
from dfopt.shell.effects import effects
from dfopt.syntax import Document, Form, Instruction

if TYPE_CHECKING:
    from dfopt.rules_api import Context

__all__ = ["shell_context_change"]


def shell_context_change(original: Document, fixed: Document) -> str | None:
    """A one-line reason when a RUN of ``fixed`` runs bodies of ``original`` in a shell
    context that may change what they do; None when none does (or cannot be mapped)."""
    from dfopt.rules_api import Context
    from dfopt.run_merge import errexit_shell, join_hazard

    before, after = analyze(original), analyze(fixed)
    if len(before.stages) != len(after.stages):
        return None
    ctx = Context(original, before)
    fixed_ctx = Context(fixed, after)
    for old_stage, new_stage in zip(before.stages, after.stages, strict=True):
        old_runs = _runs(old_stage.instructions)
        new_runs = _runs(new_stage.instructions)
        for group, merged in _groups(old_runs, new_runs):
            for first in group[:-1]:
                script = ctx.shell(first)
                if script is None:
                    return f"shell changed: line {_line(original, first)} cannot be read"
                reason = join_hazard(ctx, first, script)
                if reason is not None:
                    return f"shell changed: line {_line(original, first)}: {reason}"
            reason = _index_still_needed(fixed_ctx, group, merged)
            if reason is not None:
                return f"cache removed: line {_line(fixed, merged)}: {reason}"
            if len(group) == 1:
                body, grown = group[0].command_text or "", merged.command_text or ""
                if (
                    grown != body
                    and grown.startswith(body)
                    and not _appendable(body, errexit_shell(ctx, group[0]))
                ):
                    line = _line(original, group[0])
                    return (
                        f"shell changed: line {line}: a command appended after a statement"
                        " that errexit could stop midway"
                    )
    return None


def _index_still_needed(
    ctx: Context, group: Sequence[Instruction], merged: Instruction
) -> str | None:
    """The fixed RUN now removes a package index the input kept (apt lists, or apk's
    through ``--no-cache``) while a later RUN of the output may still need it."""
    from dfopt.programs import (
        apk_needs_index_first,
        apt_needs_lists_first,
        later_runs_may,
    )

    before = " ".join(run.command_text or "" for run in group)
    after = merged.command_text or ""
    lists = "/var/lib/apt/lists"
    if after.count(lists) > before.count(lists) and later_runs_may(
        ctx, merged, apt_needs_lists_first, skip=lambda run: ctx.cache_mounted(run, lists)
    ):
        return "a later RUN may still read the apt lists"
    kept = sum(_apk_no_cache(run.command_text or "") for run in group)
    if _apk_no_cache(after) > kept and later_runs_may(ctx, merged, apk_needs_index_first):
        return "a later RUN may still read the apk index"
    return None


def _apk_no_cache(text: str) -> int:
    """How many ``apk`` commands of a body carry ``--no-cache`` (not pip's ``--no-cache-dir``)."""
    if "apk" not in text:
        return 0
    script = parse_script(text, lambda offset: 0)
    return sum(
        1
        for invocation in invocations(script)
        if invocation.program == "apk" and "--no-cache" in invocation.args
    )


def _appendable(body: str, errexit: bool) -> bool:
    shape = effects(body)
    return shape.last_neutral or not (errexit or shape.may_set_errexit)


def _runs(instructions: Sequence[Instruction]) -> list[tuple[Instruction, tuple[Item, ...]]]:
    found = []
    for instruction in instructions:
        target = instruction.effective
        if target.keyword == "RUN" and target.form is Form.SHELL and not target.heredocs:
            found.append((instruction, tuple(instruction_items(instruction))))
    return found


def _groups(
    old: list[tuple[Instruction, tuple[Item, ...]]],
    new: list[tuple[Instruction, tuple[Item, ...]]],
) -> Iterator[tuple[list[Instruction], Instruction]]:
    """Consecutive input RUNs whose items, joined, are a fixed RUN's items."""
    index = 0
    for merged, items in new:
        group: list[Instruction] = []
        joined: tuple[Item, ...] = ()
        while index < len(old) and len(joined) < len(items):
            instruction, parts = old[index]
            group.append(instruction)
            joined += parts
            index += 1
            if joined == items:
                break
        # RUNs without commands of their own (`[[ ... ]]`, a cleanup) joined it too when
        # the merged body holds their text.
        body = merged.command_text or ""
        while index < len(old) and not old[index][1]:
            text = old[index][0].command_text
            if not text or text not in body:
                break
            group.append(old[index][0])
            index += 1
        if joined != items or not group:
            return  # the RUNs changed otherwise: the fingerprint check speaks for them
        yield group, merged


def _line(document: Document, instruction: Instruction) -> int:
    return document.position(instruction.span.start).line
