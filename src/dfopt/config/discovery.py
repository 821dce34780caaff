"""Find, load and cache the configuration that applies to a Dockerfile.

The TOML parser, the YAML loader and the pydantic models are imported when a
configuration file is read, so a run that finds none (or uses ``--isolated``) does not
load them: it gets :class:`~dfopt.config.defaults.DefaultSettings`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from dfopt.config.defaults import AnySettings, DefaultSettings
from dfopt.config.errors import ConfigError, read_config_text
from dfopt.syntax._record import record, set_field

if TYPE_CHECKING:
    from pydantic import BaseModel

    from dfopt.config.models import Settings
    from dfopt.config.yaml_loader import Locator, LocPart

SectionT = TypeVar("SectionT", bound="BaseModel")

__all__ = [
    "DFOPT_CONFIG_NAMES",
    "HADOLINT_CONFIG_NAMES",
    "PYPROJECT",
    "ConfigKind",
    "ResolvedConfig",
    "clear_config_cache",
    "config_kind",
    "find_config",
    "load_config_file",
    "merge_settings",
    "resolve_config",
    "user_hadolint_config",
]

#: dfopt's own configuration files, in order of preference within one directory.
DFOPT_CONFIG_NAMES: tuple[str, ...] = (".dfopt.yaml", ".dfopt.yml", "dfopt.yaml")
#: Used when it has a ``[tool.dfopt]`` table, after the YAML names.
PYPROJECT = "pyproject.toml"
#: hadolint's per-project configuration files, used when no dfopt configuration exists.
HADOLINT_CONFIG_NAMES: tuple[str, ...] = (".hadolint.yaml", ".hadolint.yml")

ConfigKind = Literal["dfopt", "hadolint", "default"]

#: Top-level keys merged one level deep by ``extends`` instead of being replaced.
_DEEP_MERGE_FIELDS = frozenset({"rules", "severity", "per_file_ignores"})
_TOML_PREFIX = ("tool", "dfopt")
# Patterns for pyproject files only, compiled (and cached by ``re``) on first use.
_TOML_HEADER = r"^\s*\[(?!\[)(?P<name>[^\]]*)\]"
_TOML_ERROR_POSITION = r"\(at line (\d+), column (\d+)\)"


def _toml() -> ModuleType | None:
    """The TOML parser: ``tomllib``, or ``tomli`` before Python 3.11 (None without it)."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10 only
        import tomli  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    module: ModuleType = tomli
    return module


@record()
class ResolvedConfig:
    """The settings in force for a file and where they came from.

    Without a configuration file, ``settings`` is a :class:`DefaultSettings`, which equals
    ``Settings()``.
    """

    __slots__ = ("kind", "path", "root", "settings")

    settings: AnySettings
    path: Path | None
    root: Path
    kind: ConfigKind

    def __init__(
        self, settings: AnySettings, path: Path | None, root: Path, kind: ConfigKind = "default"
    ) -> None:
        set_field(self, "settings", settings)
        set_field(self, "path", path)
        set_field(self, "root", root)
        set_field(self, "kind", kind)


def _is_file(path: Path) -> bool:
    """``Path.is_file`` that treats unreadable locations as absent."""
    try:
        return path.is_file()
    except OSError:
        return False


def _start_directory(start: Path) -> Path:
    """The absolute directory a search starts from: ``start`` or its parent."""
    path = start.expanduser().resolve()
    try:
        return path if path.is_dir() else path.parent
    except OSError:
        return path.parent


def _walk_up(directory: Path) -> list[Path]:
    """``directory`` and each of its ancestors, closest first."""
    return [directory, *directory.parents]


def config_kind(path: Path) -> Literal["dfopt", "hadolint"]:
    """Tell hadolint configuration files from dfopt ones by their name."""
    return "hadolint" if path.name.lower().lstrip(".").startswith("hadolint") else "dfopt"


