"""JUnit XML: a ``<testsuite>`` per file and a ``<testcase>`` per finding.

CI systems that read test reports (GitLab, Jenkins, Azure Pipelines...) then list every
finding as a failed test. Each test case is named after the rule and the position
(``DL3008 apt-versions-unpinned (3:5)``) with the file as ``classname`` and ``file`` and
the line as ``line``. A finding is a ``<failure>`` (``type`` is its severity, ``message``
its message, the text ``path:line:col: CODE severity: message``); a parse error
(``DL1000``) is an ``<error>`` instead. ``tests``, ``failures`` and ``errors`` are counted
on every suite and on ``<testsuites>``. Files without findings are not listed (the
report only knows findings), and there are no timings, so the output is reproducible.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from dfopt.report import Finding
from dfopt.report.checkstyle import to_xml, xml_text

__all__ = ["PARSE_ERROR", "render_junit"]

PARSE_ERROR = "DL1000"


def _testcase(suite: ET.Element, finding: Finding) -> None:
    path = xml_text(finding.path)
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": f"{finding.code} {finding.name} ({finding.line}:{finding.column})",
            "classname": path,
            "file": path,
            "line": str(finding.line),
        },
    )
    kind = "error" if finding.code == PARSE_ERROR else "failure"
    problem = ET.SubElement(
        case, kind, {"type": finding.severity, "message": xml_text(finding.message)}
    )
    problem.text = xml_text(
        f"{finding.path}:{finding.line}:{finding.column}: "
        f"{finding.code} {finding.severity}: {finding.message}"
    )


def _count(element: ET.Element, tests: int, errors: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(tests - errors))
    element.set("errors", str(errors))


def render_junit(findings: Sequence[Finding], tool_version: str = "") -> str:
    """The JUnit document (an empty ``<testsuites>`` when there are no findings)."""
    name = f"dfopt {tool_version}".rstrip()
    root = ET.Element("testsuites", {"name": name})
    suites: dict[str, ET.Element] = {}
    counts: dict[str, list[int]] = {}
    for finding in findings:
        suite = suites.get(finding.path)
        if suite is None:
            suite = ET.SubElement(root, "testsuite", {"name": xml_text(finding.path)})
            suites[finding.path] = suite
            counts[finding.path] = [0, 0]
        _testcase(suite, finding)
        counts[finding.path][0] += 1
        counts[finding.path][1] += int(finding.code == PARSE_ERROR)
    for path, suite in suites.items():
        tests, errors = counts[path]
        _count(suite, tests, errors)
        suite.set("skipped", "0")
    _count(root, len(findings), sum(errors for _, errors in counts.values()))
    return to_xml(root)
