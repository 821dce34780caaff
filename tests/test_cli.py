"""The command line: check, fix, rules, rule, exit codes, errors and output formats.

Most tests run the typer app in-process against a registry of small test rules (plus the
built-in DL4000), so they do not depend on which other rules exist.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from dfopt import __version__, cli, commands, verify
from dfopt.config import clear_config_cache
from dfopt.engine import registry as registry_module
from dfopt.engine.registry import Registry, RegistryProblem, build_registry
from dfopt.files import MAX_FILE_SIZE
from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
)
from dfopt_rules.dl4000_maintainer_deprecated import MaintainerDeprecated

ROOT = Path(__file__).resolve().parent.parent


class OldLabel(Rule):
    """## What it does
    Flags `old` in LABEL values (a test rule with an unsafe fix).

    ## Why is this bad?
    It is a test.

    ## Fix safety
    Unsafe: replaces `old` with `new`.
    """

    code = "TS001"
    name = "old-label"
    summary = "Labels should not say old"
    severity = Severity.WARNING
    targets = frozenset({"LABEL"})
    aliases = ("OldLabel",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    bad = "FROM alpine:3.20\nLABEL version=old\n"
    good = "FROM alpine:3.20\nLABEL version=new\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        index = ctx.slice(instruction.args_span).find("old")
        if index < 0 or ctx.onbuild:
            return
        start = instruction.args_span.start + index
        span = Span(start, start + 3)
        fix = Fix.unsafe("Say new", [Edit.replace(span, "new")])
        yield self.violation(span, "Label value `old` is outdated", fix)


class CrashingRule(Rule):
    """Crashes on STOPSIGNAL."""

    code = "TS002"
    name = "crashing-rule"
    summary = "Crashes"
    targets = frozenset({"STOPSIGNAL"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        raise ZeroDivisionError("boom")


class FlipFlop(Rule):
    """Rewrites `ENV A=1` to `A=2` and back: the rewriter must refuse it."""

    code = "TS003"
    name = "flip-flop"
    summary = "Flips"
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


class RelativeWorkdir(Rule):
    """A style-level finding without a fix."""

    code = "TS004"
    name = "relative-workdir"
    summary = "WORKDIR should be absolute"
    severity = Severity.STYLE
    targets = frozenset({"WORKDIR"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if not instruction.args_text.startswith("/"):
            yield self.violation(instruction.args_span, "Use an absolute `WORKDIR`")


TEST_RULES = [MaintainerDeprecated, OldLabel, CrashingRule, FlipFlop, RelativeWorkdir]

CLEAN = "FROM alpine:3.20\nRUN echo hello\n"
BAD = "FROM alpine:3.20\nMAINTAINER Jane\nLABEL version=old\n"
FIXED_SAFE = 'FROM alpine:3.20\nLABEL org.opencontainers.image.authors="Jane"\nLABEL version=old\n'
FIXED_ALL = FIXED_SAFE.replace("version=old", "version=new")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    built = build_registry([("tests", SimpleNamespace(RULES=TEST_RULES))])
    assert not built.problems
    monkeypatch.setattr(registry_module, "default_registry", lambda: built)
    monkeypatch.setattr(registry_module, "deferred_registry", lambda: built)
    return built


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry) -> Iterator[Path]:
    """An empty working directory with no configuration above it that matters."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".no-config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    clear_config_cache()
    yield tmp_path
    clear_config_cache()


def write(path: Path | str, text: str = CLEAN) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def run(*args: str, input: str | bytes | None = None) -> SimpleNamespace:
    result = CliRunner().invoke(cli.app, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(
        code=result.exit_code,
        out=result.stdout,
        err=result.stderr,
        out_bytes=result.stdout_bytes,
    )


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("dfopt: error:")]


# -- general ---------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out == f"dfopt {__version__}\n"


def test_check_clean_file(project: Path) -> None:
    write("Dockerfile")
    result = run("check", "Dockerfile")
    assert (result.code, result.out, result.err) == (0, "All checks passed!\n", "")


