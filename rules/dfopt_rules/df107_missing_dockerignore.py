"""DF107: the whole build context is copied and `.dockerignore` does not trim it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    Span,
    Violation,
    expand,
    record,
    set_field,
)
from dfopt_rules._buildkit import iter_source_words
from dfopt_rules._dockerignore import Matcher, clean_path, find_ignore_file

_WHOLE_CONTEXT = frozenset({".", "*", "/", "/*"})
_BUILD_TOOLS = frozenset(
    {"npm", "yarn", "pnpm", "npx", "cargo", "mvn", "mvnw", "gradle", "gradlew", "go", "make"}
)
_PYTHON = frozenset({"python", "python3", "pip", "pip3", "poetry", "uv"})
_HEADER = (
    "# Files the build does not need: kept out of the build context and the image.",
    "# Written by dfopt (rule DF107); extend it as the project grows.",
)
_MAX_LISTING = 5000
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


@record()
class _Entry:
    """A kind of file that should stay out of the build context."""

    __slots__ = ("baseline", "needs_build", "pattern", "probe", "reason")

    pattern: str
    """The `.dockerignore` line that excludes it."""
    probe: str
    """A path the pattern excludes, to test an existing `.dockerignore` with."""
    reason: str
    needs_build: bool
    """Only build output: recommended when the Dockerfile builds it itself."""
    baseline: bool
    """Part of every new `.dockerignore`, present in the context or not."""

    def __init__(
        self,
        pattern: str,
        probe: str,
        reason: str,
        needs_build: bool = False,
        baseline: bool = False,
    ) -> None:
        set_field(self, "pattern", pattern)
        set_field(self, "probe", probe)
        set_field(self, "reason", reason)
        set_field(self, "needs_build", needs_build)
        set_field(self, "baseline", baseline)


_VCS = (
    _Entry(".git", ".git", "version control", baseline=True),
    _Entry(".hg", ".hg", "version control"),
    _Entry(".svn", ".svn", "version control"),
)
_DEPENDENCIES = (
    _Entry("node_modules", "node_modules", "dependencies installed on the host"),
    _Entry("bower_components", "bower_components", "dependencies installed on the host"),
    _Entry(".venv", ".venv", "a virtual environment of the host"),
    _Entry("**/__pycache__", "__pycache__", "Python byte code"),
    _Entry(".pytest_cache", ".pytest_cache", "a tool cache"),
    _Entry(".mypy_cache", ".mypy_cache", "a tool cache"),
    _Entry(".ruff_cache", ".ruff_cache", "a tool cache"),
    _Entry(".tox", ".tox", "a tool cache"),
    _Entry(".gradle", ".gradle", "a tool cache"),
    _Entry("coverage", "coverage", "test output"),
    _Entry(".coverage", ".coverage", "test output"),
    _Entry("htmlcov", "htmlcov", "test output"),
)
_BUILD_OUTPUT = (
    _Entry("target", "target", "build output", needs_build=True),
    _Entry("dist", "dist", "build output", needs_build=True),
    _Entry("build", "build", "build output", needs_build=True),
    _Entry(".next", ".next", "build output", needs_build=True),
)
_SECRETS = (
    _Entry(".env", ".env", "secrets", baseline=True),
    _Entry(".env.*", ".env.local", "secrets"),
    _Entry("*.pem", "key.pem", "secrets"),
    _Entry("*.key", "server.key", "secrets"),
    _Entry("id_rsa", "id_rsa", "secrets"),
    _Entry("id_ed25519", "id_ed25519", "secrets"),
    _Entry(".ssh", ".ssh", "secrets"),
    _Entry(".aws", ".aws", "secrets"),
    _Entry(".netrc", ".netrc", "secrets"),
)
_LOGS = (_Entry("*.log", "debug.log", "logs"),)
_ENTRIES = (*_VCS, *_DEPENDENCIES, *_BUILD_OUTPUT, *_SECRETS, *_LOGS)


@record()
class _Listing:
    """The top of a context directory, with what the patterns ask of it precomputed."""

    __slots__ = ("local_env", "names", "suffixes")

    names: frozenset[str]
    suffixes: frozenset[str]
    """Every `.ext` a name ends with (`key.pem` gives `.pem`)."""
    local_env: bool
    """A `.env.*` file other than an example or template is present."""

    def __init__(self, names: frozenset[str], suffixes: frozenset[str], local_env: bool) -> None:
        set_field(self, "names", names)
        set_field(self, "suffixes", suffixes)
        set_field(self, "local_env", local_env)

    @classmethod
    def of(cls, names: Iterable[str]) -> _Listing:
        kept = frozenset(names)
        suffixes = frozenset(
            "." + name.rsplit(".", 1)[1] for name in kept if "." in name.lstrip(".")
        )
        local_env = any(
            name.startswith(".env.") and not name.endswith(_EXAMPLE_SUFFIXES) for name in kept
        )
        return cls(kept, suffixes, local_env)


_PROBES: dict[str, Matcher] = {}
"""The matcher of each entry's pattern, compiled on first use."""
_LISTINGS: dict[tuple[str, int], _Listing | None] = {}
"""Directory listings already read in this process, by path and modification time."""


