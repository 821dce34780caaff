"""Configuration: settings models, file discovery and hadolint compatibility.

The names below are imported from their submodules on first use, so importing this
package stays cheap: pydantic, ruamel.yaml and the TOML parser are only loaded by the
code that reads a configuration file (or builds ``Settings``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dfopt.config.defaults import (
        AnySettings,
        DefaultFixSettings,
        DefaultFormatSettings,
        DefaultSettings,
    )
    from dfopt.config.discovery import (
        DFOPT_CONFIG_NAMES,
        HADOLINT_CONFIG_NAMES,
        ConfigKind,
        ResolvedConfig,
        clear_config_cache,
        config_kind,
        find_config,
        load_config_file,
        merge_settings,
        resolve_config,
    )
    from dfopt.config.errors import ConfigError
    from dfopt.config.hadolint import settings_from_hadolint
    from dfopt.config.models import LABEL_TYPES, FixSettings, FormatSettings, Settings
    from dfopt.config.yaml_loader import load_yaml_mapping, load_yaml_settings

#: Public name -> the submodule defining it.
_SOURCES: dict[str, str] = {
    "AnySettings": "defaults",
    "DefaultFixSettings": "defaults",
    "DefaultFormatSettings": "defaults",
    "DefaultSettings": "defaults",
    "DFOPT_CONFIG_NAMES": "discovery",
    "HADOLINT_CONFIG_NAMES": "discovery",
    "ConfigKind": "discovery",
    "ResolvedConfig": "discovery",
    "clear_config_cache": "discovery",
    "config_kind": "discovery",
    "find_config": "discovery",
    "load_config_file": "discovery",
    "merge_settings": "discovery",
    "resolve_config": "discovery",
    "ConfigError": "errors",
    "settings_from_hadolint": "hadolint",
    "LABEL_TYPES": "models",
    "FixSettings": "models",
    "FormatSettings": "models",
    "Settings": "models",
    "load_yaml_mapping": "yaml_loader",
    "load_yaml_settings": "yaml_loader",
}

__all__ = [
    "DFOPT_CONFIG_NAMES",
    "HADOLINT_CONFIG_NAMES",
    "LABEL_TYPES",
    "AnySettings",
    "ConfigError",
    "ConfigKind",
    "DefaultFixSettings",
    "DefaultFormatSettings",
    "DefaultSettings",
    "FixSettings",
    "FormatSettings",
    "ResolvedConfig",
    "Settings",
    "clear_config_cache",
    "config_kind",
    "find_config",
    "load_config_file",
    "load_yaml_mapping",
    "load_yaml_settings",
    "merge_settings",
    "resolve_config",
    "settings_from_hadolint",
]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{source}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