def test_check_defaults_to_the_current_directory(project: Path) -> None:
    write("app/Dockerfile", BAD)
    result = run("check")
    assert result.code == 1
    assert result.out.startswith("app/Dockerfile:2:1: DL4000 [*] `MAINTAINER` is deprecated\n")


def test_check_text_format(project: Path) -> None:
    write("Dockerfile", BAD)
    result = run("check", "Dockerfile")
    assert result.code == 1
    assert result.err == ""
    assert result.out.splitlines() == [
        "Dockerfile:2:1: DL4000 [*] `MAINTAINER` is deprecated",
        "Dockerfile:3:15: TS001 Label value `old` is outdated",
        "Found 2 problems in 1 file "
        "(1 fixable with `dfopt fix`, 1 more with `dfopt fix --unsafe-fixes`).",
    ]
    assert "\x1b[" not in result.out


def test_check_with_unsafe_fixes_marks_them_fixable(project: Path) -> None:
    write("Dockerfile", BAD)
    result = run("check", "--unsafe-fixes", "Dockerfile")
    assert result.out.splitlines()[1] == "Dockerfile:3:15: TS001 [*] Label value `old` is outdated"
    assert result.out.splitlines()[-1] == (
        "Found 2 problems in 1 file (2 fixable with `dfopt fix --unsafe-fixes`)."
    )


def test_exit_zero(project: Path) -> None:
    write("Dockerfile", BAD)
    result = run("check", "--exit-zero", "Dockerfile")
    assert result.code == 0
    assert "DL4000" in result.out


def test_failure_threshold(project: Path) -> None:
    write("Dockerfile", "FROM alpine:3.20\nLABEL v=old\nWORKDIR app\n")
    assert run("check", "Dockerfile").code == 1
    # Only the style-level finding left: below the default threshold (info).
    result = run("check", "--ignore", "TS001", "Dockerfile")
    assert result.code == 0
    assert "TS004" in result.out
    write(".dfopt.yaml", "failure-threshold: error\n")
    clear_config_cache()
    result = run("check", "Dockerfile")
    assert result.code == 0
    assert "TS001" in result.out


def test_json_format(project: Path) -> None:
    write("Dockerfile", BAD)
    result = run("check", "--format", "json", "Dockerfile")
    assert result.code == 1
    data = json.loads(result.out)
    assert [item["code"] for item in data] == ["DL4000", "TS001"]
    first, second = data
    assert set(first) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "severity",
        "message",
        "fixable",
        "fix",
    }
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (
        2,
        1,
        2,
        11,
    )
    assert first["name"] == "maintainer-deprecated"
    assert first["severity"] == "error"
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"] == [
        {
            "line": 2,
            "column": 1,
            "end_line": 2,
            "end_column": 16,
            "content": 'LABEL org.opencontainers.image.authors="Jane"',
        }
    ]
    assert second["fix"]["applicability"] == "unsafe"
    assert second["fixable"] is False
    assert (second["column"], second["end_column"]) == (15, 18)
    clean = write("clean/Dockerfile")
    assert json.loads(run("check", "--format", "json", str(clean)).out) == []


def test_statistics(project: Path) -> None:
    write("a/Dockerfile", BAD)
    write("b/Dockerfile", BAD.replace("LABEL version=old\n", ""))
    result = run("check", "--statistics", ".")
    assert result.code == 1
    assert result.out.splitlines() == [
        "    2  DL4000  [*] maintainer-deprecated",
        "    1  TS001       old-label",
        "Found 3 problems in 2 files "
        "(2 fixable with `dfopt fix`, 1 more with `dfopt fix --unsafe-fixes`).",
    ]
    data = json.loads(run("check", "--statistics", "--format", "json", ".").out)
    assert data == [
        {"code": "DL4000", "name": "maintainer-deprecated", "count": 2, "fixable": 2},
        {"code": "TS001", "name": "old-label", "count": 1, "fixable": 0},
    ]


