"""Start-up: the common ``check``/``fix`` runs skip typer and pydantic, and behave the same.

``dfopt.cli.main`` parses plain ``check``/``fix`` command lines itself and leaves
everything else to the typer application. These tests check what the fast path imports
(structure, not timings: ``benchmarks/bench.py`` prints the cold start), that its option
table matches the typer commands, and that a matrix of command lines gives the same
output, exit status and files through both paths.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from dfopt import app as app_module
from dfopt import cli
from dfopt.commands import COMMAND_OPTIONS, PATHS_REQUIRED
from dfopt.config import clear_config_cache

HEAVY = ("typer", "click", "pydantic", "pydantic_core", "ruamel")
CLEAN = "FROM alpine:3.20\nRUN echo hello\nUSER 1000\n"
BAD = (
    "FROM alpine:latest\n"
    "MAINTAINER Jane\n"
    "RUN apt-get update\n"
    "RUN apt-get install curl\n"
    "CMD echo hi\n"
)

# Runs a command line through dfopt.cli.main and reports the top-level packages of the
# modules loaded by then on the last line of standard error.
_PROBE = textwrap.dedent(
    """
    import json, sys
    from dfopt.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as exit:
        status = exit.code
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    sys.stderr.write("\\n" + json.dumps({"status": status, "loaded": loaded}) + "\\n")
    """
)


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


def _probe(cwd: Path, *args: str) -> tuple[int, set[str], str]:
    result = _python("-c", _PROBE, *args, cwd=cwd)
    *_, last = result.stderr.splitlines()
    report = json.loads(last)
    return report["status"], set(report["loaded"]), result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--isolated", "Dockerfile"],
        ["check", "Dockerfile"],
        ["check", "--format", "json", "."],
        ["fix", "--diff", "Dockerfile"],
    ],
)
def test_check_and_fix_without_configuration_skip_typer_pydantic_and_ruamel(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(BAD, encoding="utf-8")
    status, loaded, out = _probe(tmp_path, *args)
    assert status == 1
    assert "MAINTAINER" in out
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "tree_sitter" in loaded  # the probe does see what the run imports


def test_a_pyproject_without_a_dfopt_table_needs_no_pydantic(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(CLEAN, encoding="utf-8")
    status, loaded, out = _probe(tmp_path, "check", "--select", "DL4000", "Dockerfile")
    assert (status, out) == (0, "All checks passed!\n")
    assert "tomllib" in loaded or sys.version_info < (3, 11)
    assert not loaded & set(HEAVY)


def test_a_configuration_file_is_validated_with_pydantic(tmp_path: Path) -> None:
    (tmp_path / ".dfopt.yaml").write_text("ignore: [DL4000]\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nMAINTAINER Jane\n", encoding="utf-8")
    status, loaded, out = _probe(tmp_path, "check", "--select", "DL4000", "Dockerfile")
    assert (status, out) == (0, "All checks passed!\n")
    assert {"pydantic", "ruamel"} <= loaded
    assert not loaded & {"typer", "click"}


def test_importing_the_command_line_and_the_configuration_is_cheap(tmp_path: Path) -> None:
    code = (
        "import sys, dfopt.cli, dfopt.config, dfopt.rules_api\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    result = _python("-c", code, *HEAVY, "tomllib", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- the option table and the typer commands ------------------------------------------


def test_the_option_table_matches_the_typer_commands() -> None:
    group: Any = typer.main.get_command(app_module.app)
    for name, specs in COMMAND_OPTIONS.items():
        params = group.commands[name].params
        options = [param for param in params if param.param_type_name == "option"]
        declared = [
            (
                spec.dest,
                [spec.name, *spec.aliases],
                [spec.negative] if spec.negative else [],
                spec.kind in ("flag", "switch"),
                spec.kind == "list",
                spec.metavar,
                spec.default,
            )
            for spec in specs
        ]
        actual = [
            (
                param.name,
                param.opts,
                param.secondary_opts,
                param.is_flag,
                param.multiple,
                param.metavar,
                getattr(param.default, "value", param.default),
            )
            for param in options
        ]
        assert actual == declared, name
        (paths,) = [param for param in params if param.param_type_name == "argument"]
        assert paths.required == (name in PATHS_REQUIRED)


# -- the same behaviour through both paths ---------------------------------------------

#: Command lines the fast parser handles, with the bytes fed to standard input.
FAST: list[tuple[list[str], bytes]] = [
    (["check", "clean/Dockerfile"], b""),
    (["check", "bad/Dockerfile"], b""),
    (["check"], b""),
    (["check", "--isolated", "configured"], b""),
    (["check", "configured", "bad", "clean"], b""),
    (["check", "--format", "json", "bad"], b""),
    (["check", "--format", "JSON", "bad"], b""),
    (["check", "--format", "xml", "bad"], b""),
    (["check", "--format", "sarif", "-o", "report.sarif", "--format", "gnu", "bad"], b""),
    (["check", "--format=json", "--statistics", "."], b""),
    (["check", "--format", "text", "--statistics", "bad"], b""),
    (["check", "--exit-zero", "bad"], b""),
    (["check", "bad", "--select", "DL4000", "--select=DL3007,DL3059"], b""),
    (["check", "--extend-select", "DL4000", "--ignore", "DL3007", "--ignore=DL3059", "bad"], b""),
    (["check", "--select=", "bad"], b""),
    (["check", "--select", "NOPE", "bad"], b""),
    (["check", "--config", "custom.yaml", "bad"], b""),
    (["check", "--config=missing.yaml", "bad"], b""),
    (["check", "--config", "custom.yaml", "--config", "broken.yaml", "bad"], b""),
    (["check", "--isolated", "--config", "broken.yaml", "bad"], b""),
    (["check", "--unsafe-fixes", "bad"], b""),
    (["check", "--unsafe-fixes", "--no-unsafe-fixes", "bad"], b""),
    (["check", "configured"], b""),
    (["check", "configured/skipped.Dockerfile"], b""),
    (["check", "--force-exclude", "configured/skipped.Dockerfile"], b""),
    (["check", "missing/Dockerfile", "empty.Dockerfile", "bad"], b""),
    (["check", "clean", "--", "-dash.Dockerfile"], b""),
    (["check", "-"], BAD.encode()),
    (["check", "--stdin-filename", "configured/Dockerfile", "-"], BAD.encode()),
    (["check", "--stdin-filename=bad/Dockerfile"], b"FROM alpine\n\xff\n"),
    (["fix", "bad/Dockerfile"], b""),
    (["fix", "--unsafe-fixes", "bad", "clean"], b""),
    (["fix", "--diff", "bad"], b""),
    (["fix", "--check", "--select", "DL4000", "bad"], b""),
    (["fix", "--verify", "--isolated", "configured"], b""),
    (["fix", "--no-verify", "--unsafe-fixes", "bad/Dockerfile"], b""),
    (["fix", "-"], BAD.replace("\n", "\r\n").encode()),
    (["fix", "--diff", "-", "--stdin-filename", "bad/Dockerfile"], BAD.encode()),
    (["fix", "--isolated", "--isolated", "bad", "--force-exclude"], b""),
    (["fix", "--statistics", "bad"], b""),
    (["fix", "--statistics", "--unsafe-fixes", "--diff", "bad", "clean"], b""),
    (["fix", "--check", "--statistics", "configured"], b""),
    (["fix", "--statistics", "-"], BAD.encode()),
    (["fix", "--verify", "--statistics", "--unsafe-fixes", "bad"], b""),
]

#: Command lines left to typer (help, errors, spellings only typer accepts, other commands).
FALLBACK: list[list[str]] = [
    [],
    ["--version"],
    ["rules"],
    ["rule", "DL4000"],
    ["check", "-h"],
    ["fix", "--help"],
    ["check", "--bogus", "bad"],
    ["check", "--sel", "DL4000", "bad"],
    ["check", "--select"],
    ["check", "--select", "-", "bad"],
    ["check", "--isolated=yes", "bad"],
    ["check", "--diff", "bad"],
    ["fix", "--statistics=yes", "bad"],
    ["fix"],
    ["fix", "--isolated"],
    ["--isolated", "check", "bad"],
]


def _project(root: Path) -> Path:
    files = {
        "clean/Dockerfile": CLEAN,
        "bad/Dockerfile": BAD,
        "configured/Dockerfile": BAD,
        "configured/skipped.Dockerfile": BAD,
        "configured/.dfopt.yaml": (
            "ignore: [DL3007]\nexclude: ['skipped.*']\nfix:\n  verify: true\n"
        ),
        "custom.yaml": "select: [DL4000]\nfailure-threshold: error\n",
        "broken.yaml": "select: DL4000: x\n",
        "empty.Dockerfile": "# nothing\n",
        "-dash.Dockerfile": BAD,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def two_projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".no-config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("_DFOPT_COMPLETE", raising=False)
    clear_config_cache()
    yield _project(tmp_path / "fast"), _project(tmp_path / "typer")
    clear_config_cache()


def _run(
    entry: Any,
    args: list[str],
    stdin: bytes,
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> tuple[object, str, str, dict[str, bytes]]:
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    clear_config_cache()
    capfd.readouterr()
    with pytest.raises(SystemExit) as exit:
        entry(args)
    out, err = capfd.readouterr()
    return exit.value.code or 0, out, err, _snapshot(cwd)


def _compare(
    args: list[str],
    stdin: bytes,
    projects: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> tuple[object, str, str, dict[str, bytes]]:
    fast, slow = projects
    through_main = _run(cli.main, args, stdin, fast, monkeypatch, capfd)
    through_typer = _run(app_module.run_app, args, stdin, slow, monkeypatch, capfd)
    assert through_main == through_typer
    return through_main


@pytest.mark.parametrize(("args", "stdin"), FAST, ids=[" ".join(a) or "-" for a, _ in FAST])
def test_the_fast_path_behaves_like_typer(
    args: list[str],
    stdin: bytes,
    two_projects: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert cli.parse_fast(args) is not None
    _compare(args, stdin, two_projects, monkeypatch, capfd)


@pytest.mark.parametrize("args", FALLBACK, ids=[" ".join(a) or "-" for a in FALLBACK])
def test_other_command_lines_go_to_typer(
    args: list[str],
    two_projects: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert cli.parse_fast(args) is None
    _compare(args, b"", two_projects, monkeypatch, capfd)


def test_the_matrix_exercises_real_output(
    two_projects: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    status, out, _, _ = _compare(["check", "bad"], b"", two_projects, monkeypatch, capfd)
    assert status == 1
    assert "bad/Dockerfile:2:1: DL4000" in out
    status, _, err, files = _compare(["fix", "bad"], b"", two_projects, monkeypatch, capfd)
    assert status == 0
    assert err.startswith("Fixed ")
    assert b"MAINTAINER" not in files["bad/Dockerfile"]
    args = ["check", "--select", "NOPE"]
    status, _, err, _ = _compare(args, b"", two_projects, monkeypatch, capfd)
    assert (status, err) == (2, "dfopt: error: unknown rule selector `NOPE` in --select\n")


def test_parse_fast_reads_options_like_click() -> None:
    call = cli.parse_fast(
        [
            "fix",
            "a",
            "--select",
            "DL1",
            "--select=DL2",
            "--no-unsafe-fixes",
            "--unsafe-fixes",
            "--config=x.yaml",
            "--config",
            "y.yaml",
            "-",
            "--",
            "--diff",
        ]
    )
    assert call is not None
    assert call.command == "fix"
    assert call.paths == ["a", "-", "--diff"]
    assert call.options["select"] == ["DL1", "DL2"]
    assert call.options["unsafe_fixes"] is True
    assert call.options["config"] == "y.yaml"
    assert call.options["diff"] is False
    assert call.options["verify"] is None
    assert call.options["extend_select"] is None


def test_shell_completion_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(app_module, "run_app", lambda argv: seen.append(argv))
    monkeypatch.setenv("_DFOPT_COMPLETE", "bash_complete")
    cli.main(["check", "x"])
    assert seen == [["check", "x"]]


def test_the_console_script_is_the_fast_entry() -> None:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    assert 'dfopt = "dfopt.cli:main"' in pyproject.read_text(encoding="utf-8").splitlines()
