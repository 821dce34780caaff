"""Checks run on fixed text before it is written to disk.

:func:`new_parse_problems` always runs. With ``fix --verify`` (or ``fix.verify: true`` in
the configuration) ``dfopt fix`` also runs :func:`verify_output`, which refuses to write a
file unless every check below holds. Each check returns ``None`` when the fixed text may
be written, or a one-line reason that starts with the name of the check:

``the fixed text does not parse``
    Re-parsing the output finds a parse problem the input did not have.
``not stable``
    Fixing the output again (same session, same options) changes it, or fixing the
    input a second time gives another result.
``BuildKit rejects the output``
    When the ``dockerfile`` package (BuildKit's parser) is importable: BuildKit accepted
    the input but rejects the output.
``comment lost``
    A comment line of the input (a comment node, or a comment line inside an
    instruction's continuation) is missing from the output. Comments are compared as
    multisets of stripped lines, so moving a comment is fine and dropping one is not.
    A comment line that holds the start of a finding of a rule whose fix was applied may
    change, since that fix edits the comment on purpose (unused suppressions, say).
``build changed``
    Only SAFE fixes were applied, yet the build fingerprint
    (:mod:`dfopt.engine.fingerprint`) of the output differs from the input's.
``shell changed``
    Only SAFE fixes were applied, yet RUN bodies of the input now run in one shell (or
    after an appended command) where errexit, a replaced shell, a background job, a login
    shell, a start-up file or per-RUN mounts may make them do something else: the same
    questions the merge planner asks, asked again of the output.
``cache removed``
    Only SAFE fixes were applied, yet a RUN now removes a package index (the apt lists,
    apk's through ``--no-cache``) that a later RUN of the output may still read.
``diff not minimal``
    Text that no fix edits changed. The fixes are replayed pass by pass; in each pass,
    every character of the text outside the edit spans of the fixes allowed in that pass
    (its candidates) must be kept, in order, in the text after the pass. So every line
    of the input that no applied edit touched is byte-identical in the output. Edits are
    the unit, not findings: a fix may rightly edit another instruction than the one its
    finding is on (merging a RUN into the previous one, say); over the shared corpus an
    "each changed block must hold a fixed finding" rule refused one changed file in five
    for such fixes, so it cannot decide whether a file is written.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfopt.engine.linter import LintResult
    from dfopt.engine.rewriter import FixResult
    from dfopt.engine.session import Session
    from dfopt.syntax import Document, Span

__all__ = [
    "buildkit_accepts",
    "comment_lines",
    "new_parse_problems",
    "verify_fix",
    "verify_output",
]


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
    """The parse and stability checks of ``fixed`` (the result of fixing ``original``).

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


def verify_output(
    original: str, result: FixResult, session: Session, path: Path | None
) -> str | None:
    """Every check of ``fix --verify`` (see the module documentation), in order.

    ``result`` is what ``session.fix(original, path)`` returned; returns the reason of the
    first failing check, or None when ``result.text`` may be written.
    """
    from dfopt.fixes import Applicability

    fixed = result.text
    reason = verify_fix(original, fixed, session, path)
    if reason is not None:
        return reason
    reason = buildkit_regression(original, fixed)
    if reason is not None:
        return reason
    fixed_codes = {applied.code for applied in result.applied}
    passes = _replay(original, session, path)
    if passes[-1].document.text != fixed:
        return "not stable: fixing the input again gives a different result"
    reason = lost_comments(passes[0], fixed, fixed_codes)
    if reason is not None:
        return reason
    if all(applied.applicability is Applicability.SAFE for applied in result.applied):
        reason = build_change(original, fixed)
        if reason is not None:
            return reason
        reason = shell_change(original, fixed)
        if reason is not None:
            return reason
    return unexplained_change(passes, session)


# -- BuildKit ---------------------------------------------------------------------------


@cache
def _buildkit() -> ModuleType | None:
    import importlib

    try:
        return importlib.import_module("dockerfile")
    except ImportError:
        return None


def buildkit_accepts(text: str) -> bool | None:
    """Whether BuildKit's parser accepts ``text`` (None: the ``dockerfile`` package is missing)."""
    return _buildkit_error(text) is None if _buildkit() is not None else None


def _buildkit_error(text: str) -> str | None:
    module = _buildkit()
    if module is None:
        return None
    try:
        module.parse_string(text)
    except module.GoParseError as error:
        lines = str(error).strip().splitlines()
        return lines[0] if lines else type(error).__name__
    return None


def buildkit_regression(original: str, fixed: str) -> str | None:
    """A reason when BuildKit's parser accepts ``original`` but rejects ``fixed``."""
    if _buildkit() is None:
        return None
    problem = _buildkit_error(fixed)
    if problem is None or _buildkit_error(original) is not None:
        return None
    return f"BuildKit rejects the output ({problem})"


# -- comments ---------------------------------------------------------------------------


def comment_lines(document: Document) -> list[tuple[int, str]]:
    """The comment lines of ``document`` as (start offset, stripped text), in source order.

    Comment nodes and the comment lines inside instructions' continuations count; parser
    directives do not.
    """
    from dfopt.syntax import Comment, Instruction

    found: list[tuple[int, str]] = []
    text = document.text
    for node in document.nodes:
        if isinstance(node, Comment):
            found.append((node.span.start, text[node.span.start : node.span.end].strip()))
        elif isinstance(node, Instruction):
            found.extend(
                (span.start, text[span.start : span.end].strip()) for span in node.inner_comments
            )
    found.sort()
    return found


