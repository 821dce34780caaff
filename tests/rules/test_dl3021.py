"""DL3021: the fix appends `/` inside quotes and inside the exec form's last string."""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.engine.fingerprint import fingerprint
from dfopt.syntax import Form, parse

RULE = "DL3021"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('COPY a.txt b.txt "/srv/app"', 'COPY a.txt b.txt "/srv/app/"'),
        ("COPY a.txt b.txt '/srv/app'", "COPY a.txt b.txt '/srv/app/'"),
        ('COPY ["a.txt", "b.txt", "/data"]', 'COPY ["a.txt", "b.txt", "/data/"]'),
        ('COPY ["a.txt", "b.txt",\t"/da\\"ta" ]', 'COPY ["a.txt", "b.txt",\t"/da\\"ta/" ]'),
    ],
)
def test_slash_goes_inside_the_quotes(line: str, expected: str) -> None:
    text = f"FROM alpine:3.20\n{line}\n"
    result = fix(text, select=[RULE])
    assert result.failure is None
    assert result.text == f"FROM alpine:3.20\n{expected}\n"
    assert lint(result.text, select=[RULE]).violations == []
    assert fingerprint(parse(text)).diff(fingerprint(parse(result.text))) is None


def test_exec_form_destination_value_gets_the_slash() -> None:
    text = 'FROM alpine:3.20\nCOPY ["a b.txt", "c.txt", "/my dir"]\n'
    fixed = fix(text, select=[RULE]).text
    copy = parse(fixed).instructions[-1]
    assert copy.form is Form.EXEC
    assert [word.value for word in copy.exec_args] == ["a b.txt", "c.txt", "/my dir/"]


def test_violation_spans_the_destination() -> None:
    text = "FROM alpine:3.20\nCOPY a.txt b.txt /data\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert text[violation.span.start : violation.span.end] == "/data"
    assert violation.fix is not None and violation.fix.applicability.value == "safe"