def user_hadolint_config() -> Path | None:
    """``$XDG_CONFIG_HOME/hadolint.yaml``, or ``~/.config/hadolint.yaml``."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if base:
        return Path(base) / "hadolint.yaml"
    try:
        return Path.home() / ".config" / "hadolint.yaml"
    except RuntimeError:
        return None


def _parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file, returning its data and text."""
    toml = _toml()
    if toml is None:
        raise ConfigError(path, "reading TOML needs the 'tomli' package on this Python version")
    text = read_config_text(path)
    try:
        data: dict[str, Any] = toml.loads(text)
    except ValueError as exc:
        message = str(exc)
        match = re.search(_TOML_ERROR_POSITION, message)
        if match is None:
            raise ConfigError(path, f"invalid TOML: {message}") from None
        message = message[: match.start()].rstrip()
        line, column = int(match.group(1)), int(match.group(2))
        raise ConfigError(path, f"invalid TOML: {message}", line, column) from None
    return data, text


def _dfopt_table(data: Mapping[str, Any]) -> Any:
    """The ``[tool.dfopt]`` value of parsed pyproject data, or ``None``."""
    tool = data.get("tool")
    return tool.get("dfopt") if isinstance(tool, Mapping) else None


def _has_dfopt_table(path: Path) -> bool:
    """Whether a ``pyproject.toml`` configures dfopt."""
    if _toml() is None:
        return False
    data, _ = _parse_toml(path)
    return isinstance(_dfopt_table(data), Mapping)


def _dfopt_config_in(directory: Path) -> Path | None:
    """The dfopt configuration file of one directory, if any."""
    for name in DFOPT_CONFIG_NAMES:
        candidate = directory / name
        if _is_file(candidate):
            return candidate
    candidate = directory / PYPROJECT
    if _is_file(candidate) and _has_dfopt_table(candidate):
        return candidate
    return None


def find_config(start: Path) -> Path | None:
    """Find the configuration file for ``start`` (a file or a directory).

    The closest directory holding a dfopt configuration wins; without any, the closest
    hadolint configuration, then the user's hadolint configuration.
    """
    directories = _walk_up(_start_directory(start))
    for directory in directories:
        found = _dfopt_config_in(directory)
        if found is not None:
            return found
    for directory in directories:
        for name in HADOLINT_CONFIG_NAMES:
            candidate = directory / name
            if _is_file(candidate):
                return candidate
    user = user_hadolint_config()
    if user is not None and _is_file(user):
        return user
    return None


def _toml_sections(lines: Sequence[str]) -> list[tuple[str, int, int]]:
    """``(table name, first line index, end line index)`` of each ``[table]``."""
    sections: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("["):
            continue
        if current is not None:
            sections.append((current[0], current[1], index))
        match = re.match(_TOML_HEADER, line)
        name = re.sub(r"[\s\"']", "", match.group("name")) if match else ""
        current = (name, index + 1)
    if current is not None:
        sections.append((current[0], current[1], len(lines)))
    return sections


def _toml_locator(text: str) -> Locator:
    """Best-effort positions of ``[tool.dfopt]`` keys (TOML parsers give none)."""
    lines = text.splitlines()
    sections = _toml_sections(lines)

    def locate(loc: Sequence[LocPart], prefer_key: bool) -> tuple[int, int] | None:
        keys: list[str] = []
        for part in loc:
            if not isinstance(part, str) or part == "[key]":
                break
            keys.append(part)
        for depth in range(len(keys) - 1, -1, -1):
            table = ".".join((*_TOML_PREFIX, *keys[:depth]))
            pattern = re.compile(rf"^(\s*)([\"']?){re.escape(keys[depth])}\2\s*=")
            for name, first, end in sections:
                if name != table:
                    continue
                for index in range(first, end):
                    match = pattern.match(lines[index])
                    if match:
                        return index + 1, len(match.group(1)) + 1
        return None

    return locate


def _load_pyproject(path: Path) -> tuple[Settings, tuple[int, int] | None]:
    """Validate ``[tool.dfopt]``; also return the position of ``extends``."""
    from dfopt.config.yaml_loader import validate_settings

    data, text = _parse_toml(path)
    table = _dfopt_table(data)
    if not isinstance(table, Mapping):
        raise ConfigError(path, "no [tool.dfopt] table")
    locator = _toml_locator(text)
    settings = validate_settings(table, path, key_prefix=_TOML_PREFIX, locator=locator)
    return settings, locator(("extends",), True)


