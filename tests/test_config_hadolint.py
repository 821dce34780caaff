"""Tests for reading hadolint configuration files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfopt.config import (
    ConfigError,
    Settings,
    clear_config_cache,
    load_config_file,
    load_yaml_mapping,
    resolve_config,
    settings_from_hadolint,
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


def write_hadolint(directory: Path, text: str) -> Path:
    """Write a ``.hadolint.yaml`` holding dedented ``text``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ".hadolint.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(path: Path) -> ConfigError:
    """Load ``path`` expecting a ``ConfigError``."""
    with pytest.raises(ConfigError) as info:
        load_config_file(path)
    return info.value


def test_all_keys_are_mapped(tmp_path: Path) -> None:
    write_hadolint(
        tmp_path,
        """
        failure-threshold: warning
        format: json
        no-color: true
        verbose: false
        ignored:
          - DL3008
          - SC2086
        override:
          error:
            - DL3001
          warning:
            - DL3042
          info:
            - DL3032
          style:
            - DL3015
        trustedRegistries:
          - docker.io
          - my-company.com:5000
        label-schema:
          author: text
          contact: email
          created: rfc3339
          version: semver
          documentation: url
          git-revision: hash
          license: spdx
        strict-labels: true
        disable-ignore-pragma: true
        no-fail: true
        """,
    )
    (tmp_path / "Dockerfile").write_text("FROM alpine\n", encoding="utf-8")
    resolved = resolve_config(tmp_path / "Dockerfile")
    settings = resolved.settings
    assert resolved.kind == "hadolint"
    assert settings.failure_threshold is Severity.WARNING
    assert settings.ignore == ["DL3008", "SC2086"]
    assert settings.severity == {
        "DL3001": Severity.ERROR,
        "DL3042": Severity.WARNING,
        "DL3032": Severity.INFO,
        "DL3015": Severity.STYLE,
    }
    assert settings.trusted_registries == ["docker.io", "my-company.com:5000"]
    assert settings.label_schema == {
        "author": "text",
        "contact": "email",
        "created": "rfc3339",
        "version": "semver",
        "documentation": "url",
        "git-revision": "hash",
        "license": "spdx",
    }
    assert settings.strict_labels is True
    assert settings.disable_ignore_pragma is True
    assert settings.no_fail is True
    assert not settings.fails_on(Severity.ERROR)


def test_camel_case_spellings(tmp_path: Path) -> None:
    path = write_hadolint(
        tmp_path,
        """
        failureThreshold: error
        noFail: true
        strictLabels: true
        disableIgnorePragma: true
        labelSchema:
          maintainer: text
        trustedRegistries: [quay.io]
        noColor: true
        """,
    )
    settings = load_config_file(path)
    assert settings.failure_threshold is Severity.ERROR
    assert settings.no_fail is True
    assert settings.strict_labels is True
    assert settings.disable_ignore_pragma is True
    assert settings.label_schema == {"maintainer": "text"}
    assert settings.trusted_registries == ["quay.io"]


@pytest.mark.parametrize("threshold", ["none", "ignore"])
def test_failure_threshold_none_means_never_fail(tmp_path: Path, threshold: str) -> None:
    path = write_hadolint(tmp_path, f"failure-threshold: {threshold}\n")
    settings = load_config_file(path)
    assert settings.failure_threshold is Severity.IGNORE
    assert not settings.fails_on(Severity.ERROR)


def test_empty_hadolint_file_gives_defaults(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "# nothing yet\n")
    assert load_config_file(path) == Settings()


def test_empty_override_lists(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "override:\n  error:\n  info: []\nignored:\n")
    settings = load_config_file(path)
    assert settings.severity == {}
    assert settings.ignore == []


def test_unknown_key_is_located(tmp_path: Path) -> None:
    path = write_hadolint(
        tmp_path,
        """
        ignored: [DL3008]
        # a comment
          # indented comment
        trustedRegistry:
          - docker.io
        """,
    )
    error = load_error(path)
    assert str(error) == (
        f"{path}:4:1: unknown hadolint key 'trustedRegistry' (did you mean 'trustedRegistries'?)"
    )


def test_dfopt_keys_are_not_hadolint_keys(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "ignored: [DL3008]\nselect: [DL3]\n")
    error = load_error(path)
    assert (error.line, error.column) == (2, 1)
    assert "unknown hadolint key 'select'" in error.message


def test_unknown_override_level_is_located(tmp_path: Path) -> None:
    path = write_hadolint(
        tmp_path,
        """
        override:
          error: [DL3001]
          fatal: [DL3002]
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (3, 3)
    assert "unknown override level 'fatal'" in error.message


def test_bad_override_item_is_located(tmp_path: Path) -> None:
    path = write_hadolint(
        tmp_path,
        """
        override:
          warning:
            - DL3042
            - {code: DL3043}
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (4, 7)
    assert error.message.startswith("override.warning[1]: expected a rule code")


def test_override_must_be_a_mapping(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "override: [DL3008]\n")
    error = load_error(path)
    assert error.line == 1
    assert "expected a mapping" in error.message


def test_wrong_type_is_reported_with_the_hadolint_key(tmp_path: Path) -> None:
    path = write_hadolint(
        tmp_path,
        """
        noFail: false
        trustedRegistries:
          - docker.io
          - [nested]
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (4, 5)
    assert error.message.startswith("trustedRegistries[1]: Input should be a valid string")


def test_bad_failure_threshold_is_located(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "ignored: []\nfailure-threshold: fatal\n")
    error = load_error(path)
    assert (error.line, error.column) == (2, 20)
    assert "failure-threshold" in error.message
    assert "invalid severity 'fatal'" in error.message


def test_two_spellings_of_one_key_conflict(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "no-fail: true\nnoFail: false\n")
    error = load_error(path)
    assert (error.line, error.column) == (2, 1)
    assert "'noFail' repeats 'no-fail'" in error.message


def test_plain_mapping_without_positions() -> None:
    settings = settings_from_hadolint(
        {"ignored": ["DL3008"], "override": {"info": ["DL3059"]}}, Path("hadolint.yaml")
    )
    assert settings.ignore == ["DL3008"]
    assert settings.severity == {"DL3059": Severity.INFO}
    with pytest.raises(ConfigError) as info:
        settings_from_hadolint({"bogus": 1}, Path("hadolint.yaml"))
    assert info.value.line is None
    assert str(info.value) == "hadolint.yaml: unknown hadolint key 'bogus'"


def test_round_trip_mapping_is_accepted(tmp_path: Path) -> None:
    path = write_hadolint(tmp_path, "ignored: [DL3008]\n")
    settings = settings_from_hadolint(load_yaml_mapping(path), path)
    assert settings.ignore == ["DL3008"]
