"""The output formats of ``dfopt check --format``, by name.

dfopt's own formats are ``text`` (the default) and ``json``; the others carry hadolint's
names and shapes (``tty``, ``checkstyle``, ``codeclimate``, ``gitlab_codeclimate``,
``gnu``, ``codacy``, ``sonarqube``, ``sarif``, ``junit``) with dfopt's real columns where
the format has room for them, plus ``github`` for GitHub Actions annotations.

>>> render("gnu", [], {}, "1.0")
''

Names are case-insensitive and ``-`` may stand for ``_``; a few aliases exist
(``gitlab`` for ``gitlab_codeclimate``, ``github-actions`` for ``github``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dfopt.report import Finding, summarize
from dfopt.report.checkstyle import render_checkstyle
from dfopt.report.codacy import render_codacy
from dfopt.report.codeclimate import render_codeclimate
from dfopt.report.github import render_github
from dfopt.report.gitlab_codeclimate import render_gitlab_codeclimate
from dfopt.report.gnu import render_gnu
from dfopt.report.json_format import render_json
from dfopt.report.junit import render_junit
from dfopt.report.sarif import render_sarif
from dfopt.report.sonarqube import render_sonarqube
from dfopt.report.text import Style, render_text
from dfopt.report.tty import render_tty

if TYPE_CHECKING:
    from dfopt.rules_api import Rule

__all__ = [
    "ALIASES",
    "FORMATS",
    "FORMAT_NAMES",
    "OutputFormat",
    "RenderContext",
    "UnknownFormatError",
    "format_help",
    "render",
    "resolve",
]


@dataclass(frozen=True)
class RenderContext:
    """What a format may need besides the findings."""

    rules: Mapping[str, type[Rule]]
    """Rule classes by code (SARIF describes the rules of its results)."""
    tool_version: str
    color: bool = False
    """Colour the output (``text`` and ``tty`` only)."""
    unsafe: bool = False
    """This run applies unsafe fixes (``text``'s summary line names the right command)."""


Renderer = Callable[[Sequence[Finding], RenderContext], str]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    description: str
    renderer: Renderer


def _text(findings: Sequence[Finding], context: RenderContext) -> str:
    return render_text(
        findings, summarize(findings), style=Style(context.color), unsafe=context.unsafe
    )


FORMATS: Mapping[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat("text", "dfopt's findings with columns and a summary", _text),
        OutputFormat("json", "dfopt's JSON array of findings", lambda f, c: render_json(f)),
        OutputFormat(
            "tty",
            "hadolint's default lines: path:line CODE severity: message",
            lambda f, c: render_tty(f, color=c.color),
        ),
        OutputFormat("checkstyle", "Checkstyle XML", lambda f, c: render_checkstyle(f)),
        OutputFormat(
            "codeclimate",
            "Code Climate engine issues, NUL-separated",
            lambda f, c: render_codeclimate(f),
        ),
        OutputFormat(
            "gitlab_codeclimate",
            "GitLab code quality report",
            lambda f, c: render_gitlab_codeclimate(f),
        ),
        OutputFormat("gnu", "GNU-style error lines", lambda f, c: render_gnu(f)),
        OutputFormat("codacy", "Codacy JSON lines", lambda f, c: render_codacy(f)),
        OutputFormat(
            "sonarqube", "SonarQube generic issue import", lambda f, c: render_sonarqube(f)
        ),
        OutputFormat("sarif", "SARIF 2.1.0", lambda f, c: render_sarif(f, c.rules, c.tool_version)),
        OutputFormat("junit", "JUnit XML", lambda f, c: render_junit(f, c.tool_version)),
        OutputFormat(
            "github", "GitHub Actions workflow annotations", lambda f, c: render_github(f)
        ),
    )
}

FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)
"""Canonical names, ``text`` first (the default)."""

ALIASES: Mapping[str, str] = {
    "gitlab": "gitlab_codeclimate",
    "github_actions": "github",
}


class UnknownFormatError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown output format `{name}` (choose from {format_help()})")
        self.name = name


def resolve(name: str) -> str:
    """The canonical name of format ``name`` (or an alias); raises UnknownFormatError."""
    key = name.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        raise UnknownFormatError(name)
    return key


def format_help() -> str:
    """``text, json, tty, ...`` for a command-line help text."""
    return ", ".join(FORMAT_NAMES)


def render(
    format_name: str,
    findings: Sequence[Finding],
    rules: Mapping[str, type[Rule]],
    tool_version: str,
    *,
    color: bool = False,
    unsafe: bool = False,
) -> str:
    """Render ``findings`` (already in report order) in format ``format_name``."""
    output_format = FORMATS[resolve(format_name)]
    return output_format.renderer(findings, RenderContext(rules, tool_version, color, unsafe))