def _load_dfopt_yaml(path: Path) -> tuple[Settings, tuple[int, int] | None]:
    """Validate a dfopt YAML file; also return the position of ``extends``."""
    from dfopt.config.yaml_loader import load_yaml_mapping, position_of, validate_settings

    data = load_yaml_mapping(path)
    settings = validate_settings(data, path)
    return settings, position_of(data, ("extends",), True)


def _merge_section(base: SectionT, override: SectionT) -> SectionT:
    """Fields set in ``override`` replace those of ``base`` (a ``fix`` or ``format`` section)."""
    data = {name: getattr(base, name) for name in base.model_fields_set}
    data.update({name: getattr(override, name) for name in override.model_fields_set})
    return type(base).model_validate(data)


def merge_settings(base: Settings, override: Settings) -> Settings:
    """Apply ``override`` (an extending file) on top of ``base`` (the file it extends).

    Keys set in ``override`` replace the base's, except ``fix``, ``format``, ``rules``,
    ``severity`` and ``per-file-ignores``, whose entries are merged one level deep.
    """
    from dfopt.config.models import Settings

    data: dict[str, Any] = {name: getattr(base, name) for name in base.model_fields_set}
    for name in override.model_fields_set:
        value = getattr(override, name)
        if name in data and name in ("fix", "format"):
            value = _merge_section(getattr(base, name), value)
        elif name in data and name in _DEEP_MERGE_FIELDS:
            value = {**data[name], **value}
        data[name] = value
    return Settings.model_validate(data)


def _load(path: Path, chain: tuple[Path, ...]) -> Settings:
    """Load one file and, recursively, the files it extends."""
    if not _is_file(path):
        raise ConfigError(path, "configuration file not found")
    if config_kind(path) == "hadolint":
        from dfopt.config.hadolint import settings_from_hadolint
        from dfopt.config.yaml_loader import load_yaml_mapping

        return settings_from_hadolint(load_yaml_mapping(path), path)
    if path.suffix.lower() == ".toml":
        settings, extends_at = _load_pyproject(path)
    else:
        settings, extends_at = _load_dfopt_yaml(path)
    if settings.extends is None:
        return settings
    line, column = extends_at if extends_at else (None, None)
    target = Path(settings.extends).expanduser()
    if not target.is_absolute():
        target = path.parent / target
    chain = (*chain, path.resolve())
    if target.resolve() in chain:
        cycle = " -> ".join(str(item) for item in (*chain, target.resolve()))
        raise ConfigError(path, f"'extends' forms a cycle: {cycle}", line, column)
    if not _is_file(target):
        message = f"'extends' target not found: {settings.extends}"
        raise ConfigError(path, message, line, column)
    return merge_settings(_load(target, chain), settings)


def load_config_file(path: Path) -> Settings:
    """Load a configuration file, resolving ``extends``.

    The format follows the name: ``pyproject.toml`` (``[tool.dfopt]``), hadolint YAML
    (``.hadolint.yaml``, ``hadolint.yaml``) or dfopt YAML (anything else).
    """
    return _load(path, ())


_directory_cache: dict[Path, ResolvedConfig] = {}
_file_cache: dict[Path, ResolvedConfig] = {}


def clear_config_cache() -> None:
    """Forget every cached configuration."""
    _directory_cache.clear()
    _file_cache.clear()


def _resolved_file(path: Path) -> ResolvedConfig:
    """Load ``path`` once and remember the result."""
    key = path.expanduser().resolve()
    cached = _file_cache.get(key)
    if cached is None:
        cached = ResolvedConfig(load_config_file(key), key, key.parent, config_kind(key))
        _file_cache[key] = cached
    return cached


def _defaults() -> ResolvedConfig:
    """Default settings rooted at the working directory."""
    return ResolvedConfig(DefaultSettings(), None, Path.cwd(), "default")


def resolve_config(
    target: Path, explicit: Path | None = None, isolated: bool = False
) -> ResolvedConfig:
    """The configuration for ``target``; results are cached per directory.

    ``isolated`` ignores every configuration file; ``explicit`` uses that file wherever
    it is.
    """
    if isolated:
        return _defaults()
    if explicit is not None:
        return _resolved_file(explicit)
    directory = _start_directory(target)
    cached = _directory_cache.get(directory)
    if cached is None:
        found = find_config(directory)
        cached = _resolved_file(found) if found is not None else _defaults()
        _directory_cache[directory] = cached
    return cached
