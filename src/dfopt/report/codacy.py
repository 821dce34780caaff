"""The Codacy format: one JSON object per line, as Codacy's tool results expect.

Each line is ``{"filename": ..., "patternId": CODE, "message": ..., "line": N}``, the
fields hadolint's ``codacy`` format writes (Codacy's result has no column).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dfopt.report import Finding

__all__ = ["render_codacy"]


def render_codacy(findings: Sequence[Finding]) -> str:
    """JSON lines; nothing at all when there are no findings."""
    lines = [
        json.dumps(
            {
                "filename": finding.path,
                "patternId": finding.code,
                "message": finding.message,
                "line": finding.line,
            },
            ensure_ascii=False,
        )
        for finding in findings
    ]
    return "".join(f"{line}\n" for line in lines)
