"""DL3049 and the value rules read the schema from a project's .hadolint.yaml."""

from __future__ import annotations

from pathlib import Path

from dfopt.api import lint
from dfopt.config import Settings
from dfopt.engine.session import Overrides, Session

LABEL_RULES = [
    "DL3049",
    "DL3050",
    "DL3051",
    "DL3052",
    "DL3053",
    "DL3054",
    "DL3055",
    "DL3056",
    "DL3058",
]


def test_schema_from_hadolint_yaml(tmp_path: Path) -> None:
    (tmp_path / ".hadolint.yaml").write_text(
        "label-schema:\n  org.opencontainers.image.source: url\n  maintainer: email\n"
        "strict-labels: true\n",
        encoding="utf-8",
    )
    dockerfile = tmp_path / "Dockerfile"
    text = 'FROM alpine:3.20\nLABEL maintainer="Jane <jane@example.com>" vendor=x\n'
    dockerfile.write_text(text, encoding="utf-8")
    result = lint(text, path=dockerfile, isolated=False, select=LABEL_RULES)
    assert sorted(v.code for v in result.violations) == ["DL3049", "DL3050", "DL3058"]


def test_without_a_schema_the_label_rules_are_silent() -> None:
    text = (
        "FROM alpine:3.20\n"
        'LABEL maintainer="not an address" org.opencontainers.image.created=yesterday\n'
    )
    assert lint(text, select=LABEL_RULES).violations == []


def test_one_finding_per_stage_and_label() -> None:
    session = Session(
        Settings(label_schema={"a": "text", "b": "text"}),
        None,
        Overrides(select=["DL3049"]),
    )
    text = "FROM alpine:3.20 AS one\nLABEL a=1\nFROM debian:12\nLABEL b=2\n"
    found = [
        (session.lint(text).document.position(v.span.start).line, v.message)
        for v in session.lint(text).violations
    ]
    assert found == [(1, "Label `b` is missing"), (3, "Label `a` is missing")]