def _listing(directory: Path) -> _Listing | None:
    """The top of ``directory`` (None when it cannot be read or is huge)."""
    try:
        key = (str(directory), directory.stat().st_mtime_ns)
    except OSError:
        return None
    if key in _LISTINGS:
        return _LISTINGS[key]
    listing: _Listing | None
    try:
        with os.scandir(directory) as entries:
            names = [entry.name for entry in itertools.islice(entries, _MAX_LISTING + 1)]
        listing = _Listing.of(names) if len(names) <= _MAX_LISTING else None
    except OSError:
        listing = None
    if len(_LISTINGS) > 256:
        _LISTINGS.clear()
    _LISTINGS[key] = listing
    return listing


def _present(entry: _Entry, listing: _Listing, directory: Path) -> bool:
    """Whether the context holds something ``entry`` describes."""
    pattern = entry.pattern
    if pattern == ".env.*":
        return listing.local_env
    if pattern.startswith("*."):
        return pattern[1:] in listing.suffixes
    name = entry.probe
    if name not in listing.names:
        return False
    if name == ".venv":
        return (directory / name / "pyvenv.cfg").is_file()
    return True


def _python_build(args: Sequence[ShellWord]) -> bool:
    """Whether a Python command's arguments build a distribution (`-m build`, `setup.py`)."""
    return any(arg.value in ("build", "wheel", "setup.py", "bdist_wheel") for arg in args)


