"""``dfopt format`` and ``dfopt fix --format`` on the command line, and the pre-commit hook."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from dfopt import cli
from dfopt.config import clear_config_cache

ROOT = Path(__file__).resolve().parent.parent
UGLY = "from alpine:3.20\nrun apk add curl && \\\n  rm -rf /tmp/*   \n"
PRETTY = "FROM alpine:3.20\nRUN apk add curl \\\n    && rm -rf /tmp/*\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".no-config"))
    clear_config_cache()
    yield tmp_path
    clear_config_cache()


def write(path: str, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    return target


def run(*args: str, input: str | None = None) -> SimpleNamespace:
    result = CliRunner().invoke(cli.app, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(code=result.exit_code, out=result.stdout, err=result.stderr)


def fast(*args: str, capsys: pytest.CaptureFixture[str]) -> SimpleNamespace:
    call = cli.parse_fast(list(args))
    assert call is not None, "the fast path should take this command line"
    code = call.run()
    captured = capsys.readouterr()
    return SimpleNamespace(code=code, out=captured.out, err=captured.err)


def test_format_writes_files_in_place(project: Path) -> None:
    path = write("Dockerfile", UGLY)
    write("clean/Dockerfile", PRETTY)
    result = run("format")
    assert result.code == 0
    assert path.read_text() == PRETTY
    assert result.err == "1 file reformatted, 1 file left unchanged.\n"
    again = run("format", ".")
    assert (again.code, again.err) == (0, "2 files left unchanged.\n")


def test_format_check_writes_nothing_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("Dockerfile", UGLY)
    for result in (
        run("format", "--check", "Dockerfile"),
        fast("format", "--check", ".", capsys=capsys),
    ):
        assert result.code == 1
        assert result.out == "Would reformat Dockerfile\n"
        assert path.read_text() == UGLY
    write("Dockerfile", PRETTY)
    assert run("format", "--check", "Dockerfile").code == 0


def test_format_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write("Dockerfile", UGLY)
    result = fast("format", "--diff", "Dockerfile", capsys=capsys)
    assert result.code == 1
    assert result.out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert "+    && rm -rf /tmp/*\n" in result.out
    assert Path("Dockerfile").read_text() == UGLY


def test_format_standard_input(project: Path) -> None:
    result = run("format", "-", input=UGLY)
    assert (result.code, result.out) == (0, PRETTY)
    unchanged = run("format", "-", input=PRETTY)
    assert (unchanged.code, unchanged.out) == (0, PRETTY)


def test_format_bad_inputs_are_one_line_errors(project: Path) -> None:
    write("Dockerfile", UGLY)
    write("empty/Dockerfile", "# only a comment\n")
    Path("broken").mkdir()
    Path("broken/Dockerfile").write_bytes(b"FROM a\nRUN \xff\n")
    result = run("format", "Dockerfile", "empty/Dockerfile", "broken/Dockerfile", "missing")
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if line.startswith("dfopt: error:")]
    assert len(errors) == 3
    assert any("empty/Dockerfile: file with no instructions" in line for line in errors)
    assert any(line.startswith("dfopt: error: broken/Dockerfile") for line in errors)
    assert any("missing" in line for line in errors)
    # The good file is still formatted.
    assert Path("Dockerfile").read_text() == PRETTY


def test_format_reads_the_format_section(project: Path) -> None:
    write(".dfopt.yaml", "format:\n  keyword-case: lower\n  operator-position: end\n")
    write("Dockerfile", "FROM alpine\nRUN a \\\n  && b\n")
    assert run("format", "Dockerfile").code == 0
    assert Path("Dockerfile").read_text() == "from alpine\nrun a && \\\n    b\n"


def test_format_reports_a_bad_format_section(project: Path) -> None:
    write(".dfopt.yaml", "format:\n  line-widht: 100\n")
    write("Dockerfile", UGLY)
    result = run("format", "Dockerfile")
    assert result.code == 2
    assert result.err.startswith("dfopt: error: .dfopt.yaml:2:3: unknown key 'format.line-widht'")
    assert Path("Dockerfile").read_text() == UGLY


def test_format_isolated_ignores_the_configuration(project: Path) -> None:
    write(".dfopt.yaml", "format:\n  keyword-case: lower\n")
    write("Dockerfile", UGLY)
    assert run("format", "--isolated", "Dockerfile").code == 0
    assert Path("Dockerfile").read_text() == PRETTY


def test_format_a_file_it_cannot_prove_is_left_with_a_reason(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfopt.format import document

    monkeypatch.setattr(document, "document_difference", lambda *_: "line 2: the run would differ")
    write("Dockerfile", UGLY)
    result = run("format", "Dockerfile")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "dfopt: error: Dockerfile: not formatted: line 2: the run would differ"
    )
    assert Path("Dockerfile").read_text() == UGLY


def test_fix_format_formats_the_fixed_text(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "from alpine:3.20\nmaintainer me\nrun echo a && \\\n  echo b\n"
    write("Dockerfile", text)
    plain = fast("fix", "--diff", "Dockerfile", capsys=capsys)
    assert "+run echo" not in plain.out and "run echo a && \\" in plain.out
    result = fast("fix", "--format", "--diff", "Dockerfile", capsys=capsys)
    assert result.code == 1
    assert "+FROM alpine:3.20\n" in result.out
    assert '+LABEL org.opencontainers.image.authors="me"\n' in result.out
    assert "+RUN echo a \\\n+    && echo b\n" in result.out
    assert run("fix", "--format", "Dockerfile").code in (0, 1)
    assert Path("Dockerfile").read_text().startswith("FROM alpine:3.20\nLABEL")


def test_fix_formats_when_the_project_enables_the_formatter(project: Path) -> None:
    write(".dfopt.yaml", "format:\n  enabled: true\n")
    write("Dockerfile", "from alpine:3.20\nlabel a=b\n")
    result = run("fix", "--check", "Dockerfile")
    assert (result.code, result.out) == (1, "Would reformat Dockerfile\n")
    assert "Would reformat 1 other file." in result.err
    assert run("fix", "--no-format", "--check", "Dockerfile").code == 0
    run("fix", "Dockerfile")
    assert Path("Dockerfile").read_text() == "FROM alpine:3.20\nLABEL a=b\n"


def test_format_help_lists_its_options() -> None:
    result = run("format", "--help")
    assert result.code == 0
    for option in ("--check", "--diff", "--config", "--isolated", "--stdin-filename"):
        assert option in result.out
    assert "--format / --no-format" in run("fix", "--help").out


def test_format_as_a_program(project: Path) -> None:
    write("Dockerfile", UGLY)
    completed = subprocess.run(
        [sys.executable, "-m", "dfopt", "format", "--check", "Dockerfile"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (1, "Would reformat Dockerfile\n")


def test_pre_commit_hook() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    hook = by_id["dfopt-format"]
    assert hook["entry"] == "dfopt format --force-exclude"
    assert (hook["files"], hook["exclude"]) == (by_id["dfopt"]["files"], by_id["dfopt"]["exclude"])
