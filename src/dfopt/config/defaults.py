"""The default settings as plain records, for runs that find no configuration file.

Most runs (``--isolated``, or a project without a configuration file) only need the
defaults; building them with the pydantic models would cost more start-up time than the
linting itself. :class:`DefaultSettings` mirrors :class:`~dfopt.config.models.Settings`
field for field, with the same defaults, and compares equal to a ``Settings`` holding the
same values; the tests check that the two stay in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from dfopt.severity import Severity
from dfopt.syntax._record import field_names, record, set_field

if TYPE_CHECKING:
    from dfopt.config.models import Settings

__all__ = [
    "AnySettings",
    "DefaultFixSettings",
    "DefaultFormatSettings",
    "DefaultSettings",
    "fails_on",
]

KeywordCase = Literal["upper", "lower"]
OperatorPosition = Literal["start", "end"]

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
    """Whether ``other`` has every field of the record ``mine``, with equal values."""
    return all(getattr(mine, name) == getattr(other, name, _MISSING) for name in field_names(mine))


@record(eq=False)
class DefaultFixSettings:
    """The defaults of :class:`~dfopt.config.models.FixSettings`."""

    __slots__ = ("fixable", "unfixable", "unsafe_fixes", "verify")

    unsafe_fixes: bool
    fixable: list[str]
    unfixable: list[str]
    verify: bool

    def __init__(
        self,
        unsafe_fixes: bool = False,
        fixable: list[str] | None = None,
        unfixable: list[str] | None = None,
        verify: bool = False,
    ) -> None:
        set_field(self, "unsafe_fixes", unsafe_fixes)
        set_field(self, "fixable", ["ALL"] if fixable is None else fixable)
        set_field(self, "unfixable", [] if unfixable is None else unfixable)
        set_field(self, "verify", verify)

    def __eq__(self, other: object) -> bool:
        return _same_values(self, other)


@record(eq=False)
class DefaultFormatSettings:
    """The defaults of :class:`~dfopt.config.models.FormatSettings` (how ``dfopt format``
    lays a Dockerfile out)."""

    __slots__ = (
        "blank_line_before_stage",
        "enabled",
        "env_label_form",
        "exec_form",
        "indent",
        "keyword_case",
        "line_width",
        "max_blank_lines",
        "operator_position",
        "sort_packages",
        "split_chains",
    )

    enabled: bool
    """``dfopt fix`` formats its output too."""
    keyword_case: KeywordCase
    indent: int
    line_width: int
    operator_position: OperatorPosition
    split_chains: bool
    exec_form: bool
    env_label_form: bool
    sort_packages: bool
    max_blank_lines: int
    blank_line_before_stage: bool

    def __init__(
        self,
        enabled: bool = False,
        keyword_case: KeywordCase = "upper",
        indent: int = 4,
        line_width: int = 80,
        operator_position: OperatorPosition = "start",
        split_chains: bool = True,
        exec_form: bool = True,
        env_label_form: bool = True,
        sort_packages: bool = False,
        max_blank_lines: int = 1,
        blank_line_before_stage: bool = True,
    ) -> None:
        set_field(self, "enabled", enabled)
        set_field(self, "keyword_case", keyword_case)
        set_field(self, "indent", indent)
        set_field(self, "line_width", line_width)
        set_field(self, "operator_position", operator_position)
        set_field(self, "split_chains", split_chains)
        set_field(self, "exec_form", exec_form)
        set_field(self, "env_label_form", env_label_form)
        set_field(self, "sort_packages", sort_packages)
        set_field(self, "max_blank_lines", max_blank_lines)
        set_field(self, "blank_line_before_stage", blank_line_before_stage)

    def __eq__(self, other: object) -> bool:
        return all(
            getattr(self, name) == getattr(other, name, object()) for name in field_names(self)
        )

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in field_names(self)))


@record(eq=False)
class DefaultSettings:
    """The defaults of :class:`~dfopt.config.models.Settings`, without pydantic."""

    __slots__ = (
        "disable_ignore_pragma",
        "exclude",
        "extend_select",
        "extends",
        "failure_threshold",
        "fix",
        "format",
        "ignore",
        "include",
        "label_schema",
        "no_fail",
        "per_file_ignores",
        "rules",
        "select",
        "severity",
        "strict_labels",
        "trusted_registries",
    )

    extends: str | None
    select: list[str] | None
    extend_select: list[str]
    ignore: list[str]
    per_file_ignores: dict[str, list[str]]
    severity: dict[str, Severity]
    failure_threshold: Severity
    fix: DefaultFixSettings
    format: DefaultFormatSettings
    rules: dict[str, dict[str, Any]]
    include: list[str]
    exclude: list[str]
    trusted_registries: list[str]
    label_schema: dict[str, str]
    strict_labels: bool
    disable_ignore_pragma: bool
    no_fail: bool

    def __init__(
        self,
        extends: str | None = None,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        per_file_ignores: dict[str, list[str]] | None = None,
        severity: dict[str, Severity] | None = None,
        failure_threshold: Severity = Severity.INFO,
        fix: DefaultFixSettings | None = None,
        format: DefaultFormatSettings | None = None,
        rules: dict[str, dict[str, Any]] | None = None,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        trusted_registries: list[str] | None = None,
        label_schema: dict[str, str] | None = None,
        strict_labels: bool = False,
        disable_ignore_pragma: bool = False,
        no_fail: bool = False,
    ) -> None:
        set_field(self, "extends", extends)
        set_field(self, "select", select)
        set_field(self, "extend_select", [] if extend_select is None else extend_select)
        set_field(self, "ignore", [] if ignore is None else ignore)
        set_field(self, "per_file_ignores", {} if per_file_ignores is None else per_file_ignores)
        set_field(self, "severity", {} if severity is None else severity)
        set_field(self, "failure_threshold", failure_threshold)
        set_field(self, "fix", DefaultFixSettings() if fix is None else fix)
        set_field(self, "format", DefaultFormatSettings() if format is None else format)
        set_field(self, "rules", {} if rules is None else rules)
        set_field(self, "include", [] if include is None else include)
        set_field(self, "exclude", [] if exclude is None else exclude)
        set_field(
            self, "trusted_registries", [] if trusted_registries is None else trusted_registries
        )
        set_field(self, "label_schema", {} if label_schema is None else label_schema)
        set_field(self, "strict_labels", strict_labels)
        set_field(self, "disable_ignore_pragma", disable_ignore_pragma)
        set_field(self, "no_fail", no_fail)

    def fails_on(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the run fail (see :func:`fails_on`)."""
        return fails_on(severity, self.failure_threshold, self.no_fail)

    def __eq__(self, other: object) -> bool:
        return _same_values(self, other)
