"""DL3060: the fix is held back when the build context holds a Yarn 2+ project."""

from __future__ import annotations

from pathlib import Path

from dfopt.api import fix, lint

RULE = "DL3060"
TEXT = "FROM node:20-slim\nCOPY . .\nRUN yarn install --frozen-lockfile\n"


def test_yarnrc_yml_in_the_build_context_holds_the_fix_back(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(TEXT, encoding="utf-8")
    (tmp_path / ".yarnrc.yml").write_text("nodeLinker: pnp\n", encoding="utf-8")
    violations = lint(TEXT, path=dockerfile, select=[RULE]).violations
    assert [v.code for v in violations] == [RULE]
    assert violations[0].fix is None
    assert fix(TEXT, path=dockerfile, select=[RULE]).text == TEXT


def test_a_yarn_1_context_gets_the_safe_fix(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(TEXT, encoding="utf-8")
    (tmp_path / "yarn.lock").write_text("# yarn lockfile v1\n", encoding="utf-8")
    result = fix(TEXT, path=dockerfile, select=[RULE])
    assert result.text == TEXT.replace(
        "--frozen-lockfile\n", "--frozen-lockfile && yarn cache clean\n"
    )


def test_corepack_in_an_earlier_run_holds_the_fix_back() -> None:
    text = "FROM node:20-slim\nRUN corepack enable\nRUN yarn install\n"
    violations = lint(text, select=[RULE]).violations
    assert [v.code for v in violations] == [RULE]
    assert violations[0].fix is None
