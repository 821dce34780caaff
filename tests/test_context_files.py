"""`Context.read_context_head`: files of the build context, read once per lint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dfopt.rules_api import Context
from dfopt.semantics import analyze
from dfopt.syntax import parse


def context_for(dockerfile: Path) -> Context:
    document = parse("FROM alpine:3.20\n")
    return Context(document, analyze(document), dockerfile)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A build context with files, a folder, a symbolic link and a FIFO."""
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    (tmp_path / "app.py").write_bytes(b"print('hello')\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.c").write_bytes(b"int main(void) { return 0; }\n")
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "link").symlink_to(tmp_path / "src")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
    return tmp_path


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("app.py", b"print('hello')\n"),
        ("/app.py", b"print('hello')\n"),
        ("./app.py", b"print('hello')\n"),
        ("app.py/", b"print('hello')\n"),
        ("src//main.c", b"int main(void) { return 0; }\n"),
        ("link/main.c", b"int main(void) { return 0; }\n"),
        ("missing/../app.py", b"print('hello')\n"),
        ("src/../app.py", b"print('hello')\n"),
        ("src", None),
        ("", None),
        (".", None),
        ("missing.txt", None),
        ("src/missing.c", None),
        ("app.py/inner", None),
        ("*.py", None),
        ("pipe", None),
    ],
)
def test_reads_what_the_build_context_holds(
    project: Path, relative: str, expected: bytes | None
) -> None:
    ctx = context_for(project / "Dockerfile")
    assert ctx.read_context_head(relative) == expected
    assert ctx.read_context_head(relative) == expected


def test_context_given_with_a_parent_reference(project: Path) -> None:
    dockerfile = project / "src" / ".." / "Dockerfile"
    assert context_for(dockerfile).read_context_head("app.py") == b"print('hello')\n"


def test_context_given_relative_to_the_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "src")
    assert context_for(Path("main.c")).read_context_head("main.c") is not None
    assert context_for(Path("../Dockerfile")).read_context_head("app.py") == b"print('hello')\n"
    monkeypatch.chdir(project)
    assert context_for(Path("Dockerfile")).read_context_head("src/main.c") is not None
    assert context_for(Path("./Dockerfile")).read_context_head("./app.py") is not None


def test_no_path_reads_nothing(project: Path) -> None:
    document = parse("FROM alpine:3.20\n")
    assert Context(document, analyze(document)).read_context_head("app.py") is None


def test_sizes_are_honoured_whatever_was_read_before(project: Path) -> None:
    whole = (project / "big.bin").read_bytes()
    ctx = context_for(project / "Dockerfile")
    assert ctx.read_context_head("big.bin", 16) == whole[:16]
    assert ctx.read_context_head("big.bin", 512) == whole[:512]
    assert ctx.read_context_head("big.bin", 4) == whole[:4]
    assert ctx.read_context_head("big.bin", 65536) == whole
    assert ctx.read_context_head("big.bin", 100000) == whole
    assert ctx.read_context_head("big.bin", -1) == whole


def test_a_file_is_read_once_per_context(project: Path) -> None:
    """Rules asking for the same file share one read; a new lint sees the file again."""
    ctx = context_for(project / "Dockerfile")
    assert ctx.read_context_head("app.py") == b"print('hello')\n"
    assert ctx.read_context_head("late.txt") is None
    (project / "app.py").unlink()
    (project / "late.txt").write_bytes(b"late\n")
    assert ctx.read_context_head("app.py") == b"print('hello')\n"
    assert ctx.read_context_head("late.txt") is None
    fresh = context_for(project / "Dockerfile")
    assert fresh.read_context_head("app.py") is None
    assert fresh.read_context_head("late.txt") == b"late\n"


def test_a_longer_read_after_a_short_one_reads_the_file_again(project: Path) -> None:
    ctx = context_for(project / "Dockerfile")
    assert ctx.read_context_head("big.bin", 8) == bytes(range(8))
    (project / "big.bin").write_bytes(b"changed")
    assert ctx.read_context_head("big.bin", 4) == bytes(range(4))
    assert ctx.read_context_head("big.bin", 64) == b"changed"
