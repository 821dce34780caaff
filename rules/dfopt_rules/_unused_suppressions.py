"""Finding suppression comments that hid nothing (DF001).

A rule cannot see the findings of the other rules, so DF001 runs in the engine, after
suppression: the engine calls :func:`unused_suppression_violations` with the lint
result (whose suppressions record the selectors that hid a finding) and adds what it
returns. This module only reads duck-typed objects, so the pack still imports nothing
from dfopt but the rule API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from dfopt.rules_api import Document, Edit, Fix, FixAvailability, Rule, Span, Violation

_PRAGMA = re.compile(
    r"#\s*(?P<tool>dfopt:|hadolint)\s*(?:global\s+|stage\s+)?ignore\s*=\s*(?P<codes>\S+)",
    re.IGNORECASE,
)


class SuppressionLike(Protocol):
    span: Span
    codes: tuple[str, ...]
    tool: str
    used: set[str]


class SuppressionsLike(Protocol):
    @property
    def items(self) -> Sequence[SuppressionLike]: ...


class ProblemLike(Protocol):
    @property
    def code(self) -> str: ...


class LintResultLike(Protocol):
    @property
    def document(self) -> Document: ...

    @property
    def suppressions(self) -> SuppressionsLike | None: ...

    @property
    def problems(self) -> Sequence[ProblemLike]: ...


def selector_matches(selector: str, rule: type[Rule]) -> bool:
    """True when a suppression selector (ALL, a code, a code prefix, a rule name or an
    alias) names ``rule``, the way the engine reads selectors."""
    key = selector.strip()
    if not key:
        return False
    upper = key.upper()
    if upper == "ALL":
        return True
    if upper[:2].isalpha() and rule.code.startswith(upper):
        return True
    lowered = key.lower()
    return lowered == rule.name or lowered in (alias.lower() for alias in rule.aliases)


def unused_suppression_violations(
    result: LintResultLike,
    rule_class: type[Rule],
    *,
    selected: Iterable[type[Rule]] = (),
) -> list[Violation]:
    """DF001 findings for ``result``: one per selector of a ``# dfopt: ignore=`` or
    ``# hadolint ignore=`` comment (line, stage or global) that hid no finding.

    Only selectors that name a rule of ``selected`` which ran without crashing are
    reported: a code of a rule that is switched off, unknown to dfopt (ShellCheck's
    ``SC`` codes) or crashed may still be needed. Selectors that name ``rule_class``
    itself are never reported. BuildKit's ``# check=skip=`` directive is left alone.
    """
    suppressions = result.suppressions
    if suppressions is None:
        return []
    crashed = {problem.code for problem in result.problems}
    ran = [rule for rule in selected if rule.code not in crashed]
    text = result.document.text
    found: list[Violation] = []
    for item in suppressions.items:
        if item.tool not in ("dfopt", "hadolint"):
            continue
        line = text[item.span.start : item.span.end]
        match = _PRAGMA.search(line)
        if match is None:
            continue
        base = item.span.start + match.start("codes")
        entries: list[tuple[str, Span]] = []
        offset = 0
        for part in match.group("codes").split(","):
            if part:
                entries.append((part, Span(base + offset, base + offset + len(part))))
            offset += len(part) + 1
        unused = [
            (code, span)
            for code, span in entries
            if code not in item.used
            and not selector_matches(code, rule_class)
            and any(selector_matches(code, rule) for rule in ran)
        ]
        if not unused:
            continue
        # A code of a rule that has a fix also keeps that fix out; whether it is needed
        # can change as other fixes rewrite the file, so it is reported without a fix.
        removable = [
            (code, span)
            for code, span in unused
            if not any(
                selector_matches(code, rule) and rule.fix_availability is not FixAvailability.NEVER
                for rule in ran
            )
        ]
        fix: Fix | None = None
        if removable:
            gone = {code for code, _span in removable}
            kept = [code for code, _span in entries if code not in gone]
            if kept:
                codes_span = Span(base, base + len(match.group("codes")))
                fix = Fix.safe(
                    "Remove the unused codes from the suppression comment",
                    [Edit.replace(codes_span, ",".join(kept))],
                )
            else:
                fix = Fix.safe("Remove the unused suppression comment", [Edit.delete(item.span)])
        directive = "dfopt:" if item.tool == "dfopt" else "hadolint"
        for code, span in unused:
            found.append(
                Violation(
                    rule_class.code,
                    f"`{code}` in this `# {directive} ignore=` comment suppresses nothing",
                    span,
                    fix if (code, span) in removable else None,
                    rule_class.severity,
                    rule_class.name,
                )
            )
    return found
