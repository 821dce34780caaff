"""DF105: the source tree is copied before the dependency install."""

from __future__ import annotations

import fnmatch
import itertools
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    ShellScript,
    SimpleCommand,
    Span,
    Stage,
    Violation,
    expand,
    record,
    set_field,
)
from dfopt_rules._commands import script_text

_BASE = "/\0workdir"
"""Stands for a working directory dfopt does not know (the base image's)."""
_GLOB = frozenset("*?[")
_FIX_FLAGS = frozenset({"chown", "chmod", "link"})
_MOVE_OVER = frozenset(
    {
        "ENV",
        "ARG",
        "WORKDIR",
        "USER",
        "EXPOSE",
        "LABEL",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "CMD",
        "ENTRYPOINT",
        "SHELL",
        "MAINTAINER",
        "ONBUILD",
    }
)
"""Instructions the broad COPY may be moved past (none reads the copied files)."""
_PREFETCH_OVER = frozenset(
    {"EXPOSE", "LABEL", "STOPSIGNAL", "HEALTHCHECK", "CMD", "ENTRYPOINT", "MAINTAINER", "ONBUILD"}
)
"""Instructions that may stand between the broad COPY and the build when a prefetch
step is added before the COPY (none changes how a RUN runs)."""
_REFERENCES = ("-r", "-c", "-e", "-f", "--", ".", "/", "file:")
"""Requirement-file lines that read other local files (or the project itself)."""
_CARGO_PREFETCH = "mkdir src && touch src/main.rs && cargo fetch && rm -r src"


@record()
class Step:
    """A command that installs or needs a project's dependencies."""

    __slots__ = (
        "command",
        "covers",
        "files",
        "fixable",
        "label",
        "location",
        "manifests",
        "movable",
        "prefetch",
        "tool",
    )

    tool: str
    label: str
    command: SimpleCommand
    manifests: tuple[str, ...]
    """What the manifest COPY lists, relative to ``location`` (globs for optional files)."""
    covers: tuple[str, ...]
    """File names an earlier COPY must bring for the manifest COPY to be redundant."""
    location: str
    """Directory of the manifests, relative to the command's working directory."""
    movable: bool
    """The command needs only the manifests, so it can run before the sources arrive."""
    prefetch: str | None
    """A RUN body that fetches the dependencies from the manifests alone."""
    fixable: bool
    files: tuple[str, ...]
    """Requirement files as written (relative to the working directory), for pip."""

    def __init__(
        self,
        tool: str,
        label: str,
        command: SimpleCommand,
        manifests: tuple[str, ...] = (),
        covers: tuple[str, ...] = (),
        location: str = ".",
        movable: bool = False,
        prefetch: str | None = None,
        fixable: bool = True,
        files: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "tool", tool)
        set_field(self, "label", label)
        set_field(self, "command", command)
        set_field(self, "manifests", manifests)
        set_field(self, "covers", covers)
        set_field(self, "location", location)
        set_field(self, "movable", movable)
        set_field(self, "prefetch", prefetch)
        set_field(self, "fixable", fixable)
        set_field(self, "files", files)

    def unfixable(self) -> Step:
        """The same step, with no fix offered."""
        return Step(
            self.tool,
            self.label,
            self.command,
            self.manifests,
            self.covers,
            self.location,
            self.movable,
            self.prefetch,
            False,
            self.files,
        )


# -- recognising dependency steps -------------------------------------------------------


def _values(command: SimpleCommand) -> list[str]:
    return [arg.value for arg in command.args]


def _subcommand(values: Sequence[str], value_flags: frozenset[str] = frozenset()) -> int | None:
    """Index of the first non-option argument, skipping values of ``value_flags``."""
    skip = False
    for index, value in enumerate(values):
        if skip:
            skip = False
            continue
        if value.startswith("-"):
            skip = value in value_flags
            continue
        return index
    return None


def _positionals(values: Sequence[str], value_flags: frozenset[str]) -> list[str]:
    found = []
    skip = False
    for value in values:
        if skip:
            skip = False
            continue
        if value.startswith("-"):
            skip = value in value_flags
            continue
        found.append(value)
    return found


def _has(values: Sequence[str], *names: str) -> bool:
    prefixes = tuple(name + "=" for name in names)
    return any(value in names or value.startswith(prefixes) for value in values)


def _insert_after(command: SimpleCommand, index: int, addition: str, ctx: Context) -> str:
    """The command's source text with ``addition`` inserted after argument ``index``."""
    word = command.args[index]
    before = ctx.slice(Span(command.span.start, word.span.end))
    after = ctx.slice(Span(word.span.end, command.span.end))
    return before + addition + after


_NPM_VALUE_FLAGS = frozenset(
    {"--omit", "--include", "--registry", "--loglevel", "--cache", "--userconfig", "--tag", "-w"}
)
_NPM_VALUE_FLAGS |= frozenset({"--workspace", "--only", "--also", "--install-strategy"})


