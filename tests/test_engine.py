"""The engine: registry, selection, pragmas and the fixer's safety contract."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

from dfopt.engine.linter import LintResult, lint_document
from dfopt.engine.registry import build_registry
from dfopt.engine.rewriter import MAX_PASSES, fix_text
from dfopt.engine.selection import Selection, select_rules
from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
)
from dfopt.syntax import Document, parse


class LowercaseRun(Rule):
    """## What it does
    Test rule: flags a RUN keyword written in upper case and lower-cases it (SAFE).

    ## Why is this bad?
    It is not; this rule only exercises the engine.

    ## Fix safety
    Safe.
    """

    code = "XT001"
    name = "upper-run"
    summary = "Test rule"
    severity = Severity.STYLE
    targets = frozenset({"RUN"})
    aliases = ("UpperRun",)
    fix_availability = FixAvailability.ALWAYS
    bad = "FROM a\nRUN x\n"
    good = "FROM a\nrun x\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if ctx.slice(target.keyword_span) == "RUN":
            fix = Fix.safe("Lower-case", [Edit.replace(target.keyword_span, "run")])
            yield self.violation(target.keyword_span, "Upper-case `RUN`", fix)


class FlipFlop(Rule):
    """Test rule that toggles the keyword case forever."""

    code = "XT002"
    name = "flip-flop"
    summary = "Test rule"
    targets = frozenset({"RUN"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        text = ctx.slice(instruction.keyword_span)
        other = "run" if text == "RUN" else "RUN"
        fix = Fix.safe("Toggle", [Edit.replace(instruction.keyword_span, other)])
        yield self.violation(instruction.keyword_span, "Toggle", fix)


class Grower(Rule):
    """Test rule that always appends one more character (never settles)."""

    code = "XT003"
    name = "grower"
    summary = "Test rule"
    targets = frozenset({"RUN"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        fix = Fix.safe("Grow", [Edit.insert(instruction.header_end, "x")])
        yield self.violation(instruction.keyword_span, "Grow", fix)


class Breaker(Rule):
    """Test rule whose fix makes the file unparseable."""

    code = "XT004"
    name = "breaker"
    summary = "Test rule"
    targets = frozenset({"RUN"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        fix = Fix.safe("Break", [Edit.replace(instruction.keyword_span, "RUNX")])
        yield self.violation(instruction.keyword_span, "Break", fix)


class Crasher(Rule):
    """Test rule that raises."""

    code = "XT005"
    name = "crasher"
    summary = "Test rule"
    targets = frozenset({"FROM"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        raise RuntimeError("boom")


class Unsafe(Rule):
    """Test rule with an unsafe fix that deletes EXPOSE."""

    code = "XT006"
    name = "unsafe-delete"
    summary = "Test rule"
    targets = frozenset({"EXPOSE"})
    enabled_by_default = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        yield self.violation(
            instruction.keyword_span,
            "Expose",
            Fix.unsafe("Delete", [Edit.delete(instruction.span)]),
        )


PACK = types.SimpleNamespace(RULES=[LowercaseRun, FlipFlop, Grower, Breaker, Crasher, Unsafe])
REGISTRY = build_registry([("test", PACK)])


def run(text: str, *select: str) -> LintResult:
    selection = select_rules(REGISTRY, select=list(select) or None)
    return lint_document(parse(text), selection)


def linter(*select: str) -> object:
    selection = select_rules(REGISTRY, select=list(select))

    def lint(document: Document) -> LintResult:
        return lint_document(document, selection)

    return lint


# -- registry ---------------------------------------------------------------------------


def test_broken_pack_is_reported_not_fatal() -> None:
    class Broken:
        @staticmethod
        def rules() -> list[type[Rule]]:
            raise ImportError("missing dependency")

    class BadMeta(Rule):
        code = "bad"
        name = "Not Kebab"
        summary = "x"

    registry = build_registry(
        [("broken", Broken), ("meta", types.SimpleNamespace(RULES=[BadMeta])), ("test", PACK)]
    )
    messages = [str(problem) for problem in registry.problems]
    assert any("broken" in m and "missing dependency" in m for m in messages)
    assert any("meta" in m and "kebab" in m for m in messages)
    assert registry.find("XT001") is LowercaseRun


def test_duplicate_codes_are_rejected() -> None:
    registry = build_registry([("a", PACK), ("b", types.SimpleNamespace(RULES=[LowercaseRun]))])
    assert any("already defined" in str(problem) for problem in registry.problems)


def test_lookup_by_name_and_alias() -> None:
    assert REGISTRY.find("upper-run") is LowercaseRun
    assert REGISTRY.find("upperrun") is LowercaseRun


# -- selection --------------------------------------------------------------------------


def codes(selection: Selection) -> set[str]:
    return {rule.code for rule in selection.rules} - {"DL1000"}


def test_default_selection_uses_enabled_by_default() -> None:
    assert codes(select_rules(REGISTRY)) == {"XT001"}


def test_prefix_name_alias_and_all() -> None:
    assert codes(select_rules(REGISTRY, select=["XT00"])) == {f"XT00{i}" for i in range(1, 7)}
    assert codes(select_rules(REGISTRY, select=["flip-flop"])) == {"XT002"}
    assert codes(select_rules(REGISTRY, select=["UpperRun"])) == {"XT001"}
    assert len(codes(select_rules(REGISTRY, select=["ALL"]))) == 6


def test_more_specific_selector_wins() -> None:
    selection = select_rules(REGISTRY, select=["XT002"], ignore=["XT"])
    assert codes(selection) == {"XT002"}
    selection = select_rules(REGISTRY, select=["XT"], ignore=["XT002"])
    assert "XT002" not in codes(selection)


def test_extend_select_and_per_file_ignores(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    selection = select_rules(
        REGISTRY,
        extend_select=["XT006"],
        per_file_ignores={"docker/*": ["XT001"]},
        path=root / "docker" / "Dockerfile",
        root=root,
    )
    assert codes(selection) == {"XT006"}


def test_severity_override_and_ignore() -> None:
    selection = select_rules(REGISTRY, severity={"XT001": Severity.ERROR})
    assert selection.severities["XT001"] is Severity.ERROR
    assert codes(select_rules(REGISTRY, severity={"XT001": Severity.IGNORE})) == set()
    # an override enables an off-by-default rule
    assert "XT006" in codes(select_rules(REGISTRY, severity={"XT006": Severity.INFO}))


# -- pragmas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pragma",
    [
        "# dfopt: ignore=XT001",
        "# hadolint ignore=XT001",
        "# hadolint ignore=XT001 because we must",
        "# dfopt: ignore=upper-run",
    ],
)
def test_line_pragmas(pragma: str) -> None:
    text = f"FROM a\n{pragma}\nRUN x\nRUN y\n"
    lines = [r.document.position(v.span.start).line for r in [run(text)] for v in r.violations]
    assert lines == [4]


def test_pragma_does_not_cross_blank_line() -> None:
    text = "FROM a\n# dfopt: ignore=XT001\n\nRUN x\n"
    assert [v.code for v in run(text).violations] == ["XT001"]


@pytest.mark.parametrize(
    "pragma",
    ["# dfopt: global ignore=XT001", "# hadolint global ignore=XT001"],
)
def test_global_pragmas(pragma: str) -> None:
    text = f"FROM a\nRUN x\n{pragma}\nRUN y\n"
    assert run(text).violations == []


def test_buildkit_check_skip_by_alias() -> None:
    text = "# check=skip=UpperRun\nFROM a\nRUN x\n"
    assert run(text).violations == []
    assert run("# check=skip=all\nFROM a\nRUN x\n").violations == []


def test_stage_pragma_covers_one_stage() -> None:
    text = "FROM a\nRUN x\n# hadolint stage ignore=XT001\nFROM b\nRUN y\nFROM c\nRUN z\n"
    lines = [run(text).document.position(v.span.start).line for v in run(text).violations]
    assert lines == [2, 7]


def test_onbuild_trigger_is_dispatched() -> None:
    result = run("FROM a\nONBUILD RUN x\n")
    assert [v.code for v in result.violations] == ["XT001"]


def test_crashing_rule_is_reported_and_others_run() -> None:
    result = run("FROM a\nRUN x\n", "XT001", "XT005")
    assert [v.code for v in result.violations] == ["XT001"]
    assert [p.code for p in result.problems] == ["XT005"]
    assert "boom" in result.problems[0].message


def test_parse_problems_become_dl1000() -> None:
    result = run("FROM a\nRUNN x\nRUN y\n")
    assert [v.code for v in result.violations] == ["DL1000", "XT001"]


# -- the fixer --------------------------------------------------------------------------


def test_fix_applies_all_non_overlapping_fixes() -> None:
    result = fix_text("FROM a\nRUN x\nRUN y\n", linter("XT001"))  # type: ignore[arg-type]
    assert result.text == "FROM a\nrun x\nrun y\n"
    assert result.failure is None
    assert [a.code for a in result.applied] == ["XT001", "XT001"]


def test_flip_flop_is_detected_and_rolled_back() -> None:
    result = fix_text("FROM a\nRUN x\n", linter("XT002"))  # type: ignore[arg-type]
    assert result.text == "FROM a\nRUN x\n"
    assert result.failure is not None and "flip-flop" in result.failure
    assert result.culprits == ("XT002",)


def test_pass_limit_rolls_back() -> None:
    result = fix_text("FROM a\nRUN x\n", linter("XT003"))  # type: ignore[arg-type]
    assert result.text == "FROM a\nRUN x\n"
    assert result.failure is not None and str(MAX_PASSES) in result.failure


def test_fix_that_breaks_parsing_is_refused() -> None:
    result = fix_text("FROM a\nRUN x\n", linter("XT004"))  # type: ignore[arg-type]
    assert result.text == "FROM a\nRUN x\n"
    assert result.failure is not None and "parse" in result.failure


def test_unsafe_fixes_only_on_request() -> None:
    text = "FROM a\nEXPOSE 80\n"
    held = fix_text(text, linter("XT006"))  # type: ignore[arg-type]
    assert held.text == text and held.held_back == 1
    applied = fix_text(text, linter("XT006"), unsafe=True)  # type: ignore[arg-type]
    assert applied.text == "FROM a\n"


def test_opaque_regions_are_never_edited() -> None:
    class TouchOpaque(Rule):
        code = "XT007"
        name = "touch-opaque"
        summary = "x"
        targets = frozenset({"FROM"})

        def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
            end = len(ctx.text)
            yield self.violation(
                instruction.keyword_span,
                "x",
                Fix.safe("x", [Edit.replace(Span(end - 4, end), "ok\n")]),
            )

    registry = build_registry([("t", types.SimpleNamespace(RULES=[TouchOpaque]))])
    selection = select_rules(registry, select=["XT007"])
    result = fix_text("FROM a\nBOGUS x\n", lambda d: lint_document(d, selection))
    assert result.text == "FROM a\nBOGUS x\n"


def test_conflicting_fixes_wait_for_the_next_pass() -> None:
    class WholeLine(Rule):
        code = "XT008"
        name = "whole-line"
        summary = "x"
        targets = frozenset({"RUN"})

        def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
            if "!" not in ctx.slice(instruction.span):
                edit = Edit.insert(instruction.header_end, " !")
                yield self.violation(instruction.keyword_span, "x", Fix.safe("x", [edit]))

    registry = build_registry([("t", types.SimpleNamespace(RULES=[WholeLine, LowercaseRun]))])
    selection = select_rules(registry, select=["XT001", "XT008"])
    result = fix_text("FROM a\nRUN x\n", lambda d: lint_document(d, selection))
    assert result.text == "FROM a\nrun x !\n"
    assert result.failure is None
