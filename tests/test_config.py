"""Tests for the settings models, the YAML loader and ``extends``."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from dfopt.config import (
    ConfigError,
    DefaultFixSettings,
    DefaultSettings,
    FixSettings,
    Settings,
    clear_config_cache,
    load_config_file,
    load_yaml_settings,
    merge_settings,
)
from dfopt.severity import Severity
from dfopt.syntax._record import field_names, replace


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


def load_error(path: Path) -> ConfigError:
    """Load ``path`` expecting a ``ConfigError``."""
    with pytest.raises(ConfigError) as info:
        load_config_file(path)
    return info.value


# --- models -------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = Settings()
    assert settings.select is None
    assert settings.extend_select == []
    assert settings.failure_threshold is Severity.INFO
    assert settings.fix == FixSettings()
    assert settings.fix.fixable == ["ALL"]
    assert settings.fix.unsafe_fixes is False
    assert settings.per_file_ignores == {}


def test_kebab_case_keys_parse(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        select: [DL3, DF]
        extend-select: [DL4006]
        ignore: [consecutive-run]
        per-file-ignores:
          "legacy/**": [DL3008, JSONArgsRecommended]
        severity:
          DL3008: warn
          DF: ERROR
        failure-threshold: warning
        fix:
          unsafe-fixes: true
          fixable: [DL3]
          unfixable: [DL3009]
          verify: true
        rules:
          DL3008:
            allow: [curl]
        include: ["**/Dockerfile*"]
        exclude: ["vendor/**"]
        trusted-registries: [docker.io, ghcr.io]
        label-schema:
          maintainer: text
          org.opencontainers.image.url: URL
        strict-labels: true
        disable-ignore-pragma: true
        no-fail: true
        """,
    )
    settings = load_config_file(path)
    assert settings.select == ["DL3", "DF"]
    assert settings.extend_select == ["DL4006"]
    assert settings.ignore == ["consecutive-run"]
    assert settings.per_file_ignores == {"legacy/**": ["DL3008", "JSONArgsRecommended"]}
    assert settings.severity == {"DL3008": Severity.WARNING, "DF": Severity.ERROR}
    assert settings.failure_threshold is Severity.WARNING
    assert settings.fix == FixSettings(
        unsafe_fixes=True, fixable=["DL3"], unfixable=["DL3009"], verify=True
    )
    assert settings.rules == {"DL3008": {"allow": ["curl"]}}
    assert settings.include == ["**/Dockerfile*"]
    assert settings.exclude == ["vendor/**"]
    assert settings.trusted_registries == ["docker.io", "ghcr.io"]
    assert settings.label_schema == {"maintainer": "text", "org.opencontainers.image.url": "url"}
    assert settings.strict_labels is True
    assert settings.disable_ignore_pragma is True
    assert settings.no_fail is True


def test_snake_case_field_names_are_accepted() -> None:
    settings = Settings.model_validate({"extend_select": ["DL3"], "fix": {"unsafe_fixes": True}})
    assert settings.extend_select == ["DL3"]
    assert settings.fix.unsafe_fixes is True


def test_selectors_are_stripped_and_must_not_be_empty() -> None:
    assert Settings.model_validate({"select": ["  DL3008 "]}).select == ["DL3008"]
    with pytest.raises(ValidationError):
        Settings.model_validate({"ignore": ["   "]})
    with pytest.raises(ValidationError):
        Settings.model_validate({"severity": {"": "error"}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("warn", Severity.WARNING),
        ("Warning", Severity.WARNING),
        ("ERROR", Severity.ERROR),
        ("info", Severity.INFO),
        ("style", Severity.STYLE),
        ("off", Severity.IGNORE),
        ("none", Severity.IGNORE),
        ("ignore", Severity.IGNORE),
    ],
)
def test_severity_strings(text: str, expected: Severity) -> None:
    settings = Settings.model_validate({"severity": {"DL3008": text}, "failure-threshold": text})
    assert settings.severity["DL3008"] is expected
    assert settings.failure_threshold is expected


def test_invalid_severity_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "severity:\n  DL3008: loud\n")
    error = load_error(path)
    assert (error.line, error.column) == (2, 11)
    assert "invalid severity 'loud'" in error.message
    assert "severity.DL3008" in error.message


def test_failure_threshold_decides_failure() -> None:
    settings = Settings.model_validate({"failure-threshold": "warning"})
    assert settings.fails_on(Severity.ERROR)
    assert settings.fails_on(Severity.WARNING)
    assert not settings.fails_on(Severity.INFO)
    assert not settings.fails_on(Severity.IGNORE)


@pytest.mark.parametrize("threshold", ["none", "ignore"])
def test_failure_threshold_none_never_fails(threshold: str) -> None:
    settings = Settings.model_validate({"failure-threshold": threshold})
    assert settings.failure_threshold is Severity.IGNORE
    assert not any(settings.fails_on(level) for level in Severity)


def test_no_fail_never_fails() -> None:
    settings = Settings.model_validate({"no-fail": True, "failure-threshold": "style"})
    assert not settings.fails_on(Severity.ERROR)


