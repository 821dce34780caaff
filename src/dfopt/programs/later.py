"""The steps of a build that come after an instruction and see what it left.

A fix that deletes something (a package index, a cache, a downloaded archive) is SAFE
only when no later step needs it. "Later" means: the rest of the stage (for an
``ONBUILD`` trigger, only the later triggers: they run in the child build), every stage
built on this one (``FROM <stage>``), and, for files, every ``COPY --from`` or
``RUN --mount=from=`` that may read this stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from dfopt.programs.invocations import Invocation, invocations, word_invocations
from dfopt.syntax import Form, Instruction

if TYPE_CHECKING:
    from dfopt.rules_api import Context

__all__ = ["later_instructions", "later_runs_may", "run_invocations"]


def later_instructions(
    ctx: Context, instruction: Instruction, *, readers: bool = False
) -> list[Instruction]:
    """The instructions that run after ``instruction`` on top of what it left: the rest
    of its stage and every stage built on it; with ``readers``, also the instructions of
    other stages that copy or mount files from another stage (``--from``)."""
    stage = ctx.stage(instruction)
    if stage is None:
        return []
    later: list[Instruction] = []
    seen = False
    for candidate in stage.instructions:
        if candidate is instruction:
            seen = True
        elif seen and (candidate.is_onbuild or not ctx.onbuild):
            later.append(candidate)
    for other in ctx.stages:
        if other.builds_on(stage):
            later.extend(other.instructions)
        elif readers and other is not stage:
            later.extend(
                candidate
                for candidate in other.instructions
                if any(
                    flag.name == "from" or (flag.name == "mount" and "from=" in (flag.value or ""))
                    for flag in candidate.effective.flags
                )
            )
    return later


def run_invocations(ctx: Context, run: Instruction) -> list[Invocation] | None:
    """The programs a RUN runs, in order, or None when dfopt cannot read it (a shell
    syntax error, a non-POSIX shell)."""
    target = run.effective
    if target.keyword != "RUN":
        return []
    if target.form is Form.EXEC:
        return list(word_invocations([word.value for word in target.exec_args]))
    sources = ctx.scripts(run)
    if not sources:
        return None
    found: list[Invocation] = []
    for source in sources:
        if source.script.has_errors:
            return None
        found.extend(invocations(source.script))
    return found


def later_runs_may(
    ctx: Context,
    instruction: Instruction,
    uses: Callable[[Iterable[Invocation]], bool],
    *,
    skip: Callable[[Instruction], bool] | None = None,
) -> bool:
    """True when a later RUN (see :func:`later_instructions`) may need what
    ``instruction`` leaves: ``uses`` says so for its invocations, or the RUN runs code
    dfopt cannot see (an opaque invocation, a script it cannot read). ``skip`` leaves out
    RUNs that cannot need it (for example, a cache mount over the path)."""
    for run in _runs(later_instructions(ctx, instruction)):
        if skip is not None and skip(run):
            continue
        found = run_invocations(ctx, run)
        if found is None or any(invocation.opaque for invocation in found) or uses(found):
            return True
    return False


def _runs(instructions: Iterable[Instruction]) -> Iterator[Instruction]:
    return (candidate for candidate in instructions if candidate.effective.keyword == "RUN")
