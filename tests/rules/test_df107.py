"""DF107 through the command line: `.dockerignore` is written only with --dockerignore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCKERFILE = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"


def dfopt(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dfopt", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / ".env").write_text("TOKEN=1\n", encoding="utf-8")
    return tmp_path


def test_fix_without_the_option_writes_no_dockerignore(project: Path) -> None:
    result = dfopt("fix", "--select", "DF107", "Dockerfile", cwd=project)
    assert result.returncode == 0, result.stderr
    assert not (project / ".dockerignore").exists()
    assert "run with --dockerignore" in result.stderr
    assert (project / "Dockerfile").read_text(encoding="utf-8") == DOCKERFILE


def test_fix_with_the_option_creates_it_once(project: Path) -> None:
    first = dfopt("fix", "--select", "DF107", "--dockerignore", "Dockerfile", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "Fixed 1 problem in 1 file" in first.stderr
    lines = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [".git", "node_modules", ".env"]
    assert (project / "Dockerfile").read_text(encoding="utf-8") == DOCKERFILE
    check = dfopt("check", "--select", "DF107", "Dockerfile", cwd=project)
    assert check.returncode == 0, check.stdout
    second = dfopt("fix", "--select", "DF107", "--dockerignore", "Dockerfile", cwd=project)
    assert "Nothing to fix" in second.stderr
    assert (project / ".dockerignore").read_text(encoding="utf-8").splitlines() == lines


def test_diff_and_check_show_the_new_file_and_write_nothing(project: Path) -> None:
    shown = dfopt("fix", "--select", "DF107", "--dockerignore", "--diff", "Dockerfile", cwd=project)
    assert shown.returncode == 1
    assert "--- /dev/null\n+++ b/.dockerignore\n" in shown.stdout
    assert "+node_modules\n" in shown.stdout
    would = dfopt(
        "fix", "--select", "DF107", "--dockerignore", "--check", "Dockerfile", cwd=project
    )
    assert would.returncode == 1
    assert "Would create .dockerignore" in would.stdout
    assert not (project / ".dockerignore").exists()


def test_two_dockerfiles_of_one_context_share_the_file(project: Path) -> None:
    (project / "Dockerfile.dev").write_text(
        "FROM node:20-alpine\nCOPY . /app\nRUN git -C /app log -1\n", encoding="utf-8"
    )
    (project / ".dockerignore").write_text("*.md\n", encoding="utf-8")
    (project / "server.pem").write_text("x\n", encoding="utf-8")
    result = dfopt(
        "fix", "--select", "DF107", "--dockerignore", "Dockerfile", "Dockerfile.dev", cwd=project
    )
    assert result.returncode == 0, result.stderr
    text = (project / ".dockerignore").read_text(encoding="utf-8")
    assert text == "*.md\nnode_modules\n.env\n*.pem\n"


def test_an_unreadable_dockerignore_is_a_one_line_error(project: Path) -> None:
    (project / ".dockerignore").write_bytes(b"\xff\xfe.git\n")
    result = dfopt("fix", "--select", "DF107", "--dockerignore", "Dockerfile", cwd=project)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("dfopt: error:")]
    assert len(errors) == 1 and "Dockerfile" in errors[0] and ".dockerignore" not in errors[0]
    assert (project / ".dockerignore").read_bytes() == b"\xff\xfe.git\n"


def test_statistics_count_the_dockerignore_fix(project: Path) -> None:
    result = dfopt(
        "fix", "--select", "DF107", "--dockerignore", "--statistics", "Dockerfile", cwd=project
    )
    row = next(line for line in result.stdout.splitlines() if "DF107" in line)
    assert row.split()[:4] == ["1", "1", "0", "0"]