def lost_comments(first: LintResult, fixed: str, fixed_codes: set[str]) -> str | None:
    """A reason when a comment line of the input is missing from ``fixed``.

    ``first`` is the lint of the input; comment lines where a finding of a rule in
    ``fixed_codes`` starts are exempt.
    """
    from dfopt.syntax import parse

    document = first.document
    source = document.source
    exempt = {
        source.position(violation.span.start).line
        for violation in first.violations
        if violation.code in fixed_codes
    }
    before = [
        (offset, line)
        for offset, line in comment_lines(document)
        if source.position(offset).line not in exempt
    ]
    available = Counter(line for _, line in comment_lines(parse(fixed)))
    for offset, line in before:
        if available[line] <= 0:
            number = source.position(offset).line
            return f"comment lost: `{_short(line)}` (line {number} of the input)"
        available[line] -= 1
    return None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the build fingerprint --------------------------------------------------------------


def build_change(original: str, fixed: str) -> str | None:
    """A reason when the build fingerprints of ``original`` and ``fixed`` differ."""
    from dfopt.engine.fingerprint import fingerprint
    from dfopt.syntax import parse

    difference = fingerprint(parse(original)).diff(fingerprint(parse(fixed)))
    if difference is None:
        return None
    return f"build changed: safe fixes changed the build fingerprint ({difference})"


def shell_change(original: str, fixed: str) -> str | None:
    """A reason when safe fixes made RUN bodies share a shell where that may change what
    they do (see :mod:`dfopt.engine.shell_audit`)."""
    from dfopt.engine.shell_audit import shell_context_change
    from dfopt.syntax import parse

    return shell_context_change(parse(original), parse(fixed))


# -- minimal diff -----------------------------------------------------------------------


def _replay(original: str, session: Session, path: Path | None) -> list[LintResult]:
    """Fix ``original`` again, keeping the lint of each pass (the last one: the output)."""
    from dfopt.engine.rewriter import fix_text

    passes: list[LintResult] = []

    def lint(document: Document) -> LintResult:
        linted = session.lint_document(document, path)
        passes.append(linted)
        return linted

    fix_text(original, lint, unsafe=session.unsafe_fixes, is_fixable=session.is_fixable)
    return passes


def _kept_segments(length: int, spans: Iterable[Span]) -> list[tuple[int, int]]:
    """The ranges of ``[0, length)`` outside every span; an empty span splits a range."""
    segments = []
    cursor = 0
    for start, end in sorted((min(span.start, length), min(span.end, length)) for span in spans):
        if start >= cursor:
            segments.append((cursor, start))
        cursor = max(cursor, end)
    segments.append((cursor, length))
    return segments


def changed_outside(before: str, after: str, spans: Iterable[Span]) -> int | None:
    """Where ``after`` fails to keep the text of ``before`` that lies outside ``spans``.

    ``after`` must read: the text before the first span, anything, the text between the
    first two spans, anything, ..., the text after the last span (a glob match, decided
    exactly by matching the kept pieces leftmost first). Returns None when it does, else
    an offset into ``before`` where kept text is missing or changed.
    """
    segments = [before[start:end] for start, end in _kept_segments(len(before), spans)]
    offsets = [start for start, _ in _kept_segments(len(before), spans)]
    if len(segments) == 1:
        if after == before:
            return None
        return len(_common_prefix(before, after))
    head, tail = segments[0], segments[-1]
    if not after.startswith(head):
        return len(_common_prefix(head, after))
    cursor = len(head)
    for text, offset in zip(segments[1:-1], offsets[1:-1], strict=True):
        found = after.find(text, cursor)
        if found < 0:
            return offset
        cursor = found + len(text)
    if not after.endswith(tail) or len(after) - len(tail) < cursor:
        same = len(_common_prefix(tail[::-1], after[cursor:][::-1]))
        return max(offsets[-1], len(before) - same - 1)
    return None


def _common_prefix(a: str, b: str) -> str:
    limit = min(len(a), len(b))
    index = 0
    while index < limit and a[index] == b[index]:
        index += 1
    return a[:index]


def unexplained_change(passes: Sequence[LintResult], session: Session) -> str | None:
    """A reason when a fix pass changed text outside the edits of every allowed fix."""
    from dfopt.engine.rewriter import allowed_fix

    unsafe = session.unsafe_fixes
    for number, (linted, after) in enumerate(itertools.pairwise(passes), start=1):
        spans = [
            edit.span
            for violation in linted.violations
            if violation.fix is not None and allowed_fix(violation, unsafe, session.is_fixable)
            for edit in violation.fix.edits
        ]
        offset = changed_outside(linted.document.text, after.document.text, spans)
        if offset is None:
            continue
        line = linted.document.position(offset).line
        where = (
            f"line {line} of the input" if number == 1 else f"line {line} after pass {number - 1}"
        )
        return f"diff not minimal: {where} changed, but no fix edits it"
    return None