def test_label_schema_rejects_unknown_types() -> None:
    with pytest.raises(ValidationError, match="invalid label type 'number'"):
        Settings.model_validate({"label-schema": {"version": "number"}})


# --- default settings without pydantic ---------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "model"), [(DefaultSettings, Settings), (DefaultFixSettings, FixSettings)]
)
def test_default_settings_mirror_the_models(plain: type, model: type[Settings]) -> None:
    names = list(field_names(plain))
    assert names == list(model.model_fields)
    mine, theirs = plain(), model()
    assert field_names(mine) == field_names(plain)
    for name in names:
        value = getattr(mine, name)
        expected = getattr(theirs, name)
        if name in ("fix", "format"):
            assert {key: getattr(value, key) for key in field_names(value)} == expected.model_dump()
        else:
            assert (type(value), value) == (type(expected), expected), name


def test_default_settings_equal_the_models_defaults() -> None:
    assert DefaultSettings() == Settings()
    assert Settings() == DefaultSettings()
    assert DefaultSettings().fix == FixSettings()
    assert DefaultSettings() != Settings(ignore=["DL3008"])
    assert Settings(fix=FixSettings(verify=True)) != DefaultSettings()
    assert DefaultSettings() != object()
    # Each instance has its own lists.
    assert DefaultSettings().ignore is not DefaultSettings().ignore


@pytest.mark.parametrize(
    ("changes", "threshold"),
    [({}, Severity.INFO), ({"failure_threshold": Severity.ERROR}, Severity.ERROR)],
)
def test_default_settings_fail_like_the_models(
    changes: dict[str, object], threshold: Severity
) -> None:
    plain = replace(DefaultSettings(), **changes)
    model = Settings(**changes)  # type: ignore[arg-type]
    for severity in Severity:
        assert plain.fails_on(severity) == model.fails_on(severity), severity
    assert plain.fails_on(threshold)
    no_fail = replace(plain, no_fail=True)
    assert not any(no_fail.fails_on(severity) for severity in Severity)
    assert plain.fails_on(threshold) and not plain.no_fail  # the copy changed, not plain
    assert no_fail.failure_threshold is plain.failure_threshold


def test_default_settings_are_frozen_and_replace_checks_names() -> None:
    from dataclasses import FrozenInstanceError

    settings = DefaultSettings()
    with pytest.raises(FrozenInstanceError):
        settings.no_fail = True  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field 'no_such_key'"):
        replace(settings, no_such_key=True)


def test_every_public_name_of_the_package_resolves() -> None:
    import dfopt.config

    for name in dfopt.config.__all__:
        assert getattr(dfopt.config, name) is not None, name
    assert set(dfopt.config.__all__) <= set(dir(dfopt.config))
    with pytest.raises(AttributeError):
        _ = dfopt.config.no_such_name


# --- errors -------------------------------------------------------------------------------


def test_config_error_str_is_one_line() -> None:
    located = ConfigError(Path("a.yaml"), "bad\nthing", 3, 7)
    assert str(located) == "a.yaml:3:7: bad thing"
    assert str(ConfigError(Path("a.yaml"), "bad")) == "a.yaml: bad"
    assert str(ConfigError(Path("a.yaml"), "bad", 4)) == "a.yaml:4: bad"
    assert (located.path, located.line, located.column, located.message) == (
        Path("a.yaml"),
        3,
        7,
        "bad\nthing",
    )


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        # settings
        select: [DL3]
        extend-slect:
          - DL4
        """,
    )
    error = load_error(path)
    expected = "unknown key 'extend-slect' (did you mean 'extend-select'?)"
    assert str(error) == f"{path}:3:1: {expected}"


def test_unknown_nested_key_points_at_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        fix:
          verify: true
          unsafe: true
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (3, 3)
    assert error.message == "unknown key 'fix.unsafe' (did you mean 'unsafe-fixes'?)"


def test_wrong_type_reported_at_the_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        select:
          - DL3
        strict-labels: maybe
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (3, 16)
    assert error.message.startswith("strict-labels: Input should be a valid boolean")
    assert "'maybe'" in error.message


def test_wrong_type_of_list_item_reported_at_the_item(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        ignore:
          - DL3008
          - [nested]
        select: [DL3, 5]
        """,
    )
    error = load_error(path)
    # The earliest problem is reported first.
    assert (error.line, error.column) == (3, 5)
    assert error.message.startswith("ignore[1]: Input should be a valid string")
    assert "(and 1 more error)" in error.message


def test_wrong_type_of_flow_list_item(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "select: [DL3, 5]\n")
    error = load_error(path)
    assert (error.line, error.column) == (1, 15)


def test_container_of_wrong_type_reported_at_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".dfopt.yaml",
        """
        select: [DL3]
        rules:
          - DL3008
        """,
    )
    error = load_error(path)
    assert (error.line, error.column) == (2, 1)
    assert error.message.startswith("rules: Input should be a valid dictionary")


