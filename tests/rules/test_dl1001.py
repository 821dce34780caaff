"""DL1001 is off by default and switched on by a severity override."""

from __future__ import annotations

from dfopt.api import lint

TEXT = "FROM debian:12\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n"


def test_off_by_default() -> None:
    assert "DL1001" not in [violation.code for violation in lint(TEXT).violations]


def test_severity_override_enables_it() -> None:
    result = lint(TEXT, settings={"severity": {"DL1001": "warning"}})
    found = [v for v in result.violations if v.code == "DL1001"]
    assert [(v.severity.value, result.document.position(v.span.start).line) for v in found] == [
        ("warning", 2)
    ]


def test_the_pragma_still_works_while_it_is_reported() -> None:
    result = lint(TEXT, settings={"severity": {"DL1001": "warning"}, "select": ["DL"]})
    codes = [violation.code for violation in result.violations]
    assert "DL1001" in codes
    assert "DL3008" not in codes
