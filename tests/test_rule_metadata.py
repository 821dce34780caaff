"""Every built-in rule: metadata, docs with the fixed headings, tested examples, case file."""

from __future__ import annotations

from pathlib import Path

import pytest

import dfopt_rules
from dfopt.api import fix, lint
from dfopt.engine.registry import default_registry
from dfopt.fixes import FixAvailability
from tests.rule_cases import RULE_CASES, load_cases, write_context

PACK_RULES = dfopt_rules.rules()
CASES = load_cases()


def test_pack_is_registered_through_entry_points() -> None:
    registry = default_registry()
    assert not registry.problems, registry.problems
    codes = {rule.code for rule in registry.rules}
    assert {rule.code for rule in PACK_RULES} <= codes


@pytest.mark.parametrize("rule", PACK_RULES, ids=[rule.code for rule in PACK_RULES])
def test_metadata_is_valid(rule: type) -> None:
    assert rule.validate() == []
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}" or module.startswith(
        rule.code.lower() + "_"
    )


@pytest.mark.parametrize("rule", PACK_RULES, ids=[rule.code for rule in PACK_RULES])
def test_docs_have_the_fixed_headings(rule: type) -> None:
    docs = rule.docs()
    assert "## What it does" in docs
    assert "## Why is this bad?" in docs
    if rule.fix_availability is not FixAvailability.NEVER:
        assert "## Fix safety" in docs
    if rule.Options is not None:
        assert "## Options" in docs


@pytest.mark.parametrize("rule", PACK_RULES, ids=[rule.code for rule in PACK_RULES])
def test_bad_example_is_flagged_and_good_example_is_clean(rule: type, tmp_path: Path) -> None:
    assert rule.bad and rule.good
    if not rule.offline_applicable:
        pytest.skip("the rule needs data the Dockerfile does not hold; it never fires offline")
    settings = rule.example_settings
    path = write_context(tmp_path, dict(rule.example_context or {}))
    bad = lint(rule.bad, select=[rule.code], settings=settings, path=path).violations
    good = lint(rule.good, select=[rule.code], settings=settings, path=path).violations
    bad_codes = [v.code for v in bad]
    good_codes = [v.code for v in good]
    assert rule.code in bad_codes
    assert rule.code not in good_codes


@pytest.mark.parametrize("rule", PACK_RULES, ids=[rule.code for rule in PACK_RULES])
def test_fixing_the_bad_example_is_stable(rule: type) -> None:
    settings = rule.example_settings
    first = fix(rule.bad, select=[rule.code], unsafe=True, settings=settings)
    assert first.failure is None
    second = fix(first.text, select=[rule.code], unsafe=True, settings=settings)
    assert second.text == first.text


@pytest.mark.parametrize("rule", PACK_RULES, ids=[rule.code for rule in PACK_RULES])
def test_case_file_has_pass_and_fail_cases(rule: type) -> None:
    assert (RULE_CASES / f"{rule.code}.yaml").is_file()
    kinds = {case.kind for case in CASES if case.rule == rule.code}
    if not rule.offline_applicable:
        assert kinds == {"pass"}, "a rule that never fires offline has only pass cases"
        return
    assert kinds == {"pass", "fail"}
    if rule.fix_availability is not FixAvailability.NEVER:
        assert any(case.fixed is not None for case in CASES if case.rule == rule.code)
