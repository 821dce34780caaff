"""Pydantic models describing dfopt's settings.

Keys are written in kebab-case in configuration files (``extend-select``); the snake_case
field names are accepted too. Unknown keys are rejected.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from dfopt.config.defaults import fails_on
from dfopt.severity import Severity

__all__ = [
    "LABEL_TYPES",
    "FixSettings",
    "FormatSettings",
    "Glob",
    "LabelType",
    "Selector",
    "Settings",
    "SeverityValue",
    "kebab_case",
]

#: Label value types understood by hadolint's ``label-schema``.
LABEL_TYPES: frozenset[str] = frozenset(
    {"text", "url", "semver", "hash", "rfc3339", "spdx", "email"},
)


def kebab_case(name: str) -> str:
    """Return the configuration key for a snake_case field name."""
    return name.replace("_", "-")


def _coerce_severity(value: object) -> object:
    """Parse severity names, accepting hadolint's spellings (``warn``, ``none``, ``off``)."""
    if isinstance(value, Severity) or not isinstance(value, str):
        return value
    try:
        return Severity.parse(value)
    except ValueError:
        choices = ", ".join(level.value for level in Severity)
        raise ValueError(f"invalid severity {value!r}; expected one of: {choices}") from None


def _check_label_type(value: str) -> str:
    """Reject label types hadolint does not know."""
    if value not in LABEL_TYPES:
        choices = ", ".join(sorted(LABEL_TYPES))
        raise ValueError(f"invalid label type {value!r}; expected one of: {choices}")
    return value


#: A rule selector: code, code prefix, ``ALL``, rule name or alias (checked by the engine).
Selector = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: A glob pattern, matched relative to the configuration's root directory.
Glob = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: A severity, given by name in configuration files.
SeverityValue = Annotated[Severity, BeforeValidator(_coerce_severity)]
#: A label type of hadolint's ``label-schema``.
LabelType = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True),
    AfterValidator(_check_label_type),
]
_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _ConfigModel(BaseModel):
    """Shared behaviour: kebab-case keys, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=kebab_case)


class FixSettings(_ConfigModel):
    """How fixes are applied."""

    unsafe_fixes: bool = False
    fixable: list[Selector] = Field(default_factory=lambda: ["ALL"])
    unfixable: list[Selector] = Field(default_factory=list)
    verify: bool = False


class FormatSettings(_ConfigModel):
    """How ``dfopt format`` lays Dockerfiles out (and whether ``dfopt fix`` does too)."""

    enabled: bool = False
    keyword_case: Literal["upper", "lower"] = "upper"
    indent: int = Field(default=4, ge=1, le=16)
    line_width: int = Field(default=80, ge=20, le=1000)
    operator_position: Literal["start", "end"] = "start"
    split_chains: bool = True
    exec_form: bool = True
    env_label_form: bool = True
    sort_packages: bool = False
    max_blank_lines: int = Field(default=1, ge=0, le=10)
    blank_line_before_stage: bool = True


class Settings(_ConfigModel):
    """Everything a configuration file can set."""

    extends: _Name | None = None
    select: list[Selector] | None = None
    extend_select: list[Selector] = Field(default_factory=list)
    ignore: list[Selector] = Field(default_factory=list)
    per_file_ignores: dict[Glob, list[Selector]] = Field(default_factory=dict)
    severity: dict[Selector, SeverityValue] = Field(default_factory=dict)
    failure_threshold: SeverityValue = Severity.INFO
    fix: FixSettings = Field(default_factory=FixSettings)
    format: FormatSettings = Field(default_factory=FormatSettings)
    rules: dict[_Name, dict[str, Any]] = Field(default_factory=dict)
    include: list[Glob] = Field(default_factory=list)
    exclude: list[Glob] = Field(default_factory=list)
    trusted_registries: list[_Name] = Field(default_factory=list)
    label_schema: dict[_Name, LabelType] = Field(default_factory=dict)
    strict_labels: bool = False
    disable_ignore_pragma: bool = False
    no_fail: bool = False

    def fails_on(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the run fail.

        Nothing fails with ``no-fail`` or a ``failure-threshold`` of ``ignore``/``none``;
        ignored findings never fail.
        """
        return fails_on(severity, self.failure_threshold, self.no_fail)