def _node(command: SimpleCommand) -> Step | None:
    values = _values(command)
    name = command.command
    if _has(values, "-g", "--global", "--prefix", "-C", "--cwd", "--dir", "--location"):
        return None
    index = _subcommand(values, _NPM_VALUE_FLAGS)
    sub = values[index] if index is not None else None
    rest = values[index + 1 :] if index is not None else []
    if _positionals(rest, _NPM_VALUE_FLAGS):
        return None
    if name == "npm" and sub in ("install", "i", "ci", "clean-install", "install-clean", "ic"):
        return Step(
            "npm",
            f"npm {sub}",
            command,
            ("package*.json", "npm-shrinkwrap.json*"),
            ("package.json", "package-lock.json"),
            movable=True,
        )
    if name == "yarn" and sub in (None, "install"):
        return Step(
            "yarn",
            "yarn install" if sub else "yarn",
            command,
            ("package.json", "yarn.lock*"),
            ("package.json", "yarn.lock"),
            movable=True,
        )
    if name == "pnpm" and sub in ("install", "i"):
        return Step(
            "pnpm",
            f"pnpm {sub}",
            command,
            ("package.json", "pnpm-lock.yaml*"),
            ("package.json", "pnpm-lock.yaml"),
            movable=True,
        )
    return None


def _requirements(values: Sequence[str]) -> tuple[list[str], bool, bool] | None:
    """Requirement files of a pip install, whether it installs the project, and whether
    it reads other local paths; None when it installs neither files nor the project."""
    files: list[str] = []
    project = False
    local = False
    index = 0
    while index < len(values):
        value = values[index]
        nxt = values[index + 1] if index + 1 < len(values) else ""
        taken = None
        for short, long in (("-r", "--requirement"), ("-c", "--constraint")):
            if value in (short, long):
                taken, index = nxt, index + 1
            elif value.startswith(long + "="):
                taken = value[len(long) + 1 :]
            elif value.startswith(short) and len(value) > 2 and not value.startswith("--"):
                taken = value[2:]
        if taken is not None:
            files.append(taken)
        elif value in ("-e", "--editable", "-f", "--find-links"):
            target, index = nxt, index + 1
            if _is_project(target):
                project = True
            elif value in ("-f", "--find-links") and "://" not in target:
                local = True
        elif value.startswith(("--editable=", "--find-links=")):
            target = value.split("=", 1)[1]
            project = project or _is_project(target)
            local = local or (value.startswith("--find") and "://" not in target)
        elif value in ("-i", "--index-url", "--extra-index-url", "-t", "--target", "--prefix"):
            index += 1
        elif not value.startswith("-"):
            if _is_project(value):
                project = True
            elif value.startswith(("/", "./", "../")):
                local = True
        index += 1
    if not files and not project:
        return None
    return files, project, local


def _is_project(value: str) -> bool:
    return value in (".", "./") or value.startswith((".[", "./["))


def _pip_step(command: SimpleCommand, values: Sequence[str], label: str, tool: str) -> Step | None:
    found = _requirements(values)
    if found is None:
        return None
    files, project, local = found
    if project:
        return Step(tool, f"{label} .", command, ("pyproject.toml",), fixable=False)
    directories = {posixpath.dirname(posixpath.normpath(path)) or "." for path in files}
    names = tuple(posixpath.basename(path) for path in files)
    fixable = (
        not local
        and len(directories) == 1
        and not any("$" in path or set(path) & _GLOB for path in files)
    )
    location = directories.pop() if len(directories) == 1 else "."
    # Requirement files in their own directory often include each other: copy it whole.
    whole = location != "." and not location.startswith("/")
    return Step(
        tool,
        f"{label} -r {files[0]}",
        command,
        (".",) if whole else names,
        names,
        location=location,
        movable=True,
        fixable=fixable,
        files=tuple(files),
    )


