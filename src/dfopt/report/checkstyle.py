"""Checkstyle XML: ``<checkstyle version="4.3">`` with one ``<file>`` per path.

Every finding is an ``<error line column severity message source/>`` element, ``source``
being the rule code, as in hadolint's ``checkstyle`` format, but with the real 1-based
column (hadolint always writes 1). Severities are hadolint's names (``error``,
``warning``, ``info``, ``style``). Files appear in the order of their first finding; a
file without findings is not listed. Text is escaped by the XML writer, and characters
XML 1.0 cannot carry at all (control characters) become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from dfopt.report import Finding

__all__ = ["render_checkstyle", "to_xml", "xml_text"]

CHECKSTYLE_VERSION = "4.3"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def to_xml(root: ET.Element) -> str:
    """The document: an XML declaration, then ``root`` indented by two spaces."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def render_checkstyle(findings: Sequence[Finding]) -> str:
    """The checkstyle document (an empty ``<checkstyle>`` when there are no findings)."""
    root = ET.Element("checkstyle", {"version": CHECKSTYLE_VERSION})
    files: dict[str, ET.Element] = {}
    for finding in findings:
        element = files.get(finding.path)
        if element is None:
            element = ET.SubElement(root, "file", {"name": xml_text(finding.path)})
            files[finding.path] = element
        ET.SubElement(
            element,
            "error",
            {
                "line": str(finding.line),
                "column": str(finding.column),
                "severity": finding.severity,
                "message": xml_text(finding.message),
                "source": finding.code,
            },
        )
    return to_xml(root)
