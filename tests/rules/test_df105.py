"""DF105: the fix is unsafe, reads requirement files from the build context, keeps endings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

RULE = "DF105"
PIP = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
)
PIP_FIXED = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt ./\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n"
)


def test_fix_is_unsafe_and_held_back_by_default() -> None:
    violations = lint(PIP, select=[RULE]).violations
    assert len(violations) == 1 and violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.UNSAFE
    result = fix(PIP, select=[RULE])
    assert result.text == PIP
    assert result.held_back == 1


def test_plain_requirements_file_in_the_context_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    result = fix(PIP, path=tmp_path / "Dockerfile", select=[RULE], unsafe=True)
    assert result.text == PIP_FIXED


def test_requirements_file_that_includes_another_is_not_fixed(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r base.txt\nflask==3.0.3\n", encoding="utf-8")
    violations = lint(PIP, path=tmp_path / "Dockerfile", select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    assert violations[0].fix is None


def test_requirements_file_installing_the_project_is_not_fixed(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n-e .\n", encoding="utf-8")
    violations = lint(PIP, path=tmp_path / "Dockerfile", select=[RULE]).violations
    assert violations[0].fix is None


def test_crlf_and_missing_final_newline() -> None:
    text = "FROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nRUN npm ci"
    result = fix(text, select=[RULE], unsafe=True)
    assert result.failure is None
    assert result.text == (
        "FROM node:20\r\nWORKDIR /app\r\nCOPY package*.json npm-shrinkwrap.json* ./\r\n"
        "RUN npm ci\r\nCOPY . ."
    )


def test_arg_between_blocks_the_move_only_when_the_copy_uses_variables() -> None:
    text = "FROM node:20\nCOPY . $APP\nARG APP=/srv\nWORKDIR /srv\nRUN npm ci\n"
    violations = lint(text, select=[RULE]).violations
    assert violations == [] or violations[0].fix is None
    plain = "FROM node:20\nCOPY . /srv\nARG NODE_ENV=production\nWORKDIR /srv\nRUN npm ci\n"
    result = fix(plain, select=[RULE], unsafe=True)
    assert result.text == (
        "FROM node:20\nCOPY package*.json npm-shrinkwrap.json* /srv/\nARG NODE_ENV=production\n"
        "WORKDIR /srv\nRUN npm ci\nCOPY . /srv\n"
    )


def test_copy_with_exclude_flag_gets_no_fix() -> None:
    text = "FROM node:20\nWORKDIR /app\nCOPY --exclude=*.md . .\nRUN npm ci\n"
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    assert violations[0].fix is None


def test_onbuild_pairs_are_ignored() -> None:
    text = "FROM node:20\nWORKDIR /app\nONBUILD COPY . .\nONBUILD RUN npm install\n"
    assert lint(text, select=[RULE]).violations == []


@pytest.mark.parametrize(
    "install",
    ['"np"m ci', "/usr/local/bin/npm ci", "n\\pm ci", "<<EOF\nnpm ci\nEOF", "true && pnpm i"],
)
def test_an_install_is_found_however_its_name_is_written(install: str) -> None:
    text = f"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN {install}\n"
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]


def test_a_copy_followed_by_no_install_is_not_reported() -> None:
    text = "FROM node:20\nWORKDIR /app\nRUN npm ci\nCOPY . .\nRUN node build.js\n"
    assert lint(text, select=[RULE]).violations == []


def test_the_fix_is_planned_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from dfopt_rules.df105_copy_before_install import CopyBeforeInstall

    planned: list[int] = []
    real = CopyBeforeInstall._fix

    def counting(self: CopyBeforeInstall, *args: Any) -> Any:
        planned.append(1)
        return real(self, *args)

    monkeypatch.setattr(CopyBeforeInstall, "_fix", counting)
    (violation,) = lint(PIP, select=[RULE]).violations
    assert planned == []
    assert violation.fix is not None and violation.fix.applicability is Applicability.UNSAFE
    assert planned == [1]
