"""DF001: the engine-side computation of unused suppressions, called directly."""

from __future__ import annotations

import pytest

from dfopt.api import fix as api_fix
from dfopt.api import lint
from dfopt.fixes import apply_edits
from dfopt_rules._unused_suppressions import selector_matches, unused_suppression_violations
from dfopt_rules.df001_unused_suppression import UnusedSuppression
from dfopt_rules.dl3008_apt_version_unpinned import AptVersionUnpinned
from dfopt_rules.dl3009_apt_lists_not_deleted import AptListsNotDeleted

SELECTED = (AptVersionUnpinned, AptListsNotDeleted, UnusedSuppression)


def _unused(text: str, selected: tuple[type, ...] = SELECTED) -> list[tuple[str, str]]:
    result = lint(text, select=[rule.code for rule in selected])
    found = unused_suppression_violations(result, UnusedSuppression, selected=selected)
    return [(v.code, text[v.span.start : v.span.end]) for v in found]


def test_only_the_unused_code_is_reported() -> None:
    text = "FROM debian:12\n# hadolint ignore=DL3008,DL3009\nRUN apt-get install -y curl\n"
    assert _unused(text) == [("DF001", "DL3009")]


def test_fix_removes_the_code_or_the_line() -> None:
    run = "RUN apt-get update && apt-get install -y curl=8.0\n"
    text = "FROM debian:12\n# dfopt: ignore=DL3009,DL3008\n" + run
    result = lint(text, select=["DL3008", "DL3009"])
    (found,) = unused_suppression_violations(result, UnusedSuppression, selected=SELECTED)
    assert found.fix is not None
    assert apply_edits(text, found.fix.edits) == "FROM debian:12\n# dfopt: ignore=DL3009\n" + run
    text = "FROM debian:12\n# dfopt: ignore=DL3008\nRUN echo hi\n"
    result = lint(text, select=["DL3008"])
    (found,) = unused_suppression_violations(result, UnusedSuppression, selected=SELECTED)
    assert found.fix is not None
    assert apply_edits(text, found.fix.edits) == "FROM debian:12\nRUN echo hi\n"


def test_codes_of_rules_with_fixes_are_reported_without_a_fix() -> None:
    # A suppression of a rule that has a fix also keeps that fix out.
    text = "FROM debian:12\n# dfopt: ignore=DL3009,DL3008\nRUN echo hi\n"
    result = lint(text, select=["DL3008", "DL3009"])
    found = unused_suppression_violations(result, UnusedSuppression, selected=SELECTED)
    assert [(text[v.span.start : v.span.end], v.fix is None) for v in found] == [
        ("DL3009", True),
        ("DL3008", False),
    ]
    fix = found[1].fix
    assert fix is not None
    assert apply_edits(text, fix.edits) == "FROM debian:12\n# dfopt: ignore=DL3009\nRUN echo hi\n"


@pytest.mark.parametrize("pragma", ["# hadolint ignore=DL3059", "# dfopt: ignore=DF101"])
def test_a_merge_blocker_made_unused_by_an_earlier_pass_stays(pragma: str) -> None:
    # The RUN that the pragma keeps apart becomes a SHELL in the first pass; the pragma
    # then hides nothing, but removing it would let a later RUN merge after all.
    text = f"FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n{pragma}\nRUN echo a\n"
    result = api_fix(text, extend_select=["DF001", "DF101"], unsafe=True)
    assert result.text == f'FROM debian:12\nSHELL ["/bin/bash", "-c"]\n{pragma}\nRUN echo a\n'
    assert [v.code for v in result.final.violations if v.code == "DF001"] == ["DF001"]


def test_codes_of_rules_that_did_not_run_are_kept() -> None:
    text = "FROM debian:12\n# hadolint ignore=DL3009,SC2086\nRUN echo $HOME\n"
    assert _unused(text, (AptVersionUnpinned, UnusedSuppression)) == []
    assert _unused(text) == [("DF001", "DL3009")]


def test_selectors_match_codes_prefixes_names_and_all() -> None:
    assert selector_matches("DL3008", AptVersionUnpinned)
    assert selector_matches("dl30", AptVersionUnpinned)
    assert selector_matches(AptVersionUnpinned.name, AptVersionUnpinned)
    assert selector_matches("ALL", AptVersionUnpinned)
    assert not selector_matches("DL3009", AptVersionUnpinned)
    assert not selector_matches("SC2086", AptVersionUnpinned)