def test_select_extend_select_and_ignore(project: Path) -> None:
    write("Dockerfile", "FROM alpine:3.20\nMAINTAINER x\nLABEL v=old\nWORKDIR app\n")

    def codes(*args: str) -> list[str]:
        output = run("check", "--format", "json", *args, "Dockerfile").out
        return [item["code"] for item in json.loads(output)]

    assert codes() == ["DL4000", "TS001", "TS004"]
    assert codes("--select", "DL4000") == ["DL4000"]
    assert codes("--select", "DL4000,TS004") == ["DL4000", "TS004"]
    assert codes("--select", "DL4000", "--select", "old-label") == ["DL4000", "TS001"]
    assert codes("--select", "DL4000", "--extend-select", "TS004") == ["DL4000", "TS004"]
    assert codes("--ignore", "TS001, TS004") == ["DL4000"]
    assert codes("--ignore", "TS", "--ignore", "MaintainerDeprecated") == []


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    write("Dockerfile")
    result = run("check", "--select", "DL4000,NOPE", "Dockerfile")
    assert result.code == 2
    assert result.out == ""
    assert result.err == "dfopt: error: unknown rule selector `NOPE` in --select\n"


def test_bad_format_is_a_usage_error(project: Path) -> None:
    write("Dockerfile")
    assert run("check", "--format", "yaml", "Dockerfile").code == 2


def test_output_is_sorted_by_path_line_column_code(project: Path) -> None:
    write("b/Dockerfile", "FROM alpine:3.20\nMAINTAINER x\n")
    write("a/Dockerfile", "FROM alpine:3.20\nLABEL a=old\nLABEL bb=old\nMAINTAINER x\n")
    write("a/z.Dockerfile", "FROM alpine:3.20\nMAINTAINER x\n")
    result = run("check", "b", "a/z.Dockerfile", "a")
    locations = [" ".join(line.split(" ")[:2]) for line in result.out.splitlines()]
    assert locations[:-1] == [
        "a/Dockerfile:2:9: TS001",
        "a/Dockerfile:3:10: TS001",
        "a/Dockerfile:4:1: DL4000",
        "a/z.Dockerfile:2:1: DL4000",
        "b/Dockerfile:2:1: DL4000",
    ]


def test_directory_discovery_and_excludes(project: Path) -> None:
    write("Dockerfile", BAD)
    write("services/api.Dockerfile", BAD)
    write("services/Containerfile", BAD)
    write("node_modules/pkg/Dockerfile", BAD)
    write(".cache/Dockerfile", BAD)
    write("legacy/Dockerfile", BAD)
    write("docs/notes.txt", BAD)
    write(".dfopt.yaml", "exclude: ['legacy/**']\n")
    result = run("check", "--select", "DL4000", ".")
    paths = [line.split(":")[0] for line in result.out.splitlines()[:-1]]
    assert paths == ["Dockerfile", "services/Containerfile", "services/api.Dockerfile"]
    # Named explicitly, an excluded file and an oddly named one are still checked...
    result = run("check", "--select", "DL4000", "legacy/Dockerfile", "docs/notes.txt")
    assert [line.split(":")[0] for line in result.out.splitlines()[:-1]] == [
        "docs/notes.txt",
        "legacy/Dockerfile",
    ]
    # ...unless --force-exclude applies the excludes to them too.
    result = run("check", "--force-exclude", "legacy/Dockerfile", "Dockerfile")
    assert {line.split(":")[0] for line in result.out.splitlines()[:-1]} == {"Dockerfile"}


def test_include_globs_replace_the_default_names(project: Path) -> None:
    write("Dockerfile", BAD)
    write("images/base.docker", BAD)
    write(".dfopt.yaml", "include: ['*.docker']\n")
    result = run("check", "--select", "DL4000", ".")
    assert [line.split(":")[0] for line in result.out.splitlines()[:-1]] == ["images/base.docker"]


# -- standard input -------------------------------------------------------------------


def test_check_stdin(project: Path) -> None:
    result = run("check", "-", input=BAD)
    assert result.code == 1
    assert result.out.splitlines()[0] == "-:2:1: DL4000 [*] `MAINTAINER` is deprecated"