def test_invalid_dict_key_reported_at_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", 'severity:\n  DL3008: error\n  " ": warn\n')
    error = load_error(path)
    assert (error.line, error.column) == (3, 3)
    assert "invalid key ' '" in error.message


def test_yaml_syntax_error_has_a_position(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "select: [DL3, DL4\nignore: [DL3008]\n")
    error = load_error(path)
    assert error.path == path
    assert (error.line, error.column) == (2, 7)
    assert error.message.startswith("invalid YAML:")
    assert "\n" not in str(error)


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "select: [DL3]\nselect: [DL4]\n")
    error = load_error(path)
    assert error.line == 2
    assert "duplicate key" in error.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "- DL3008\n- DL3009\n")
    error = load_error(path)
    assert "must be a mapping" in error.message
    assert (error.line, error.column) == (1, 1)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file_is_an_empty_config(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".dfopt.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_yaml_settings(path) == Settings()
    assert load_config_file(path).model_fields_set == set()


def test_invalid_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / ".dfopt.yaml"
    path.write_bytes(b"select: [DL3]\nignore: [\xff]\n")
    error = load_error(path)
    assert error.line == 2
    assert "UTF-8" in error.message


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    error = load_error(tmp_path / "nope.yaml")
    assert error.path == tmp_path / "nope.yaml"
    assert "not found" in error.message


# --- extends ------------------------------------------------------------------------------


def test_extends_merges_over_the_base(tmp_path: Path) -> None:
    write(
        tmp_path / "shared" / "base.yaml",
        """
        select: [DL3]
        ignore: [DL3008]
        failure-threshold: error
        trusted-registries: [docker.io]
        severity:
          DL3009: warn
          DL3015: info
        per-file-ignores:
          "a/*": [DL3]
          "b/*": [DL4]
        rules:
          DL3008:
            allow: [curl]
          DL3013:
            strict: true
        fix:
          unsafe-fixes: true
          fixable: [DL3]
        """,
    )
    child = write(
        tmp_path / "project" / ".dfopt.yaml",
        """
        extends: ../shared/base.yaml
        ignore: [DL3009]
        severity:
          DL3015: error
        per-file-ignores:
          "b/*": [DL3]
        rules:
          DL3008:
            pin: true
        fix:
          verify: true
        """,
    )
    settings = load_config_file(child)
    assert settings.extends == "../shared/base.yaml"
    assert settings.select == ["DL3"]
    assert settings.ignore == ["DL3009"]
    assert settings.failure_threshold is Severity.ERROR
    assert settings.trusted_registries == ["docker.io"]
    assert settings.severity == {"DL3009": Severity.WARNING, "DL3015": Severity.ERROR}
    assert settings.per_file_ignores == {"a/*": ["DL3"], "b/*": ["DL3"]}
    assert settings.rules == {"DL3008": {"pin": True}, "DL3013": {"strict": True}}
    assert settings.fix == FixSettings(unsafe_fixes=True, fixable=["DL3"], verify=True)


def test_extends_chain(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "select: [DL3]\nignore: [DL3008]\nno-fail: true\n")
    write(tmp_path / "sub" / "b.yaml", "extends: ../a.yaml\nignore: [DL3009]\n")
    top = write(tmp_path / ".dfopt.yaml", "extends: sub/b.yaml\nselect: [DF]\n")
    settings = load_config_file(top)
    assert settings.select == ["DF"]
    assert settings.ignore == ["DL3009"]
    assert settings.no_fail is True


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path / "b.yaml", "select: [DL3]\nextends: a.yaml\n")
    error = load_error(tmp_path / "a.yaml")
    assert error.path == b
    assert (error.line, error.column) == (2, 1)
    assert "cycle" in error.message
    assert "a.yaml" in error.message


def test_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "extends: .dfopt.yaml\n")
    error = load_error(path)
    assert error.path == path
    assert "cycle" in error.message


def test_extends_target_missing(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "select: [DL3]\nextends: missing.yaml\n")
    error = load_error(path)
    assert (error.path, error.line, error.column) == (path, 2, 1)
    assert "missing.yaml" in error.message


def test_error_in_extended_file_names_that_file(tmp_path: Path) -> None:
    base = write(tmp_path / "base.yaml", "select: [DL3]\nbogus: 1\n")
    path = write(tmp_path / ".dfopt.yaml", "extends: base.yaml\n")
    error = load_error(path)
    assert (error.path, error.line, error.column) == (base, 2, 1)


def test_merge_settings_keeps_unset_keys() -> None:
    base = Settings.model_validate({"select": ["DL3"], "fix": {"verify": True}})
    override = Settings.model_validate({"fix": {"unsafe-fixes": True}})
    merged = merge_settings(base, override)
    assert merged.select == ["DL3"]
    assert merged.fix.verify is True
    assert merged.fix.unsafe_fixes is True
    assert merged.model_fields_set == {"select", "fix"}


def test_non_string_key_reported_at_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / ".dfopt.yaml", "select: [DL3]\n1: x\n")
    error = load_error(path)
    assert (error.line, error.column) == (2, 1)
    assert error.message == "invalid key 1: keys must be strings"
