"""DF109: the checksum suggestion is display-only and never applied."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

TEXT = "FROM debian:12\nADD https://example.com/a.tgz /opt/\n"


def test_suggestion_is_display_only_with_the_edit_text() -> None:
    violations = lint(TEXT, select=["DF109"]).violations
    found = violations[0].fix
    assert found is not None and found.applicability is Applicability.DISPLAY_ONLY
    assert [edit.text for edit in found.edits] == [" --checksum=sha256:<fill in>"]
    assert fix(TEXT, select=["DF109"], unsafe=True).text == TEXT


def test_no_suggestion_for_several_sources() -> None:
    text = "FROM debian:12\nADD https://example.com/a https://example.com/b /opt/\n"
    assert all(v.fix is None for v in lint(text, select=["DF109"]).violations)
