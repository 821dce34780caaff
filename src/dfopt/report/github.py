"""GitHub Actions workflow commands: one annotation per finding.

A step that prints ``::warning file=Dockerfile,line=3,col=5,endColumn=18,title=DL3008::...``
makes GitHub annotate that range of the file in the run and the pull request. Errors
become ``error``, warnings ``warning``, info and style ``notice``. GitHub reads ``col``
and ``endColumn`` as an inclusive range and only on a single line, so a finding over
several lines gives ``line`` and ``endLine`` only. Property values escape ``%``, CR, LF,
``:`` and ``,``; the message escapes ``%``, CR and LF, as the runner expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dfopt.report import Finding
from dfopt.report.gnu import inclusive_end

__all__ = ["LEVELS", "escape_data", "escape_property", "format_annotation", "render_github"]

LEVELS: Mapping[str, str] = {
    "error": "error",
    "warning": "warning",
    "info": "notice",
    "style": "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property's value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _position(finding: Finding) -> list[tuple[str, int]]:
    end = inclusive_end(finding)
    if end is None:
        return [("line", finding.line), ("col", finding.column)]
    end_line, end_column = end
    if end_line != finding.line:
        return [("line", finding.line), ("endLine", end_line)]
    properties = [("line", finding.line), ("endLine", end_line), ("col", finding.column)]
    if end_column is not None:
        properties.append(("endColumn", end_column))
    return properties


def format_annotation(finding: Finding) -> str:
    """``::LEVEL file=...,line=...,...,title=CODE::message``."""
    level = LEVELS.get(finding.severity, "notice")
    properties = [
        f"file={escape_property(finding.path)}",
        *(f"{key}={value}" for key, value in _position(finding)),
        f"title={escape_property(finding.code)}",
    ]
    return f"::{level} {','.join(properties)}::{escape_data(finding.message)}"


def render_github(findings: Sequence[Finding]) -> str:
    """One workflow command a line; nothing at all when there are no findings."""
    return "".join(f"{format_annotation(finding)}\n" for finding in findings)