def test_check_stdin_filename_names_the_input_and_picks_its_configuration(
    project: Path,
) -> None:
    write("sub/.dfopt.yaml", "ignore: [TS001]\n")
    result = run("check", "--stdin-filename", "sub/Dockerfile", input=BAD)
    assert result.out.splitlines() == [
        "sub/Dockerfile:2:1: DL4000 [*] `MAINTAINER` is deprecated",
        "Found 1 problem in 1 file (1 fixable with `dfopt fix`).",
    ]


def test_check_stdin_errors(project: Path) -> None:
    result = run("check", "-", input=b"FROM a\x00\n")
    assert result.code == 2
    assert result.err == "dfopt: error: -:1:7: binary file (it contains NUL bytes)\n"
    result = run("check", "-", input="  \n# nothing\n")
    assert result.err == "dfopt: error: -: file with no instructions\n"


def test_fix_stdin_writes_the_fixed_text_to_stdout(project: Path) -> None:
    source = "\ufeffFROM alpine:3.20\r\nMAINTAINER Jane\r\n"
    result = run("fix", "-", input=source.encode("utf-8"))
    assert result.code == 0
    expected = '\ufeffFROM alpine:3.20\r\nLABEL org.opencontainers.image.authors="Jane"\r\n'
    assert result.out_bytes == expected.encode("utf-8")
    assert result.err == "Fixed 1 problem in 1 file.\n"
    clean = run("fix", "-", input=CLEAN)
    assert clean.out == CLEAN
    assert clean.err == "Nothing to fix.\n"


def test_fix_stdin_diff(project: Path) -> None:
    result = run("fix", "--diff", "--stdin-filename", "x/Dockerfile", "-", input=BAD)
    assert result.code == 1
    assert result.out.startswith("--- a/x/Dockerfile\n+++ b/x/Dockerfile\n")


# -- bad input -----------------------------------------------------------------------


BAD_INPUTS = {
    "missing": (None, "missing.Dockerfile: no such file or directory"),
    "binary": (
        b"FROM alpine\nRUN \x00\n",
        "bad.Dockerfile:2:5: binary file (it contains NUL bytes)",
    ),
    "latin-1": (b"FROM alpine\nLABEL a=\xe9\n", "bad.Dockerfile:2:9: not valid UTF-8 (byte 0xe9)"),
    "empty": (b"", "bad.Dockerfile: file with no instructions"),
    "blank": (b"\n  \n\t\n", "bad.Dockerfile: file with no instructions"),
    "comments": (
        b"# syntax=docker/dockerfile:1\n# hi\n",
        "bad.Dockerfile: file with no instructions",
    ),
    "huge": (
        b"FROM alpine\n" + b"#" * MAX_FILE_SIZE,
        "bad.Dockerfile: file is too large (5.0 MB; the limit is 5 MB)",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["check", "fix"])
def test_bad_input_is_one_error_line_and_the_rest_goes_on(
    project: Path, kind: str, command: str
) -> None:
    data, message = BAD_INPUTS[kind]
    name = "missing.Dockerfile" if data is None else "bad.Dockerfile"
    if data is not None:
        Path(name).write_bytes(data)
    write("good.Dockerfile", BAD)
    result = run(command, name, "good.Dockerfile")
    assert result.code == 2  # errors win over findings
    assert result.err.splitlines()[0] == f"dfopt: error: {message}"
    assert len(error_lines(result.err)) == 1
    assert "Traceback" not in result.err + result.out
    if command == "check":
        assert "good.Dockerfile:2:1: DL4000" in result.out
    else:
        assert Path("good.Dockerfile").read_text() == FIXED_SAFE
        if data is not None:
            assert Path(name).read_bytes() == data


def test_empty_directory(project: Path) -> None:
    Path("empty").mkdir()
    write("docs/README.md", "hello\n")
    result = run("check", "empty", "docs")
    assert result.code == 2
    assert error_lines(result.err) == [
        "dfopt: error: empty: no Dockerfiles found in this directory",
        "dfopt: error: docs: no Dockerfiles found in this directory",
    ]
    assert result.out == ""


def test_bom_is_fine(project: Path) -> None:
    write("Dockerfile", "\ufeffMAINTAINER x\nFROM alpine:3.20\n")
    result = run("check", "--select", "DL4000", "Dockerfile")
    assert result.code == 1
    assert result.err == ""
    assert result.out.splitlines()[0] == "Dockerfile:1:1: DL4000 [*] `MAINTAINER` is deprecated"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root, which can read any file",
)
def test_permission_denied(project: Path) -> None:
    path = write("Dockerfile")
    path.chmod(0)
    try:
        result = run("check", "Dockerfile")
    finally:
        path.chmod(0o644)
    assert result.code == 2
    assert result.err == "dfopt: error: Dockerfile: permission denied\n"


