"""The output formats of ``dfopt.report.formats``: structure, fields, escaping, counts."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import pytest

from dfopt.api import lint
from dfopt.engine.registry import default_registry
from dfopt.report import Finding, findings_from, sort_findings
from dfopt.report.codeclimate import fingerprints
from dfopt.report.formats import (
    FORMAT_NAMES,
    UnknownFormatError,
    format_help,
    render,
    resolve,
)
from dfopt.report.github import escape_data, escape_property
from dfopt.report.gnu import gnu_range
from dfopt.rules_api import Rule
from dfopt.syntax._record import replace

VERSION = "9.8.7"

MAIN = """\
FROM ubuntu:24.04
MAINTAINER me <a@b.c>
RUN apt-get update && apt-get install -y curl
RUN echo done
RUNN foo
CMD echo hi
"""

OTHER = """\
FROM alpine:3.20
MAINTAINER someone
"""

MAIN_PATH = "app/Docker file"
OTHER_PATH = "web/Dockerfile.prod"


def _findings(text: str, path: str) -> list[Finding]:
    result = lint(text)
    return findings_from(result.violations, result.document.source, path)


@pytest.fixture(scope="module")
def rules() -> Mapping[str, type[Rule]]:
    return default_registry().by_code


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    found = sort_findings(_findings(MAIN, MAIN_PATH) + _findings(OTHER, OTHER_PATH))
    codes = {finding.code for finding in found}
    # The fixture must cover every severity, fixes and a parse error.
    assert {"DL4000", "DL1000", "DL3025", "DL3009"} <= codes
    assert {finding.severity for finding in found} >= {"error", "warning", "info"}
    assert any(finding.fix is not None for finding in found)
    return found


def _render(
    name: str, findings: list[Finding], rules: Mapping[str, type[Rule]], **options: bool
) -> str:
    return render(name, findings, rules, VERSION, **options)


def _one(findings: list[Finding], code: str, path: str = MAIN_PATH) -> Finding:
    return next(f for f in findings if f.code == code and f.path == path)


def _styled(finding: Finding, **changes: Any) -> Finding:
    return replace(finding, **changes)


# -- the registry ------------------------------------------------------------------------


def test_registry_lists_hadolint_names_and_dfopt_formats() -> None:
    assert FORMAT_NAMES[0] == "text"
    assert set(FORMAT_NAMES) == {
        "text",
        "json",
        "tty",
        "checkstyle",
        "codeclimate",
        "gitlab_codeclimate",
        "gnu",
        "codacy",
        "sonarqube",
        "sarif",
        "junit",
        "github",
    }
    assert format_help().split(", ") == list(FORMAT_NAMES)


def test_resolve_accepts_case_dashes_and_aliases() -> None:
    assert resolve("SARIF") == "sarif"
    assert resolve("gitlab-codeclimate") == "gitlab_codeclimate"
    assert resolve("gitlab") == "gitlab_codeclimate"
    assert resolve("github-actions") == "github"
    with pytest.raises(UnknownFormatError, match="unknown output format `yaml`"):
        resolve("yaml")
    with pytest.raises(ValueError):
        render("yaml", [], {}, VERSION)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_renders_no_findings_validly(
    name: str, rules: Mapping[str, type[Rule]]
) -> None:
    output = _render(name, [], rules)
    if name in {"tty", "gnu", "codacy", "codeclimate", "github"}:
        assert output == ""
    elif name == "text":
        assert output == "All checks passed!\n"
    elif name in {"checkstyle", "junit"}:
        root = ET.fromstring(output)
        assert list(root) == []
        if name == "junit":
            assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("0", "0", "0")
    else:
        data = json.loads(output)
        expected: object = {
            "json": [],
            "gitlab_codeclimate": [],
            "sonarqube": {"issues": []},
        }.get(name)
        if name == "sarif":
            run = data["runs"][0]
            assert data["version"] == "2.1.0"
            assert run["results"] == []
            assert run["tool"]["driver"]["rules"] == []
        else:
            assert data == expected


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_is_deterministic(
    name: str, findings: list[Finding], rules: Mapping[str, type[Rule]]
) -> None:
    assert _render(name, findings, rules) == _render(name, list(findings), rules)


def test_render_passes_color_and_unsafe(
    findings: list[Finding], rules: Mapping[str, type[Rule]]
) -> None:
    assert "\x1b[" not in _render("text", findings, rules)
    assert "\x1b[" in _render("text", findings, rules, color=True)
    assert "fixable with `dfopt fix`" in _render("text", findings, rules)
    assert "fixable with `dfopt fix --unsafe-fixes`" in _render(
        "text", findings, rules, unsafe=True
    )
    assert _render("json", findings, rules) == render("json", findings, {}, "0")


# -- line formats ------------------------------------------------------------------------


def test_tty_is_hadolints_line_shape(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    lines = _render("tty", findings, rules).splitlines()
    assert len(lines) == len(findings)
    maintainer = _one(findings, "DL4000")
    assert f"{MAIN_PATH}:2 DL4000 error: {maintainer.message}" in lines
    for line, finding in zip(lines, findings, strict=True):
        head = f"{finding.path}:{finding.line} {finding.code} {finding.severity}"
        assert line == f"{head}: {finding.message}"
    colored = _render("tty", findings, rules, color=True).splitlines()
    position = lines.index(f"{MAIN_PATH}:2 DL4000 error: {maintainer.message}")
    assert colored[position] == f"{MAIN_PATH}:2 DL4000 \x1b[1;31merror\x1b[0m: {maintainer.message}"


def test_gnu_lines_carry_the_range(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    lines = _render("gnu", findings, rules).splitlines()
    maintainer = _one(findings, "DL4000")
    # `MAINTAINER` spans columns 1 to 10 of line 2 (inclusive end, as GNU writes it).
    assert (maintainer.column, maintainer.end_column) == (1, 11)
    assert f"dfopt:{MAIN_PATH}:2.1-10: DL4000 error: {maintainer.message}" in lines
    pattern = re.compile(r"^dfopt:(.+):(\d+)\.(\d+)(-(\d+)(\.(\d+))?)?: ([A-Z]+\d+) (\w+): (.+)$")
    for line, finding in zip(lines, findings, strict=True):
        match = pattern.match(line)
        assert match, line
        assert match.group(1) == finding.path
        assert (int(match.group(2)), int(match.group(3))) == (finding.line, finding.column)
        assert (match.group(8), match.group(9)) == (finding.code, finding.severity)


def test_gnu_ranges_over_lines_and_points(findings: list[Finding]) -> None:
    base = _one(findings, "DL4000")
    assert gnu_range(_styled(base, line=3, column=46, end_line=4, end_column=5)) == "3.46-4.4"
    assert gnu_range(_styled(base, line=3, column=7, end_line=3, end_column=7)) == "3.7"
    assert gnu_range(_styled(base, line=3, column=7, end_line=3, end_column=8)) == "3.7"
    # Ending with the line break: the last column is unknown, so only the start is given.
    assert gnu_range(_styled(base, line=3, column=7, end_line=4, end_column=1)) == "3.7"
    message = _styled(base, message="first\nsecond")
    assert "first second" in render("gnu", [message], {}, VERSION)


def test_codacy_json_lines(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    lines = _render("codacy", findings, rules).splitlines()
    assert len(lines) == len(findings)
    for line, finding in zip(lines, findings, strict=True):
        assert json.loads(line) == {
            "filename": finding.path,
            "patternId": finding.code,
            "message": finding.message,
            "line": finding.line,
        }


# -- GitHub ------------------------------------------------------------------------------


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), properties, match.group(3)


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_annotations(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    lines = _render("github", findings, rules).splitlines()
    assert len(lines) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}
    for line, finding in zip(lines, findings, strict=True):
        level, properties, message = _parse_command(line)
        assert level == levels[finding.severity]
        assert _unescape(properties["file"]) == finding.path
        assert properties["title"] == finding.code
        assert int(properties["line"]) == finding.line
        assert _unescape(message) == finding.message
        if finding.end_line == finding.line and finding.end_column > finding.column:
            assert int(properties["col"]) == finding.column
            assert int(properties["endColumn"]) == finding.end_column - 1
    maintainer = _one(findings, "DL4000")
    expected = f"::error file={MAIN_PATH},line=2,endLine=2,col=1,endColumn=10,title=DL4000::"
    assert expected + maintainer.message in lines


def test_github_escapes_properties_and_message(findings: list[Finding]) -> None:
    tricky = _styled(
        _one(findings, "DL4000"),
        path="odd,dir/a:b%c.Dockerfile",
        message="100% broken\r\nnext: line, really",
    )
    (line,) = render("github", [tricky], {}, VERSION).splitlines()
    assert "file=odd%2Cdir/a%3Ab%25c.Dockerfile," in line
    assert line.endswith("::100%25 broken%0D%0Anext: line, really")
    _, properties, message = _parse_command(line)
    assert _unescape(properties["file"]) == tricky.path
    assert _unescape(message) == tricky.message
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c%\r") == "a:b,c%25%0D"


def test_github_multiline_findings_leave_columns_out(findings: list[Finding]) -> None:
    spread = _styled(_one(findings, "DL4000"), line=3, column=46, end_line=5, end_column=4)
    _, properties, _ = _parse_command(render("github", [spread], {}, VERSION).strip())
    assert properties["line"] == "3"
    assert properties["endLine"] == "5"
    assert "col" not in properties
    assert "endColumn" not in properties


# -- Code Climate and GitLab -------------------------------------------------------------


def test_codeclimate_nul_separated_issues(
    findings: list[Finding], rules: Mapping[str, Any]
) -> None:
    output = _render("codeclimate", findings, rules)
    assert output.endswith("\0")
    chunks = output.split("\0")
    assert chunks[-1] == ""
    issues = [json.loads(chunk) for chunk in chunks[:-1]]
    assert len(issues) == len(findings)
    severities = {"error": "blocker", "warning": "major", "info": "info", "style": "minor"}
    for issue, finding in zip(issues, findings, strict=True):
        assert issue["type"] == "issue"
        assert issue["check_name"] == finding.code
        assert issue["description"] == finding.message
        assert issue["categories"] == ["Bug Risk"]
        assert issue["severity"] == severities[finding.severity]
        assert issue["location"] == {
            "path": finding.path,
            "positions": {
                "begin": {"line": finding.line, "column": finding.column},
                "end": {"line": finding.end_line, "column": finding.end_column},
            },
        }
    assert [issue["fingerprint"] for issue in issues] == fingerprints(findings)


def test_gitlab_code_quality_report(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    issues = json.loads(_render("gitlab_codeclimate", findings, rules))
    assert isinstance(issues, list)
    assert len(issues) == len(findings)
    severities = {"error": "blocker", "warning": "major", "info": "minor", "style": "info"}
    for issue, finding in zip(issues, findings, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"] == finding.message
        assert issue["check_name"] == finding.code
        assert issue["severity"] == severities[finding.severity]
        assert issue["location"]["path"] == finding.path
        assert issue["location"]["positions"]["begin"] == {
            "line": finding.line,
            "column": finding.column,
        }
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])


def test_gitlab_fingerprints_are_stable_and_unique(findings: list[Finding]) -> None:
    prints = fingerprints(findings)
    assert len(set(prints)) == len(prints)
    # Independent of the other findings of the report, and of the run.
    assert fingerprints(findings[1:]) == prints[1:]
    assert fingerprints(sort_findings(_findings(MAIN, MAIN_PATH))) == [
        fp for fp, finding in zip(prints, findings, strict=True) if finding.path == MAIN_PATH
    ]
    # They follow path, code, line and message.
    first = findings[0]
    for change in (
        {"path": "other"},
        {"code": "DL9999"},
        {"line": first.line + 1},
        {"message": "x"},
    ):
        assert fingerprints([replace(first, **change)]) != prints[:1]
    # Repeated identical findings still get distinct fingerprints.
    twice = fingerprints([first, first])
    assert twice[0] == prints[0]
    assert twice[0] != twice[1]


# -- SonarQube ---------------------------------------------------------------------------


def test_sonarqube_generic_issues(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    document = json.loads(_render("sonarqube", findings, rules))
    assert set(document) == {"issues"}
    severities = {"error": "CRITICAL", "warning": "MAJOR", "info": "MINOR", "style": "INFO"}
    for issue, finding in zip(document["issues"], findings, strict=True):
        assert issue["engineId"] == "dfopt"
        assert issue["ruleId"] == finding.code
        assert issue["severity"] == severities[finding.severity]
        assert issue["type"] == ("BUG" if finding.severity == "error" else "CODE_SMELL")
        location = issue["primaryLocation"]
        assert location["message"] == finding.message
        assert location["filePath"] == finding.path
        assert location["textRange"] == {
            "startLine": finding.line,
            "endLine": finding.end_line,
            "startColumn": finding.column - 1,
            "endColumn": finding.end_column - 1,
        }


def test_sonarqube_point_findings_keep_only_lines(findings: list[Finding]) -> None:
    point = _styled(_one(findings, "DL4000"), line=4, column=3, end_line=4, end_column=3)
    (issue,) = json.loads(render("sonarqube", [point], {}, VERSION))["issues"]
    assert issue["primaryLocation"]["textRange"] == {"startLine": 4, "endLine": 4}


# -- XML ---------------------------------------------------------------------------------


def test_checkstyle_document(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    output = _render("checkstyle", findings, rules)
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(output)
    assert root.tag == "checkstyle"
    assert root.get("version") == "4.3"
    files = root.findall("file")
    assert [element.get("name") for element in files] == [MAIN_PATH, OTHER_PATH]
    errors = [error for element in files for error in element.findall("error")]
    assert len(errors) == len(findings)
    for element in files:
        for error in element.findall("error"):
            assert error.get("source")
    for error, finding in zip(errors, findings, strict=True):
        assert error.attrib == {
            "line": str(finding.line),
            "column": str(finding.column),
            "severity": finding.severity,
            "message": finding.message,
            "source": finding.code,
        }


def test_xml_escaping_round_trips(findings: list[Finding]) -> None:
    nasty = _styled(
        _one(findings, "DL4000"),
        path="a&b<c>\"d'.Dockerfile",
        message="`<x>` & \"y\" 'z'\nnext line\x1b[0m",
    )
    clean = "`<x>` & \"y\" 'z'\nnext line\ufffd[0m"
    for name in ("checkstyle", "junit"):
        output = render(name, [nasty], {}, VERSION)
        assert "\x1b" not in output
        root = ET.fromstring(output)
        if name == "checkstyle":
            file_element = root.find("file")
            assert file_element is not None
            error = file_element.find("error")
            assert file_element.get("name") == nasty.path
        else:
            case = root.find("testsuite/testcase")
            assert case is not None
            assert case.get("file") == nasty.path
            error = case.find("failure")
        assert error is not None
        assert error.get("message") == clean


def test_junit_suites_and_counts(findings: list[Finding], rules: Mapping[str, Any]) -> None:
    root = ET.fromstring(_render("junit", findings, rules))
    assert root.tag == "testsuites"
    assert root.get("name") == f"dfopt {VERSION}"
    parse_errors = sum(1 for finding in findings if finding.code == "DL1000")
    assert parse_errors == 1
    assert root.get("tests") == str(len(findings))
    assert root.get("errors") == str(parse_errors)
    assert root.get("failures") == str(len(findings) - parse_errors)
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [MAIN_PATH, OTHER_PATH]
    cases = []
    for suite in suites:
        in_file = [finding for finding in findings if finding.path == suite.get("name")]
        suite_cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(in_file)) == str(len(suite_cases))
        errors = sum(1 for finding in in_file if finding.code == "DL1000")
        assert suite.get("errors") == str(errors)
        assert suite.get("failures") == str(len(in_file) - errors)
        assert len(suite.findall("testcase/failure")) == len(in_file) - errors
        assert len(suite.findall("testcase/error")) == errors
        cases.extend(suite_cases)
    for case, finding in zip(cases, findings, strict=True):
        assert case.get("classname") == finding.path
        assert case.get("line") == str(finding.line)
        name = case.get("name") or ""
        assert name.startswith(f"{finding.code} {finding.name} ")
        (problem,) = list(case)
        assert problem.get("type") == finding.severity
        assert problem.get("message") == finding.message
        assert (problem.text or "").startswith(
            f"{finding.path}:{finding.line}:{finding.column}: {finding.code}"
        )
    assert len({(case.get("classname"), case.get("name")) for case in cases}) == len(cases)


# -- SARIF -------------------------------------------------------------------------------

# A subset of the SARIF 2.1.0 schema: the parts dfopt writes, with their required fields.
_REGION = {
    "type": "object",
    "required": ["startLine", "startColumn", "endLine", "endColumn"],
    "properties": {
        key: {"type": "integer", "minimum": 1}
        for key in ("startLine", "startColumn", "endLine", "endColumn")
    },
}
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_ARTIFACT = {"type": "object", "required": ["uri"], "properties": {"uri": {"type": "string"}}}
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": [
                                                                "none",
                                                                "note",
                                                                "warning",
                                                                "error",
                                                            ]
                                                        }
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": _ARTIFACT,
                                                    "region": _REGION,
                                                },
                                            }
                                        },
                                    },
                                },
                                "fixes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["artifactChanges"],
                                        "properties": {
                                            "description": _MESSAGE,
                                            "artifactChanges": {
                                                "type": "array",
                                                "minItems": 1,
                                                "items": {
                                                    "type": "object",
                                                    "required": [
                                                        "artifactLocation",
                                                        "replacements",
                                                    ],
                                                    "properties": {
                                                        "artifactLocation": _ARTIFACT,
                                                        "replacements": {
                                                            "type": "array",
                                                            "minItems": 1,
                                                            "items": {
                                                                "type": "object",
                                                                "required": ["deletedRegion"],
                                                                "properties": {
                                                                    "deletedRegion": _REGION,
                                                                    "insertedContent": _MESSAGE,
                                                                },
                                                            },
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def sarif(findings: list[Finding], rules: Mapping[str, type[Rule]]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("sarif", findings, rules, VERSION))
    return data


def test_sarif_log_and_driver(sarif: dict[str, Any], findings: list[Finding]) -> None:
    assert sarif["version"] == "2.1.0"
    assert "sarif-2.1.0" in sarif["$schema"]
    (run,) = sarif["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "dfopt"
    assert driver["version"] == VERSION
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted({finding.code for finding in findings})


def test_sarif_rules_describe_each_rule(
    sarif: dict[str, Any], rules: Mapping[str, type[Rule]]
) -> None:
    levels = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
    for descriptor in sarif["runs"][0]["tool"]["driver"]["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"].startswith(rule.summary)
        assert rule.docs().splitlines()[0] in descriptor["help"]["markdown"]
        if rule.bad:
            assert rule.bad.rstrip() in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"] == {"level": levels[rule.severity.value]}
    maintainer = next(d for d in sarif["runs"][0]["tool"]["driver"]["rules"] if d["id"] == "DL4000")
    assert maintainer["fullDescription"]["text"] == "Flags the `MAINTAINER` instruction."


def test_sarif_results(sarif: dict[str, Any], findings: list[Finding]) -> None:
    run = sarif["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding.code
        assert descriptors[result["ruleIndex"]]["id"] == finding.code
        assert result["level"] == levels[finding.severity]
        assert result["message"] == {"text": finding.message}
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"] == {
            "startLine": finding.line,
            "startColumn": finding.column,
            "endLine": finding.end_line,
            "endColumn": finding.end_column,
        }
        uri = physical["artifactLocation"]["uri"]
        assert uri == ("app/Docker%20file" if finding.path == MAIN_PATH else OTHER_PATH)
        if finding.fix is None or not finding.fix.edits:
            assert "fixes" not in result
            continue
        (fix,) = result["fixes"]
        assert fix["description"] == {"text": finding.fix.title}
        assert fix["properties"] == {"applicability": finding.fix.applicability}
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": uri}
        assert len(change["replacements"]) == len(finding.fix.edits)
        for replacement, edit in zip(change["replacements"], finding.fix.edits, strict=True):
            assert replacement["deletedRegion"] == {
                "startLine": edit.line,
                "startColumn": edit.column,
                "endLine": edit.end_line,
                "endColumn": edit.end_column,
            }
            if edit.content:
                assert replacement["insertedContent"] == {"text": edit.content}
            else:
                assert "insertedContent" not in replacement
    maintainer = next(r for r in results if r["ruleId"] == "DL4000")
    (replacement,) = maintainer["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"]["text"].startswith(
        "LABEL org.opencontainers.image.authors="
    )


def test_sarif_describes_codes_missing_from_the_rule_table(findings: list[Finding]) -> None:
    data = json.loads(render("sarif", findings[:1], {}, VERSION))
    (descriptor,) = data["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor == {"id": findings[0].code, "name": findings[0].name}
    assert data["runs"][0]["results"][0]["ruleIndex"] == 0


def test_sarif_matches_the_schema_subset(sarif: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(sarif, SARIF_SUBSET)
    jsonschema.validate(json.loads(render("sarif", [], {}, VERSION)), SARIF_SUBSET)
