"""Machine-readable output: a JSON array of findings (and of statistics or rules).

Each finding is an object::

    {"path": "Dockerfile", "line": 2, "column": 1, "end_line": 2, "end_column": 11,
     "code": "DL4000", "name": "maintainer-deprecated", "severity": "error",
     "message": "`MAINTAINER` is deprecated", "fixable": true,
     "fix": {"applicability": "safe", "title": "...",
             "edits": [{"line": 2, "column": 1, "end_line": 2, "end_column": 28,
                        "content": "LABEL ..."}]}}

Lines and columns are 1-based and count characters; ``end_line``/``end_column`` point
just after the last character (end exclusive). ``fix`` is ``null`` when the rule offers
none; ``fixable`` tells whether ``dfopt fix`` applies it with this run's options.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dfopt.report import Finding, FixEdit, Statistic

if TYPE_CHECKING:
    from dfopt.rules_api import Rule

__all__ = ["finding_to_dict", "render_json", "render_rules_json", "render_statistics_json"]


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    fix: dict[str, Any] | None = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability,
            "title": finding.fix.title,
            "edits": [_edit_to_dict(edit) for edit in finding.fix.edits],
        }
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "fixable": finding.fixable,
        "fix": fix,
    }


def _edit_to_dict(edit: FixEdit) -> dict[str, Any]:
    return {
        "line": edit.line,
        "column": edit.column,
        "end_line": edit.end_line,
        "end_column": edit.end_column,
        "content": edit.content,
    }


def _statistic_to_dict(stat: Statistic) -> dict[str, Any]:
    return {"code": stat.code, "name": stat.name, "count": stat.count, "fixable": stat.fixable}


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_json(findings: Sequence[Finding]) -> str:
    return _dump([finding_to_dict(finding) for finding in findings])


def render_statistics_json(stats: Sequence[Statistic]) -> str:
    return _dump([_statistic_to_dict(stat) for stat in stats])


def render_rules_json(rules: Sequence[type[Rule]]) -> str:
    return _dump(
        [
            {
                "code": rule.code,
                "name": rule.name,
                "summary": rule.summary,
                "severity": rule.severity.value,
                "fix_class": rule.fix_class,
                "fix_availability": rule.fix_availability.value,
                "aliases": list(rule.aliases),
                "enabled_by_default": rule.enabled_by_default,
                "targets": sorted(rule.targets),
                "docs": rule.docs(),
                "bad": rule.bad,
                "good": rule.good,
            }
            for rule in rules
        ]
    )
