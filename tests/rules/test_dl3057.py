"""DL3057 is off by default and switched on by a severity override."""

from __future__ import annotations

from dfopt.api import lint

TEXT = "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n"


def test_off_by_default() -> None:
    assert "DL3057" not in [violation.code for violation in lint(TEXT).violations]


def test_severity_override_enables_it() -> None:
    result = lint(TEXT, settings={"severity": {"DL3057": "error"}})
    found = [v for v in result.violations if v.code == "DL3057"]
    assert [v.severity.value for v in found] == ["error"]
