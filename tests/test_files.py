"""Finding, reading and atomically writing Dockerfiles (dfopt.files, dfopt.verify)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dfopt.files import (
    MAX_FILE_SIZE,
    Filters,
    InputError,
    decode_dockerfile,
    discover,
    glob_matches,
    is_dockerfile_name,
    only_comments,
    read_dockerfile,
    write_atomic,
)
from dfopt.verify import new_parse_problems, verify_fix

GOOD = "FROM alpine:3.20\nRUN echo hello\n"


def touch(path: Path, text: str = GOOD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("Dockerfile.dev", True),
        ("api.Dockerfile", True),
        ("api.dockerfile", True),
        ("Containerfile", True),
        ("Containerfile.prod", True),
        ("dockerfile", False),
        ("MyDockerfile", False),
        ("Dockerfile-old", False),
        ("Dockerfile.dockerignore", False),
        ("api.Dockerfile.dockerignore", False),
        ("README.md", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert is_dockerfile_name(name) is expected


@pytest.mark.parametrize(
    ("relative", "pattern", "expected"),
    [
        ("vendor/a/Dockerfile", "vendor/**", True),
        ("src/vendor/Dockerfile", "vendor/**", False),
        ("src/vendor/Dockerfile", "**/vendor/**", True),
        ("Dockerfile", "**/Dockerfile*", True),
        ("a/b/Dockerfile.dev", "**/Dockerfile*", True),
        ("a/b/Dockerfile.dev", "a/*/Dockerfile.*", True),
        ("a/b/c/Dockerfile.dev", "a/*/Dockerfile.*", False),
        ("deep/x/old.Dockerfile", "old.*", True),
        ("deep/x/new.Dockerfile", "old.*", False),
        ("a/Dockerfile.1", "a/Dockerfile.[0-9]", True),
        ("a/Dockerfile.x", "a/Dockerfile.[!0-9]", True),
        ("a/Dockerfile.1", "./a/Dockerfile.?", True),
    ],
)
def test_glob_matches(relative: str, pattern: str, expected: bool) -> None:
    assert glob_matches(relative, pattern) is expected


def names(found: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in found]


def test_discover_searches_directories_for_dockerfile_names(tmp_path: Path) -> None:
    for relative in (
        "Dockerfile",
        "app/Dockerfile.dev",
        "app/web.Dockerfile",
        "app/worker.dockerfile",
        "podman/Containerfile",
        "podman/Containerfile.arm",
        "app/README.md",
        "app/Dockerfile-backup",
        ".hidden/Dockerfile",
        "node_modules/pkg/Dockerfile",
        "vendor/lib/Dockerfile",
        "app/.git/Dockerfile",
    ):
        touch(tmp_path / relative)
    found = discover([tmp_path])
    assert found.errors == []
    assert names(found.files, tmp_path) == [
        "Dockerfile",
        "app/Dockerfile.dev",
        "app/web.Dockerfile",
        "app/worker.dockerfile",
        "podman/Containerfile",
        "podman/Containerfile.arm",
    ]


def test_discover_takes_explicit_files_whatever_their_name(tmp_path: Path) -> None:
    odd = touch(tmp_path / "build" / "image.txt")
    hidden = touch(tmp_path / ".ci" / "Dockerfile")
    found = discover([odd, hidden])
    assert found.files == [hidden, odd]
    assert found.errors == []


def test_discover_sorts_and_removes_duplicates(tmp_path: Path) -> None:
    first = touch(tmp_path / "b" / "Dockerfile")
    second = touch(tmp_path / "a" / "Dockerfile")
    found = discover([first, tmp_path, second])
    assert found.files == [second, first]


def test_discover_reports_missing_paths_and_empty_directories(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    touch(tmp_path / "docs" / "README.md")
    good = touch(tmp_path / "ok" / "Dockerfile")
    found = discover([tmp_path / "missing", tmp_path / "empty", tmp_path / "docs", tmp_path / "ok"])
    assert found.files == [good]
    assert [str(error) for error in found.errors] == [
        f"{tmp_path / 'missing'}: no such file or directory",
        f"{tmp_path / 'empty'}: no Dockerfiles found in this directory",
        f"{tmp_path / 'docs'}: no Dockerfiles found in this directory",
    ]


def test_discover_honours_include_and_exclude_globs(tmp_path: Path) -> None:
    touch(tmp_path / "Dockerfile")
    touch(tmp_path / "skip" / "Dockerfile")
    touch(tmp_path / "keep" / "Dockerfile")
    touch(tmp_path / "keep" / "old.Dockerfile")
    touch(tmp_path / "images" / "base.docker")

    def filters(directory: Path) -> Filters:
        return Filters(tmp_path, exclude=["skip/**", "old.*"])

    found = discover([tmp_path], filters)
    assert names(found.files, tmp_path) == ["Dockerfile", "keep/Dockerfile"]

    def including(directory: Path) -> Filters:
        return Filters(tmp_path, include=["images/*.docker", "/Dockerfile"])

    found = discover([tmp_path], including)
    assert names(found.files, tmp_path) == ["Dockerfile", "images/base.docker"]


def test_excluded_explicit_file_is_checked_unless_forced(tmp_path: Path) -> None:
    excluded = touch(tmp_path / "skip" / "Dockerfile")

    def filters(directory: Path) -> Filters:
        return Filters(tmp_path, exclude=["skip/**"])

    assert discover([excluded], filters).files == [excluded]
    assert discover([excluded], filters, force_exclude=True).files == []


def test_discover_records_configuration_errors_once(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "Dockerfile")
    touch(tmp_path / "b" / "Dockerfile")

    def broken(directory: Path) -> Filters:
        raise InputError(".dfopt.yaml", "unknown key 'x'", 1, 1)

    found = discover([tmp_path], broken)
    assert found.files == []
    assert [str(error) for error in found.errors] == [".dfopt.yaml:1:1: unknown key 'x'"]


def test_read_keeps_bom_and_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfFROM alpine:3.20\r\nRUN echo h\xc3\xa9\r\n"
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    text = read_dockerfile(path)
    assert text == "\ufeffFROM alpine:3.20\r\nRUN echo hé\r\n"
    assert text.encode("utf-8") == data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"FROM alpine\nRUN a\x00b\n", "f:2:6: binary file (it contains NUL bytes)"),
        (b"FROM alpine\nRUN echo \xe9t\xe9\n", "f:2:10: not valid UTF-8 (byte 0xe9)"),
        (b"\xef\xbb\xbfFROM \xff\n", "f:1:6: not valid UTF-8 (byte 0xff)"),
    ],
)
def test_decode_rejects_binary_and_non_utf8(data: bytes, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_dockerfile(data, "f")
    assert str(caught.value) == expected


def test_read_rejects_missing_directories_and_large_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_dockerfile(tmp_path / "nope")
    with pytest.raises(InputError, match="is a directory"):
        read_dockerfile(tmp_path)
    big = tmp_path / "Dockerfile"
    big.write_bytes(b"FROM alpine\n" + b"# padding\n" * (MAX_FILE_SIZE // 10))
    with pytest.raises(InputError, match=r"too large \(5\.0 MB; the limit is 5 MB\)"):
        read_dockerfile(big, "Dockerfile")


def test_read_rejects_a_fifo(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_dockerfile(fifo)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_read_reports_permission_denied(tmp_path: Path) -> None:
    path = touch(tmp_path / "Dockerfile")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_dockerfile(path)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("\n  \n\t\n", True),
        ("# syntax=docker/dockerfile:1\n# just a comment\n", True),
        ("\ufeff\n", True),
        ("FROM alpine\n", False),
        ("  # comment\n  RUN x\n", False),
    ],
)
def test_only_comments(text: str, expected: bool) -> None:
    assert only_comments(text) is expected


def test_write_atomic_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    path = touch(tmp_path / "Dockerfile", "old\n")
    path.chmod(0o640)
    write_atomic(path, "\ufeffnew\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbfnew\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]


def test_write_atomic_follows_symlinks(tmp_path: Path) -> None:
    target = touch(tmp_path / "real" / "Dockerfile", "old\n")
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"


def test_write_atomic_leaves_the_original_when_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = touch(tmp_path / "Dockerfile", "original\n")

    def fail(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, "fixed\n")
    assert path.read_text() == "original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_write_atomic_refuses_when_the_file_changed(tmp_path: Path) -> None:
    path = touch(tmp_path / "Dockerfile", "edited meanwhile\n")
    with pytest.raises(InputError, match="changed while it was being fixed"):
        write_atomic(path, "fixed\n", expected=b"original\n")
    assert path.read_text() == "edited meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_new_parse_problems() -> None:
    assert new_parse_problems(GOOD, GOOD.replace("hello", "bye")) is None
    broken = "FROM alpine:3.20\nRUNN echo hello\n"
    reason = new_parse_problems(GOOD, broken)
    assert reason is not None
    assert reason.startswith("the fixed text does not parse (line 2:")
    assert new_parse_problems(broken, broken + "RUN echo more\n") is None


@dataclass
class _Applied:
    code: str


@dataclass
class _Result:
    text: str
    failure: str | None = None
    applied: list[_Applied] = field(default_factory=list)


class _StubSession:
    """Fixing appends a line once more each time: never stable."""

    def __init__(self, stable: bool, failure: str | None = None) -> None:
        self.stable = stable
        self.failure = failure

    def fix(self, text: str, path: Path | None = None) -> _Result:
        if self.failure:
            return _Result(text, self.failure)
        if self.stable:
            return _Result(text)
        return _Result(text + "RUN echo again\n", None, [_Applied("TS999")])


def test_verify_fix_detects_an_unstable_fix() -> None:
    fixed = GOOD + "RUN echo again\n"
    assert verify_fix(GOOD, fixed, _StubSession(stable=True), None) is None  # type: ignore[arg-type]
    reason = verify_fix(GOOD, fixed, _StubSession(stable=False), None)  # type: ignore[arg-type]
    assert reason == "not stable: fixing the result again changes it (TS999)"
    failing = _StubSession(stable=True, failure="fixes undo each other (flip-flop)")
    reason = verify_fix(GOOD, fixed, failing, None)  # type: ignore[arg-type]
    assert reason is not None and reason.startswith("not stable: fixing the result again fails")


def test_verify_fix_with_the_real_engine_accepts_a_stable_fix() -> None:
    from dfopt.config import Settings
    from dfopt.engine.session import Overrides, Session

    session = Session(Settings(), None, Overrides(select=["DL4000"]))
    original = "FROM alpine:3.20\nMAINTAINER Jane\n"
    result = session.fix(original)
    assert result.changed
    assert verify_fix(original, result.text, session, None) is None
