"""What ``check``, ``fix``, ``format``, ``rules`` and ``rule`` do, and the options they take.

The typer application (:mod:`dfopt.app`) and the fast command-line parser
(:mod:`dfopt.cli`) both call the ``run_*`` functions here, with the keyword arguments
named by :data:`COMMAND_OPTIONS`; each returns the exit status. Nothing here imports
typer, and the engine, the configuration models and the rule packs are imported by the
functions that need them.

Exit codes: 0 when everything is clean; 1 when a finding reaches the failure threshold
(or, for ``--diff``/``--check`` of ``fix`` and ``format``, when a file would change); 2 for usage,
configuration, input and internal errors, which win over 1. Every error is one line on
standard error, ``dfopt: error: <path>[:line:col]: <what>``, and the other files are
still processed.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from dfopt.files import Filters, InputError, decode_dockerfile, only_comments, read_dockerfile

if TYPE_CHECKING:
    from dfopt.config import ResolvedConfig
    from dfopt.engine.registry import Registry
    from dfopt.engine.rewriter import FixResult
    from dfopt.engine.session import Session
    from dfopt.report import Finding
    from dfopt.report.fix_statistics import FixStatistics
    from dfopt.rules_api import Violation

__all__ = [
    "CHECK_OPTIONS",
    "COMMAND_OPTIONS",
    "EXIT_CLEAN",
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "FIX_OPTIONS",
    "FIX_STATISTICS",
    "FORMAT_OPTIONS",
    "CheckFormat",
    "OptionSpec",
    "RulesFormat",
    "run_check",
    "run_fix",
    "run_format",
    "run_rule",
    "run_rules",
]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
STDIN = "-"


class CheckFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


class RulesFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


# -- the options of check and fix ------------------------------------------------------

OptionKind = Literal["flag", "switch", "value", "list", "choice"]


class OptionSpec:
    """One command-line option, declared once for the typer app and the fast parser.

    Kinds: ``flag`` (``--isolated``: False unless given), ``switch`` (``--verify`` /
    ``--no-verify``: None unless given), ``value`` (``--config FILE``: the last one
    wins), ``list`` (``--select CODES``, repeatable: None unless given) and ``choice``
    (``--format``: one of ``choices``, the first by default). Read-only.
    """

    __slots__ = ("aliases", "choices", "dest", "help", "kind", "metavar", "name", "negative")

    dest: str
    """The keyword of the ``run_*`` function and the name of the typer parameter."""
    name: str
    kind: OptionKind
    help: str
    metavar: str | None
    negative: str | None
    """The ``--no-...`` spelling of a switch."""
    choices: tuple[str, ...]
    aliases: tuple[str, ...]
    """Other spellings, such as a short ``-o``."""

    def __init__(
        self,
        dest: str,
        name: str,
        kind: OptionKind,
        help: str,
        metavar: str | None = None,
        negative: str | None = None,
        choices: tuple[str, ...] = (),
        aliases: tuple[str, ...] = (),
    ) -> None:
        self.dest = dest
        self.name = name
        self.kind = kind
        self.help = help
        self.metavar = metavar
        self.negative = negative
        self.choices = choices
        self.aliases = aliases

    @property
    def takes_value(self) -> bool:
        return self.kind in ("value", "list", "choice")

    @property
    def default(self) -> object:
        if self.kind == "flag":
            return False
        if self.kind == "choice":
            return self.choices[0]
        return None


#: Every output format of ``check`` (``dfopt.report.formats`` renders them); ``text`` is
#: the default.
OUTPUT_FORMATS: tuple[str, ...] = (
    "text",
    "json",
    "tty",
    "checkstyle",
    "codeclimate",
    "gitlab_codeclimate",
    "gnu",
    "codacy",
    "sonarqube",
    "sarif",
    "junit",
    "github",
)
FORMAT = OptionSpec(
    "output_format",
    "--format",
    "list",
    "Output format: " + ", ".join(OUTPUT_FORMATS) + ". Repeat (or separate with commas) "
    "for several reports in one run; pair them with --output-file.",
    metavar="NAME",
)
OUTPUT_FILE = OptionSpec(
    "output_file",
    "--output-file",
    "list",
    "Write the report of the n-th --format to this file instead of standard output "
    "(repeatable; formats without a file go to standard output).",
    metavar="FILE",
    aliases=("-o",),
)
SELECT = OptionSpec(
    "select",
    "--select",
    "list",
    "Run only these rules (codes, prefixes, names, aliases or ALL; comma-separated).",
    metavar="CODES",
)
EXTEND_SELECT = OptionSpec(
    "extend_select", "--extend-select", "list", "Run these rules too.", metavar="CODES"
)
IGNORE = OptionSpec("ignore", "--ignore", "list", "Skip these rules.", metavar="CODES")
CONFIG = OptionSpec(
    "config", "--config", "value", "Use this configuration file for every input.", metavar="FILE"
)
ISOLATED = OptionSpec("isolated", "--isolated", "flag", "Ignore every configuration file.")
STDIN_FILENAME = OptionSpec(
    "stdin_filename",
    "--stdin-filename",
    "value",
    "The path standard input stands for (configuration, per-file ignores, output).",
    metavar="NAME",
)
EXIT_ZERO = OptionSpec(
    "exit_zero", "--exit-zero", "flag", "Exit with 0 even when problems are found."
)
STATISTICS = OptionSpec("statistics", "--statistics", "flag", "Print how often each rule fired.")
UNSAFE_FIXES = OptionSpec(
    "unsafe_fixes",
    "--unsafe-fixes",
    "switch",
    "Apply (fix) or offer (check) unsafe fixes too; overrides the configuration.",
    negative="--no-unsafe-fixes",
)
FORCE_EXCLUDE = OptionSpec(
    "force_exclude",
    "--force-exclude",
    "flag",
    "Apply the configuration's exclude globs to files named explicitly too.",
)
DIFF = OptionSpec("diff", "--diff", "flag", "Print a unified diff instead of writing files.")
CHECK_ONLY = OptionSpec(
    "check_only", "--check", "flag", "Write nothing; exit with 1 when a file would change."
)
VERIFY = OptionSpec(
    "verify",
    "--verify",
    "switch",
    "Check each fixed file before writing it, and leave it untouched (exit 2) unless: it "
    "parses with no new problems; fixing it again changes nothing; safe fixes kept the "
    "build fingerprint; every comment line is kept; no text outside the fixes' edits "
    "changed; BuildKit's parser (when installed) still accepts it. Overrides fix.verify.",
    negative="--no-verify",
)
DOCKERIGNORE = OptionSpec(
    "dockerignore",
    "--dockerignore",
    "flag",
    "Also create or extend the `.dockerignore` next to each Dockerfile (rule DF107); "
    "without this option fix never touches a file other than the Dockerfile.",
)
FIX_STATISTICS = OptionSpec(
    "statistics",
    "--statistics",
    "flag",
    "Print a table of findings per rule: found before fixing, fixed, held back (unsafe "
    "fix not applied) and unfixable, with totals. It goes to standard output, or to "
    "standard error when standard output carries a diff (--diff) or the fixed text (`-`).",
)

FIX_FORMAT = OptionSpec(
    "format_output",
    "--format",
    "switch",
    "Format the fixed files with `dfopt format` (the default when the configuration's "
    "format.enabled is true); the fixes are verified before formatting, the formatting "
    "by its own meaning check.",
    negative="--no-format",
)
FORMAT_CHECK = OptionSpec(
    "check_only",
    "--check",
    "flag",
    "Write nothing; list the files that would be reformatted and exit with 1 if there are any.",
)

#: The options of ``check``, in the order ``--help`` lists them.
CHECK_OPTIONS: tuple[OptionSpec, ...] = (
    FORMAT,
    OUTPUT_FILE,
    SELECT,
    EXTEND_SELECT,
    IGNORE,
    CONFIG,
    ISOLATED,
    STDIN_FILENAME,
    EXIT_ZERO,
    STATISTICS,
    UNSAFE_FIXES,
    FORCE_EXCLUDE,
)
#: The options of ``fix``, in the order ``--help`` lists them.
FIX_OPTIONS: tuple[OptionSpec, ...] = (
    DIFF,
    CHECK_ONLY,
    UNSAFE_FIXES,
    VERIFY,
    DOCKERIGNORE,
    FIX_FORMAT,
    FIX_STATISTICS,
    SELECT,
    EXTEND_SELECT,
    IGNORE,
    CONFIG,
    ISOLATED,
    STDIN_FILENAME,
    FORCE_EXCLUDE,
)
#: The options of ``format``, in the order ``--help`` lists them.
FORMAT_OPTIONS: tuple[OptionSpec, ...] = (
    FORMAT_CHECK,
    DIFF,
    CONFIG,
    ISOLATED,
    STDIN_FILENAME,
    FORCE_EXCLUDE,
)
COMMAND_OPTIONS: dict[str, tuple[OptionSpec, ...]] = {
    "check": CHECK_OPTIONS,
    "fix": FIX_OPTIONS,
    "format": FORMAT_OPTIONS,
}
#: Commands that need at least one path.
PATHS_REQUIRED: frozenset[str] = frozenset({"fix"})

CHECK_PATHS_HELP = (
    "Files or directories to check (default: the current directory); `-` reads standard input."
)
FORMAT_PATHS_HELP = (
    "Files or directories to format (default: the current directory); `-` reads standard "
    "input and writes the formatted text to standard output."
)
FIX_PATHS_HELP = (
    "Files or directories to fix; `-` reads standard input and writes the fixed text to "
    "standard output."
)


# -- the machinery shared by check and fix --------------------------------------------


def _split(values: Sequence[str] | None) -> list[str]:
    """Selectors from repeatable, comma-separated options."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


