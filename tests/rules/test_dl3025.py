"""DL3025: the exec form the fix writes runs exactly the words the shell would have run."""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.syntax import Form, parse

RULE = "DL3025"


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ('node "my app.js"', ["node", "my app.js"]),
        ("café --name='Zoë Ö' --n=1 ./bin/app", ["café", "--name=Zoë Ö", "--n=1", "./bin/app"]),
        ("java -jar 'app \"quoted\".jar'", ["java", "-jar", 'app "quoted".jar']),
        ("exec nginx -g 'daemon off;'", ["nginx", "-g", "daemon off;"]),
    ],
)
def test_fixed_exec_form_holds_the_shell_words(command: str, words: list[str]) -> None:
    text = f"FROM alpine:3.20\nCMD {command}\n"
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed != text
    cmd = parse(fixed).instructions[-1]
    assert cmd.form is Form.EXEC
    assert [word.value for word in cmd.exec_args] == words
    assert "\\u" not in fixed  # non-ASCII is written as is
    assert lint(fixed, select=[RULE]).violations == []


def test_violation_spans_the_command() -> None:
    text = "FROM alpine:3.20\nHEALTHCHECK --interval=5s --retries=3 CMD app health\n"
    result = lint(text, select=[RULE])
    assert not result.problems
    (violation,) = result.violations
    assert text[violation.span.start : violation.span.end] == "app health"
    assert "`HEALTHCHECK CMD`" in violation.message


def test_bash_shell_still_gets_the_fix() -> None:
    text = 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD app serve\n'
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed.endswith('CMD ["app", "serve"]\n')


@pytest.mark.parametrize(
    "command",
    ["app $(date)", "app `date`", "app \\$HOME", "app {a,b}", "app; other", "app &", "! app"],
)
def test_shell_features_block_the_fix(command: str) -> None:
    text = f"FROM alpine:3.20\nCMD {command}\n"
    result = lint(text, select=[RULE])
    assert not result.problems
    assert [violation.fix for violation in result.violations] == [None]
