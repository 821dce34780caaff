"""Read YAML configuration and turn validation failures into located ``ConfigError``s."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from dfopt.config.errors import ConfigError, read_config_text
from dfopt.config.models import Settings

__all__ = [
    "LocPart",
    "Locator",
    "config_error_from_validation",
    "format_key_path",
    "load_yaml_mapping",
    "load_yaml_settings",
    "position_of",
    "read_config_text",
    "to_plain",
    "validate_settings",
]

LocPart = str | int
#: Finds the 1-based ``(line, column)`` of a key path; ``prefer_key`` asks for the key itself.
Locator = Callable[[Sequence[LocPart], bool], tuple[int, int] | None]

_KEY_MARKER = "[key]"
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _reader_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def load_yaml_mapping(path: Path) -> CommentedMap:
    """Parse a YAML file whose top level must be a mapping; an empty file gives an empty one."""
    text = read_config_text(path)
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.problem and exc.context:
            problem = f"{exc.problem} ({exc.context})"
        if mark is None:
            raise ConfigError(path, f"invalid YAML: {problem}") from None
        raise ConfigError(
            path, f"invalid YAML: {problem}", mark.line + 1, mark.column + 1
        ) from None
    except ReaderError as exc:
        line, column = _reader_position(text, exc.position)
        raise ConfigError(path, f"invalid YAML: {exc.reason}", line, column) from None
    except YAMLError as exc:
        raise ConfigError(path, f"invalid YAML: {exc}") from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ConfigError(path, "the top level of a configuration file must be a mapping", 1, 1)
    return data


def to_plain(value: Any) -> Any:
    """Copy parsed YAML into plain dicts, lists and scalars."""
    if isinstance(value, Mapping):
        return {to_plain(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, bool | ScalarBoolean):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _pair(position: Any) -> tuple[int, int] | None:
    """Convert ruamel's 0-based ``(line, column)`` to 1-based."""
    if isinstance(position, Sequence) and len(position) >= 2:
        line, column = position[0], position[1]
        if isinstance(line, int) and isinstance(column, int):
            return line + 1, column + 1
    return None


def position_of(
    source: Any, loc: Sequence[LocPart], prefer_key: bool = False
) -> tuple[int, int] | None:
    """Locate a key path in round-trip YAML data (1-based), as close to it as possible.

    Scalar values are reported at the value; containers, missing values and
    ``prefer_key`` lookups at their key. Unknown path parts are skipped.
    """
    node = source
    best: tuple[int, int] | None = None
    key_position: tuple[int, int] | None = None
    value_position: tuple[int, int] | None = None
    for part in loc:
        if part == _KEY_MARKER:
            return key_position or best
        if isinstance(node, CommentedMap) and part in node:
            try:
                key_position = _pair(node.lc.key(part))
                value_position = _pair(node.lc.value(part))
            except (KeyError, AttributeError, TypeError):
                key_position = value_position = None
            node = node[part]
            if node is None:
                value_position = None
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            try:
                key_position = value_position = _pair(node.lc.item(part))
            except (KeyError, AttributeError, TypeError):
                key_position = value_position = None
            node = node[part]
        else:
            continue
        best = key_position or value_position or best
    if prefer_key or isinstance(node, Mapping | list):
        return key_position or best
    return value_position or key_position or best


def format_key_path(parts: Sequence[LocPart]) -> str:
    """Render a key path like ``fix.unsafe-fixes``, ``select[0]`` or ``rules["a.b"]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _SIMPLE_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f'["{part}"]' if text else f'"{part}"'
    return text


def _allowed_keys(model: type[BaseModel], parents: Sequence[LocPart]) -> list[str] | None:
    """Keys accepted by the (nested) model reached through ``parents``."""
    current = model
    for part in parents:
        found = None
        for name, field in current.model_fields.items():
            if part in (name, field.alias):
                found = field.annotation
        if not (isinstance(found, type) and issubclass(found, BaseModel)):
            return None
        current = found
    return [field.alias or name for name, field in current.model_fields.items()]


def _describe(
    error: ErrorDetails, parts: Sequence[LocPart], shown: Sequence[LocPart], model: type[BaseModel]
) -> str:
    """A short message for one pydantic error."""
    where = format_key_path(shown)
    kind = error["type"]
    if kind == "extra_forbidden" and parts:
        message = f"unknown key '{where}'"
        allowed = _allowed_keys(model, parts[:-1])
        last = parts[-1]
        if allowed and isinstance(last, str):
            close = difflib.get_close_matches(last.replace("_", "-"), allowed, n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
        return message
    if kind == "missing":
        return f"missing key '{where}'"
    if kind == "invalid_key":
        return f"invalid key {error['input']!r}: keys must be strings"
    msg = error["msg"].removeprefix("Value error, ")
    if shown and shown[-1] == _KEY_MARKER:
        where = format_key_path(shown[:-1])
        return f"{where}: invalid key {error['input']!r}: {msg}"
    value = error.get("input")
    if kind != "value_error" and (value is None or isinstance(value, str | int | float)):
        msg += f" (got {value!r})"
    return f"{where}: {msg}" if where else msg


def config_error_from_validation(
    exc: ValidationError,
    path: Path,
    source: Any,
    *,
    key_prefix: Sequence[str] = (),
    rename: Mapping[str, str] | None = None,
    locator: Locator | None = None,
    model: type[BaseModel] = Settings,
) -> ConfigError:
    """Turn a pydantic error into a ``ConfigError`` at the earliest offending position.

    ``rename`` maps a top-level key of the validated data back to the key written in
    ``source``; ``key_prefix`` is prepended to key paths in messages (``tool.dfopt``).
    """
    located: list[tuple[tuple[int, int] | None, str]] = []
    for error in exc.errors():
        parts: list[LocPart] = list(error["loc"])
        source_parts = list(parts)
        if rename and source_parts and isinstance(source_parts[0], str):
            source_parts[0] = rename.get(source_parts[0], source_parts[0])
        prefer_key = error["type"] in ("extra_forbidden", "missing", "invalid_key")
        if locator is not None:
            position = locator(source_parts, prefer_key)
        else:
            position = position_of(source, source_parts, prefer_key)
        shown = [*key_prefix, *source_parts]
        located.append((position, _describe(error, parts, shown, model)))
    located.sort(key=lambda item: item[0] or (1 << 30, 0))
    position, message = located[0]
    if len(located) > 1:
        extra = len(located) - 1
        message += f" (and {extra} more error{'s' if extra > 1 else ''})"
    line, column = position if position else (None, None)
    return ConfigError(path, message, line, column)


def validate_settings(
    data: Mapping[Any, Any],
    path: Path,
    *,
    key_prefix: Sequence[str] = (),
    locator: Locator | None = None,
) -> Settings:
    """Validate parsed configuration data, raising a located ``ConfigError`` on failure."""
    try:
        return Settings.model_validate(to_plain(data))
    except ValidationError as exc:
        raise config_error_from_validation(
            exc, path, data, key_prefix=key_prefix, locator=locator
        ) from None


def load_yaml_settings(path: Path) -> Settings:
    """Load a dfopt YAML file (without resolving ``extends``)."""
    return validate_settings(load_yaml_mapping(path), path)