class Options:
    """The command-line options shared by ``check`` and ``fix``."""

    __slots__ = (
        "config",
        "extend_select",
        "force_exclude",
        "ignore",
        "isolated",
        "select",
        "stdin_filename",
        "unsafe_fixes",
    )

    select: list[str] | None
    extend_select: list[str]
    ignore: list[str]
    config: Path | None
    isolated: bool
    stdin_filename: str | None
    unsafe_fixes: bool | None
    force_exclude: bool

    def __init__(
        self,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        config: Path | None = None,
        isolated: bool = False,
        stdin_filename: str | None = None,
        unsafe_fixes: bool | None = None,
        force_exclude: bool = False,
    ) -> None:
        self.select = select
        self.extend_select = [] if extend_select is None else extend_select
        self.ignore = [] if ignore is None else ignore
        self.config = config
        self.isolated = isolated
        self.stdin_filename = stdin_filename
        self.unsafe_fixes = unsafe_fixes
        self.force_exclude = force_exclude


class Input:
    """One Dockerfile's text and how to refer to it."""

    __slots__ = ("display", "engine_path", "path", "text")

    display: str
    """The path shown in output."""
    path: Path | None
    """The file on disk (None for standard input)."""
    engine_path: Path | None
    """The path rules and per-file ignores see."""
    text: str

    def __init__(
        self, display: str, path: Path | None, engine_path: Path | None, text: str
    ) -> None:
        self.display = display
        self.path = path
        self.engine_path = engine_path
        self.text = text


