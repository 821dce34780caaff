"""DL3015: the fix changes the package set, so it is unsafe and held back by default."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

RULE = "DL3015"
TEXT = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"


def test_fix_is_unsafe() -> None:
    violations = lint(TEXT, select=[RULE]).violations
    assert len(violations) == 1 and violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.UNSAFE


def test_default_fix_holds_it_back() -> None:
    result = fix(TEXT, select=[RULE])
    assert result.text == TEXT
    assert result.held_back == 1


def test_unsafe_fix_inserts_after_install() -> None:
    result = fix(TEXT, select=[RULE], unsafe=True)
    assert result.text == (
        "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends -y curl\n"
    )


def test_non_posix_shell_is_not_parsed() -> None:
    text = 'FROM debian:12\nSHELL ["pwsh", "-Command"]\nRUN apt-get install -y curl\n'
    assert lint(text, select=[RULE]).violations == []
