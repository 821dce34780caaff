"""DL3044: the split changes what the reference sees, which is why it is unsafe."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.semantics import analyze
from dfopt.syntax import parse

RULE = "DL3044"


def _final_env(text: str) -> dict[str, str]:
    semantics = analyze(parse(text))
    stage = semantics.stages[-1]
    return dict(stage.final_state.env)


def test_split_gives_the_reference_the_new_value() -> None:
    text = "FROM alpine:3.20\nENV APP_HOME=/srv/app APP_BIN=$APP_HOME/bin\n"
    assert _final_env(text)["APP_BIN"] == "/bin"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is not None
    assert violation.fix.applicability.value == "unsafe"
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert _final_env(fixed)["APP_BIN"] == "/srv/app/bin"
    assert fix(text, select=[RULE]).text == text


def test_onbuild_split_keeps_the_onbuild_prefix_and_case() -> None:
    text = "FROM alpine:3.20\nonbuild Env A=1 B=$A\n"
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed == "FROM alpine:3.20\nonbuild Env A=1\nonbuild Env B=$A\n"


def test_crlf_is_kept_when_splitting() -> None:
    text = "FROM alpine:3.20\r\nENV A=1 B=$A\r\n"
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed == "FROM alpine:3.20\r\nENV A=1\r\nENV B=$A\r\n"