class MissingDockerignore(Rule):
    """## What it does
    Flags the first `COPY` or `ADD` that copies the whole build context (`COPY . .`,
    `ADD . /app`, `COPY * ./`) when the context directory (the Dockerfile's directory)
    has no `.dockerignore` (nor a `<Dockerfile name>.dockerignore`), or has one that does
    not exclude what the context actually holds of:

    - version control folders (`.git`, `.hg`, `.svn`);
    - dependencies, virtual environments, caches and test output of the host
      (`node_modules`, `.venv`, `__pycache__`, `.pytest_cache`, `coverage` ...);
    - build output (`dist`, `build`, `target`, `.next`) when the Dockerfile builds the
      project itself (`npm run build`, `cargo build`, `mvn package`, `python -m build` ...);
    - secrets (`.env`, `.env.*` but not `.env.example`, `*.pem`, `*.key`, `id_rsa`,
      `.ssh`, `.aws`, `.netrc`) and `*.log` files.

    Nothing is suggested for a path a `COPY`/`ADD` names (`COPY dist/ /srv/`), nor `.git`
    when a `RUN` calls `git`. Standard input, whose directory is unknown, is not checked.

    ## Why is this bad?
    `COPY . .` sends everything in the directory to the builder and into the image:
    `.git` and `node_modules` make the context (and the image) large and slow to send,
    any edit to them invalidates the build cache of the copy and every step after it,
    host-built artefacts can shadow the ones the build makes, and a `.env` file or a
    private key ends up in a layer that everyone who pulls the image can read.

    ## Fix safety
    Safe, and applied only on request: `dfopt fix --dockerignore` creates the
    `.dockerignore` (with `.git`, `.env` and the entries found) or appends the missing
    patterns to the existing file, which keeps its text, comments and line endings.
    Without `--dockerignore`, `dfopt fix` never writes a file other than the Dockerfile.
    The Dockerfile itself is not changed.
    """

    code = "DF107"
    name = "missing-dockerignore"
    summary = "Whole build context copied without a .dockerignore that trims it"
    severity = Severity.WARNING
    targets = frozenset({"COPY", "ADD", "RUN"})
    include_onbuild = False
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
    good = (
        "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
        "RUN npm ci\nCOPY src ./src\nRUN npm run build\n"
    )
    example_context = {"package.json": "{}\n", ".env": "TOKEN=1\n"}

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._first: tuple[Span, str] | None = None
        self._references: list[str] = []
        self._runs: list[Instruction] = []
        self._uses_git = False
        self._builds = False

    def check(self, instruction: Instruction, ctx: Context) -> Iterable[Violation]:
        """Notes what the instruction copies or runs; the finding comes in `finish`."""
        if instruction.keyword == "RUN":
            self._runs.append(instruction)  # read in `finish`, once a COPY matters
            return ()
        if instruction.flag("from") is not None:
            return ()
        variables = ctx.state(instruction).variables
        for value, span in iter_source_words(instruction):
            if "://" in value or value.startswith("git@"):
                continue
            source = clean_path(expand(value, variables, ctx.escape))
            if source in _WHOLE_CONTEXT or source.startswith("./*"):
                if self._first is None:
                    self._first = (span, f"{instruction.keyword} {ctx.slice(span)}")
            else:
                self._references.append(source.lstrip("/"))
        return ()

    def _note_run(self, instruction: Instruction, ctx: Context) -> None:
        for command in ctx.commands(instruction):
            name = command.command
            if name == "git":
                self._uses_git = True
            elif name in _BUILD_TOOLS or (name in _PYTHON and _python_build(command.args)):
                self._builds = True

    def finish(self, ctx: Context) -> Iterator[Violation]:
        if self._first is None or ctx.context_dir is None:
            return
        directory = ctx.context_dir
        listing = _listing(directory)
        if listing is None:
            return
        for run in self._runs:
            self._note_run(run, ctx)
        span, copy = self._first
        ignore = find_ignore_file(ctx)
        matcher = Matcher.from_text(ignore[1]) if ignore is not None else None
        present = {entry.pattern for entry in _ENTRIES if _present(entry, listing, directory)}
        missing = [
            entry
            for entry in _ENTRIES
            if (entry.pattern in present or (ignore is None and entry.baseline))
            and self._wanted(entry)
            and (matcher is None or not matcher.excludes(entry.probe))
        ]
        if ignore is not None and not missing:
            return
        found = [entry.pattern for entry in missing if entry.pattern in present]
        listed = ", ".join(f"`{pattern}`" for pattern in found[:4])
        if len(found) > 4:
            listed += f" and {len(found) - 4} more"
        if ignore is None:
            message = (
                f"No `.dockerignore` next to the Dockerfile: `{copy}` sends the whole directory"
            )
            message += f" to the builder, including {listed}" if found else " to the builder"
            path, title = ".dockerignore", "Create .dockerignore"
        else:
            path = ignore[0]
            message = f"`{path}` does not exclude {listed}: `{copy}` sends them to the builder"
            title = f"Add {len(missing)} pattern{'s' if len(missing) != 1 else ''} to {path}"
        lines = [entry.pattern for entry in missing]
        header = _HEADER if ignore is None else ()
        yield self.violation(span, message, Fix.context_file(title, path, lines, header))

    def _wanted(self, entry: _Entry) -> bool:
        if entry.needs_build and not self._builds:
            return False
        if entry.pattern == ".git" and self._uses_git:
            return False
        if not self._references:
            return True
        probe = _PROBES.get(entry.pattern)
        if probe is None:
            probe = _PROBES[entry.pattern] = Matcher.from_text(entry.pattern)
        return not any(
            probe.excludes(reference) or reference.startswith(entry.probe + "/")
            for reference in self._references
            if reference
        )
