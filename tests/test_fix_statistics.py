"""``dfopt fix --statistics``: found, fixed, held back and unfixable findings per rule."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dfopt import cli
from dfopt.config import clear_config_cache
from dfopt.engine import registry as registry_module
from dfopt.engine.registry import build_registry
from dfopt.report.fix_statistics import FixStatistics, render_fix_statistics
from dfopt.rules_api import Context, Edit, Fix, Instruction, Rule, Span, Violation
from dfopt_rules.dl4000_maintainer_deprecated import MaintainerDeprecated


class OldLabel(Rule):
    """Replaces `old` in LABEL values with `new` (an unsafe fix)."""

    code = "XS001"
    name = "old-label"
    summary = "Test rule"
    targets = frozenset({"LABEL"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        index = ctx.slice(instruction.args_span).find("old")
        if index >= 0:
            span = Span(
                instruction.args_span.start + index, instruction.args_span.start + index + 3
            )
            yield self.violation(span, "Old", Fix.unsafe("New", [Edit.replace(span, "new")]))


class RelativeWorkdir(Rule):
    """Reports a relative WORKDIR (no fix)."""

    code = "XS002"
    name = "relative-workdir"
    summary = "Test rule"
    targets = frozenset({"WORKDIR"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if not instruction.args_text.startswith("/"):
            yield self.violation(instruction.args_span, "Relative")


class ExposeHint(Rule):
    """Reports EXPOSE with a display-only suggestion."""

    code = "XS003"
    name = "expose-hint"
    summary = "Test rule"
    targets = frozenset({"EXPOSE"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        fix = Fix.display_only("Think", [Edit.delete(instruction.span)])
        yield self.violation(instruction.keyword_span, "Expose", fix)


class FlipFlop(Rule):
    """Toggles `ENV A=1` and `ENV A=2`: the rewriter rolls it back."""

    code = "XS004"
    name = "flip-flop"
    summary = "Test rule"
    targets = frozenset({"ENV"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        text = ctx.slice(instruction.args_span)
        for before, after in (("A=1", "A=2"), ("A=2", "A=1")):
            index = text.find(before)
            if index >= 0:
                start = instruction.args_span.start + index
                span = Span(start, start + 3)
                yield self.violation(span, "Flip", Fix.safe("Flip", [Edit.replace(span, after)]))
                return


REGISTRY = build_registry(
    [
        (
            "stats-tests",
            types.SimpleNamespace(
                RULES=[MaintainerDeprecated, OldLabel, RelativeWorkdir, ExposeHint, FlipFlop]
            ),
        )
    ]
)

BAD = (
    "FROM alpine:3.20\nMAINTAINER Jane\nLABEL version=old\nWORKDIR app\nEXPOSE 80\nMAINTAINER Joe\n"
)
HEADER = "Found  Fixed  Held back  Unfixable  Rule"
SAFE_TABLE = [
    HEADER,
    "    2      2          0          0  DL4000 maintainer-deprecated",
    "    1      0          1          0  XS001 old-label",
    "    1      0          0          1  XS002 relative-workdir",
    "    1      0          0          1  XS003 expose-hint",
    "    5      2          1          2  Total (1 file)",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(registry_module, "default_registry", lambda: REGISTRY)
    monkeypatch.setattr(registry_module, "deferred_registry", lambda: REGISTRY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".no-config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    clear_config_cache()
    yield tmp_path
    clear_config_cache()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_registry_is_sound() -> None:
    assert not REGISTRY.problems


def test_statistics_on_standard_output_when_writing_files(project: Path) -> None:
    path = write("Dockerfile", BAD)
    code, out, err = run("fix", "--statistics", "Dockerfile")
    assert code == 0
    assert out.splitlines() == SAFE_TABLE
    assert err.splitlines()[0] == "Fixed 2 problems in 1 file."
    assert "MAINTAINER" not in path.read_text()


def test_unsafe_fixes_turn_held_back_into_fixed(project: Path) -> None:
    write("Dockerfile", BAD)
    code, out, _ = run("fix", "--statistics", "--unsafe-fixes", "--check", "Dockerfile")
    assert code == 1
    assert out.splitlines() == [
        "Would fix Dockerfile (3 problems)",
        HEADER,
        "    2      2          0          0  DL4000 maintainer-deprecated",
        "    1      1          0          0  XS001 old-label",
        "    1      0          0          1  XS002 relative-workdir",
        "    1      0          0          1  XS003 expose-hint",
        "    5      3          0          2  Total (1 file)",
    ]


def test_with_diff_the_table_goes_to_standard_error(project: Path) -> None:
    path = write("Dockerfile", BAD)
    code, out, err = run("fix", "--diff", "--statistics", "Dockerfile")
    assert code == 1
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert "Found" not in out
    assert err.splitlines()[: len(SAFE_TABLE)] == SAFE_TABLE
    assert err.splitlines()[len(SAFE_TABLE)] == "Would fix 2 problems in 1 file."
    assert path.read_text() == BAD


def test_with_standard_input_the_fixed_text_stays_alone_on_standard_output(
    project: Path,
) -> None:
    code, out, err = run("fix", "--statistics", "-", stdin=BAD)
    assert code == 0
    assert out == (
        "FROM alpine:3.20\n"
        'LABEL org.opencontainers.image.authors="Jane"\n'
        "LABEL version=old\n"
        "WORKDIR app\n"
        "EXPOSE 80\n"
        'LABEL org.opencontainers.image.authors="Joe"\n'
    )
    assert err.splitlines()[: len(SAFE_TABLE)] == SAFE_TABLE
    # With --check nothing else is on standard output, so the table goes there.
    code, out, err = run("fix", "--statistics", "--check", "-", stdin=BAD)
    assert code == 1
    assert out.splitlines()[1:] == SAFE_TABLE


def test_totals_add_up_over_files_and_unfixable_configuration(project: Path) -> None:
    write("a/Dockerfile", BAD)
    write("b/Dockerfile", "FROM alpine:3.20\nLABEL old=1\nWORKDIR /srv\n")
    write("c/Dockerfile", "FROM alpine:3.20\nRUN true\n")
    write(".dfopt.yaml", "fix:\n  unfixable: [XS001]\n")
    code, out, _ = run("fix", "--statistics", "--check", ".")
    assert code == 1
    assert [line for line in out.splitlines() if not line.startswith("Would fix")] == [
        HEADER,
        "    2      2          0          0  DL4000 maintainer-deprecated",
        "    2      0          0          2  XS001 old-label",  # unfixable by configuration
        "    1      0          0          1  XS002 relative-workdir",
        "    1      0          0          1  XS003 expose-hint",
        "    6      2          0          4  Total (3 files)",
    ]


def test_a_rolled_back_file_counts_nothing_as_fixed(project: Path) -> None:
    write("Dockerfile", "FROM alpine:3.20\nENV A=1\nMAINTAINER x\n")
    code, out, err = run("fix", "--statistics", "Dockerfile")
    assert code == 2
    assert "fixes rolled back" in err
    assert out.splitlines() == [
        HEADER,
        "    1      0          0          1  DL4000 maintainer-deprecated",
        "    1      0          0          1  XS004 flip-flop",
        "    2      0          0          2  Total (1 file)",
    ]


def test_without_the_option_there_is_no_table(project: Path) -> None:
    write("Dockerfile", BAD)
    code, out, err = run("fix", "Dockerfile")
    assert (code, out) == (0, "")
    assert "Found" not in err


def test_the_fast_parser_knows_the_option() -> None:
    call = cli.parse_fast(["fix", "--statistics", "Dockerfile"])
    assert call is not None
    assert call.options["statistics"] is True
    call = cli.parse_fast(["fix", "Dockerfile"])
    assert call is not None
    assert call.options["statistics"] is False


def test_render_an_empty_run() -> None:
    assert render_fix_statistics(FixStatistics()).splitlines() == [
        HEADER,
        "    0      0          0          0  Total (0 files)",
    ]
