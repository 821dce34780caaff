"""Read hadolint's configuration format (``.hadolint.yaml``) into dfopt settings."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dfopt.config.errors import ConfigError
from dfopt.config.models import Settings
from dfopt.config.yaml_loader import config_error_from_validation, position_of, to_plain
from dfopt.severity import Severity

__all__ = ["HADOLINT_KEYS", "settings_from_hadolint"]

#: hadolint key -> dfopt key, including the camelCase spellings hadolint accepts.
_KEY_MAP: dict[str, str] = {
    "ignored": "ignore",
    "failure-threshold": "failure-threshold",
    "failureThreshold": "failure-threshold",
    "trustedRegistries": "trusted-registries",
    "trusted-registries": "trusted-registries",
    "label-schema": "label-schema",
    "labelSchema": "label-schema",
    "strict-labels": "strict-labels",
    "strictLabels": "strict-labels",
    "disable-ignore-pragma": "disable-ignore-pragma",
    "disableIgnorePragma": "disable-ignore-pragma",
    "no-fail": "no-fail",
    "noFail": "no-fail",
}
#: Output options of hadolint that have no meaning in a configuration for dfopt.
_IGNORED_KEYS = frozenset({"no-color", "noColor", "format", "verbose"})
_OVERRIDE = "override"
_OVERRIDE_LEVELS: dict[str, Severity] = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "style": Severity.STYLE,
}
#: Every top-level key a hadolint configuration may contain.
HADOLINT_KEYS: frozenset[str] = frozenset({*_KEY_MAP, *_IGNORED_KEYS, _OVERRIDE})


def _error(
    path: Path, message: str, data: Mapping[Any, Any], *loc: str | int, key: bool = False
) -> ConfigError:
    """A ``ConfigError`` located at ``loc`` in ``data`` when positions are available."""
    position = position_of(data, loc, key)
    line, column = position if position else (None, None)
    return ConfigError(path, message, line, column)


def _severity_overrides(value: Any, data: Mapping[Any, Any], path: Path) -> dict[str, Severity]:
    """Map ``override: {error: [...], ...}`` to selector -> severity."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _error(
            path, "override: expected a mapping of severity to rule codes", data, _OVERRIDE
        )
    result: dict[str, Severity] = {}
    for level, codes in value.items():
        severity = _OVERRIDE_LEVELS.get(level) if isinstance(level, str) else None
        if severity is None:
            choices = ", ".join(_OVERRIDE_LEVELS)
            message = f"unknown override level {level!r}; expected one of: {choices}"
            raise _error(path, message, data, _OVERRIDE, level, key=True)
        if codes is None:
            continue
        if not isinstance(codes, list):
            message = f"override.{level}: expected a list of rule codes"
            raise _error(path, message, data, _OVERRIDE, level)
        for index, code in enumerate(codes):
            if not isinstance(code, str) or not code.strip():
                message = f"override.{level}[{index}]: expected a rule code, got {code!r}"
                raise _error(path, message, data, _OVERRIDE, level, index)
            result[code.strip()] = severity
    return result


def settings_from_hadolint(data: Mapping[str, Any], path: Path) -> Settings:
    """Convert a parsed hadolint configuration into ``Settings``.

    ``data`` may be round-trip YAML (errors are then located) or a plain mapping.
    """
    translated: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, value in data.items():
        if key in _IGNORED_KEYS:
            continue
        if key == _OVERRIDE:
            translated["severity"] = _severity_overrides(value, data, path)
            origin["severity"] = key
            continue
        target = _KEY_MAP.get(key) if isinstance(key, str) else None
        if target is None:
            message = f"unknown hadolint key {key!r}"
            close = difflib.get_close_matches(str(key), sorted(HADOLINT_KEYS), n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
            raise _error(path, message, data, key, key=True)
        if target in translated:
            message = f"'{key}' repeats '{origin[target]}'"
            raise _error(path, message, data, key, key=True)
        if value is None:
            continue
        translated[target] = to_plain(value)
        origin[target] = key
    try:
        return Settings.model_validate(translated)
    except ValidationError as exc:
        raise config_error_from_validation(exc, path, data, rename=origin) from None
