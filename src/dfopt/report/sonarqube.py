"""SonarQube's generic issue import format: ``{"issues": [...]}``.

Each issue has ``engineId`` (``dfopt``), ``ruleId``, ``severity``, ``type`` and a
``primaryLocation`` with the message, the file path and a ``textRange``. Lines are
1-based, columns 0-based as SonarQube wants them, and ``endColumn`` points just after the
last character. SonarQube rejects an empty range, so a finding that marks a point keeps
its lines and leaves the columns out (SonarQube then highlights the line). Severities and
types map as hadolint maps them: error ``CRITICAL``/``BUG``, warning ``MAJOR``, info
``MINOR``, style ``INFO`` (all three ``CODE_SMELL``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dfopt.report import Finding

__all__ = ["ENGINE_ID", "SEVERITIES", "render_sonarqube"]

ENGINE_ID = "dfopt"

SEVERITIES: Mapping[str, str] = {
    "error": "CRITICAL",
    "warning": "MAJOR",
    "info": "MINOR",
    "style": "INFO",
}


def _text_range(finding: Finding) -> dict[str, int]:
    text_range = {"startLine": finding.line, "endLine": finding.end_line}
    if (finding.end_line, finding.end_column) > (finding.line, finding.column):
        text_range["startColumn"] = finding.column - 1
        text_range["endColumn"] = finding.end_column - 1
    return text_range


def _issue(finding: Finding) -> dict[str, Any]:
    return {
        "engineId": ENGINE_ID,
        "ruleId": finding.code,
        "severity": SEVERITIES.get(finding.severity, "INFO"),
        "type": "BUG" if finding.severity == "error" else "CODE_SMELL",
        "primaryLocation": {
            "message": finding.message,
            "filePath": finding.path,
            "textRange": _text_range(finding),
        },
    }


def render_sonarqube(findings: Sequence[Finding]) -> str:
    """The JSON document (``{"issues": []}`` when there are no findings)."""
    document = {"issues": [_issue(finding) for finding in findings]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
