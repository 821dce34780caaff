"""Checks run on fixed text before it is written to disk.

:func:`new_parse_problems` always runs; :func:`verify_fix` runs with ``fix --verify``
(or ``fix.verify: true`` in the configuration) and is where further equivalence checks
belong. Each returns ``None`` when the fixed text may be written, or a short reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfopt.engine.session import Session

__all__ = ["new_parse_problems", "verify_fix"]


def new_parse_problems(original: str, fixed: str) -> str | None:
    """A reason when ``fixed`` has a parse problem that ``original`` did not have."""
    from dfopt.syntax import parse

    before = {problem.message for problem in parse(original).problems}
    after = parse(fixed)
    for problem in after.problems:
        if problem.message not in before:
            line = after.position(problem.span.start).line
            return f"the fixed text does not parse (line {line}: {problem.message})"
    if len(after.problems) > len(before):
        return "the fixed text has more parse problems than the original"
    return None


def verify_fix(original: str, fixed: str, session: Session, path: Path | None) -> str | None:
    """Extra checks of ``fixed`` (the result of fixing ``original``) before writing it.

    - The fixed text parses with no new problems.
    - It is stable: fixing it again with the same session changes nothing ("not stable"
      otherwise, naming the rules whose fixes still apply).
    """
    reason = new_parse_problems(original, fixed)
    if reason is not None:
        return reason
    again = session.fix(fixed, path)
    if again.failure is not None:
        return f"not stable: fixing the result again fails ({again.failure})"
    if again.text != fixed:
        codes = sorted({applied.code for applied in again.applied})
        return f"not stable: fixing the result again changes it ({', '.join(codes)})"
    return None
