"""Output formats: findings, summaries, statistics, JSON, diffs and rule documentation."""

from __future__ import annotations

import json

from dfopt.fixes import Edit, Fix
from dfopt.report import (
    Finding,
    FixEdit,
    FixInfo,
    findings_from,
    plural,
    sort_findings,
    statistics,
    summarize,
)
from dfopt.report.diff import unified_diff
from dfopt.report.json_format import (
    finding_to_dict,
    render_json,
    render_rules_json,
    render_statistics_json,
)
from dfopt.report.text import (
    Style,
    format_finding,
    render_rule_docs,
    render_rules_markdown,
    render_rules_text,
    render_statistics,
    render_text,
    summary_line,
)
from dfopt.rules_api import FixAvailability, Rule, Severity, Span, Violation
from dfopt.syntax import Source


def finding(
    path: str = "Dockerfile",
    line: int = 1,
    column: int = 1,
    code: str = "DL4000",
    *,
    fixable: bool = False,
    unsafe_fixable: bool = False,
    fails: bool = True,
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 3,
        code=code,
        name="some-rule",
        severity="warning",
        message="Something is off",
        fixable=fixable,
        unsafe_fixable=unsafe_fixable,
        fails=fails,
    )


TEXT = "FROM alpine:3.20\nMAINTAINER Jane\nRUN echo é && true\n"


def test_positions_are_one_based_and_end_exclusive() -> None:
    start = TEXT.index("MAINTAINER")
    violation = Violation("DL4000", "msg", Span(start, start + len("MAINTAINER")))
    (found,) = findings_from([violation], Source(TEXT), "Dockerfile")
    assert (found.line, found.column, found.end_line, found.end_column) == (2, 1, 2, 11)


def test_columns_count_characters_and_ignore_the_bom() -> None:
    text = "\ufeff" + TEXT
    start = text.index("&&")
    first = text.index("alpine")
    violations = [
        Violation("DL3000", "a", Span(start, start + 2)),
        Violation("DL3001", "b", Span(first, first + 6)),
    ]
    found = findings_from(violations, Source(text), "Dockerfile")
    # "RUN echo é " is 11 characters (é is two bytes in UTF-8 but one character).
    assert (found[0].line, found[0].column, found[0].end_column) == (3, 12, 14)
    # The byte order mark is not a column an editor shows.
    assert (found[1].line, found[1].column, found[1].end_column) == (1, 6, 12)


def test_fix_edits_flags_and_threshold() -> None:
    start = TEXT.index("MAINTAINER")
    span = Span(start, TEXT.index("\n", start))
    safe = Fix.safe("Use a label", [Edit.replace(span, "LABEL a=b")])
    unsafe = Fix.unsafe("Risky", [Edit.insert(0, "# x\n")])
    shown = Fix.display_only("Think about it")
    violations = [
        Violation("DL4000", "safe", span, safe, Severity.ERROR, "maintainer-deprecated"),
        Violation("DL3025", "unsafe", span, unsafe, Severity.STYLE, "x"),
        Violation("DF301", "display", span, shown, Severity.WARNING, "y"),
        Violation("DL3999", "none", span, None, Severity.INFO, "z"),
    ]
    found = findings_from(
        violations,
        Source(TEXT),
        "Dockerfile",
        is_fixable=lambda code: True,
        fails_on=lambda severity: severity in ("error", "warning"),
    )
    by_code = {item.code: item for item in found}
    assert by_code["DL4000"].fix == FixInfo(
        "safe", "Use a label", (FixEdit(2, 1, 2, 16, "LABEL a=b"),)
    )
    assert by_code["DL4000"].fixable and not by_code["DL4000"].unsafe_fixable
    assert by_code["DL3025"].fix == FixInfo("unsafe", "Risky", (FixEdit(1, 1, 1, 1, "# x\n"),))
    assert not by_code["DL3025"].fixable and by_code["DL3025"].unsafe_fixable
    assert by_code["DF301"].fix == FixInfo("display-only", "Think about it", ())
    assert not by_code["DF301"].fixable and not by_code["DF301"].unsafe_fixable
    assert by_code["DL3999"].fix is None
    assert [item.fails for item in found] == [True, False, True, False]

    with_unsafe = findings_from(violations, Source(TEXT), "Dockerfile", unsafe=True)
    assert [item.fixable for item in with_unsafe] == [True, True, False, False]
    unfixable = findings_from(violations, Source(TEXT), "D", is_fixable=lambda code: False)
    assert not any(item.fixable or item.unsafe_fixable for item in unfixable)


