"""dfopt's typer application: every command, its help text and its usage errors.

This is the single source of truth for how dfopt's command line behaves. The commands
only pass their parameters to the implementations in :mod:`dfopt.commands`. The options
of ``check`` and ``fix`` are declared there too, in ``COMMAND_OPTIONS``, because
:mod:`dfopt.cli` parses the common invocations itself without loading typer.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from dfopt import __version__, commands
from dfopt.commands import (
    CHECK_ONLY,
    CHECK_PATHS_HELP,
    CONFIG,
    DIFF,
    DOCKERIGNORE,
    EXIT_ZERO,
    EXTEND_SELECT,
    FIX_FORMAT,
    FIX_PATHS_HELP,
    FIX_STATISTICS,
    FORCE_EXCLUDE,
    FORMAT,
    FORMAT_CHECK,
    FORMAT_PATHS_HELP,
    IGNORE,
    ISOLATED,
    OUTPUT_FILE,
    SELECT,
    STATISTICS,
    STDIN_FILENAME,
    UNSAFE_FIXES,
    VERIFY,
    OptionSpec,
    RulesFormat,
)

__all__ = ["app", "run_app"]

app = typer.Typer(
    name="dfopt",
    help="A Dockerfile linter that fixes.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _option(spec: OptionSpec) -> Any:
    """The typer option for a declared option."""
    if spec.kind == "switch":
        return typer.Option(f"{spec.name}/{spec.negative}", help=spec.help, show_default=False)
    if spec.kind == "flag":
        return typer.Option(spec.name, help=spec.help)
    if spec.kind == "choice":
        return typer.Option(spec.name, help=spec.help, case_sensitive=False)
    return typer.Option(
        spec.name, *spec.aliases, metavar=spec.metavar, help=spec.help, show_default=False
    )


Select = Annotated[list[str] | None, _option(SELECT)]
ExtendSelect = Annotated[list[str] | None, _option(EXTEND_SELECT)]
Ignore = Annotated[list[str] | None, _option(IGNORE)]
Config = Annotated[str | None, _option(CONFIG)]
Isolated = Annotated[bool, _option(ISOLATED)]
StdinFilename = Annotated[str | None, _option(STDIN_FILENAME)]
UnsafeFixes = Annotated[bool | None, _option(UNSAFE_FIXES)]
ForceExclude = Annotated[bool, _option(FORCE_EXCLUDE)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dfopt {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A Dockerfile linter that fixes: hadolint-compatible checks, format-keeping fixes."""


@app.command()
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help=CHECK_PATHS_HELP, metavar="PATH", show_default=False),
    ] = None,
    output_format: Annotated[list[str] | None, _option(FORMAT)] = None,
    output_file: Annotated[list[str] | None, _option(OUTPUT_FILE)] = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    config: Config = None,
    isolated: Isolated = False,
    stdin_filename: StdinFilename = None,
    exit_zero: Annotated[bool, _option(EXIT_ZERO)] = False,
    statistics: Annotated[bool, _option(STATISTICS)] = False,
    unsafe_fixes: UnsafeFixes = None,
    force_exclude: ForceExclude = False,
) -> None:
    """Lint Dockerfiles (directories are searched; `-` reads standard input)."""
    raise typer.Exit(
        commands.run_check(
            paths,
            output_format=output_format,
            output_file=output_file,
            select=select,
            extend_select=extend_select,
            ignore=ignore,
            config=config,
            isolated=isolated,
            stdin_filename=stdin_filename,
            exit_zero=exit_zero,
            statistics=statistics,
            unsafe_fixes=unsafe_fixes,
            force_exclude=force_exclude,
        )
    )


@app.command()
def fix(
    paths: Annotated[
        list[str], typer.Argument(help=FIX_PATHS_HELP, metavar="PATH", show_default=False)
    ],
    diff: Annotated[bool, _option(DIFF)] = False,
    check_only: Annotated[bool, _option(CHECK_ONLY)] = False,
    unsafe_fixes: UnsafeFixes = None,
    verify: Annotated[bool | None, _option(VERIFY)] = None,
    dockerignore: Annotated[bool, _option(DOCKERIGNORE)] = False,
    format_output: Annotated[bool | None, _option(FIX_FORMAT)] = None,
    statistics: Annotated[bool, _option(FIX_STATISTICS)] = False,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    config: Config = None,
    isolated: Isolated = False,
    stdin_filename: StdinFilename = None,
    force_exclude: ForceExclude = False,
) -> None:
    """Fix Dockerfiles in place (only safe fixes unless --unsafe-fixes)."""
    raise typer.Exit(
        commands.run_fix(
            paths,
            diff=diff,
            check_only=check_only,
            unsafe_fixes=unsafe_fixes,
            verify=verify,
            dockerignore=dockerignore,
            format_output=format_output,
            statistics=statistics,
            select=select,
            extend_select=extend_select,
            ignore=ignore,
            config=config,
            isolated=isolated,
            stdin_filename=stdin_filename,
            force_exclude=force_exclude,
        )
    )


