"""Tests for finding, loading and caching configuration files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfopt.config import (
    ConfigError,
    Settings,
    clear_config_cache,
    discovery,
    find_config,
    load_config_file,
    resolve_config,
)
from dfopt.severity import Severity


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep user configuration and cached results out of every test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    clear_config_cache()
    yield
    clear_config_cache()


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` to ``path``, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def dockerfile(directory: Path) -> Path:
    """Create a Dockerfile in ``directory``."""
    return write(directory / "Dockerfile", "FROM alpine:3.20\n")


# --- find_config --------------------------------------------------------------------------


def test_nothing_found(tmp_path: Path) -> None:
    assert find_config(dockerfile(tmp_path / "project")) is None


def test_closest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    inner = write(tmp_path / "services" / "api" / ".dfopt.yml", "select: [DL4]\n")
    target = dockerfile(tmp_path / "services" / "api" / "docker")
    assert find_config(target) == inner.resolve()
    assert find_config(tmp_path / "services") == (tmp_path / ".dfopt.yaml").resolve()


def test_start_may_be_a_directory_or_a_missing_file(tmp_path: Path) -> None:
    config = write(tmp_path / "project" / ".dfopt.yaml", "{}\n")
    assert find_config(tmp_path / "project") == config.resolve()
    assert find_config(tmp_path / "project" / "not-yet.Dockerfile") == config.resolve()


def test_name_preference_within_a_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.dfopt]\nselect = ['DL3']\n")
    write(tmp_path / "dfopt.yaml", "{}\n")
    assert find_config(tmp_path) == (tmp_path / "dfopt.yaml").resolve()
    write(tmp_path / ".dfopt.yml", "{}\n")
    assert find_config(tmp_path) == (tmp_path / ".dfopt.yml").resolve()
    write(tmp_path / ".dfopt.yaml", "{}\n")
    assert find_config(tmp_path) == (tmp_path / ".dfopt.yaml").resolve()


def test_pyproject_with_tool_dfopt_is_found(tmp_path: Path) -> None:
    write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    pyproject = write(
        tmp_path / "app" / "pyproject.toml",
        """
        [project]
        name = "app"

        [tool.dfopt]
        select = ["DF"]
        extend-select = ["DL4006"]
        failure-threshold = "warn"

        [tool.dfopt.fix]
        unsafe-fixes = true
        """,
    )
    target = dockerfile(tmp_path / "app")
    assert find_config(target) == pyproject.resolve()
    settings = load_config_file(pyproject)
    assert settings.select == ["DF"]
    assert settings.extend_select == ["DL4006"]
    assert settings.failure_threshold is Severity.WARNING
    assert settings.fix.unsafe_fixes is True


def test_pyproject_without_tool_dfopt_is_skipped(tmp_path: Path) -> None:
    parent = write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    write(tmp_path / "app" / "pyproject.toml", "[project]\nname = 'app'\n\n[tool.ruff]\n")
    assert find_config(dockerfile(tmp_path / "app")) == parent.resolve()


def test_pyproject_errors_name_the_key_path(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        """
        [tool.other]
        select = 3

        [tool.dfopt]
        ignore = ["DL3008"]
        select = "DL3"
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_config_file(path)
    assert info.value.path == path
    assert info.value.message.startswith("tool.dfopt.select: Input should be a valid list")
    assert (info.value.line, info.value.column) == (6, 1)


