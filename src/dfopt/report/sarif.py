"""SARIF 2.1.0: the Static Analysis Results Interchange Format (GitHub code scanning).

One run whose ``tool.driver`` is dfopt with its version and a ``rules`` array describing
every rule that has a finding (``id``, ``name``, ``shortDescription``,
``fullDescription``, ``help`` as text and Markdown, ``defaultConfiguration.level``),
ordered by code. Each result has ``ruleId``, ``ruleIndex`` (into that array), ``level``,
``message`` and one physical location with the real region. A finding with a fix also
has ``fixes``: the fix title and its edits as replacements (``deletedRegion`` plus
``insertedContent``), with the fix's applicability (safe, unsafe, display-only) as a
property.

Regions are 1-based and ``endColumn`` points just after the last character, as SARIF
defines them; columns count Unicode code points, which the run declares with
``columnKind``. Levels map as hadolint maps them: error ``error``, warning ``warning``,
info and style ``note``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dfopt.report import Finding, FixEdit, FixInfo

if TYPE_CHECKING:
    from dfopt.rules_api import Rule

__all__ = ["LEVELS", "SARIF_SCHEMA", "SARIF_VERSION", "render_sarif", "rule_descriptor"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "dfopt"

LEVELS: Mapping[str, str] = {
    "error": "error",
    "warning": "warning",
    "info": "note",
    "style": "note",
    "ignore": "none",
}

_SECTION = re.compile(r"^## What it does[ \t]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def _level(severity: str) -> str:
    return LEVELS.get(severity, "note")


def _uri(path: str) -> str:
    """A relative URI reference for a report path (``/`` separated, percent-encoded)."""
    if os.sep != "/":
        path = path.replace(os.sep, "/")
    return quote(path, safe="/")


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _help(rule: type[Rule]) -> str:
    parts = [rule.summary]
    docs = rule.docs()
    if docs:
        parts.append(docs)
    if rule.bad:
        parts.append(f"## Bad\n\n```dockerfile\n{rule.bad.rstrip()}\n```")
    if rule.good:
        parts.append(f"## Good\n\n```dockerfile\n{rule.good.rstrip()}\n```")
    return "\n\n".join(parts)


def _full_description(rule: type[Rule]) -> str:
    """The first paragraph of the rule's ``What it does`` section (else its summary)."""
    match = _SECTION.search(rule.docs())
    paragraph = match.group(1).strip().split("\n\n")[0] if match else ""
    return " ".join(paragraph.split()) or rule.summary


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """The ``reportingDescriptor`` of a rule."""
    text = _help(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _full_description(rule)},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": _level(rule.severity.value)},
        "properties": {"fix": rule.fix_class},
    }


def _unknown_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for a code missing from the rule table (say, a rule of another pack)."""
    descriptor: dict[str, Any] = {"id": finding.code}
    if finding.name:
        descriptor["name"] = finding.name
    return descriptor


def _replacement(edit: FixEdit) -> dict[str, Any]:
    replacement: dict[str, Any] = {
        "deletedRegion": _region(edit.line, edit.column, edit.end_line, edit.end_column)
    }
    if edit.content:
        replacement["insertedContent"] = {"text": edit.content}
    return replacement


def _fix(finding: Finding, fix: FixInfo) -> dict[str, Any]:
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _uri(finding.path)},
                "replacements": [_replacement(edit) for edit in fix.edits],
            }
        ],
        "properties": {"applicability": fix.applicability},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _level(finding.severity),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.path)},
                    "region": _region(
                        finding.line, finding.column, finding.end_line, finding.end_column
                    ),
                }
            }
        ],
    }
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding, finding.fix)]
    return result


def render_sarif(
    findings: Sequence[Finding],
    rules: Mapping[str, type[Rule]],
    tool_version: str,
    *,
    information_uri: str | None = None,
) -> str:
    """The SARIF log as indented JSON (a run without results when nothing was found).

    ``rules`` maps codes to rule classes; the ``rules`` array describes the rules that
    have findings. ``information_uri`` is the tool's home page, left out when unknown.
    """
    codes = sorted({finding.code for finding in findings})
    index = {code: position for position, code in enumerate(codes)}
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(finding.code, finding)
    descriptors = [
        rule_descriptor(rules[code]) if code in rules else _unknown_descriptor(first[code])
        for code in codes
    ]
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": tool_version}
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = descriptors
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, index[finding.code]) for finding in findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
