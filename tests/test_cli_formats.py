"""`dfopt check --format`: every format, several formats in one run, -o files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from dfopt.commands import OUTPUT_FORMATS
from dfopt.report.formats import FORMAT_NAMES

BAD = "FROM alpine:3.20\nMAINTAINER someone\n"


def dfopt(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dfopt", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(BAD, encoding="utf-8")
    return tmp_path


def test_the_cli_knows_every_registered_format() -> None:
    assert set(OUTPUT_FORMATS) == set(FORMAT_NAMES)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_renders_the_findings(project: Path, name: str) -> None:
    result = dfopt("check", "--isolated", "--format", name, "Dockerfile", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "DL4000" in result.stdout


def test_several_formats_with_output_files(project: Path) -> None:
    result = dfopt(
        "check",
        "--isolated",
        "--format",
        "sarif",
        "-o",
        "report.sarif",
        "--format",
        "checkstyle",
        "--output-file",
        "checkstyle.xml",
        "--format",
        "text",
        "Dockerfile",
        cwd=project,
    )
    assert result.returncode == 1
    assert "DL4000" in result.stdout and "Found" in result.stdout
    sarif = json.loads((project / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"DL4000"}
    root = ElementTree.parse(project / "checkstyle.xml").getroot()
    assert root.tag == "checkstyle"


def test_comma_separated_formats(project: Path) -> None:
    result = dfopt(
        "check", "--isolated", "--format", "json,gnu", "-o", "out.json", "Dockerfile", cwd=project
    )
    assert result.returncode == 1
    assert json.loads((project / "out.json").read_text(encoding="utf-8"))[0]["code"]
    assert "DL4000" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "nope"], "unknown output format"),
        (["--format", "json", "--format", "text"], "only one format"),
        (["-o", "a", "-o", "b"], "more --output-file"),
    ],
)
def test_bad_format_options_are_usage_errors(project: Path, args: list[str], message: str) -> None:
    result = dfopt("check", "--isolated", *args, "Dockerfile", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