@app.command("format")
def format_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help=FORMAT_PATHS_HELP, metavar="PATH", show_default=False),
    ] = None,
    check_only: Annotated[bool, _option(FORMAT_CHECK)] = False,
    diff: Annotated[bool, _option(DIFF)] = False,
    config: Config = None,
    isolated: Isolated = False,
    stdin_filename: StdinFilename = None,
    force_exclude: ForceExclude = False,
) -> None:
    """Format Dockerfiles in place without changing what they mean."""
    raise typer.Exit(
        commands.run_format(
            paths,
            check_only=check_only,
            diff=diff,
            config=config,
            isolated=isolated,
            stdin_filename=stdin_filename,
            force_exclude=force_exclude,
        )
    )


@app.command()
def rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", help="Output format.", case_sensitive=False)
    ] = RulesFormat.TEXT,
) -> None:
    """List every rule."""
    raise typer.Exit(commands.run_rules(output_format.value))


@app.command()
def rule(
    code: Annotated[str, typer.Argument(help="A rule code, name or alias.", show_default=False)],
) -> None:
    """Print the documentation of one rule."""
    raise typer.Exit(commands.run_rule(code))


class MeasureBuilder(str, enum.Enum):
    AUTO = "auto"
    DOCKER = "docker"
    PODMAN = "podman"
    BUILDAH = "buildah"


class MeasureFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def measure(
    dockerfile: Annotated[
        str, typer.Argument(help="The Dockerfile to measure.", metavar="DOCKERFILE")
    ],
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            metavar="DIR",
            help="The build context (default: the Dockerfile's folder). It is copied; "
            "your files are never changed.",
            show_default=False,
        ),
    ] = None,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Apply unsafe fixes too.")
    ] = False,
    builder: Annotated[
        MeasureBuilder,
        typer.Option(
            "--builder",
            help="The image builder; auto takes the first that works: docker, podman, buildah.",
            case_sensitive=False,
        ),
    ] = MeasureBuilder.AUTO,
    run_args: Annotated[
        list[str] | None,
        typer.Option(
            "--run-args",
            metavar="ARGS",
            help="Extra options for running the images, such as '-e MODE=test' (repeatable).",
            show_default=False,
        ),
    ] = None,
    smoke: Annotated[
        str | None,
        typer.Option(
            "--smoke",
            metavar="CMD",
            help="The command to run in both images instead of their default command.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        MeasureFormat,
        typer.Option("--format", help="Output format.", case_sensitive=False),
    ] = MeasureFormat.TEXT,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the two images instead of removing them.")
    ] = False,
    touch: Annotated[
        str | None,
        typer.Option(
            "--touch",
            metavar="FILE",
            help="The source file (relative to the context) to change for the rebuild "
            "(default: one dfopt picks).",
            show_default=False,
        ),
    ] = None,
    log_file: Annotated[
        str | None,
        typer.Option(
            "--log-file",
            metavar="FILE",
            help="Where the builder's output goes (default: a new temporary file).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build the Dockerfile before and after fixing it and show what the fix saved."""
    from dfopt.measure import run_measure  # the builders load only for this command

    raise typer.Exit(
        run_measure(
            dockerfile,
            context=context,
            unsafe_fixes=unsafe_fixes,
            builder=builder.value,
            run_args=run_args,
            smoke=smoke,
            output_format=output_format.value,
            keep=keep,
            touch=touch,
            log_file=log_file,
        )
    )


def run_app(argv: Sequence[str] | None = None) -> None:
    """Run the typer application (it exits); ``argv`` defaults to ``sys.argv[1:]``."""
    app(args=list(argv) if argv is not None else None, prog_name="dfopt")
