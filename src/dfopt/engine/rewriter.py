"""The fix loop: apply fixes pass by pass, re-parse, re-lint, and refuse anything unstable."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from dfopt.engine.linter import LintResult, RuleProblem
from dfopt.fixes import Applicability, Edit, FileLines, apply_edits
from dfopt.rules_api import Violation
from dfopt.syntax import Document, Opaque, Span, parse

MAX_PASSES = 10


class AppliedFix:
    """A fix the loop applied: its rule, title and applicability."""

    __slots__ = ("applicability", "code", "title")

    code: str
    title: str
    applicability: Applicability

    def __init__(self, code: str, title: str, applicability: Applicability) -> None:
        self.code = code
        self.title = title
        self.applicability = applicability

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, AppliedFix)
        return (self.code, self.title, self.applicability) == (
            other.code,
            other.title,
            other.applicability,
        )

    def __repr__(self) -> str:
        return (
            f"AppliedFix(code={self.code!r}, title={self.title!r}, "
            f"applicability={self.applicability!r})"
        )


class FixResult:
    """Outcome of fixing one text."""

    __slots__ = (
        "applied",
        "context_files",
        "culprits",
        "failure",
        "final",
        "original",
        "passes",
        "text",
    )

    original: str
    text: str
    applied: list[AppliedFix]
    passes: int
    final: LintResult | None
    failure: str | None
    """Why the fixes were rolled back (the text is then the original)."""
    culprits: tuple[str, ...]
    context_files: list[FileLines]
    """Changes to files of the build context (a `.dockerignore`), when they were requested."""

    def __init__(
        self,
        original: str,
        text: str,
        applied: list[AppliedFix] | None = None,
        passes: int = 0,
        final: LintResult | None = None,
        failure: str | None = None,
        culprits: tuple[str, ...] = (),
        context_files: list[FileLines] | None = None,
    ) -> None:
        self.original = original
        self.text = text
        self.applied = [] if applied is None else applied
        self.passes = passes
        self.final = final
        self.failure = failure
        self.culprits = culprits
        self.context_files = [] if context_files is None else context_files

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def held_back(self) -> int:
        """Violations whose only fix is unsafe and was not applied."""
        if self.final is None:
            return 0
        return sum(
            1
            for violation in self.final.violations
            if violation.fix is not None
            and violation.fix.applicability is Applicability.UNSAFE
            and violation.fix.edits
        )


def allowed_fix(violation: Violation, unsafe: bool, is_fixable: Callable[[str], bool]) -> bool:
    fix = violation.fix
    if fix is None or not fix.edits or not is_fixable(violation.code):
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return fix.applicability is Applicability.UNSAFE and unsafe


def take_context_fixes(result: FixResult, is_fixable: Callable[[str], bool]) -> None:
    """Move the requested build-context fixes of ``result.final`` into ``result``.

    They count as applied and leave the remaining findings; merging the requested lines
    into the files themselves is left to the caller, which knows where the context is.
    """
    final = result.final
    if final is None or result.failure is not None:
        return
    kept: list[Violation] = []
    for violation in final.violations:
        fix = violation.fix
        if fix is not None and fix.files and not fix.edits and is_fixable(violation.code):
            result.context_files.extend(fix.files)
            result.applied.append(AppliedFix(violation.code, fix.title, fix.applicability))
        else:
            kept.append(violation)
    final.violations = kept


def _opaque_spans(document: Document) -> list[Span]:
    return [node.span for node in document.nodes if isinstance(node, Opaque)]


def _touches_opaque(edits: tuple[Edit, ...], opaque: list[Span]) -> bool:
    for edit in edits:
        for span in opaque:
            if edit.span.start < span.end and span.start < edit.span.end:
                return True
            if edit.span.is_empty and span.start < edit.span.start < span.end:
                return True
    return False


def _conflicts(edits: tuple[Edit, ...], taken: list[Span]) -> bool:
    return any(edit.span.touches(span) for edit in edits for span in taken)


def fix_text(
    text: str,
    lint: Callable[[Document], LintResult],
    *,
    unsafe: bool = False,
    is_fixable: Callable[[str], bool] = lambda code: True,
    max_passes: int = MAX_PASSES,
) -> FixResult:
    """Fix ``text`` until no allowed fix is left.

    Each pass applies the non-overlapping allowed fixes in source order (a fix touching
    one already taken waits for the next pass), then re-parses and re-lints. A pass that
    adds a parse problem, a text seen before (flip-flop) or running out of passes rolls
    everything back and names the rules involved.
    """
    result = FixResult(original=text, text=text)
    current = text
    document = parse(current)
    seen = {current}
    crashes: list[RuleProblem] = []
    for pass_number in range(1, max_passes + 2):
        linted = lint(document)
        candidates = [
            violation
            for violation in linted.violations
            if allowed_fix(violation, unsafe, is_fixable)
        ]
        _carry_crashes(crashes, linted)
        if not candidates:
            result.final = linted
            result.text = current
            result.passes = pass_number - 1
            return result
        if pass_number > max_passes:
            return _rollback(result, f"fixes did not settle after {max_passes} passes", candidates)
        opaque = _opaque_spans(document)
        candidates.sort(key=lambda violation: violation.fix.span.start if violation.fix else 0)
        taken: list[Span] = []
        edits: list[Edit] = []
        chosen: list[Violation] = []
        for violation in candidates:
            assert violation.fix is not None
            fix_edits = violation.fix.edits
            if _touches_opaque(fix_edits, opaque) or _conflicts(fix_edits, taken):
                continue
            if _self_overlapping(fix_edits):
                continue
            taken.extend(edit.span for edit in fix_edits)
            edits.extend(fix_edits)
            chosen.append(violation)
        if not chosen:
            result.final = linted
            result.text = current
            result.passes = pass_number - 1
            return result
        new_text = apply_edits(current, edits)
        new_document = parse(new_text)
        if _new_problems(document, new_document):
            return _rollback(result, "a fix produced text that does not parse", chosen)
        if new_text in seen:
            return _rollback(result, "fixes undo each other (flip-flop)", chosen)
        seen.add(new_text)
        result.applied.extend(
            AppliedFix(v.code, v.fix.title, v.fix.applicability) for v in chosen if v.fix
        )
        current = new_text
        document = new_document
    raise AssertionError("unreachable")  # pragma: no cover


def _carry_crashes(crashes: list[RuleProblem], linted: LintResult) -> None:
    """Keep the rule and fix-planner crashes of every pass in the latest result, so a
    planner that raised in an earlier pass is still reported once the loop ends."""
    for problem in linted.problems:
        if problem not in crashes:
            crashes.append(problem)
    linted.problems[:] = crashes


def _self_overlapping(edits: tuple[Edit, ...]) -> bool:
    ordered = sorted(edits, key=lambda edit: (edit.span.start, edit.span.end))
    return any(a.span.end > b.span.start for a, b in itertools.pairwise(ordered))


def _new_problems(before: Document, after: Document) -> bool:
    old = {problem.message for problem in before.problems}
    return any(problem.message not in old for problem in after.problems) or len(
        after.problems
    ) > len(before.problems)


def _rollback(result: FixResult, reason: str, violations: list[Violation]) -> FixResult:
    result.text = result.original
    result.applied = []
    result.failure = reason
    result.culprits = tuple(sorted({violation.code for violation in violations}))
    return result