def test_sort_order_is_path_line_column_code() -> None:
    items = [
        finding("b/Dockerfile", 1, 1, "DL3000"),
        finding("a/Dockerfile", 3, 1, "DL3000"),
        finding("a/Dockerfile", 2, 5, "DL3000"),
        finding("a/Dockerfile", 2, 5, "DL1000"),
        finding("a/Dockerfile", 2, 1, "DL9000"),
    ]
    ordered = [(f.path, f.line, f.column, f.code) for f in sort_findings(items)]
    assert ordered == [
        ("a/Dockerfile", 2, 1, "DL9000"),
        ("a/Dockerfile", 2, 5, "DL1000"),
        ("a/Dockerfile", 2, 5, "DL3000"),
        ("a/Dockerfile", 3, 1, "DL3000"),
        ("b/Dockerfile", 1, 1, "DL3000"),
    ]


def test_text_line_format() -> None:
    assert format_finding(finding(line=3, column=7)) == ("Dockerfile:3:7: DL4000 Something is off")
    assert format_finding(finding(fixable=True)) == "Dockerfile:1:1: DL4000 [*] Something is off"
    assert format_finding(finding(unsafe_fixable=True)) == "Dockerfile:1:1: DL4000 Something is off"


def test_colour_only_when_asked() -> None:
    plain = render_text([finding(fixable=True)], summarize([finding()]))
    assert "\x1b[" not in plain
    coloured = format_finding(finding(fixable=True), Style(True))
    assert "\x1b[1;31mDL4000\x1b[0m" in coloured
    assert "\x1b[" in coloured and coloured.endswith("Something is off")


def test_summary_lines() -> None:
    assert summary_line(summarize([])) == "All checks passed!"
    one = summarize([finding()])
    assert summary_line(one) == "Found 1 problem in 1 file."
    mixed = summarize(
        [
            finding("a", fixable=True),
            finding("a", 2, fixable=True),
            finding("b", unsafe_fixable=True),
            finding("c"),
        ]
    )
    assert summary_line(mixed) == (
        "Found 4 problems in 3 files (2 fixable with `dfopt fix`, "
        "1 more with `dfopt fix --unsafe-fixes`)."
    )
    only_unsafe = summarize([finding(unsafe_fixable=True)])
    assert summary_line(only_unsafe) == (
        "Found 1 problem in 1 file (1 with `dfopt fix --unsafe-fixes`)."
    )
    assert summary_line(summarize([finding(fixable=True)]), unsafe=True) == (
        "Found 1 problem in 1 file (1 fixable with `dfopt fix --unsafe-fixes`)."
    )
    assert plural(1, "file") == "1 file" and plural(0, "file") == "0 files"


def test_render_text_ends_with_summary() -> None:
    items = [finding(fixable=True), finding(line=2)]
    assert render_text(items, summarize(items)).splitlines() == [
        "Dockerfile:1:1: DL4000 [*] Something is off",
        "Dockerfile:2:1: DL4000 Something is off",
        "Found 2 problems in 1 file (1 fixable with `dfopt fix`).",
    ]


def test_statistics_count_per_code() -> None:
    items = [
        finding(code="DL3008"),
        finding(code="DL4000", fixable=True),
        finding(code="DL3008", line=2),
        finding(code="DL3001"),
    ]
    stats = statistics(items)
    assert [(s.code, s.count, s.fixable) for s in stats] == [
        ("DL3008", 2, 0),
        ("DL3001", 1, 0),
        ("DL4000", 1, 1),
    ]
    assert render_statistics(stats).splitlines() == [
        "    2  DL3008      some-rule",
        "    1  DL3001      some-rule",
        "    1  DL4000  [*] some-rule",
    ]
    assert json.loads(render_statistics_json(stats))[0] == {
        "code": "DL3008",
        "name": "some-rule",
        "count": 2,
        "fixable": 0,
    }


