"""The Code Climate engine format: JSON issues, each followed by a NUL character.

This is the stream a Code Climate analysis engine writes (and hadolint's
``codeclimate`` format): every issue is a JSON object ``{"type": "issue", "check_name",
"description", "categories", "location", "severity", "fingerprint"}`` terminated by
``\\0``. The location carries the real range as ``positions`` (1-based lines and
columns; ``end`` points just after the last character). Severities map as hadolint
maps them: error ``blocker``, warning ``major``, info ``info``, style ``minor``.

The fingerprint is a SHA-256 of path, code, line and message, so it stays the same
across runs while the finding does; identical findings get distinct fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dfopt.report import Finding

__all__ = ["SEVERITIES", "fingerprints", "location", "render_codeclimate"]

SEVERITIES: Mapping[str, str] = {
    "error": "blocker",
    "warning": "major",
    "info": "info",
    "style": "minor",
}


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable, unique fingerprint for each finding (same order as ``findings``).

    It hashes path, code, line and message; a repeated identical finding also hashes
    its occurrence number, so fingerprints never collide within one report.
    """
    seen: dict[tuple[str, str, int, str], int] = {}
    found = []
    for finding in findings:
        key = (finding.path, finding.code, finding.line, finding.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        parts = [finding.path, finding.code, str(finding.line), finding.message]
        if occurrence:
            parts.append(str(occurrence))
        found.append(hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest())
    return found


def location(finding: Finding) -> dict[str, Any]:
    """``{"path", "positions": {"begin": {line, column}, "end": {line, column}}}``."""
    return {
        "path": finding.path,
        "positions": {
            "begin": {"line": finding.line, "column": finding.column},
            "end": {"line": finding.end_line, "column": finding.end_column},
        },
    }


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": finding.message,
        "categories": ["Bug Risk"],
        "location": location(finding),
        "severity": SEVERITIES.get(finding.severity, "info"),
        "fingerprint": fingerprint,
    }


def render_codeclimate(findings: Sequence[Finding]) -> str:
    """Each issue as compact JSON followed by NUL; empty when there are no findings."""
    return "".join(
        json.dumps(_issue(finding, fingerprint), ensure_ascii=False) + "\0"
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    )
