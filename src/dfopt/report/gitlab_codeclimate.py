"""GitLab's code quality report: a JSON array of issues.

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location`` with the path and the real range as ``positions`` (1-based lines and
columns; ``end`` points just after the last character). Severities map as hadolint's
``gitlab_codeclimate`` format maps them: error ``blocker``, warning ``major``, info
``minor``, style ``info``. Fingerprints are stable across runs and unique within a
report (see :func:`dfopt.report.codeclimate.fingerprints`), which is what GitLab uses to
tell new issues from fixed ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from dfopt.report import Finding
from dfopt.report.codeclimate import fingerprints, location

__all__ = ["SEVERITIES", "render_gitlab_codeclimate"]

SEVERITIES: Mapping[str, str] = {
    "error": "blocker",
    "warning": "major",
    "info": "minor",
    "style": "info",
}


def render_gitlab_codeclimate(findings: Sequence[Finding]) -> str:
    """The JSON array (``[]`` when there are no findings)."""
    issues = [
        {
            "description": finding.message,
            "check_name": finding.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(finding.severity, "info"),
            "location": location(finding),
        }
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
