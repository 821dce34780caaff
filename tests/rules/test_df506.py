"""DF506's suggestion of a defined name, which DF505 shares: the closest one wins."""

from __future__ import annotations

import random

import pytest

from dfopt.api import lint
from dfopt_rules._buildkit import levenshtein, suggest


def closest(name: str, options: list[str]) -> str | None:
    """The first option at the smallest edit distance under 3, computed in full."""
    best: str | None = None
    best_distance = 3
    for option in options:
        if option == name:
            return None
        distance = levenshtein(name, option)
        if distance < best_distance:
            best, best_distance = option, distance
    return best


@pytest.mark.parametrize("seed", range(20))
def test_suggest_picks_what_a_full_comparison_picks(seed: int) -> None:
    chance = random.Random(seed)
    letters = "ABCP_"
    names = ["".join(chance.choices(letters, k=chance.randint(1, 7))) for _ in range(60)]
    for name in names[:30]:
        options = [option for option in names[30:] if option != name]
        assert suggest(name, options) == closest(name, options)


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("PAHT", ["HOME", "PATH"], "PATH"),
        ("VERSON", ["VERSION", "VERSIONS"], "VERSION"),
        ("A", ["ABCD", "AB"], "AB"),
        ("X", ["ABCD"], None),
        ("APP_VERSION", ["VERSION"], None),
        ("NAME", ["NAMES", "NAME_"], "NAMES"),
    ],
)
def test_suggest_examples(name: str, options: list[str], expected: str | None) -> None:
    assert suggest(name, options) == expected


def test_the_message_names_the_closest_definition() -> None:
    text = "FROM alpine:3.20\nARG VERSION=1\nARG VERSIONS=2\nLABEL v=$VERSON\n"
    (violation,) = lint(text, select=["DF506"]).violations
    assert violation.message == "Usage of undefined variable `$VERSON` (did you mean `$VERSION`?)"


def test_instructions_without_a_dollar_are_fine() -> None:
    text = 'FROM scratch\nCOPY ["a", "b"]\nWORKDIR /app\nENV A=1\nLABEL x=y\n'
    assert lint(text, select=["DF506"]).violations == []
