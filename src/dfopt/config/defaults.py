"""The default settings as plain dataclasses, for runs that find no configuration file.

Most runs (``--isolated``, or a project without a configuration file) only need the
defaults; building them with the pydantic models would cost more start-up time than the
linting itself. :class:`DefaultSettings` mirrors :class:`~dfopt.config.models.Settings`
field for field, with the same defaults, and compares equal to a ``Settings`` holding the
same values; the tests check that the two stay in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeAlias

from dfopt.severity import Severity

if TYPE_CHECKING:
    from dfopt.config.models import Settings

__all__ = ["AnySettings", "DefaultFixSettings", "DefaultSettings", "fails_on"]

#: What the engine accepts as settings: validated ``Settings`` or the defaults.
AnySettings: TypeAlias = "Settings | DefaultSettings"


def fails_on(severity: Severity, threshold: Severity, no_fail: bool) -> bool:
    """Whether a finding of ``severity`` makes the run fail.

    Nothing fails with ``no-fail`` or a ``failure-threshold`` of ``ignore``/``none``;
    ignored findings never fail.
    """
    if no_fail or threshold is Severity.IGNORE or severity is Severity.IGNORE:
        return False
    return severity.at_least(threshold)


_MISSING = object()


def _same_values(mine: DefaultSettings | DefaultFixSettings, other: object) -> bool:
    """Whether ``other`` has every field of the dataclass ``mine``, with equal values."""
    return all(
        getattr(mine, item.name) == getattr(other, item.name, _MISSING) for item in fields(mine)
    )


@dataclass(frozen=True, eq=False)
class DefaultFixSettings:
    """The defaults of :class:`~dfopt.config.models.FixSettings`."""

    unsafe_fixes: bool = False
    fixable: list[str] = field(default_factory=lambda: ["ALL"])
    unfixable: list[str] = field(default_factory=list)
    verify: bool = False

    def __eq__(self, other: object) -> bool:
        return _same_values(self, other)


@dataclass(frozen=True, eq=False)
class DefaultSettings:
    """The defaults of :class:`~dfopt.config.models.Settings`, without pydantic."""

    extends: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    failure_threshold: Severity = Severity.INFO
    fix: DefaultFixSettings = field(default_factory=DefaultFixSettings)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    trusted_registries: list[str] = field(default_factory=list)
    label_schema: dict[str, str] = field(default_factory=dict)
    strict_labels: bool = False
    disable_ignore_pragma: bool = False
    no_fail: bool = False

    def fails_on(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the run fail (see :func:`fails_on`)."""
        return fails_on(severity, self.failure_threshold, self.no_fail)

    def __eq__(self, other: object) -> bool:
        return _same_values(self, other)
