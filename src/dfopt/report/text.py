"""The human-readable formats: findings, summaries, statistics and rule documentation.

A finding is one line, ``path:line:col: CODE [*] message``; ``[*]`` marks a finding that
``dfopt fix`` repairs with the options of this run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dfopt.report import Finding, Statistic, Summary, plural

if TYPE_CHECKING:
    from dfopt.rules_api import Rule

__all__ = [
    "Style",
    "format_finding",
    "render_rule_docs",
    "render_rules_markdown",
    "render_rules_text",
    "render_statistics",
    "render_text",
    "summary_line",
]

FIX_MARK = "[*]"


class Style:
    """ANSI styling that does nothing when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bold(self, text: str) -> str:
        return self._wrap(text, "1")

    def red(self, text: str) -> str:
        return self._wrap(text, "1;31")

    def cyan(self, text: str) -> str:
        return self._wrap(text, "36")

    def dim(self, text: str) -> str:
        return self._wrap(text, "2")

    def green(self, text: str) -> str:
        return self._wrap(text, "1;32")


def format_finding(finding: Finding, style: Style | None = None) -> str:
    """``path:line:col: CODE [*] message``."""
    style = style or Style(False)
    colon = style.dim(":")
    location = f"{style.bold(finding.path)}{colon}{finding.line}{colon}{finding.column}{colon}"
    mark = f" {style.cyan(FIX_MARK)}" if finding.fixable else ""
    return f"{location} {style.red(finding.code)}{mark} {finding.message}"


def summary_line(summary: Summary, unsafe: bool = False) -> str:
    """``Found N problems in M files (K fixable with `dfopt fix`, ...).``"""
    if summary.problems == 0:
        return "All checks passed!"
    command = "`dfopt fix --unsafe-fixes`" if unsafe else "`dfopt fix`"
    notes = []
    if summary.fixable:
        notes.append(f"{summary.fixable} fixable with {command}")
    if summary.unsafe_fixable:
        more = "more " if summary.fixable else ""
        notes.append(f"{summary.unsafe_fixable} {more}with `dfopt fix --unsafe-fixes`")
    detail = f" ({', '.join(notes)})" if notes else ""
    files = plural(summary.files, "file")
    return f"Found {plural(summary.problems, 'problem')} in {files}{detail}."


def render_text(
    findings: Sequence[Finding],
    summary: Summary | None = None,
    *,
    style: Style | None = None,
    unsafe: bool = False,
) -> str:
    """Every finding on its own line, then the summary line when one is given."""
    style = style or Style(False)
    lines = [format_finding(finding, style) for finding in findings]
    if summary is not None:
        text = summary_line(summary, unsafe)
        lines.append(style.green(text) if summary.problems == 0 else style.bold(text))
    return "".join(f"{line}\n" for line in lines)


def render_statistics(stats: Sequence[Statistic], style: Style | None = None) -> str:
    """One line per code: count, code, ``[*]`` when some are fixable, rule name."""
    style = style or Style(False)
    lines = []
    width = max((len(stat.code) for stat in stats), default=0)
    for stat in stats:
        mark = style.cyan(FIX_MARK) if stat.fixable else " " * len(FIX_MARK)
        code = style.red(stat.code.ljust(width))
        lines.append(f"{stat.count:>5}  {code}  {mark} {stat.name}")
    return "".join(f"{line}\n" for line in lines)


def _fix_label(rule: type[Rule]) -> str:
    return rule.fix_class if rule.fix_class != "no" else "none"


def render_rules_text(rules: Sequence[type[Rule]]) -> str:
    """A table of every rule: code, name, severity, fix class and summary."""
    rows = [
        (
            rule.code,
            rule.name,
            rule.severity.value,
            _fix_label(rule),
            rule.summary + ("" if rule.enabled_by_default else " (off by default)"),
        )
        for rule in rules
    ]
    header = ("CODE", "NAME", "SEVERITY", "FIX", "SUMMARY")
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    return "".join(f"{line}\n" for line in lines)


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rules_markdown(rules: Sequence[type[Rule]]) -> str:
    """A Markdown table of every rule."""
    lines = [
        "| Code | Name | Severity | Fix | Summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        summary = rule.summary + ("" if rule.enabled_by_default else " (off by default)")
        cells = [
            f"`{rule.code}`",
            f"`{rule.name}`",
            rule.severity.value,
            _fix_label(rule),
            _markdown_cell(summary),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "".join(f"{line}\n" for line in lines)


def render_rule_docs(rule: type[Rule]) -> str:
    """The full documentation of a rule.

    A header line (code, name, severity, fix class, aliases), the summary, the
    docstring, then the bad and good examples as Dockerfile code blocks.
    """
    details = [f"severity: {rule.severity.value}", f"fix: {_fix_label(rule)}"]
    if rule.aliases:
        details.append(f"aliases: {', '.join(rule.aliases)}")
    if not rule.enabled_by_default:
        details.append("off by default")
    parts = [f"{rule.code} {rule.name} ({'; '.join(details)})", rule.summary]
    docs = rule.docs()
    if docs:
        parts.append(docs)
    if rule.bad or rule.good:
        example = ["## Example"]
        if rule.bad:
            example.append(f"Bad:\n\n```dockerfile\n{rule.bad.rstrip()}\n```")
        if rule.good:
            example.append(f"Good:\n\n```dockerfile\n{rule.good.rstrip()}\n```")
        parts.append("\n\n".join(example))
    return "\n\n".join(parts) + "\n"
