"""Where dfopt deliberately does better than hadolint, each case pinned by a test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dfopt.api import lint


def codes(text: str, *select: str) -> list[str]:
    return [violation.code for violation in lint(text, select=list(select)).violations]


def test_arg_default_with_a_tag_is_not_an_untagged_image() -> None:
    text = "ARG BASE=debian:12\nFROM ${BASE}\nRUN echo hi\n"
    assert codes(text, "DL3006", "DL3007") == []
    assert codes("ARG BASE=debian\nFROM ${BASE}\n", "DL3006") == ["DL3006"]


def test_copy_from_a_stage_named_by_an_arg_resolves() -> None:
    text = (
        "ARG STAGE=builder\nFROM alpine:3.20 AS builder\nRUN touch /x\n"
        "FROM alpine:3.20\nCOPY --from=${STAGE} /x /x\n"
    )
    assert codes(text, "DL3022") == []


@pytest.mark.parametrize(
    ("code", "run"),
    [
        ("DL3009", "--mount=type=cache,target=/var/lib/apt/lists apt-get update"),
        ("DL3009", "--mount=type=tmpfs,target=/var/lib/apt/lists apt-get update"),
        ("DL3019", "--mount=type=cache,target=/var/cache/apk apk add curl"),
        ("DL3042", "--mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3"),
        ("DL3060", "--mount=type=cache,target=/usr/local/share/.cache/yarn yarn install"),
    ],
)
def test_cache_and_tmpfs_mounts_count_as_cleanup(code: str, run: str) -> None:
    plain = run.split(" ", 1)[1]
    assert codes(f"FROM debian:12\nRUN {plain}\n", code) == [code]
    assert codes(f"FROM debian:12\nRUN {run}\n", code) == []


def test_root_in_a_builder_stage_is_fine() -> None:
    builder = "FROM golang:1.22 AS build\nUSER root\nRUN go version\n"
    assert codes(builder + "FROM alpine:3.20\nUSER nobody\n", "DL3002") == []
    assert codes(builder + "FROM alpine:3.20\nUSER root\n", "DL3002") == ["DL3002"]


@pytest.mark.parametrize(
    "heredoc",
    [
        "RUN <<EOF\napt-get update\nEOF\nRUN echo next\n",
        "RUN <<EOF\napt-get update\nEOF\n# a comment right after\n",
        "RUN <<-EOF\n\tapt-get update\n\tEOF\n",
        "RUN <<'EOF' bash\napt-get update\nEOF\n",
    ],
)
def test_heredocs_parse_in_every_legal_form(heredoc: str) -> None:
    result = lint("FROM debian:12\n" + heredoc, select=["DL1000", "DL3009"])
    assert [v.code for v in result.violations] == ["DL3009"]


def test_arg_or_env_after_shell_does_not_reset_the_shell() -> None:
    text = (
        'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "ARG VERSION=1\nENV PATH=/opt/bin:$PATH\nRUN curl -fsSL https://example.com | tar -x\n"
    )
    assert codes(text, "DL4006") == []


def test_a_missing_file_is_reported_and_the_others_are_linted(tmp_path: Path) -> None:
    good = tmp_path / "Dockerfile"
    good.write_text("FROM alpine:3.20\nMAINTAINER me\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dfopt", "check", "--isolated", "missing.Dockerfile", str(good)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "missing.Dockerfile" in result.stderr
    assert "DL4000" in result.stdout