def _python(command: SimpleCommand, ctx: Context) -> Step | None:
    name = command.command or ""
    if not name.startswith(("pip", "python")) and name not in ("uv", "poetry"):
        return None
    values = _values(command)
    if name.startswith("pip") and "pipx" not in name and "pipenv" not in name:
        index = _subcommand(values)
        if index is not None and values[index] == "install":
            return _pip_step(command, values[index + 1 :], "pip install", "pip")
        return None
    if name.startswith("python"):
        for index in range(len(values) - 2):
            if values[index : index + 3] == ["-m", "pip", "install"]:
                return _pip_step(command, values[index + 3 :], "pip install", "pip")
        return None
    if name == "uv":
        if _has(values, "--project", "--directory"):
            return None
        if values[:1] == ["sync"]:
            movable = "--no-install-project" in values
            prefetch = None if movable else _insert_after(command, 0, " --no-install-project", ctx)
            return Step(
                "uv",
                "uv sync",
                command,
                ("pyproject.toml", "uv.lock*"),
                ("pyproject.toml", "uv.lock"),
                movable=movable,
                prefetch=prefetch,
            )
        if values[:2] == ["pip", "install"]:
            return _pip_step(command, values[2:], "uv pip install", "uv")
        if values[:2] == ["pip", "sync"]:
            files = [value for value in values[2:] if not value.startswith("-")]
            flags = [token for path in files for token in ("-r", path)]
            return _pip_step(command, flags, "uv pip sync", "uv") if files else None
        return None
    if name == "poetry":
        if _has(values, "-C", "--directory", "-P", "--project"):
            return None
        index = _subcommand(values)
        if index is None or values[index] != "install":
            return None
        movable = "--no-root" in values
        return Step(
            "poetry",
            "poetry install",
            command,
            ("pyproject.toml", "poetry.lock*"),
            ("pyproject.toml", "poetry.lock"),
            movable=movable,
            prefetch=None if movable else _insert_after(command, index, " --no-root", ctx),
        )
    if name == "pipenv":
        index = _subcommand(values)
        if index is None or values[index] not in ("install", "sync"):
            return None
        if _positionals(values[index + 1 :], frozenset()):
            return None
        return Step(
            "pipenv",
            f"pipenv {values[index]}",
            command,
            ("Pipfile", "Pipfile.lock*"),
            ("Pipfile", "Pipfile.lock"),
            movable=True,
        )
    return None


def _assignments(command: SimpleCommand) -> str:
    return "".join(assignment + " " for assignment in command.assignments)


def _go(command: SimpleCommand, env: Mapping[str, str]) -> Step | None:
    values = _values(command)
    if "-mod=vendor" in values or "-mod=vendor" in env.get("GOFLAGS", ""):
        return None
    index = _subcommand(values)
    if index is None:
        return None
    sub = values[index]
    manifests = ("go.mod", "go.sum*")
    covers = ("go.mod", "go.sum")
    if sub == "mod" and values[index + 1 : index + 2] == ["download"]:
        if len(_positionals(values[index + 2 :], frozenset())) > 0:
            return None
        return Step("go", "go mod download", command, manifests, covers, movable=True)
    if sub in ("build", "install", "test", "vet", "generate"):
        if any("@" in value for value in values[index + 1 :]):
            return None
        prefetch = _assignments(command) + "go mod download"
        return Step("go", f"go {sub}", command, manifests, covers, prefetch=prefetch)
    return None


def _cargo(command: SimpleCommand) -> Step | None:
    values = _values(command)
    if _has(values, "--manifest-path"):
        return None
    index = _subcommand(values)
    if index is None:
        return None
    sub = values[index]
    if sub == "install" and not _has(values, "--path"):
        return None
    if sub not in ("build", "b", "test", "t", "check", "c", "run", "r", "fetch", "install"):
        return None
    return Step(
        "cargo",
        f"cargo {sub}",
        command,
        ("Cargo.toml", "Cargo.lock*"),
        ("Cargo.toml", "Cargo.lock"),
        prefetch=_assignments(command) + _CARGO_PREFETCH,
    )


_MAVEN_VALUE_FLAGS = frozenset({"-P", "-D", "-T", "-pl", "-rf", "-e", "-l", "-b"})


def _jvm(command: SimpleCommand) -> Step | None:
    name = command.command
    values = _values(command)
    if name in ("mvn", "mvnw"):
        goals = _positionals(values, _MAVEN_VALUE_FLAGS)
        if not goals or _has(values, "-v", "--version"):
            return None
        custom = _has(
            values, "-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-pl"
        ) or _has(values, "--projects", "-o", "--offline")
        return Step(
            "maven",
            f"{name} {goals[0]}",
            command,
            ("pom.xml",),
            ("pom.xml",),
            prefetch="mvn -B dependency:go-offline",
            fixable=name == "mvn" and not custom,
        )
    if name in ("gradle", "gradlew"):
        tasks = _positionals(values, frozenset({"-p", "-b", "-c", "-I"}))
        if not tasks:
            return None
        manifests = ("build.gradle*", "settings.gradle*")
        return Step("gradle", f"{name} {tasks[0]}", command, manifests, fixable=False)
    return None


def _other(command: SimpleCommand, ctx: Context) -> Step | None:
    name = command.command
    values = _values(command)
    index = _subcommand(values)
    sub = values[index] if index is not None else None
    if name == "bundle" and sub in (None, "install"):
        if _has(values, "--gemfile"):
            return None
        return Step(
            "bundler",
            "bundle install",
            command,
            ("Gemfile", "Gemfile.lock*"),
            ("Gemfile", "Gemfile.lock"),
            movable=True,
        )
    if name in ("composer", "composer.phar") and sub == "install" and index is not None:
        if _has(values, "-d", "--working-dir"):
            return None
        missing = [flag for flag in ("--no-scripts", "--no-autoloader") if flag not in values]
        addition = "".join(" " + flag for flag in missing)
        return Step(
            "composer",
            "composer install",
            command,
            ("composer.json", "composer.lock*"),
            ("composer.json", "composer.lock"),
            movable=not missing,
            prefetch=_insert_after(command, index, addition, ctx) if missing else None,
        )
    return None