def test_configuration_error(project: Path) -> None:
    write("broken/.dfopt.yaml", "select: [DL4000]\nbogus: 1\n")
    write("broken/Dockerfile", BAD)
    write("broken/deeper/Dockerfile", BAD)
    write("fine/Dockerfile", BAD)
    result = run("check", "broken", "fine", "broken/Dockerfile")
    assert result.code == 2
    lines = error_lines(result.err)
    assert len(lines) == 1
    assert lines[0].startswith("dfopt: error: broken/.dfopt.yaml:2:1: ")
    assert "bogus" in lines[0]
    assert [line.split(":")[0] for line in result.out.splitlines()[:-1]] == [
        "fine/Dockerfile",
        "fine/Dockerfile",
    ]


def test_explicit_configuration_file(project: Path) -> None:
    write("Dockerfile", BAD)
    write("conf/strict.yaml", "select: [TS001]\n")
    result = run("check", "--config", "conf/strict.yaml", "Dockerfile")
    assert [line.split(" ")[1] for line in result.out.splitlines()[:-1]] == ["TS001"]
    missing = run("check", "--config", "nope.yaml", "Dockerfile")
    assert missing.code == 2
    assert error_lines(missing.err) == ["dfopt: error: nope.yaml: configuration file not found"]


def test_isolated_ignores_configuration(project: Path) -> None:
    write("Dockerfile", BAD)
    write(".dfopt.yaml", "select: [TS001]\n")
    result = run("check", "--isolated", "--format", "json", "Dockerfile")
    assert [item["code"] for item in json.loads(result.out)] == ["DL4000", "TS001"]


def test_rule_crash_is_reported_and_the_rest_still_runs(project: Path) -> None:
    write("Dockerfile", "FROM alpine:3.20\nSTOPSIGNAL SIGTERM\nMAINTAINER x\n")
    result = run("check", "Dockerfile")
    assert result.code == 2
    assert result.err == (
        "dfopt: error: Dockerfile: TS002: rule crashed: ZeroDivisionError: boom\n"
    )
    assert "Dockerfile:3:1: DL4000" in result.out
    assert "Traceback" not in result.err


