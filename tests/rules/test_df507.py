"""DF507: the rewritten `key="value"` holds exactly the value the builder reads today."""

from __future__ import annotations

import random

import pytest

from dfopt.api import fix, lint
from dfopt.engine.fingerprint import fingerprint
from dfopt.rules_api import parse_assignments
from dfopt.semantics import process_word
from dfopt.syntax import parse
from dfopt_rules.df507_legacy_key_value_format import is_legacy

RULE = "DF507"
# Values a builder reads in the legacy form, with quotes, escapes and references mixed.
VALUES = [
    "plain",
    "two words",
    "spaced    out  words",
    "-Xmx512m -Dfile.encoding=UTF-8",
    "A=C",
    "a=b c=d",
    "$HOME",
    "$HOME/bin:${PATH}",
    "${VERSION:-1.0}",
    "${VERSION:-1.0 beta}-suffix",
    "${NAME}tail",
    "$A$B",
    "$A/$B",
    "$A-x",
    "cost: 5$",
    "a $ b",
    "\\$HOME",
    "\\$HOME/x",
    "'$HOME'",
    "'single \"inner\" quotes'",
    '"double $HOME quoted"',
    '"double \\"escaped\\" quotes"',
    '"keep \\n escape"',
    '"dollar \\$HOME"',
    "say \"hi\" to '$USER'",
    "back\\\\slash",
    "C:\\\\app",
    "trailing\\ space",
    "semi;colon & amp | pipe",
    "#not-a-comment",
    "tab\there",
    "ünïcødé",
    "{braces}",
    'a\\"b',
    "'a'\"b\"c",
]
VARIABLES = {"HOME": "/root", "PATH": "/bin", "A": "x", "B": "y", "USER": "me", "NAME": "n"}


def _fixed_line(text: str) -> str:
    result = fix(text, select=[RULE])
    assert result.failure is None
    return result.text


@pytest.mark.parametrize("keyword", ["ENV", "LABEL"])
@pytest.mark.parametrize("value", VALUES)
def test_the_builder_reads_the_same_value(keyword: str, value: str) -> None:
    old = f"FROM alpine:3.20\n{keyword} KEY {value}\n"
    new = _fixed_line(old)
    assert new != old, "expected a fix"
    old_args = old.splitlines()[1].split(" ", 1)[1]
    new_args = new.splitlines()[1].split(" ", 1)[1]
    assert new_args.startswith('KEY="')
    legacy = parse_assignments(old_args, legacy=True)
    modern = parse_assignments(new_args, legacy=False)
    assert modern == legacy
    # With variables substituted: a literal `$` and a reference must not trade places.
    (old_value,) = [v for _k, v in legacy]
    assert old_value is not None
    raw_old = old_args.split(" ", 1)[1]
    raw_new = new_args.split("=", 1)[1]
    assert process_word(raw_new, VARIABLES) == process_word(raw_old, VARIABLES)
    assert fingerprint(parse(old)).diff(fingerprint(parse(new))) is None
    assert lint(new, select=[RULE]).violations == []


@pytest.mark.parametrize(
    "value",
    [
        "$1",
        "${A:-'x'}",
        '${A:-"x"}',
        "unterminated 'quote",
        'open "double',
        "$Ax'y'",
        "${A:-x\\y}",
        "$$",
    ],
)
def test_values_it_cannot_reproduce_are_reported_without_a_fix(value: str) -> None:
    text = f"FROM alpine:3.20\nENV KEY {value}\n"
    violations = lint(text, select=[RULE]).violations
    assert [v.code for v in violations] == [RULE]
    assert violations[0].fix is None


def test_escape_directive_keeps_backslashes_literal() -> None:
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV APP_DIR C:\\app\\bin\n"
    )
    fixed = _fixed_line(text)
    assert fixed.splitlines()[2] == 'ENV APP_DIR="C:\\app\\bin"'
    old = parse_assignments("APP_DIR C:\\app\\bin", legacy=True, escape="`")
    new = parse_assignments('APP_DIR="C:\\app\\bin"', legacy=False, escape="`")
    assert old == new == [("APP_DIR", "C:\\app\\bin")]


def test_backtick_escape_escapes_quotes_with_the_backtick() -> None:
    text = '# escape=`\nFROM alpine:3.20\nENV MSG say "hi" $ `$HOME \\ $HOME\n'
    line = _fixed_line(text).splitlines()[2]
    assert line == 'ENV MSG="say hi `$ `$HOME \\ $HOME"'
    old = parse_assignments('MSG say "hi" $ `$HOME \\ $HOME', legacy=True, escape="`")
    new = parse_assignments(line[4:], legacy=False, escape="`")
    assert old == new


@pytest.mark.parametrize("keyword", ["ENV", "LABEL"])
@pytest.mark.parametrize(
    ("args", "legacy"),
    [
        ("A=1", False),
        ("A 1", True),
        ('"A B"=c', False),
        ('"A B" c', True),
        ("A\\ B=c", False),
        ("A\\ B c=d", True),
        ("'A'=b", False),
        ("'A' b", True),
        ('A" =b" C=d', False),
        ("A\u00a0B=C D", True),
        ("A=B C=D", False),
        ('A="b c" D=e', False),
        ("\u2003A=B", False),
        ("\u2003A B", True),
        ("A B=C", True),
        ("\x1c A=b", True),  # not white space to the builder: the first word is `\x1c`
        ("\x1cA=b c=d", False),
    ],
)
def test_the_legacy_form_is_the_builders_first_word_without_equals(
    keyword: str, args: str, legacy: bool
) -> None:
    """Quotes and escapes join blanks into the first word: only its `=` counts."""
    text = f"FROM alpine:3.20\n{keyword} {args}\n"
    found = [v.code for v in lint(text, select=[RULE]).violations]
    assert found == ([RULE] if legacy else [])
    pairs = parse_assignments(args, legacy=False)
    assert (pairs[0][1] is None) == legacy


@pytest.mark.parametrize("escape", ["\\", "`"])
@pytest.mark.parametrize("seed", range(10))
def test_is_legacy_reads_the_first_word_as_parse_assignments_does(escape: str, seed: int) -> None:
    chance = random.Random(seed)
    alphabet = ["A", "b", "=", " ", "\t", '"', "'", "\\", "`", "\u00a0", "\x1c", "$"]
    for _ in range(2000):
        text = "".join(chance.choices(alphabet, k=chance.randint(0, 9)))
        pairs = parse_assignments(text, legacy=False, escape=escape)
        expected = bool(pairs) and pairs[0][1] is None
        assert is_legacy(text, escape) == expected, repr(text)
