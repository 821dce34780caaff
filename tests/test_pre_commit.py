"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit.

A copy of the project is committed to a temporary git repository (so the hooks are
tested as they are in the working tree) and used as the hook repository of a second
repository holding the Dockerfiles. pre-commit builds the hook environment with pip,
which needs the build backend and dfopt's dependencies from a package index: when that
fails the tests are skipped with pre-commit's message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dfopt.files import is_dockerfile_name

ROOT = Path(__file__).resolve().parent.parent
BAD = "FROM alpine:3.20\nMAINTAINER Jane Doe\nUSER nobody\n"
GOOD = 'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane Doe"\nUSER nobody\n'


def _pre_commit() -> str | None:
    beside = Path(sys.executable).parent / "pre-commit"
    if beside.exists():
        return str(beside)
    return shutil.which("pre-commit")


PRE_COMMIT = _pre_commit()
GIT = shutil.which("git")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "NO_COLOR": "1",
        }
    )
    env.pop("PRE_COMMIT_COLOR", None)
    return env


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    assert GIT is not None
    result = subprocess.run(
        [GIT, "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _copy_project(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
    for name in ("src", "rules"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)


class Hooks:
    """A repository configured to use dfopt's hooks, with a helper to run them."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work = work
        self.env = env

    def run(self, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
        assert PRE_COMMIT is not None
        return subprocess.run(
            [PRE_COMMIT, "run", hook, "--color", "never", "--files", *files],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    def write(self, name: str, text: str) -> Path:
        path = self.work / name
        path.write_text(text, encoding="utf-8")
        _git("add", name, cwd=self.work, env=self.env)
        return path


def test_hook_definitions() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"dfopt", "dfopt-fix", "dfopt-format"}
    # Like ruff's hooks: files excluded by the configuration are skipped even when
    # pre-commit names them.
    assert by_id["dfopt"]["entry"] == "dfopt check --force-exclude"
    assert by_id["dfopt-fix"]["entry"] == "dfopt fix --force-exclude"
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["types"] == ["file"]
        files = re.compile(hook["files"])
        exclude = re.compile(hook["exclude"])
        for path in (
            "Dockerfile",
            "deploy/Dockerfile.prod",
            "web.Dockerfile",
            "x/web.dockerfile",
            "Containerfile",
            "podman/Containerfile.arm64",
            "Dockerfile.dockerignore",
            "README.md",
            "Dockerfiles/readme.txt",
            "MyDockerfile",
            "src/docker.py",
        ):
            selected = bool(files.search(path)) and not exclude.search(path)
            assert selected is is_dockerfile_name(path.rsplit("/", 1)[-1]), path


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    if PRE_COMMIT is None:
        pytest.skip("the pre-commit executable is not installed")
    if GIT is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("pre-commit")
    env = _env(base)
    hook_repo = base / "dfopt"
    hook_repo.mkdir()
    _copy_project(hook_repo)
    _git("init", "-q", cwd=hook_repo, env=env)
    _git("add", "-A", cwd=hook_repo, env=env)
    _git("commit", "-q", "-m", "dfopt", cwd=hook_repo, env=env)
    revision = _git("rev-parse", "HEAD", cwd=hook_repo, env=env)

    work = base / "work"
    work.mkdir()
    _git("init", "-q", cwd=work, env=env)
    # Only DL4000 is selected so that the test does not depend on the rest of the rules.
    (work / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo.as_posix()}\n"
        f"    rev: {revision}\n"
        "    hooks:\n"
        "      - id: dfopt\n"
        "        args: [--select, DL4000]\n"
        "      - id: dfopt-fix\n"
        "        args: [--select, DL4000]\n",
        encoding="utf-8",
    )
    _git("add", ".pre-commit-config.yaml", cwd=work, env=env)
    assert PRE_COMMIT is not None
    built = subprocess.run(
        [PRE_COMMIT, "install-hooks"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if built.returncode != 0:
        log = base / "pre-commit-cache" / "pre-commit.log"
        text = built.stdout + built.stderr
        if log.exists():
            text = log.read_text(errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()]
        detail = " | ".join((errors or lines)[-2:])
        pytest.skip(f"pre-commit could not build the hook environment: {detail}")
    return Hooks(work, env)


@pytest.mark.slow
def test_bad_dockerfile_fails_the_check_hook(hooks: Hooks) -> None:
    hooks.write("Dockerfile", BAD)
    result = hooks.run("dfopt", "Dockerfile")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "Dockerfile:2:1: DL4000 [*] `MAINTAINER` is deprecated" in result.stdout


@pytest.mark.slow
def test_good_dockerfile_passes_the_check_hook(hooks: Hooks) -> None:
    hooks.write("api.Dockerfile", GOOD)
    result = hooks.run("dfopt", "api.Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_other_files_are_not_given_to_the_hooks(hooks: Hooks) -> None:
    hooks.write("README.md", "MAINTAINER is not a Dockerfile here\n")
    result = hooks.run("dfopt", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout


@pytest.mark.slow
def test_fix_hook_rewrites_the_file(hooks: Hooks) -> None:
    path = hooks.write("Containerfile", BAD)
    result = hooks.run("dfopt-fix", "Containerfile")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert path.read_text(encoding="utf-8") == GOOD
    again = hooks.run("dfopt-fix", "Containerfile")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.slow
def test_configuration_excludes_apply_to_files_pre_commit_names(hooks: Hooks) -> None:
    (hooks.work / "svc" / "old").mkdir(parents=True)
    hooks.write("svc/.dfopt.yaml", "exclude: ['old/**']\n")
    path = hooks.write("svc/old/Dockerfile", BAD)
    result = hooks.run("dfopt", "svc/old/Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert hooks.run("dfopt-fix", "svc/old/Dockerfile").returncode == 0
    assert path.read_text(encoding="utf-8") == BAD
