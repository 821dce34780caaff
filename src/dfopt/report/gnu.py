"""The GNU format: ``dfopt:path:line.col-endcol: CODE severity: message``.

It follows the GNU coding standards for messages of non-interactive programs (program
name, then source file and position), as hadolint's ``gnu`` format does, but with the
real range of the finding instead of the line alone: ``3.5-18`` (line 3, columns 5 to
18), ``3.46-4.4`` across lines, ``3.5`` for a point. Positions are 1-based and the end
column is inclusive, as in the standard (and as Emacs' compilation mode reads it); a
finding is never split over several lines of output.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfopt.report import Finding

__all__ = ["PROGRAM", "format_gnu_finding", "gnu_range", "inclusive_end", "render_gnu"]

PROGRAM = "dfopt"


def inclusive_end(finding: Finding) -> tuple[int, int | None] | None:
    """The line and column of the last character of ``finding``.

    ``None`` for an empty range (a point). The column is ``None`` when the range ends
    with a line break: that character's column is not known from the finding alone.
    """
    if (finding.end_line, finding.end_column) <= (finding.line, finding.column):
        return None
    if finding.end_column > 1:
        return finding.end_line, finding.end_column - 1
    return finding.end_line - 1, None


def gnu_range(finding: Finding) -> str:
    """``line.col``, ``line.col-endcol`` or ``line.col-endline.endcol``."""
    start = f"{finding.line}.{finding.column}"
    end = inclusive_end(finding)
    if end is None:
        return start
    end_line, end_column = end
    if end_column is None:
        return start
    if end_line == finding.line:
        return start if end_column == finding.column else f"{start}-{end_column}"
    return f"{start}-{end_line}.{end_column}"


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def format_gnu_finding(finding: Finding) -> str:
    message = _one_line(finding.message)
    return (
        f"{PROGRAM}:{finding.path}:{gnu_range(finding)}: "
        f"{finding.code} {finding.severity}: {message}"
    )


def render_gnu(findings: Sequence[Finding]) -> str:
    """One line per finding; nothing at all when there are none."""
    return "".join(f"{format_gnu_finding(finding)}\n" for finding in findings)