def test_pyproject_unknown_key_in_subtable(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.dfopt.fix]\nverify = true\nunsafe = 1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'tool\.dfopt\.fix\.unsafe'"):
        load_config_file(path)


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.dfopt]\nselect = ['DL3'\nignore = []\n")
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    assert info.value.path == path
    assert info.value.message.startswith("invalid TOML")
    assert "(at line" not in info.value.message
    assert info.value.line == 3


def test_explicit_pyproject_without_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[tool\.dfopt\] table"):
        resolve_config(tmp_path, explicit=path)


def test_pyproject_can_extend_yaml(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "select: [DL3]\nignore: [DL3008]\n")
    path = write(tmp_path / "pyproject.toml", '[tool.dfopt]\nextends = "base.yaml"\nignore = []\n')
    settings = load_config_file(path)
    assert settings.select == ["DL3"]
    assert settings.ignore == []


def test_hadolint_config_only_when_no_dfopt_config(tmp_path: Path) -> None:
    hadolint = write(tmp_path / "app" / ".hadolint.yaml", "ignored: [DL3008]\n")
    target = dockerfile(tmp_path / "app" / "docker")
    assert find_config(target) == hadolint.resolve()
    # A dfopt configuration anywhere above wins over a closer hadolint one.
    dfopt = write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    assert find_config(target) == dfopt.resolve()


def test_closest_hadolint_config_wins(tmp_path: Path) -> None:
    write(tmp_path / ".hadolint.yaml", "ignored: [DL3008]\n")
    inner = write(tmp_path / "app" / ".hadolint.yml", "ignored: [DL3009]\n")
    assert find_config(dockerfile(tmp_path / "app")) == inner.resolve()


def test_user_hadolint_config_from_xdg(tmp_path: Path) -> None:
    user = write(tmp_path / "xdg" / "hadolint.yaml", "ignored: [DL3008]\n")
    target = dockerfile(tmp_path / "project")
    assert find_config(target) == user
    resolved = resolve_config(target)
    assert resolved.kind == "hadolint"
    assert resolved.settings.ignore == ["DL3008"]


def test_user_hadolint_config_from_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    user = write(tmp_path / "home" / ".config" / "hadolint.yaml", "ignored: [DL3008]\n")
    assert find_config(dockerfile(tmp_path / "project")) == user


# --- resolve_config -----------------------------------------------------------------------


def test_resolve_reports_origin(tmp_path: Path) -> None:
    config = write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    resolved = resolve_config(dockerfile(tmp_path / "a" / "b"))
    assert resolved.path == config.resolve()
    assert resolved.root == tmp_path.resolve()
    assert resolved.kind == "dfopt"
    assert resolved.settings.select == ["DL3"]


def test_resolve_without_config_uses_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    resolved = resolve_config(dockerfile(tmp_path / "project"))
    assert resolved.settings == Settings()
    assert resolved.path is None
    assert resolved.root == workdir.resolve()
    assert resolved.kind == "default"


def test_resolve_hadolint_kind(tmp_path: Path) -> None:
    write(tmp_path / ".hadolint.yaml", "failure-threshold: error\n")
    resolved = resolve_config(dockerfile(tmp_path))
    assert resolved.kind == "hadolint"
    assert resolved.settings.failure_threshold is Severity.ERROR


def test_isolated_ignores_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    write(tmp_path / "xdg" / "hadolint.yaml", "ignored: [DL3008]\n")
    explicit = write(tmp_path / "custom.yaml", "select: [DF]\n")
    resolved = resolve_config(dockerfile(tmp_path), explicit=explicit, isolated=True)
    assert resolved.settings == Settings()
    assert resolved.path is None
    assert resolved.kind == "default"


def test_explicit_file_is_used_wherever_it_is(tmp_path: Path) -> None:
    write(tmp_path / "project" / ".dfopt.yaml", "select: [DL3]\n")
    explicit = write(tmp_path / "elsewhere" / "strict.yaml", "select: [ALL]\n")
    resolved = resolve_config(dockerfile(tmp_path / "project"), explicit=explicit)
    assert resolved.settings.select == ["ALL"]
    assert resolved.path == explicit.resolve()
    assert resolved.root == explicit.parent.resolve()
    assert resolved.kind == "dfopt"


def test_explicit_hadolint_file_is_read_as_hadolint(tmp_path: Path) -> None:
    explicit = write(tmp_path / "ci" / "hadolint.yml", "ignored: [DL3008]\nno-fail: true\n")
    resolved = resolve_config(dockerfile(tmp_path), explicit=explicit)
    assert resolved.kind == "hadolint"
    assert resolved.settings.ignore == ["DL3008"]
    assert resolved.settings.no_fail is True


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        resolve_config(dockerfile(tmp_path), explicit=tmp_path / "missing.yaml")


def test_cache_returns_the_same_object_per_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / ".dfopt.yaml", "select: [DL3]\n")
    calls: list[Path] = []
    original = discovery.load_config_file

    def counting(path: Path) -> Settings:
        calls.append(path)
        return original(path)

    monkeypatch.setattr(discovery, "load_config_file", counting)
    first = resolve_config(write(tmp_path / "app" / "Dockerfile", "FROM a\n"))
    second = resolve_config(write(tmp_path / "app" / "Dockerfile.dev", "FROM b\n"))
    other_dir = resolve_config(dockerfile(tmp_path / "worker"))
    assert first is second
    assert other_dir is first
    assert len(calls) == 1

    clear_config_cache()
    third = resolve_config(tmp_path / "app" / "Dockerfile")
    assert third is not first
    assert third == first
    assert len(calls) == 2


def test_cache_is_keyed_by_resolved_directory(tmp_path: Path) -> None:
    write(tmp_path / ".dfopt.yaml", "{}\n")
    target = dockerfile(tmp_path / "app")
    assert resolve_config(target) is resolve_config(tmp_path / "app" / ".." / "app" / "Dockerfile")
