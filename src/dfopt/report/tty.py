"""hadolint's ``tty`` format: ``path:line CODE severity: message``, one finding a line.

The line shape is hadolint's own, so problem matchers and error formats written for
hadolint's default output (``%f:%l %m``) read dfopt's unchanged; use the ``text`` or
``gnu`` format for columns. With colour on, the severity is coloured as hadolint does:
errors bold red, warnings bold yellow, infos green, style cyan.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfopt.report import Finding

__all__ = ["format_tty_finding", "render_tty"]

_COLORS = {"error": "1;31", "warning": "1;33", "info": "32", "style": "36"}


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def format_tty_finding(finding: Finding, *, color: bool = False) -> str:
    """``Dockerfile:3 DL3008 warning: Pin versions in apt-get install``."""
    severity = finding.severity
    if color and severity in _COLORS:
        severity = f"\x1b[{_COLORS[severity]}m{severity}\x1b[0m"
    message = _one_line(finding.message)
    return f"{finding.path}:{finding.line} {finding.code} {severity}: {message}"


def render_tty(findings: Sequence[Finding], *, color: bool = False) -> str:
    """Every finding on its own line; nothing at all when there are none."""
    return "".join(f"{format_tty_finding(finding, color=color)}\n" for finding in findings)
