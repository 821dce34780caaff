"""DF511 and its `.dockerignore` matcher, with a real build context."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfopt.rules_api import Context, Violation
from dfopt.semantics import analyze
from dfopt.syntax import parse
from dfopt_rules._dockerignore import Matcher, clean_path
from dfopt_rules.df511_copy_ignored_file import CopyIgnoredFile


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ("*.md", "README.md", True),
        ("*.md", "docs/README.md", False),
        ("**/*.md", "docs/deep/README.md", True),
        ("**/*.md", "README.md", True),
        ("docs", "docs/guide/index.html", True),
        ("docs/**", "docs/a/b", True),
        ("/secrets", "secrets/key", True),
        ("./build", "build", True),
        ("build/../dist", "dist/app.js", True),
        ("file?.txt", "file1.txt", True),
        ("file?.txt", "file10.txt", False),
        ("[a-c].txt", "b.txt", True),
        ("[a-c].txt", "d.txt", False),
        ("*.log\n!keep.log", "keep.log", False),
        ("*.log\n!keep.log", "other.log", True),
        ("!keep.log\n*.log", "keep.log", True),
        ("# comment\n\n  .env  ", ".env", True),
        ("# .env", ".env", False),
        ("a.b", "axb", False),
        ("\\*.txt", "*.txt", True),
        ("\\*.txt", "a.txt", False),
        ("node_modules", "node_modules", True),
        ("**", "anything/at/all", True),
    ],
)
def test_matcher(patterns: str, path: str, excluded: bool) -> None:
    assert Matcher.from_text(patterns).excludes(path) is excluded


def test_clean_path_like_go() -> None:
    assert clean_path("") == "."
    assert clean_path("./a//b/../c/") == "a/c"
    assert clean_path("//a") == "/a"
    assert clean_path("../x") == "../x"
    assert clean_path("/..") == "/"


def _findings(
    tmp_path: Path, dockerfile: str, ignore: str | None, name: str = "Dockerfile"
) -> list[Violation]:
    path = tmp_path / name
    path.write_text(dockerfile)
    if ignore is not None:
        (tmp_path / ".dockerignore").write_text(ignore)
    document = parse(dockerfile)
    ctx = Context(document, analyze(document), path=path)
    rule = CopyIgnoredFile()
    found: list[Violation] = []
    for instruction in document.instructions:
        if instruction.keyword in rule.targets:
            found.extend(rule.check(instruction, ctx))
    return found


def test_copy_of_an_ignored_file_is_reported(tmp_path: Path) -> None:
    (violation,) = _findings(tmp_path, "FROM alpine\nCOPY ./.env /app/\n", ".env\n")
    assert violation.message == "Attempting to Copy file `.env` that is excluded by .dockerignore"


def test_add_inside_an_ignored_directory(tmp_path: Path) -> None:
    (violation,) = _findings(tmp_path, "FROM alpine\nADD build/app.tar /opt/\n", "build\n")
    assert "Add file `build/app.tar`" in violation.message


def test_exceptions_disable_the_check(tmp_path: Path) -> None:
    text = "FROM alpine\nCOPY build/app /opt/\n"
    assert _findings(tmp_path, text, "build\n!build/app\n") == []


def test_whole_context_only_when_everything_is_ignored(tmp_path: Path) -> None:
    assert _findings(tmp_path, "FROM alpine\nCOPY . /app\n", "node_modules\n") == []
    assert len(_findings(tmp_path, "FROM alpine\nCOPY . /app\n", "*\n")) == 1


def test_from_stage_urls_and_missing_ignore_file(tmp_path: Path) -> None:
    text = "FROM alpine AS a\nFROM alpine\nCOPY --from=a .env /x\nADD https://example.com/.env /x\n"
    assert _findings(tmp_path, text, ".env\n") == []
    other = tmp_path / "other"
    other.mkdir()
    assert _findings(other, "FROM alpine\nCOPY .env /x\n", None) == []


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    (tmp_path / "app.Dockerfile.dockerignore").write_text("secret.txt\n")
    text = "FROM alpine\nCOPY secret.txt .env /x/\n"
    found = _findings(tmp_path, text, ".env\n", name="app.Dockerfile")
    assert [v.message.split("`")[1] for v in found] == ["secret.txt"]


def test_variables_are_expanded(tmp_path: Path) -> None:
    text = "FROM alpine\nARG FILE=.env\nCOPY $FILE /x\n"
    assert len(_findings(tmp_path, text, ".env\n")) == 1