_PROGRAMS = frozenset(
    {"npm", "yarn", "pnpm", "go", "cargo", "mvn", "mvnw", "gradle", "gradlew", "bundle"}
    | {"composer", "composer.phar", "uv", "poetry"}
)
"""With the names starting with ``pip`` or ``python``: the commands :func:`recognise` reads."""


_PROGRAM_PARTS = (
    "npm",
    "yarn",
    "go",
    "cargo",
    "mvn",
    "gradle",
    "bundle",
    "composer",
    "uv",
    "poetry",
    "pip",
    "python",
)
"""A piece of every name :func:`_may_be_step` accepts (``pnpm`` holds ``npm``)."""


def _may_run_steps(run: Instruction, ctx: Context) -> bool:
    """Cheap test on the RUN's script text: False when no command name of its scripts
    can be one :func:`recognise` reads."""
    text = script_text(ctx, run)
    return any(part in text for part in _PROGRAM_PARTS)


def _may_be_step(command: SimpleCommand) -> bool:
    """Cheap test: False when :func:`recognise` surely finds no step in the command."""
    name = command.command
    return name is not None and (name in _PROGRAMS or name.startswith(("pip", "python")))


def recognise(command: SimpleCommand, env: Mapping[str, str], ctx: Context) -> Step | None:
    """The dependency step ``command`` performs, if any."""
    name = command.command
    if name is None:
        return None
    if name in ("npm", "yarn", "pnpm"):
        return _node(command)
    if name == "go":
        return _go(command, env)
    if name == "cargo":
        return _cargo(command)
    if name in ("mvn", "mvnw", "gradle", "gradlew"):
        return _jvm(command)
    if name in ("bundle", "composer", "composer.phar"):
        return _other(command, ctx)
    return _python(command, ctx)


_CACHE_DIRS = ("/root/.cache", "/root/.npm", "/tmp", "/usr/local/share/.cache", "/var/cache")


def _is_cleanup(command: SimpleCommand) -> bool:
    """A cache cleanup that does not need the sources."""
    name = command.command or ""
    values = _values(command)
    if name in ("npm", "yarn", "uv") and values[:1] == ["cache"]:
        return len(values) > 1 and values[1] in ("clean", "prune", "verify")
    if name.startswith("pip") and values[:2] == ["cache", "purge"]:
        return True
    if name == "pnpm" and values[:2] == ["store", "prune"]:
        return True
    if name in ("composer", "composer.phar") and values[:1] in (["clear-cache"], ["clearcache"]):
        return True
    if name == "rm":
        paths = [value for value in values if not value.startswith("-")]
        return bool(paths) and all(
            any(path == root or path.startswith(root + "/") for root in _CACHE_DIRS)
            for path in paths
        )
    return False


# -- paths ------------------------------------------------------------------------------


def _resolve(path: str, workdir: str | None) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(workdir or _BASE, path))


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


def _is_glob(path: str) -> bool:
    return bool(set(path) & _GLOB)


@record()
class CopyArgs:
    __slots__ = ("dest", "sources")

    sources: tuple[str, ...]
    dest: str

    def __init__(self, sources: tuple[str, ...], dest: str) -> None:
        set_field(self, "sources", sources)
        set_field(self, "dest", dest)


def _copy_args(instruction: Instruction) -> CopyArgs | None:
    if instruction.is_onbuild or instruction.heredocs:
        return None
    if instruction.keyword not in ("COPY", "ADD") or instruction.has_flag("from"):
        return None
    if instruction.form is Form.EXEC:
        values = [word.value for word in instruction.exec_args]
    else:
        values = [word.value for word in instruction.words]
    if len(values) < 2:
        return None
    return CopyArgs(tuple(values[:-1]), values[-1])


def _directory_like(source: str) -> bool:
    """A COPY source that names a directory of the context (a rough guess for names
    without a trailing slash: no dot and not capitalised, unlike Makefile or Gemfile)."""
    if "://" in source or source.startswith("git@") or _is_glob(source):
        return False
    if source in (".", "./") or source.endswith("/"):
        return True
    base = source.rsplit("/", 1)[-1]
    return bool(base) and "." not in base and not base[0].isupper() and "$" not in base


@record()
class Broad:
    """A COPY of the whole context or of a source directory."""

    __slots__ = ("dest", "instruction", "source", "target")

    instruction: Instruction
    source: str
    dest: str
    target: str
    """The resolved directory that receives the copied tree."""

    def __init__(self, instruction: Instruction, source: str, dest: str, target: str) -> None:
        set_field(self, "instruction", instruction)
        set_field(self, "source", source)
        set_field(self, "dest", dest)
        set_field(self, "target", target)