def test_json_structure() -> None:
    item = Finding(
        "Dockerfile",
        2,
        1,
        2,
        11,
        "DL4000",
        "maintainer-deprecated",
        "error",
        "`MAINTAINER` is deprecated",
        FixInfo("safe", "Use a label", (FixEdit(2, 1, 2, 16, "LABEL a=b"),)),
        fixable=True,
    )
    data = json.loads(render_json([item, finding()]))
    assert data[0] == {
        "path": "Dockerfile",
        "line": 2,
        "column": 1,
        "end_line": 2,
        "end_column": 11,
        "code": "DL4000",
        "name": "maintainer-deprecated",
        "severity": "error",
        "message": "`MAINTAINER` is deprecated",
        "fixable": True,
        "fix": {
            "applicability": "safe",
            "title": "Use a label",
            "edits": [
                {"line": 2, "column": 1, "end_line": 2, "end_column": 16, "content": "LABEL a=b"}
            ],
        },
    }
    assert data[1]["fix"] is None
    assert finding_to_dict(finding())["fixable"] is False
    assert json.loads(render_json([])) == []


def test_unified_diff() -> None:
    before = "FROM a\nMAINTAINER x\nRUN b\n"
    after = "FROM a\nLABEL y\nRUN b\n"
    assert unified_diff(before, after, "./sub/Dockerfile").splitlines() == [
        "--- a/sub/Dockerfile",
        "+++ b/sub/Dockerfile",
        "@@ -1,3 +1,3 @@",
        " FROM a",
        "-MAINTAINER x",
        "+LABEL y",
        " RUN b",
    ]
    assert unified_diff(before, before, "Dockerfile") == ""


def test_unified_diff_keeps_crlf_and_marks_missing_newline() -> None:
    diff = unified_diff("FROM a\r\nMAINTAINER x", "FROM a\r\nLABEL y", "Dockerfile")
    assert diff.endswith(
        " FROM a\r\n-MAINTAINER x\n\\ No newline at end of file\n"
        "+LABEL y\n\\ No newline at end of file\n"
    )


class SampleRule(Rule):
    """## What it does
    Flags samples.

    ## Why is this bad?
    Samples | pipes are tricky.
    """

    code = "TS100"
    name = "sample-rule"
    summary = "Samples | are flagged"
    severity = Severity.STYLE
    aliases = ("SampleAlias",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    bad = "FROM a\nSAMPLE\n"
    good = "FROM a\n"


class QuietRule(Rule):
    """Does nothing."""

    code = "TS101"
    name = "quiet-rule"
    summary = "Quiet"
    enabled_by_default = False


def test_rules_listings() -> None:
    text = render_rules_text([SampleRule, QuietRule]).splitlines()
    assert text[0].split() == ["CODE", "NAME", "SEVERITY", "FIX", "SUMMARY"]
    assert text[1].split()[:4] == ["TS100", "sample-rule", "style", "unsafe"]
    assert text[2].split()[:4] == ["TS101", "quiet-rule", "warning", "none"]
    assert text[2].endswith("Quiet (off by default)")

    markdown = render_rules_markdown([SampleRule]).splitlines()
    assert markdown[0] == "| Code | Name | Severity | Fix | Summary |"
    assert markdown[2] == "| `TS100` | `sample-rule` | style | unsafe | Samples \\| are flagged |"

    (data,) = json.loads(render_rules_json([SampleRule]))
    assert data["code"] == "TS100"
    assert data["aliases"] == ["SampleAlias"]
    assert data["fix_class"] == "unsafe"
    assert data["fix_availability"] == "always"
    assert data["docs"].startswith("## What it does")


def test_rule_docs() -> None:
    docs = render_rule_docs(SampleRule)
    lines = docs.splitlines()
    assert lines[0] == "TS100 sample-rule (severity: style; fix: unsafe; aliases: SampleAlias)"
    assert lines[2] == "Samples | are flagged"
    assert "## What it does\nFlags samples." in docs
    assert docs.index("## Why is this bad?") < docs.index("## Example")
    assert "Bad:\n\n```dockerfile\nFROM a\nSAMPLE\n```" in docs
    assert "Good:\n\n```dockerfile\nFROM a\n```" in docs
    assert "off by default" in render_rule_docs(QuietRule).splitlines()[0]