def test_registry_problems_are_errors(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = build_registry([("tests", SimpleNamespace(RULES=[MaintainerDeprecated]))])
    broken = Registry(built.rules, (RegistryProblem("extra", "failed to load: boom"),))
    monkeypatch.setattr(registry_module, "default_registry", lambda: broken)
    monkeypatch.setattr(registry_module, "deferred_registry", lambda: broken)
    write("Dockerfile")
    result = run("check", "Dockerfile")
    assert result.code == 2
    assert result.err == "dfopt: error: rule pack `extra`: failed to load: boom\n"
    assert result.out == ""  # no "All checks passed!" after an error


def test_an_internal_error_on_one_file_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a/Dockerfile", BAD)
    write("b/Dockerfile", BAD)
    from dfopt.engine.session import Session

    original = Session.lint

    def lint(self: Session, text: str, path: Path | None = None) -> object:
        if path is not None and path.parent.name == "a":
            raise RuntimeError("engine bug")
        return original(self, text, path)

    monkeypatch.setattr(Session, "lint", lint)
    result = run("check", "a", "b")
    assert result.code == 2
    assert result.err == "dfopt: error: a/Dockerfile: internal error: RuntimeError: engine bug\n"
    assert "b/Dockerfile:2:1: DL4000" in result.out


# -- fix ---------------------------------------------------------------------------


def test_fix_applies_safe_fixes_and_holds_back_unsafe_ones(project: Path) -> None:
    path = write("Dockerfile", BAD + "WORKDIR app\n")
    path.chmod(0o600)
    result = run("fix", "Dockerfile")
    assert result.code == 0
    assert result.out == ""
    assert result.err.splitlines() == [
        "Fixed 1 problem in 1 file.",
        "1 unsafe fix held back (TS001); run with --unsafe-fixes to apply them.",
        "1 problem remains that dfopt fix does not repair; run `dfopt check` to see them.",
    ]
    assert path.read_text() == FIXED_SAFE + "WORKDIR app\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in project.iterdir()] == ["Dockerfile"]


def test_fix_with_unsafe_fixes(project: Path) -> None:
    path = write("Dockerfile", BAD)
    result = run("fix", "--unsafe-fixes", "Dockerfile")
    assert result.code == 0
    assert result.err == "Fixed 2 problems in 1 file.\n"
    assert path.read_text() == FIXED_ALL


def test_fix_unsafe_fixes_from_configuration(project: Path) -> None:
    path = write("Dockerfile", BAD)
    write(".dfopt.yaml", "fix:\n  unsafe-fixes: true\n")
    assert run("fix", "Dockerfile").code == 0
    assert path.read_text() == FIXED_ALL
    path.write_text(BAD)
    assert run("fix", "--no-unsafe-fixes", "Dockerfile").code == 0
    assert path.read_text() == FIXED_SAFE


def test_fix_keeps_crlf_and_bom(project: Path) -> None:
    source = "\ufeffFROM alpine:3.20\r\nMAINTAINER Jane\r\nRUN echo hi\r\n"
    path = write("Dockerfile", source)
    assert run("fix", "Dockerfile").code == 0
    assert path.read_bytes() == (
        b'\xef\xbb\xbfFROM alpine:3.20\r\nLABEL org.opencontainers.image.authors="Jane"\r\n'
        b"RUN echo hi\r\n"
    )


def test_fix_diff_prints_and_writes_nothing(project: Path) -> None:
    path = write("sub/Dockerfile", BAD)
    result = run("fix", "--diff", "sub")
    assert result.code == 1
    assert result.out.splitlines() == [
        "--- a/sub/Dockerfile",
        "+++ b/sub/Dockerfile",
        "@@ -1,3 +1,3 @@",
        " FROM alpine:3.20",
        "-MAINTAINER Jane",
        '+LABEL org.opencontainers.image.authors="Jane"',
        " LABEL version=old",
    ]
    assert result.err.splitlines()[0] == "Would fix 1 problem in 1 file."
    assert path.read_text() == BAD
    write("clean/Dockerfile")
    nothing = run("fix", "--diff", "clean")
    assert (nothing.code, nothing.out) == (0, "")


def test_fix_check_writes_nothing(project: Path) -> None:
    path = write("Dockerfile", BAD)
    result = run("fix", "--check", "Dockerfile")
    assert result.code == 1
    assert result.out == "Would fix Dockerfile (1 problem)\n"
    assert path.read_text() == BAD
    write("clean/Dockerfile")
    assert run("fix", "--check", "clean").code == 0


def test_fix_rollback_is_an_error(project: Path) -> None:
    source = "FROM alpine:3.20\nENV A=1\nMAINTAINER x\n"
    path = write("Dockerfile", source)
    result = run("fix", "Dockerfile")
    assert result.code == 2
    assert error_lines(result.err) == [
        "dfopt: error: Dockerfile: fixes rolled back: fixes undo each other (flip-flop) "
        "(rules: TS003)"
    ]
    assert path.read_text() == source


def test_fix_failed_write_leaves_the_file_intact(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("Dockerfile", BAD)
    other = write("other/Dockerfile", BAD)

    def fail(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail)
        result = run("fix", "Dockerfile", "other/Dockerfile")
    assert result.code == 2
    assert error_lines(result.err) == [
        "dfopt: error: Dockerfile: could not write the fixed file: no space left on device",
        "dfopt: error: other/Dockerfile: could not write the fixed file: no space left on device",
    ]
    assert path.read_text() == BAD
    assert other.read_text() == BAD
    leftovers = [p.name for p in (*project.iterdir(), *other.parent.iterdir())]
    assert not [name for name in leftovers if name.endswith(".dfopt-tmp")]


def test_fix_verify(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def unstable(original: str, fixed: str, session: object, path: Path | None) -> str:
        calls.append(fixed)
        return "not stable: fixing the result again changes it (DL4000)"

    monkeypatch.setattr(verify, "verify_fix", unstable)
    path = write("Dockerfile", BAD)
    result = run("fix", "--verify", "Dockerfile")
    assert result.code == 2
    assert error_lines(result.err) == [
        "dfopt: error: Dockerfile: fix not written: "
        "not stable: fixing the result again changes it (DL4000)"
    ]
    assert calls == [FIXED_SAFE]
    assert path.read_text() == BAD
    # Without --verify the check does not run.
    assert run("fix", "Dockerfile").code == 0
    assert path.read_text() == FIXED_SAFE
    assert len(calls) == 1
    # The configuration can ask for it.
    path.write_text(BAD)
    write(".dfopt.yaml", "fix:\n  verify: true\n")
    clear_config_cache()
    assert run("fix", "Dockerfile").code == 2
    assert path.read_text() == BAD
    assert run("fix", "--no-verify", "Dockerfile").code == 0


def test_fix_verify_with_the_real_check(project: Path) -> None:
    path = write("Dockerfile", BAD)
    result = run("fix", "--verify", "Dockerfile")
    assert result.code == 0
    assert path.read_text() == FIXED_SAFE


def test_fix_requires_a_path(project: Path) -> None:
    assert run("fix").code == 2


# -- rules and rule --------------------------------------------------------------------


def test_rules_formats(project: Path) -> None:
    text = run("rules")
    assert text.code == 0
    codes = [line.split()[0] for line in text.out.splitlines()[1:]]
    assert codes == ["DL1000", "DL4000", "TS001", "TS002", "TS003", "TS004"]
    data = json.loads(run("rules", "--format", "json").out)
    assert [item["code"] for item in data] == codes
    assert data[2]["fix_class"] == "unsafe"
    markdown = run("rules", "--format", "markdown").out.splitlines()
    assert markdown[0].startswith("| Code |")
    assert "| `TS001` | `old-label` | warning | unsafe | Labels should not say old |" in markdown


@pytest.mark.parametrize("key", ["TS001", "ts001", "old-label", "OldLabel"])
def test_rule_docs(project: Path, key: str) -> None:
    result = run("rule", key)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "TS001 old-label (severity: warning; fix: unsafe; aliases: OldLabel)"
    assert "## What it does" in result.out
    assert "## Fix safety" in result.out
    assert "Bad:\n\n```dockerfile\nFROM alpine:3.20\nLABEL version=old\n```" in result.out
    assert "Good:\n\n```dockerfile\nFROM alpine:3.20\nLABEL version=new\n```" in result.out


def test_unknown_rule(project: Path) -> None:
    result = run("rule", "old-lable")
    assert result.code == 2
    assert result.err.startswith("dfopt: error: unknown rule `old-lable`; did you mean `old-label`")
    assert result.out == ""


# -- colour and process-level behaviour ------------------------------------------------


def test_colour_needs_a_tty_and_no_NO_COLOR(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", Terminal(True))
    assert commands.use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert commands.use_color() is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys, "stdout", Terminal(False))
    assert commands.use_color() is False


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["XDG_CONFIG_HOME"] = str(cwd / ".no-config")
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_python_m_dfopt(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nMAINTAINER x\nUSER app\n")
    result = _python("-m", "dfopt", "check", "--select", "DL4000", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "Dockerfile:2:1: DL4000 [*] `MAINTAINER` is deprecated"
    assert "\x1b[" not in result.stdout


def test_start_up_imports_stay_small(tmp_path: Path) -> None:
    """Loading the command line must not load typer, the engine, the rules or rich."""
    code = (
        "import sys, dfopt.cli\n"
        "heavy = ('dfopt.engine', 'dfopt.config', 'dfopt.syntax', 'dfopt_rules', "
        "'tree_sitter', 'rich', 'ruamel', 'typer', 'pydantic')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = _python("-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
