"""The formatter over the parse fixtures and the shared corpus of real Dockerfiles.

Every file formats without error and without a reason to give up; the result means what
the input means, for dfopt's parser and for BuildKit's (the ``dockerfile`` package); a
second run changes nothing; and the formatter really formats (at least 30% of the corpus
changes). One pass over the corpus, read in place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dfopt.format import format_text
from dfopt.format.meaning import buildkit_difference, comment_lines, document_difference
from dfopt.syntax import parse
from tests.conftest import FIXTURES

dockerfile = pytest.importorskip("dockerfile")

PARSE_FIXTURES = sorted((FIXTURES / "parse").glob("*.Dockerfile"))


def problems_of(text: str, label: str) -> tuple[bool, list[str]]:
    """Whether formatting changed ``text``, and what went wrong."""
    result = format_text(text)
    found: list[str] = []
    if result.reason is not None:
        found.append(f"{label}: left unchanged: {result.reason}")
    if result.text == text:
        return False, found
    difference = document_difference(parse(text), result.text)
    if difference is not None:
        found.append(f"{label}: {difference}")
    if comment_lines(parse(result.text)) != comment_lines(parse(text)):
        found.append(f"{label}: comments changed")
    try:
        buildkit = buildkit_difference(text, result.text)
    except dockerfile.GoParseError:
        buildkit = None  # BuildKit rejects the input itself
    if buildkit is not None:
        found.append(f"{label}: {buildkit}")
    if format_text(result.text).text != result.text:
        found.append(f"{label}: a second run changes the text")
    return True, found


@pytest.mark.parametrize("path", PARSE_FIXTURES, ids=[path.name for path in PARSE_FIXTURES])
def test_parse_fixtures_format_and_keep_their_meaning(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    _, found = problems_of(text, path.name)
    assert found == []


def test_the_parse_fixtures_are_formatted() -> None:
    changed = [
        path.name
        for path in PARSE_FIXTURES
        if format_text(path.read_text()).text != path.read_text()
    ]
    assert "lowercase-keywords.Dockerfile" in changed
    assert "json-escapes.Dockerfile" in changed
    assert "trailing-whitespace-lines.Dockerfile" in changed


@pytest.mark.corpus
def test_corpus_formats_without_changing_meaning(corpus: list[Path]) -> None:
    failures: list[str] = []
    changed = 0
    checked = 0
    for path in corpus:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        checked += 1
        did_change, found = problems_of(text, path.name)
        changed += did_change
        failures.extend(found)
    assert checked > 0
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures[:20])
    assert changed >= 0.3 * checked, f"only {changed} of {checked} files formatted"


def test_buildkit_comparison() -> None:
    assert buildkit_difference("FROM a\nRUN a  &&  b\n", "FROM a\nRUN a \\\n    && b\n") is None
    assert buildkit_difference('FROM a\nRUN echo "a  b"\n', 'FROM a\nRUN echo "a b"\n')
    assert buildkit_difference("FROM a\nENV A b c\n", 'FROM a\nENV A="b c"\n') is None
    assert buildkit_difference("FROM a\nRUN (a\n", "FROM a\nRUN (a\nRUN )\n")
    maintainer = "FROM a\nMAINTAINER Jo <j@x>\n"
    label = 'FROM a\nLABEL org.opencontainers.image.authors="Jo <j@x>"\n'
    assert buildkit_difference(maintainer, label)
    assert buildkit_difference(maintainer, label, maintainer_as_label=True) is None
