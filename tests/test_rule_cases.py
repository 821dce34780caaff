"""Run every case of fixtures/rules/*.yaml.

A ``fail`` case must report exactly the listed positions for its rule, a ``pass`` case
none; when ``fixed`` is given, fixing with only that rule selected (unsafe fixes when
``unsafe: true``) must give exactly that text, fixing it again must change nothing, and
the fixed text must parse without new problems. ``files-after`` lists build-context files
as ``fix --dockerignore`` must leave them, after which the rule must be silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dfopt.api import fix, lint, write_context_files
from dfopt.engine.fingerprint import fingerprint
from dfopt.syntax import parse
from tests.rule_cases import Case, load_cases, write_context

try:
    import dockerfile as buildkit
except ImportError:  # no wheel for this platform: the BuildKit checks are skipped
    buildkit = None

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_findings(case: Case, tmp_path: Path) -> None:
    path = write_context(tmp_path, case.context)
    result = lint(case.dockerfile, select=[case.rule], settings=case.settings, path=path)
    found = [
        (violation.span, violation)
        for violation in result.violations
        if violation.code == case.rule
    ]
    positions = []
    for span, _violation in found:
        position = result.document.position(span.start)
        positions.append({"line": position.line, "column": position.column})
    if case.kind == "pass":
        assert positions == [], f"{case.id} expected no findings"
    else:
        expected = [{"line": v["line"], "column": v["column"]} for v in case.violations]
        assert positions == expected
        for (_span, violation), spec in zip(found, case.violations, strict=True):
            if "message" in spec:
                assert spec["message"] in violation.message


FIXED = [case for case in CASES if case.fixed is not None]


@pytest.mark.parametrize("case", FIXED, ids=[case.id for case in FIXED])
def test_case_fix(case: Case, tmp_path: Path) -> None:
    path = write_context(tmp_path, case.context)
    result = fix(
        case.dockerfile,
        select=[case.rule],
        unsafe=case.unsafe,
        settings=case.settings,
        path=path,
        dockerignore=case.files_after is not None,
    )
    assert result.failure is None, result.failure
    assert result.text == case.fixed
    if case.files_after is not None:
        assert path is not None, "files-after needs a context"
        assert write_context_files(result, path), "the fix changed no build-context file"
        for name, text in case.files_after.items():
            assert (tmp_path / name).read_bytes().decode("utf-8") == text
        relinted = lint(result.text, select=[case.rule], settings=case.settings, path=path)
        assert [v for v in relinted.violations if v.code == case.rule] == []
    again = fix(
        result.text, select=[case.rule], unsafe=case.unsafe, settings=case.settings, path=path
    )
    assert again.text == result.text, "a second fix changed the text"
    before = {problem.message for problem in parse(case.dockerfile).problems}
    after = {problem.message for problem in parse(result.text).problems}
    assert after <= before
    if result.text == case.dockerfile:
        return
    remaining = [
        v
        for v in lint(result.text, select=[case.rule], settings=case.settings, path=path).violations
        if v.code == case.rule
    ]
    assert not [
        v
        for v in remaining
        if v.fix is not None
        and v.fix.edits
        and (case.unsafe or v.fix.applicability.value == "safe")
    ], "the fixed text still has fixable findings of this rule"
    if buildkit is not None and _buildkit_accepts(case.dockerfile):
        assert _buildkit_accepts(result.text), "BuildKit's parser rejects the fixed text"
    if not case.unsafe:
        difference = fingerprint(parse(case.dockerfile)).diff(fingerprint(parse(result.text)))
        assert difference is None, f"a safe fix changed the build fingerprint: {difference}"


def _buildkit_accepts(text: str) -> bool:
    assert buildkit is not None
    try:
        buildkit.parse_string(text)
    except buildkit.GoParseError:
        return False
    return True