def _broad(instruction: Instruction, ctx: Context) -> Broad | None:
    args = _copy_args(instruction)
    if args is None or len(args.sources) != 1:
        return None
    variables = ctx.state(instruction).variables
    source = args.sources[0]
    if not _directory_like(expand(source, variables, ctx.escape)):
        return None
    dest = expand(args.dest, variables, ctx.escape)
    return Broad(instruction, source, args.dest, _resolve(dest, ctx.state(instruction).workdir))


# -- the rule ---------------------------------------------------------------------------


@record()
class Use:
    """A RUN whose dependency steps read what the broad COPY brought."""

    __slots__ = ("cwd", "directory", "run", "steps")

    run: Instruction
    steps: tuple[Step, ...]
    directory: str
    """Resolved directory of the manifests."""
    cwd: str
    """Resolved working directory of the first step."""

    def __init__(self, run: Instruction, steps: tuple[Step, ...], directory: str, cwd: str) -> None:
        set_field(self, "run", run)
        set_field(self, "steps", steps)
        set_field(self, "directory", directory)
        set_field(self, "cwd", cwd)


class CopyBeforeInstall(Rule):
    """## What it does
    Flags a `COPY` (or `ADD`) of the whole build context or of a source directory
    (`COPY . .`, `COPY . /app`, `COPY src/ /app/`) that comes before a dependency install
    in the same stage, when the install reads its manifest from the copied tree.

    Recognised installs and the manifests they read: `npm install`/`npm ci`
    (`package.json`, `package-lock.json`, `npm-shrinkwrap.json`), `yarn`/`yarn install`
    (`package.json`, `yarn.lock`), `pnpm install` (`package.json`, `pnpm-lock.yaml`),
    `pip install -r <file>` (the requirement and constraint files) and `pip install .`
    (`pyproject.toml`), `poetry install` (`pyproject.toml`, `poetry.lock`),
    `pipenv install`/`sync` (`Pipfile`, `Pipfile.lock`), `uv sync` (`pyproject.toml`,
    `uv.lock`) and `uv pip install -r`/`uv pip sync`, `go mod download` (`go.mod`,
    `go.sum`), `bundle install` (`Gemfile`, `Gemfile.lock`), `composer install`
    (`composer.json`, `composer.lock`). Builds that download what they miss count as
    installs too, unless an earlier `RUN` of the stage already fetched the dependencies
    before the source tree was copied: `go build`/`install`/`test`, `cargo build`/`test`/
    `fetch`/`install --path`, `mvn <goals>` (`pom.xml`) and `gradle`/`gradlew`.

    An install is linked to the nearest earlier broad `COPY` whose destination holds the
    install's manifests (the working directory, `WORKDIR` and a leading `cd` included).
    An earlier `RUN` of the same tool before the broad `COPY` (the usual manifest-first
    layout) means the dependencies are already in a cached layer, so nothing is reported.

    ## Why is this bad?
    A layer's cache key includes every file its `COPY` brings in. Copying the whole tree
    first means any source change, even a comment, invalidates the install layer, so
    each build downloads and installs every dependency again. Copying the manifest and
    lock files first, installing, then copying the rest keeps the install cached until
    the dependencies themselves change.

    ## Fix safety
    Unsafe. The fix inserts, in place of the broad `COPY`, a `COPY` of the manifests with
    the same `--chown`/`--chmod`/`--link` flags into the same directory, for example
    `COPY package*.json npm-shrinkwrap.json* ./`, then reorders:

    - when the install needs only the manifests (`npm ci`, `yarn`, `pnpm install`,
      `pip install -r`, `pipenv`, `bundle install`, `go mod download`,
      `poetry install --no-root`, `uv sync --no-install-project`,
      `composer install --no-scripts --no-autoloader`), the broad `COPY` moves down to
      right after that `RUN`; when the `RUN` goes on with commands that need the sources
      (`npm ci && npm run build`), it is split in two around the moved `COPY`;
    - otherwise a step that fetches the dependencies from the manifests alone is added
      before the broad `COPY` and the original `RUN` stays where it is:
      `go mod download`, `mvn -B dependency:go-offline`, `poetry install --no-root`,
      `uv sync --no-install-project`, `composer install --no-scripts --no-autoloader`, or
      for cargo `mkdir src && touch src/main.rs && cargo fetch && rm -r src` (`cargo fetch`
      refuses a manifest without any target file, hence the placeholder).

    Lock files that may be absent are written with a glob (`yarn.lock*`, `go.sum*`):
    a wildcard that matches nothing is accepted as long as another source of the `COPY`
    exists, while a missing literal file fails the build. The fix is unsafe because the
    install then runs without the rest of the tree: files it reads besides the listed
    manifests are not there (`.npmrc`, `.yarnrc.yml` and `.yarn/`, `pip.conf`, requirement
    files included from other directories, workspace or monorepo members, path or local
    dependencies, a `gemspec` referenced by the `Gemfile`, lifecycle scripts such as
    npm's `prepare`), and files the install creates (such as `node_modules`) can be
    overwritten by the later `COPY` unless `.dockerignore` excludes them.

    No fix is offered when in doubt: several installs depend on the same `COPY`; an
    instruction between the `COPY` and the install reads files or changes where they go
    (`RUN`, `COPY`, `ADD`, `VOLUME`, a `WORKDIR` when the destination is relative, an
    `ARG`/`ENV` when the `COPY` uses variables); the `COPY` has other flags
    (`--parents`, `--exclude`); the install is `pip install .`, Gradle, the Maven wrapper
    or Maven with `-f`/`-s`/`-pl`; or the manifests live in several directories.
    """

    code = "DF105"
    name = "copy-before-install"
    summary = "The source tree is copied before the dependency install"
    severity = Severity.WARNING
    targets = frozenset({"COPY", "ADD"})
    include_onbuild = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n'
    good = (
        "FROM node:20-slim\n"
        "WORKDIR /app\n"
        "COPY package*.json ./\n"
        "RUN npm ci\n"
        "COPY . .\n"
        'CMD ["node", "server.js"]\n'
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._broads: dict[int, Broad | None] = {}
        self._run_steps: dict[int, list[Use]] = {}
        self._run_tools: dict[int, frozenset[str]] = {}
        self._followed: dict[int, set[int]] = {}
        """Per stage: the instructions some RUN that may hold a dependency step follows."""

    def _steps_follow(self, instruction: Instruction, stage: Stage, ctx: Context) -> bool:
        """A later RUN of the stage may hold a dependency step (a cheap test of the text)."""
        followed = self._followed.get(id(stage))
        if followed is None:
            followed = self._followed[id(stage)] = set()
            found = False
            for item in reversed(stage.instructions):
                if found:
                    followed.add(id(item))
                elif item.keyword == "RUN" and _may_run_steps(item, ctx):
                    found = True
        return id(instruction) in followed

    @staticmethod
    def _may_have_steps(run: Instruction, ctx: Context) -> bool:
        if not _may_run_steps(run, ctx):
            return False
        script = ctx.shell(run)
        return script is not None and any(
            command.reliable and _may_be_step(command) for command in script.commands
        )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        if stage is None or not self._steps_follow(instruction, stage, ctx):
            return
        broad = self._broad(instruction, ctx)
        if broad is None:
            return
        uses = self._uses(broad, stage, ctx)
        if not uses:
            return
        first = uses[0]
        # The fix is planned only when something reads it.
        fix = partial(self._fix, broad, first, stage, ctx) if len(uses) == 1 else None
        copied = ctx.slice(Span(instruction.keyword_span.start, instruction.args_span.end))
        yield self.violation(
            Span(instruction.keyword_span.start, instruction.args_span.end),
            f"`{copied}` copies the source tree before `{first.steps[0].label}`, so any "
            "source change downloads the dependencies again; copy the manifests first",
            fix,
        )

    # -- finding the installs that read the copied tree -----------------------------------

    def _uses(self, broad: Broad, stage: Stage, ctx: Context) -> list[Use]:
        items = stage.instructions
        position = next(i for i, item in enumerate(items) if item is broad.instruction)
        uses = []
        for index in range(position + 1, len(items)):
            run = items[index]
            if run.keyword != "RUN":
                continue
            for use in self._steps_of(run, ctx):
                if self._linked(use, broad, items, position, index, ctx):
                    uses.append(use)
                    break
        return uses

    def _linked(
        self,
        use: Use,
        broad: Broad,
        items: list[Instruction],
        position: int,
        index: int,
        ctx: Context,
    ) -> bool:
        between = items[position + 1 : index]
        if ctx.state(use.run).workdir is None and any(i.keyword == "WORKDIR" for i in between):
            return False
        for other in reversed(between):
            found = self._broad(other, ctx)
            if found is not None and _within(use.directory, found.target):
                return False
        if not _within(use.directory, broad.target):
            return False
        tool = use.steps[0].tool
        return not any(
            earlier.keyword == "RUN" and tool in self._tools(earlier, ctx)
            for earlier in items[1:position]
        )

    def _broad(self, instruction: Instruction, ctx: Context) -> Broad | None:
        key = id(instruction)
        if key not in self._broads:
            self._broads[key] = _broad(instruction, ctx)
        return self._broads[key]

    def _tools(self, run: Instruction, ctx: Context) -> frozenset[str]:
        """The tools whose dependency steps the RUN's commands perform."""
        tools = self._run_tools.get(id(run))
        if tools is None:
            env = ctx.state(run).env
            found = (recognise(command, env, ctx) for command in ctx.commands(run))
            tools = frozenset(step.tool for step in found if step is not None)
            self._run_tools[id(run)] = tools
        return tools

    def _steps_of(self, run: Instruction, ctx: Context) -> list[Use]:
        steps = self._run_steps.get(id(run))
        if steps is None:
            steps = self._run_steps[id(run)] = self._steps(run, ctx)
        return steps

    def _steps(self, run: Instruction, ctx: Context) -> list[Use]:
        """The dependency steps of a RUN, grouped by tool, with their directories."""
        state = ctx.state(run)
        cwd: str | None = _resolve(".", state.workdir)
        script = ctx.shell(run)
        if script is None or not self._may_have_steps(run, ctx):
            return []
        found: dict[str, tuple[list[Step], str, str]] = {}
        for command in sorted(script.commands, key=lambda item: item.start):
            if not command.reliable:
                continue
            if command.command in ("cd", "pushd", "popd"):
                cwd = self._cd(command, cwd)
                continue
            step = recognise(command, state.env, ctx)
            if step is None or cwd is None:
                continue
            directory = _resolve(step.location, cwd)
            if step.tool in found:
                steps, first_directory, _ = found[step.tool]
                if directory != first_directory:
                    step = step.unfixable()
                steps.append(step)
            else:
                found[step.tool] = ([step], directory, cwd)
        return [
            Use(run, tuple(steps), directory, first_cwd)
            for steps, directory, first_cwd in found.values()
        ]

    @staticmethod
    def _cd(command: SimpleCommand, cwd: str | None) -> str | None:
        args = [arg for arg in command.args if not arg.value.startswith("-")]
        if (
            command.command != "cd"
            or command.depth
            or command.in_pipeline
            or len(args) != 1
            or not args[0].literal
            or cwd is None
        ):
            return None
        return _resolve(args[0].value, cwd)

    # -- the fix ------------------------------------------------------------------------

    def _fix(self, broad: Broad, use: Use, stage: Stage, ctx: Context) -> Fix | None:
        copy = broad.instruction
        run = use.run
        steps = use.steps
        if not all(step.fixable for step in steps) or not steps[0].manifests:
            return None
        if any(flag.name not in _FIX_FLAGS for flag in copy.flags):
            return None
        if run.heredocs or run.form is not Form.SHELL:
            return None
        script = ctx.shell(run)
        if script is None or script.has_errors:
            return None
        items = stage.instructions
        between = items[items.index(copy) + 1 : items.index(run)]
        manifest = self._manifest_copy(broad, use, items[: items.index(copy)], ctx)
        if manifest is None or self._requirements_refer_elsewhere(broad, use, ctx):
            return None
        newline = ctx.newline_of(copy)
        lower = ctx.slice(copy.keyword_span).islower()
        title = "Copy the dependency manifests first and install before copying the sources"
        statements = _statements(script)
        plan = self._plan(statements, steps)
        if statements is not None and plan is not None:
            if not self._may_move_over(broad, between, ctx):
                return None
            moved = ctx.slice(copy.span)
            if not moved.endswith("\n"):
                moved += newline
            first = Edit.replace(copy.span, manifest.replace("\n", newline) if manifest else "")
            if plan == len(statements):
                end = run.span.end
                if not ctx.text[:end].endswith("\n"):
                    moved = newline + moved.rstrip("\r\n")
                return Fix.unsafe(title, [first, Edit.insert(end, moved)])
            gap = Span(statements[plan - 1][1].end, statements[plan][1].start)
            if "#" in ctx.slice(gap):
                return None
            keyword = ctx.slice(run.keyword_span)
            flags = "".join(" " + ctx.slice(flag.span) for flag in run.flags)
            middle = newline + moved.rstrip("\r\n") + newline + keyword + flags + " "
            # The edit runs to the end of the RUN's command, so a fix that appends to
            # this RUN (a cache cleanup) waits for the next pass and sees the split.
            tail = Span(gap.start, max(gap.end, run.header_end))
            rest = ctx.slice(Span(gap.end, tail.end))
            return Fix.unsafe(title, [first, Edit.replace(tail, middle + rest)])
        prefetch = steps[0].prefetch
        if prefetch is None or "\n" in prefetch:
            return None
        if not statements or statements[0][0] is not steps[0].command:
            # Earlier commands of the same RUN may install the tool the prefetch needs.
            return None
        if any(item.keyword not in _PREFETCH_OVER for item in between):
            return None
        if use.cwd != _resolve(".", ctx.state(run).workdir):
            return None
        if _resolve(".", ctx.state(copy).workdir) != use.directory:
            return None
        keyword = "run" if lower else "RUN"
        flags = "".join(" " + ctx.slice(flag.span) for flag in run.flags)
        text = (manifest or "") + f"{keyword}{flags} {prefetch}\n"
        return Fix.unsafe(title, [Edit.insert(copy.span.start, text.replace("\n", newline))])

    @staticmethod
    def _plan(
        statements: list[tuple[SimpleCommand | None, Span]] | None, steps: Sequence[Step]
    ) -> int | None:
        """How many leading statements can run before the sources arrive.

        All of them when each is a step that needs only the manifests, a cache cleanup or
        a `cd`; else the leading steps and cleanups (no `cd`, whose effect the rest of the
        RUN would lose); None when not even the first statement can.
        """
        if statements is None:
            return None
        movable = {id(step.command) for step in steps if step.movable}
        kinds = []
        for command, _span in statements:
            if command is None:
                kinds.append("other")
            elif id(command) in movable:
                kinds.append("step")
            elif _is_cleanup(command):
                kinds.append("cleanup")
            elif command.command == "cd":
                kinds.append("cd")
            else:
                kinds.append("other")
        if "other" not in kinds and "step" in kinds:
            return len(kinds)
        count = 0
        for kind in kinds:
            if kind not in ("step", "cleanup"):
                break
            count += 1
        return count if "step" in kinds[:count] else None

    def _may_move_over(self, broad: Broad, between: list[Instruction], ctx: Context) -> bool:
        keywords = {item.keyword for item in between}
        if not keywords <= _MOVE_OVER:
            return False
        copy = broad.instruction
        text = ctx.slice(Span(copy.keyword_span.end, copy.header_end))
        if keywords & {"ENV", "ARG"} and "$" in text:
            return False
        variables = ctx.state(copy).variables
        return not ("WORKDIR" in keywords and not expand(broad.dest, variables).startswith("/"))

    def _manifest_copy(
        self, broad: Broad, use: Use, earlier: list[Instruction], ctx: Context
    ) -> str | None:
        """The manifest COPY line, "" when earlier COPYs already bring them, or None."""
        steps = use.steps
        names: list[str] = []
        covers: list[str] = []
        for step in steps:
            for name in step.manifests:
                if name not in names:
                    names.append(name)
            for name in step.covers:
                if name not in covers:
                    covers.append(name)
        if self._covered(covers, use.directory, earlier, ctx):
            return ""
        relative = posixpath.relpath(use.directory, broad.target)
        if relative.startswith("..") or (relative == "." and "." in names):
            return None
        source_root = broad.source
        sources = []
        for name in names:
            path = posixpath.normpath(posixpath.join(source_root, relative, name))
            sources.append(path + "/" if name == "." else path)
        if relative == ".":
            dest = broad.dest if broad.dest.endswith("/") else broad.dest + "/"
        else:
            dest = posixpath.join(broad.dest, relative) + "/"
        if any(char in part for part in (*sources, dest) for char in " \t\"'\\"):
            return None
        copy = broad.instruction
        keyword = "copy" if ctx.slice(copy.keyword_span).islower() else "COPY"
        flags = "".join(" " + ctx.slice(flag.span) for flag in copy.flags)
        return f"{keyword}{flags} {' '.join(sources)} {dest}\n"

    @staticmethod
    def _requirements_refer_elsewhere(broad: Broad, use: Use, ctx: Context) -> bool:
        """A requirement file in the build context names other files or the project."""
        variables = ctx.state(broad.instruction).variables
        root = expand(broad.source, variables, ctx.escape)
        for step in use.steps:
            for path in step.files:
                inside = posixpath.relpath(_resolve(path, use.cwd), broad.target)
                source = posixpath.normpath(posixpath.join(root, inside))
                head = ctx.read_context_head(source, 65536)
                if head is None:
                    continue
                for line in head.decode("utf-8", "replace").splitlines():
                    if line.strip().startswith(_REFERENCES):
                        return True
        return False

    @staticmethod
    def _covered(
        names: list[str], directory: str, earlier: list[Instruction], ctx: Context
    ) -> bool:
        """Every name is brought into ``directory`` by an earlier COPY of the stage."""
        patterns: list[str] = []
        for item in earlier:
            args = _copy_args(item)
            if args is None:
                continue
            state = ctx.state(item)
            dest = expand(args.dest, state.variables, ctx.escape)
            as_directory = (
                dest.endswith("/") or dest in (".", "..") or len(args.sources) > 1
            ) or any(_is_glob(source) for source in args.sources)
            target = _resolve(dest, state.workdir)
            if as_directory:
                if target == directory:
                    patterns.extend(
                        source.rstrip("/").rsplit("/", 1)[-1] for source in args.sources
                    )
            elif posixpath.dirname(target) == directory:
                patterns.append(posixpath.basename(target))
        return bool(names) and all(
            any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns) for name in names
        )


def _statements(script: ShellScript) -> list[tuple[SimpleCommand | None, Span]] | None:
    """The top-level statements of a plain `&&` chain, with their lone simple command."""
    ranges = script.top_level
    text = script.text
    if not ranges or text[: ranges[0][0]].strip() or text[ranges[-1][1] :].strip():
        return None
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if text[end:start].strip() != "&&":
            return None
    statements: list[tuple[SimpleCommand | None, Span]] = []
    for start, end in ranges:
        inside = [c for c in script.commands if c.start >= start and c.end <= end]
        command = inside[0] if len(inside) == 1 else None
        if command is not None and (command.depth or command.in_pipeline):
            command = None
        if command is not None and (command.start != start or command.end != end):
            command = None
        span = inside[0].span if inside else None
        if span is None:
            return None
        first, last = inside[0].span, inside[-1].span
        statements.append((command, Span(first.start, last.end)))
    return statements
