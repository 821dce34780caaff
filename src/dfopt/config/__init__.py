"""Configuration: settings models, file discovery and hadolint compatibility."""

from __future__ import annotations

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
from dfopt.config.models import LABEL_TYPES, FixSettings, Settings
from dfopt.config.yaml_loader import load_yaml_mapping, load_yaml_settings

__all__ = [
    "DFOPT_CONFIG_NAMES",
    "HADOLINT_CONFIG_NAMES",
    "LABEL_TYPES",
    "ConfigError",
    "ConfigKind",
    "FixSettings",
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
