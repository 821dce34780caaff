"""DL3050: one fix per LABEL removes every extra label at once; settings come from Session."""

from __future__ import annotations

from dfopt.config import Settings
from dfopt.engine.session import Overrides, Session
from dfopt.rules_api import Applicability

RULE = "DL3050"


def _session(**settings: object) -> Session:
    return Session(Settings.model_validate(settings), None, Overrides(select=[RULE]))


def test_every_extra_label_of_an_instruction_shares_one_fix() -> None:
    session = _session(
        label_schema={"org.opencontainers.image.version": "semver"}, strict_labels=True
    )
    text = 'FROM alpine:3.20\nLABEL a=1 org.opencontainers.image.version="1.0.0" b=2 c=3\n'
    violations = session.lint(text).violations
    assert [v.message for v in violations] == [
        "Label `a` is not in the label schema",
        "Label `b` is not in the label schema",
        "Label `c` is not in the label schema",
    ]
    fixes = {v.fix for v in violations}
    assert len(fixes) == 1
    (shared,) = fixes
    assert shared is not None and shared.applicability is Applicability.UNSAFE
    result = session.fix(text, unsafe=True)
    assert result.failure is None
    assert result.passes == 1
    assert result.text == 'FROM alpine:3.20\nLABEL org.opencontainers.image.version="1.0.0"\n'


def test_more_extra_labels_than_fix_passes() -> None:
    session = _session(label_schema={"keep": "text"}, strict_labels=True)
    extras = " \\\n    ".join(f"extra{index}={index}" for index in range(15))
    text = f"FROM alpine:3.20\nLABEL keep=yes \\\n    {extras}\n"
    assert len(session.lint(text).violations) == 15
    result = session.fix(text, unsafe=True)
    assert result.failure is None
    assert result.text == "FROM alpine:3.20\nLABEL keep=yes\n"


def test_the_fix_is_held_back_without_unsafe_fixes() -> None:
    session = _session(label_schema={"keep": "text"}, strict_labels=True)
    text = "FROM alpine:3.20\nLABEL keep=yes other=no\n"
    result = session.fix(text, unsafe=False)
    assert result.text == text
    assert result.held_back == 1


def test_crlf_file_keeps_its_line_endings() -> None:
    session = _session(label_schema={"keep": "text"}, strict_labels=True)
    text = "FROM alpine:3.20\r\nLABEL other=no\r\nLABEL keep=yes \\\r\n  other=no\r\nRUN true\r\n"
    result = session.fix(text, unsafe=True)
    assert result.text == "FROM alpine:3.20\r\nLABEL keep=yes\r\nRUN true\r\n"


def test_nothing_without_strict_labels() -> None:
    session = _session(label_schema={"keep": "text"})
    assert session.lint("FROM alpine:3.20\nLABEL other=no\n").violations == []