class Runner:
    """Resolves configuration, reads inputs and reports errors for one command."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.status = EXIT_CLEAN
        self._errors: set[str] = set()
        self._sessions: dict[tuple[Path | None, Path], Session] = {}
        self._registry: Registry | None = None

    # errors ----------------------------------------------------------------------------

    def error(self, message: str) -> None:
        """Print ``dfopt: error: message`` once and remember to exit with 2."""
        self.status = EXIT_ERROR
        line = " ".join(message.split())
        if line in self._errors:
            return
        self._errors.add(line)
        sys.stdout.flush()
        sys.stderr.write(f"dfopt: error: {line}\n")
        sys.stderr.flush()

    # engine ----------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            # Rules of an indexed pack are imported when a file needs them.
            from dfopt.engine.registry import deferred_registry

            self._registry = deferred_registry()
        return self._registry

    def check_setup(self) -> bool:
        """Report rule-pack problems and unknown selectors; False when nothing can run."""
        from dfopt.engine.selection import check_selectors

        for problem in self.registry.problems:
            self.error(str(problem))
        usable = True
        options = self.options
        for flag, selectors in (
            ("--select", options.select or ()),
            ("--extend-select", options.extend_select),
            ("--ignore", options.ignore),
        ):
            for unknown in check_selectors(selectors, self.registry):
                self.error(f"unknown rule selector `{unknown}` in {flag}")
                usable = False
        return usable

    def config_for(self, target: Path) -> ResolvedConfig:
        """The configuration for a file or directory; InputError when it is broken."""
        from dfopt.config import ConfigError, resolve_config

        try:
            return resolve_config(target, self.options.config, self.options.isolated)
        except ConfigError as error:
            message = " ".join(error.message.split())
            shown = _shown_path(error.path)
            raise InputError(shown, message, error.line, error.column) from None
        except OSError as error:
            where = self.options.config or target
            raise InputError(str(where), (error.strerror or str(error)).lower()) from None

    def session_for(self, resolved: ResolvedConfig) -> Session:
        from dfopt.engine.session import Overrides, Session

        key = (resolved.path, resolved.root)
        session = self._sessions.get(key)
        if session is None:
            options = self.options
            overrides = Overrides(
                select=options.select,
                extend_select=options.extend_select,
                ignore=options.ignore,
                unsafe_fixes=options.unsafe_fixes,
            )
            session = Session(resolved.settings, resolved.root, overrides, self.registry)
            self._sessions[key] = session
        return session

    # inputs ----------------------------------------------------------------------------

    def _filters(self, directory: Path) -> Filters:
        resolved = self.config_for(directory)
        return Filters(resolved.root, resolved.settings.include, resolved.settings.exclude)

    def inputs(self, arguments: Sequence[str]) -> Iterator[Input]:
        """Read every input named on the command line, reporting the unreadable ones."""
        from dfopt.files import discover

        use_stdin = STDIN in arguments
        paths = [Path(argument) for argument in arguments if argument != STDIN]
        found = discover(paths, self._filters, force_exclude=self.options.force_exclude)
        for problem in found.errors:
            self.error(str(problem))
        if use_stdin:
            item = self._read_stdin()
            if item is not None:
                yield item
        for path in found.files:
            display = str(path)
            try:
                text = read_dockerfile(path, display)
            except InputError as problem:
                self.error(str(problem))
                continue
            if only_comments(text):
                self.error(f"{display}: file with no instructions")
                continue
            yield Input(display, path, path.absolute(), text)

    def _read_stdin(self) -> Input | None:
        name = self.options.stdin_filename
        display = name if name else STDIN
        try:
            data = sys.stdin.buffer.read()
        except OSError as problem:
            self.error(f"{display}: {(problem.strerror or str(problem)).lower()}")
            return None
        try:
            text = decode_dockerfile(data, display)
        except InputError as problem:
            self.error(str(problem))
            return None
        if only_comments(text):
            self.error(f"{display}: file with no instructions")
            return None
        engine_path = Path(name).absolute() if name else None
        return Input(display, None, engine_path, text)

    def config_target(self, item: Input) -> Path:
        if item.path is not None:
            return item.path
        return item.engine_path if item.engine_path is not None else Path.cwd()


def _shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return Path(path).absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _runner(
    select: Sequence[str] | None,
    extend_select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    config: str | None,
    isolated: bool,
    stdin_filename: str | None,
    unsafe_fixes: bool | None,
    force_exclude: bool,
) -> Runner:
    return Runner(
        Options(
            select=_split(select) if select is not None else None,
            extend_select=_split(extend_select),
            ignore=_split(ignore),
            config=Path(config) if config else None,
            isolated=isolated,
            stdin_filename=stdin_filename,
            unsafe_fixes=unsafe_fixes,
            force_exclude=force_exclude,
        )
    )


def _arguments(paths: Sequence[str] | None, stdin_filename: str | None, default: str) -> list[str]:
    if paths:
        return list(paths)
    return [STDIN] if stdin_filename else [default]


def use_color() -> bool:
    """Colour the text output: standard output is a terminal and ``NO_COLOR`` is unset."""
    if os.environ.get("NO_COLOR", ""):
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _threshold(resolved: ResolvedConfig) -> Callable[[str], bool]:
    """Whether a severity (by name) reaches the failure threshold of a configuration."""
    from dfopt.severity import Severity

    settings = resolved.settings
    return lambda severity: settings.fails_on(Severity(severity))


def _internal(runner: Runner, display: str, error: Exception) -> None:
    runner.error(f"{display}: internal error: {type(error).__name__}: {error}")


# -- check ------------------------------------------------------------------------------


def run_check(
    paths: Sequence[str] | None = None,
    *,
    output_format: str | Sequence[str] | None = None,
    output_file: Sequence[str] | None = None,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    config: str | None = None,
    isolated: bool = False,
    stdin_filename: str | None = None,
    exit_zero: bool = False,
    statistics: bool = False,
    unsafe_fixes: bool | None = None,
    force_exclude: bool = False,
) -> int:
    """Lint Dockerfiles and print the findings; return the exit status."""
    runner = _runner(
        select, extend_select, ignore, config, isolated, stdin_filename, unsafe_fixes, force_exclude
    )
    if not runner.check_setup():
        return EXIT_ERROR
    reports = _reports(output_format, output_file)
    if isinstance(reports, str):
        sys.stderr.write(f"dfopt: error: {reports}\n")
        return EXIT_ERROR
    from dfopt.report import sort_findings

    jobs: list[tuple[Input, Session]] = []
    for item in runner.inputs(_arguments(paths, stdin_filename, ".")):
        try:
            resolved = runner.config_for(runner.config_target(item))
        except InputError as problem:
            runner.error(str(problem))
            continue
        jobs.append((item, runner.session_for(resolved)))
    findings: list[Finding] = []
    for display, found, messages in _lint_jobs(jobs):
        findings.extend(found)
        for message in messages:
            runner.error(f"{display}: {message}")
    findings = sort_findings(findings)
    for name, target in reports:
        text = _render_report(name, findings, statistics, runner, target is None)
        if target is None:
            sys.stdout.write(text)
            continue
        try:
            from dfopt.files import write_atomic

            write_atomic(Path(target), text)
        except (InputError, OSError) as error:
            runner.error(f"{target}: cannot write the report: {error}")
    sys.stdout.flush()
    status = runner.status
    if status != EXIT_ERROR and any(finding.fails for finding in findings):
        status = EXIT_CLEAN if exit_zero else EXIT_FINDINGS
    return status


#: From this many files on, ``check`` lints in several processes (when there are cores).
POOL_THRESHOLD = 64
_CHUNK = 16

LintOutcome = tuple[str, list["Finding"], list[str]]


def _lint_one(item: Input, session: Session) -> LintOutcome:
    """Lint one input: its display path, findings and error messages."""
    from dfopt.report import findings_from
    from dfopt.severity import Severity

    try:
        result = session.lint(item.text, item.engine_path)
        settings = session.settings
        found = findings_from(
            result.violations,
            result.document.source,
            item.display,
            is_fixable=session.is_fixable,
            unsafe=session.unsafe_fixes,
            fails_on=lambda severity: settings.fails_on(Severity(severity)),
        )
    except Exception as error:  # keep going with the other files
        return item.display, [], [f"internal error: {type(error).__name__}: {error}"]
    return item.display, found, [str(crash) for crash in result.problems]


def _lint_chunk(chunk: list[tuple[Input, Session]]) -> list[LintOutcome]:
    return [_lint_one(item, session) for item, session in chunk]


def _lint_jobs(jobs: list[tuple[Input, Session]]) -> list[LintOutcome]:
    """Lint every job, in a process pool when there are many files and several cores."""
    workers = pool_workers(len(jobs))
    if workers < 2:
        return _lint_chunk(jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [jobs[index : index + _CHUNK] for index in range(0, len(jobs), _CHUNK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [outcome for part in pool.map(_lint_chunk, chunks) for outcome in part]


def pool_workers(job_count: int) -> int:
    """How many processes lint ``job_count`` files (1: no pool)."""
    workers = min(os.cpu_count() or 1, 8)
    if job_count < POOL_THRESHOLD or workers < 2 or "fork" not in _start_methods():
        return 1
    return workers


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _reports(
    output_format: str | Sequence[str] | None, output_file: Sequence[str] | None
) -> list[tuple[str, str | None]] | str:
    """Pair each requested format with its output file (None: standard output).

    Returns an error message instead when a format is unknown, when there are more
    output files than formats, or when two formats would share standard output.
    """
    requested = [output_format] if isinstance(output_format, str) else list(output_format or [])
    names = _split(requested) or ["text"]
    canonical = []
    for name in names:
        key = name.strip().lower().replace("-", "_")
        if key in OUTPUT_FORMATS:
            canonical.append(key)
            continue
        from dfopt.report.formats import UnknownFormatError, resolve

        try:
            canonical.append(resolve(name))
        except UnknownFormatError as error:
            return str(error)
    files = list(output_file or [])
    if len(files) > len(canonical):
        return "more --output-file options than --format options"
    targets: list[str | None] = [*files, *([None] * (len(canonical) - len(files)))]
    if targets.count(None) > 1:
        return "only one format can go to standard output; give the others an --output-file"
    return list(zip(canonical, targets, strict=True))


def _render_report(
    name: str, findings: list[Finding], statistics: bool, runner: Runner, to_terminal: bool
) -> str:
    """One report in format ``name``."""
    unsafe = bool(runner.options.unsafe_fixes)
    if name == CheckFormat.JSON.value:
        from dfopt.report.json_format import render_json, render_statistics_json

        if statistics:
            from dfopt.report import statistics as count

            return render_statistics_json(count(findings))
        return render_json(findings)
    if name == CheckFormat.TEXT.value:
        from dfopt.report import summarize
        from dfopt.report.text import Style, render_statistics, render_text

        style = Style(use_color() and to_terminal)
        summary = summarize(findings)
        parts = []
        if statistics:
            from dfopt.report import statistics as count

            parts.append(render_statistics(count(findings), style))
            if findings or runner.status == EXIT_CLEAN:
                parts.append(render_text([], summary, style=style, unsafe=unsafe))
        elif findings or runner.status == EXIT_CLEAN:
            parts.append(render_text(findings, summary, style=style, unsafe=unsafe))
        return "".join(parts)
    from dfopt import __version__
    from dfopt.engine.registry import default_registry
    from dfopt.report.formats import render

    return render(
        name,
        findings,
        default_registry().by_code,
        __version__,
        color=use_color() and to_terminal,
        unsafe=unsafe,
    )


# -- fix --------------------------------------------------------------------------------


class FixTotals:
    """What ``fix`` did over all its inputs, for the summary on standard error."""

    __slots__ = (
        "applied",
        "files",
        "formatted",
        "held_back",
        "held_codes",
        "remaining",
        "statistics",
        "waiting_for_dockerignore",
    )

    applied: int
    files: int
    formatted: int
    """Files whose only change is the formatting (``fix --format``)."""
    held_back: int
    held_codes: set[str]
    """The rules whose unsafe fixes were held back."""
    remaining: int
    waiting_for_dockerignore: int
    """Findings whose fix writes a `.dockerignore`, left because --dockerignore is off."""
    statistics: FixStatistics | None
    """Counts per rule, with ``--statistics``."""

    def __init__(
        self,
        applied: int = 0,
        files: int = 0,
        held_back: int = 0,
        held_codes: set[str] | None = None,
        remaining: int = 0,
        waiting_for_dockerignore: int = 0,
        statistics: FixStatistics | None = None,
    ) -> None:
        self.applied = applied
        self.files = files
        self.formatted = 0
        self.held_back = held_back
        self.held_codes = set() if held_codes is None else held_codes
        self.remaining = remaining
        self.waiting_for_dockerignore = waiting_for_dockerignore
        self.statistics = statistics


def run_fix(
    paths: Sequence[str],
    *,
    diff: bool = False,
    check_only: bool = False,
    unsafe_fixes: bool | None = None,
    verify: bool | None = None,
    statistics: bool = False,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    config: str | None = None,
    isolated: bool = False,
    stdin_filename: str | None = None,
    force_exclude: bool = False,
    dockerignore: bool = False,
    format_output: bool | None = None,
) -> int:
    """Fix Dockerfiles (or show what would change); return the exit status.

    ``format_output`` formats the result with ``dfopt format`` (None: when the
    configuration's ``format.enabled`` says so).
    """
    runner = _runner(
        select, extend_select, ignore, config, isolated, stdin_filename, unsafe_fixes, force_exclude
    )
    if not runner.check_setup():
        return EXIT_ERROR
    dry_run = diff or check_only
    totals = FixTotals()
    if statistics:
        from dfopt.report.fix_statistics import FixStatistics

        totals.statistics = FixStatistics()
    would_change = False
    for item in runner.inputs(paths):
        try:
            changed = _fix_one(
                runner,
                item,
                totals,
                diff=diff,
                check_only=check_only,
                verify=verify,
                dockerignore=dockerignore,
                format_output=format_output,
            )
        except Exception as error:  # keep going with the other files
            _internal(runner, item.display, error)
            continue
        would_change = would_change or changed
    if totals.statistics is not None:
        # Standard output is for the table unless it carries a diff or fixed text.
        text_on_stdout = diff or (STDIN in paths and not check_only)
        _print_fix_statistics(totals.statistics, to_stderr=text_on_stdout)
    _fix_summary(totals, dry_run)
    status = runner.status
    if status != EXIT_ERROR and dry_run and would_change:
        status = EXIT_FINDINGS
    return status


def _fix_one(
    runner: Runner,
    item: Input,
    totals: FixTotals,
    *,
    diff: bool,
    check_only: bool,
    verify: bool | None,
    dockerignore: bool = False,
    format_output: bool | None = None,
) -> bool:
    """Fix one input; True when its text (or a build-context file) changes or would."""
    from dfopt import verify as checks
    from dfopt.files import write_atomic

    to_stdout = item.path is None and not diff and not check_only
    try:
        resolved = runner.config_for(runner.config_target(item))
    except InputError as problem:
        runner.error(str(problem))
        _echo_stdin(item.text, to_stdout)
        return False
    session = runner.session_for(resolved)
    result = session.fix(item.text, item.engine_path, context_files=dockerignore)
    if result.final is not None:
        for crash in result.final.problems:
            runner.error(f"{item.display}: {crash}")
    if result.failure is not None:
        culprits = f" (rules: {', '.join(result.culprits)})" if result.culprits else ""
        runner.error(f"{item.display}: fixes rolled back: {result.failure}{culprits}")
        _echo_stdin(item.text, to_stdout)
        _count_unfixed(totals, session, item, result)
        return False
    fixed = result.text
    if fixed != item.text:
        reason = checks.new_parse_problems(item.text, fixed)
        wants_verify = resolved.settings.fix.verify if verify is None else verify
        if reason is None and wants_verify:
            reason = checks.verify_output(item.text, result, session, item.engine_path)
        if reason is not None:
            runner.error(f"{item.display}: fix not written: {reason}")
            _echo_stdin(item.text, to_stdout)
            _count_unfixed(totals, session, item, result)
            return False
    wants_format = resolved.settings.format.enabled if format_output is None else format_output
    if wants_format:
        # The fixes were verified as they are; the formatting has its own meaning check.
        fixed = _formatted(runner, item.display, fixed, resolved)
    left = result.final.violations if result.final is not None else []
    held = _held_back(session, left)
    held_back = len(held)
    totals.held_back += held_back
    totals.held_codes.update(held)
    waiting = sum(1 for violation in left if violation.fix is not None and violation.fix.files)
    totals.waiting_for_dockerignore += waiting
    totals.remaining += len(left) - held_back - waiting
    if fixed == item.text:
        _echo_stdin(item.text, to_stdout)
        _count_fixed(totals, session, item, result)
        wrote = _context_files(runner, item, result, diff=diff, check_only=check_only)
        if wrote:
            totals.applied += len(result.applied)
            totals.files += 1
        return wrote
    if diff:
        from dfopt.report.diff import unified_diff

        sys.stdout.write(unified_diff(item.text, fixed, item.display))
        sys.stdout.flush()
    elif check_only:
        count = len(result.applied)
        if count:
            sys.stdout.write(f"Would fix {item.display} ({count} {_problems(count)})\n")
        else:
            sys.stdout.write(f"Would reformat {item.display}\n")
    elif item.path is None:
        _echo_stdin(fixed, True)
    else:
        try:
            write_atomic(item.path, fixed, expected=item.text.encode("utf-8"))
        except InputError as problem:
            runner.error(str(problem))
            _count_unfixed(totals, session, item, result)
            return True
        except OSError as problem:
            message = (problem.strerror or str(problem)).lower()
            runner.error(f"{item.display}: could not write the fixed file: {message}")
            _count_unfixed(totals, session, item, result)
            return True
    _count_fixed(totals, session, item, result)
    _context_files(runner, item, result, diff=diff, check_only=check_only)
    totals.applied += len(result.applied)
    if result.applied:
        totals.files += 1
    else:
        totals.formatted += 1
    return True


def _formatted(runner: Runner, display: str, text: str, resolved: ResolvedConfig) -> str:
    """``text`` formatted with the configuration's ``format:`` settings.

    When the formatter cannot prove the layout keeps the meaning, the text is returned
    as it is and the reason reported.
    """
    from dfopt.format.document import format_document
    from dfopt.format.options import options_from
    from dfopt.syntax import parse

    result = format_document(parse(text), options_from(resolved.settings.format))
    if result.reason is not None:
        runner.error(f"{display}: not formatted: {result.reason}")
    return result.text


def _context_files(
    runner: Runner, item: Input, result: FixResult, *, diff: bool, check_only: bool
) -> bool:
    """Show or write the build-context files ``result`` changes; True when there are some."""
    if not result.context_files or item.path is None:
        return False
    from dfopt.api import context_file_changes
    from dfopt.files import write_atomic

    try:
        changes = context_file_changes(result, item.path)
    except (OSError, UnicodeDecodeError) as problem:
        message = getattr(problem, "strerror", None) or str(problem)
        runner.error(f"{item.display}: could not read a build-context file: {message.lower()}")
        return False
    base = item.display.rsplit("/", 1)[0] + "/" if "/" in item.display else ""
    for target, (old, new) in changes.items():
        shown = base + target.name
        if diff:
            from dfopt.report.diff import unified_diff

            sys.stdout.write(unified_diff(old or "", new, shown, created=old is None))
            sys.stdout.flush()
        elif check_only:
            sys.stdout.write(f"Would {'update' if old is not None else 'create'} {shown}\n")
        else:
            try:
                write_atomic(target, new, expected=None if old is None else old.encode("utf-8"))
            except InputError as problem:
                runner.error(str(problem))
            except OSError as problem:
                message = (problem.strerror or str(problem)).lower()
                runner.error(f"{shown}: could not write: {message}")
    return bool(changes)


def _held_back(session: Session, left: Sequence[Violation]) -> list[str]:
    """The codes of the findings of ``left`` that only wait for unsafe fixes."""
    from dfopt.report.fix_statistics import is_held_back

    unsafe = session.unsafe_fixes
    return [
        violation.code for violation in left if is_held_back(violation, unsafe, session.is_fixable)
    ]


def _count_fixed(totals: FixTotals, session: Session, item: Input, result: FixResult) -> None:
    """Add a file whose fixes were applied (or would be) to the statistics."""
    stats = totals.statistics
    if stats is None:
        return
    left = result.final.violations if result.final is not None else []
    before = session.lint(item.text, item.engine_path).violations if result.applied else left
    codes = [applied.code for applied in result.applied]
    _add_file(stats, session, before, codes, left)


def _count_unfixed(totals: FixTotals, session: Session, item: Input, result: FixResult) -> None:
    """Add a file whose fixes were rolled back, refused or not written to the statistics."""
    stats = totals.statistics
    if stats is None:
        return
    if result.failure is not None and result.final is not None:
        before = result.final.violations  # the lint of the original text
    else:
        before = session.lint(item.text, item.engine_path).violations
    _add_file(stats, session, before, [], before)


def _add_file(
    stats: FixStatistics,
    session: Session,
    before: Sequence[Violation],
    codes: Sequence[str],
    left: Sequence[Violation],
) -> None:
    registry = session.registry

    def name(code: str) -> str:
        rule = registry.by_code.get(code)
        return rule.name if rule is not None else ""

    stats.add_file(
        before,
        codes,
        left,
        unsafe=session.unsafe_fixes,
        is_fixable=session.is_fixable,
        names=name,
    )


def _print_fix_statistics(stats: FixStatistics, *, to_stderr: bool) -> None:
    from dfopt.report.fix_statistics import render_fix_statistics

    text = render_fix_statistics(stats)
    sys.stdout.flush()
    stream = sys.stderr if to_stderr else sys.stdout
    stream.write(text)
    stream.flush()


def _problems(count: int) -> str:
    return "problem" if count == 1 else "problems"


def _echo_stdin(text: str, enabled: bool) -> None:
    """Write ``text`` to standard output byte for byte (for ``fix -``)."""
    if not enabled:
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def _fix_summary(totals: FixTotals, dry_run: bool) -> None:
    from dfopt.report import plural

    lines = []
    if totals.applied:
        verb = "Would fix" if dry_run else "Fixed"
        problems = plural(totals.applied, "problem")
        lines.append(f"{verb} {problems} in {plural(totals.files, 'file')}.")
    else:
        lines.append("Nothing to fix.")
    if totals.formatted:
        verb = "Would reformat" if dry_run else "Reformatted"
        lines.append(f"{verb} {plural(totals.formatted, 'other file')}.")
    if totals.held_back:
        fixes = "fix" if totals.held_back == 1 else "fixes"
        codes = ", ".join(sorted(totals.held_codes))
        lines.append(
            f"{totals.held_back} unsafe {fixes} held back ({codes}); "
            "run with --unsafe-fixes to apply them."
        )
    if totals.waiting_for_dockerignore:
        count = totals.waiting_for_dockerignore
        lines.append(
            f"{count} {'fix' if count == 1 else 'fixes'} of .dockerignore files not applied; "
            "run with --dockerignore to apply them."
        )
    if totals.remaining:
        remain = "remains" if totals.remaining == 1 else "remain"
        lines.append(
            f"{plural(totals.remaining, 'problem')} {remain} that dfopt fix does not repair; "
            "run `dfopt check` to see them."
        )
    sys.stdout.flush()
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()


# -- format -----------------------------------------------------------------------------


def run_format(
    paths: Sequence[str] | None = None,
    *,
    check_only: bool = False,
    diff: bool = False,
    config: str | None = None,
    isolated: bool = False,
    stdin_filename: str | None = None,
    force_exclude: bool = False,
) -> int:
    """Format Dockerfiles in place (or show what would change); return the exit status.

    A file whose layout the formatter cannot prove keeps its meaning is left as it is,
    with the reason as an error line (exit 2).
    """
    from dfopt.format.document import format_document
    from dfopt.format.options import options_from
    from dfopt.report import plural
    from dfopt.syntax import parse

    runner = _runner(None, None, None, config, isolated, stdin_filename, None, force_exclude)
    arguments = _arguments(paths, stdin_filename, ".")
    changed = unchanged = 0
    for item in runner.inputs(arguments):
        to_stdout = item.path is None and not diff and not check_only
        try:
            resolved = runner.config_for(runner.config_target(item))
        except InputError as problem:
            runner.error(str(problem))
            _echo_stdin(item.text, to_stdout)
            continue
        try:
            result = format_document(parse(item.text), options_from(resolved.settings.format))
        except Exception as error:  # keep going with the other files
            _internal(runner, item.display, error)
            _echo_stdin(item.text, to_stdout)
            continue
        if result.reason is not None:
            runner.error(f"{item.display}: not formatted: {result.reason}")
        formatted = result.text
        if formatted == item.text:
            unchanged += 1
            _echo_stdin(item.text, to_stdout)
            continue
        if diff:
            from dfopt.report.diff import unified_diff

            sys.stdout.write(unified_diff(item.text, formatted, item.display))
            sys.stdout.flush()
        elif check_only:
            sys.stdout.write(f"Would reformat {item.display}\n")
        elif item.path is None:
            _echo_stdin(formatted, True)
        else:
            from dfopt.files import write_atomic

            try:
                write_atomic(item.path, formatted, expected=item.text.encode("utf-8"))
            except InputError as problem:
                runner.error(str(problem))
                continue
            except OSError as problem:
                message = (problem.strerror or str(problem)).lower()
                runner.error(f"{item.display}: could not write the formatted file: {message}")
                continue
        changed += 1
    dry_run = diff or check_only
    verb = "would be reformatted" if dry_run else "reformatted"
    summary = [f"{plural(changed, 'file')} {verb}"] if changed else []
    if unchanged or not changed:
        summary.append(
            f"{plural(unchanged, 'file')} {'would be ' if dry_run else ''}left unchanged"
        )
    sys.stdout.flush()
    if changed or unchanged or runner.status != EXIT_ERROR:
        sys.stderr.write(", ".join(summary) + ".\n")
        sys.stderr.flush()
    status = runner.status
    if status != EXIT_ERROR and dry_run and changed:
        status = EXIT_FINDINGS
    return status


# -- rules and rule ------------------------------------------------------------------


def run_rules(output_format: str = "text") -> int:
    """List every rule; return the exit status."""
    from dfopt.engine.registry import default_registry

    registry = default_registry()
    if output_format == RulesFormat.JSON.value:
        from dfopt.report.json_format import render_rules_json

        sys.stdout.write(render_rules_json(registry.rules))
    elif output_format == RulesFormat.MARKDOWN.value:
        from dfopt.report.text import render_rules_markdown

        sys.stdout.write(render_rules_markdown(registry.rules))
    else:
        from dfopt.report.text import render_rules_text

        sys.stdout.write(render_rules_text(registry.rules))
    sys.stdout.flush()
    for broken in registry.problems:
        sys.stderr.write(f"dfopt: error: {broken}\n")
    return EXIT_ERROR if registry.problems else EXIT_CLEAN


def run_rule(code: str) -> int:
    """Print the documentation of one rule; return the exit status."""
    import difflib

    from dfopt.engine.registry import default_registry
    from dfopt.report.text import render_rule_docs

    registry = default_registry()
    found = registry.find(code)
    if found is None:
        spelled = {
            key.lower(): key
            for known in registry.rules
            for key in (known.code, known.name, *known.aliases)
        }
        close = difflib.get_close_matches(code.strip().lower(), list(spelled), n=3)
        names = ", ".join(f"`{spelled[key]}`" for key in close)
        hint = f"; did you mean {names}?" if close else ""
        sys.stderr.write(f"dfopt: error: unknown rule `{code}`{hint}\n")
        return EXIT_ERROR
    sys.stdout.write(render_rule_docs(found))
    return EXIT_CLEAN
