"""Findings as the outside world sees them: paths, 1-based positions, fix descriptions.

A :class:`Finding` is built once from an engine violation and then rendered by one of
the format modules (:mod:`dfopt.report.text`, :mod:`dfopt.report.json_format`).

Positions: ``line`` and ``column`` are 1-based and count characters (not bytes) of the
line as an editor shows it, so a UTF-8 byte order mark is not counted. ``end_line`` and
``end_column`` point just after the last character of the finding (end exclusive): a
finding covering ``RUN`` at the start of line 3 has ``column`` 1 and ``end_column`` 4.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from dfopt.syntax._record import record, set_field

if TYPE_CHECKING:
    from dfopt.rules_api import Violation
    from dfopt.syntax import Source, Span

__all__ = [
    "Finding",
    "FixEdit",
    "FixInfo",
    "Locator",
    "Statistic",
    "Summary",
    "findings_from",
    "plural",
    "sort_findings",
    "statistics",
    "summarize",
]


def plural(count: int, word: str) -> str:
    """``1 problem``, ``2 problems``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Locator:
    """Turns character offsets of one text into 1-based (line, column) pairs."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._bom = source.text.startswith("\ufeff")

    def position(self, offset: int) -> tuple[int, int]:
        position = self._source.position(offset)
        column = position.column
        if self._bom and position.line == 1 and offset > 0:
            column -= 1
        return position.line, column

    def range(self, span: Span) -> tuple[int, int, int, int]:
        line, column = self.position(span.start)
        end_line, end_column = self.position(span.end)
        return line, column, end_line, end_column


@record()
class FixEdit:
    """One replacement; an empty range inserts, empty content deletes."""

    __slots__ = ("column", "content", "end_column", "end_line", "line")

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def __init__(
        self, line: int, column: int, end_line: int, end_column: int, content: str
    ) -> None:
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "end_line", end_line)
        set_field(self, "end_column", end_column)
        set_field(self, "content", content)


@record()
class FixInfo:
    """A fix as reported: its applicability (safe, unsafe, display-only) and edits."""

    __slots__ = ("applicability", "edits", "title")

    applicability: str
    title: str
    edits: tuple[FixEdit, ...]

    def __init__(self, applicability: str, title: str, edits: tuple[FixEdit, ...]) -> None:
        set_field(self, "applicability", applicability)
        set_field(self, "title", title)
        set_field(self, "edits", edits)


@record()
class Finding:
    """One reported problem."""

    __slots__ = (
        "code",
        "column",
        "end_column",
        "end_line",
        "fails",
        "fix",
        "fixable",
        "line",
        "message",
        "name",
        "path",
        "severity",
        "unsafe_fixable",
    )

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: str
    message: str
    fix: FixInfo | None
    fixable: bool
    """A fix that ``dfopt fix`` applies (with the options of this run) exists."""
    unsafe_fixable: bool
    """A fix exists that ``dfopt fix`` applies only with ``--unsafe-fixes``."""
    fails: bool
    """The finding's severity reaches the failure threshold."""

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        code: str,
        name: str,
        severity: str,
        message: str,
        fix: FixInfo | None = None,
        fixable: bool = False,
        unsafe_fixable: bool = False,
        fails: bool = True,
    ) -> None:
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "end_line", end_line)
        set_field(self, "end_column", end_column)
        set_field(self, "code", code)
        set_field(self, "name", name)
        set_field(self, "severity", severity)
        set_field(self, "message", message)
        set_field(self, "fix", fix)
        set_field(self, "fixable", fixable)
        set_field(self, "unsafe_fixable", unsafe_fixable)
        set_field(self, "fails", fails)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


def findings_from(
    violations: Iterable[Violation],
    source: Source,
    path: str,
    *,
    is_fixable: Callable[[str], bool] = lambda code: True,
    unsafe: bool = False,
    fails_on: Callable[[str], bool] = lambda severity: True,
) -> list[Finding]:
    """Make findings from the violations of one file.

    ``is_fixable(code)`` tells whether the configuration lets a rule's fixes apply,
    ``unsafe`` whether unsafe fixes count as applicable in this run and
    ``fails_on(severity name)`` whether a severity reaches the failure threshold.
    """
    locate = Locator(source)
    found = []
    for violation in violations:
        line, column, end_line, end_column = locate.range(violation.span)
        fix_info = None
        fixable = unsafe_fixable = False
        fix = violation.fix
        if fix is not None:
            edits = tuple(
                FixEdit(*locate.range(edit.span), content=edit.text) for edit in fix.edits
            )
            kind = fix.applicability.value
            fix_info = FixInfo(kind, fix.title, edits)
            allowed = bool(fix.edits) and is_fixable(violation.code)
            fixable = allowed and (kind == "safe" or (kind == "unsafe" and unsafe))
            unsafe_fixable = allowed and kind == "unsafe" and not unsafe
        severity = violation.severity.value
        found.append(
            Finding(
                path=path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                code=violation.code,
                name=violation.name,
                severity=severity,
                message=violation.message,
                fix=fix_info,
                fixable=fixable,
                unsafe_fixable=unsafe_fixable,
                fails=fails_on(severity),
            )
        )
    return found


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered by path, line, column and code (a stable output order)."""
    return sorted(findings, key=lambda finding: finding.sort_key)


@record()
class Summary:
    """Totals over the findings of a run."""

    __slots__ = ("files", "fixable", "problems", "unsafe_fixable")

    problems: int
    files: int
    fixable: int
    unsafe_fixable: int

    def __init__(self, problems: int, files: int, fixable: int, unsafe_fixable: int) -> None:
        set_field(self, "problems", problems)
        set_field(self, "files", files)
        set_field(self, "fixable", fixable)
        set_field(self, "unsafe_fixable", unsafe_fixable)


def summarize(findings: Sequence[Finding]) -> Summary:
    return Summary(
        problems=len(findings),
        files=len({finding.path for finding in findings}),
        fixable=sum(1 for finding in findings if finding.fixable),
        unsafe_fixable=sum(1 for finding in findings if finding.unsafe_fixable),
    )


@record()
class Statistic:
    """How often one rule fired."""

    __slots__ = ("code", "count", "fixable", "name")

    code: str
    name: str
    count: int
    fixable: int

    def __init__(self, code: str, name: str, count: int, fixable: int) -> None:
        set_field(self, "code", code)
        set_field(self, "name", name)
        set_field(self, "count", count)
        set_field(self, "fixable", fixable)


def statistics(findings: Iterable[Finding]) -> list[Statistic]:
    """Counts per code, most frequent first (ties by code)."""
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for finding in findings:
        entry = counts.setdefault(finding.code, [0, 0])
        entry[0] += 1
        entry[1] += int(finding.fixable)
        names.setdefault(finding.code, finding.name)
    stats = [
        Statistic(code, names[code], count, fixable) for code, (count, fixable) in counts.items()
    ]
    return sorted(stats, key=lambda stat: (-stat.count, stat.code))
