"""A fix planner that raises costs only its own finding's fix, reported with the rule named."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

from dfopt.api import lint
from dfopt.engine.linter import LintResult, lint_document
from dfopt.engine.registry import build_registry
from dfopt.engine.rewriter import fix_text
from dfopt.engine.selection import select_rules
from dfopt.report import findings_from
from dfopt.rules_api import Context, Edit, Fix, Instruction, Rule, Violation
from dfopt.syntax import Document, parse


class LowerRun(Rule):
    """Test rule: lower-cases the RUN keyword (safe)."""

    code = "XP001"
    name = "lower-run"
    summary = "Test rule"
    targets = frozenset({"RUN"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if ctx.slice(instruction.keyword_span) == "RUN":
            fix = Fix.safe("Lower", [Edit.replace(instruction.keyword_span, "run")])
            yield self.violation(instruction.keyword_span, "Upper-case RUN", fix)


class RaisingPlanner(Rule):
    """Test rule: reports every EXPOSE with a fix planner that raises for port 1."""

    code = "XP002"
    name = "raising-planner"
    summary = "Test rule"
    targets = frozenset({"EXPOSE"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        def plan() -> Fix:
            if instruction.args_text == "1":
                raise ValueError("embedded null byte")
            return Fix.safe("Drop", [Edit.delete(instruction.span)])

        yield self.violation(instruction.keyword_span, "Expose", plan)


REGISTRY = build_registry([("crash-pack", types.SimpleNamespace(RULES=[LowerRun, RaisingPlanner]))])
SELECTION = select_rules(REGISTRY, select=["XP001", "XP002"])
TEXT = "FROM a\nEXPOSE 1\nEXPOSE 2\nRUN x\n"


def _lint(document: Document) -> LintResult:
    return lint_document(document, SELECTION)


def test_check_keeps_every_finding_and_names_the_rule() -> None:
    result = _lint(parse(TEXT))
    assert [v.code for v in result.violations] == ["XP002", "XP002", "XP001"]
    findings = findings_from(result.violations, result.document.source, "Dockerfile")
    assert [finding.fix is None for finding in findings] == [True, False, False]
    assert [str(problem) for problem in result.problems] == [
        "XP002: fix planner crashed: ValueError: embedded null byte"
    ]


def test_fix_applies_the_other_fixes_and_reports_the_crash() -> None:
    result = fix_text(TEXT, _lint)
    assert result.failure is None
    assert result.text == "FROM a\nEXPOSE 1\nrun x\n"
    assert result.final is not None
    assert [str(problem) for problem in result.final.problems] == [
        "XP002: fix planner crashed: ValueError: embedded null byte"
    ]
    assert [v.code for v in result.final.violations] == ["XP002"]


def test_a_crash_of_an_earlier_pass_is_still_reported() -> None:
    # The planner raises only in the first pass; the loop ends one pass later.
    calls: list[int] = []

    class OnceRaising(RaisingPlanner):
        code = "XP003"
        name = "once-raising"

        def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
            def plan() -> Fix | None:
                calls.append(1)
                if len(calls) == 1:
                    raise RuntimeError("first pass only")
                return None

            yield self.violation(instruction.keyword_span, "Expose", plan)

    registry = build_registry(
        [("crash-pack", types.SimpleNamespace(RULES=[LowerRun, OnceRaising]))]
    )
    selection = select_rules(registry, select=["XP001", "XP003"])
    result = fix_text("FROM a\nEXPOSE 2\nRUN x\n", lambda d: lint_document(d, selection))
    assert result.text == "FROM a\nEXPOSE 2\nrun x\n"
    assert result.final is not None
    assert [str(problem) for problem in result.final.problems] == [
        "XP003: fix planner crashed: RuntimeError: first pass only"
    ]


def test_a_copy_source_with_a_nul_byte_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    text = (
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY src\x00 .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    result = lint(text, path=tmp_path / "Dockerfile", select=["DF105"])
    assert [v.code for v in result.violations] == ["DF105"]
    assert result.violations[0].fix is not None
    assert result.problems == []
