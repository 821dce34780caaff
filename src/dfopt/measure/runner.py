"""The measurement: fix the Dockerfile, build both versions three times, run both images.

For each version (``before`` is the original, ``after`` the fixed Dockerfile) dfopt copies
the build context to a temporary folder, so the user's files are never touched, and
builds there:

1. a cold build (``--no-cache``; base images already present are used),
2. a warm rebuild with nothing changed,
3. a rebuild after a source-only change: one source file of the copy gets a trailing
   newline, as an edit would change it; the RUN steps the builder ran again are counted.

Then it reads size, layers and history from the builder and runs both images' default
command (or ``--smoke``) to compare exit status and output. A difference that comes only
from a different user (the fix added ``USER``) is reported as expected, not hidden.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dfopt.measure.builders import (
    Builder,
    BuildFailed,
    BuildResult,
    Capabilities,
    ImageFacts,
    RunResult,
)
from dfopt.measure.steps import StepTracker

__all__ = [
    "Behaviour",
    "MeasureError",
    "MeasureOptions",
    "Measurement",
    "Variant",
    "compare_behaviour",
    "fix_for_builder",
    "introduced_syntax",
    "measure",
    "pick_source_file",
]

#: Files that declare dependencies: changing them is not a source-only change.
MANIFESTS = frozenset(
    {
        "dockerfile",
        "containerfile",
        ".dockerignore",
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "go.mod",
        "go.sum",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "poetry.lock",
        "pipfile",
        "pipfile.lock",
        "uv.lock",
        "gemfile",
        "gemfile.lock",
        "cargo.toml",
        "cargo.lock",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "composer.json",
        "composer.lock",
    }
)
_MANIFEST_PATTERNS = ("requirements*.txt", "*.dockerfile", "dockerfile.*", "containerfile.*")

#: Source file suffixes, most likely first.
SOURCE_SUFFIXES = (
    ".py",
    ".go",
    ".js",
    ".mjs",
    ".ts",
    ".jsx",
    ".tsx",
    ".rb",
    ".php",
    ".java",
    ".kt",
    ".rs",
    ".c",
    ".cc",
    ".cpp",
    ".cs",
    ".html",
    ".css",
    ".vue",
    ".svelte",
    ".sh",
)

_USER_WORD = re.compile(r"\b(uid|gid|euid|egid|user|username|USER|UID|GID)\b([=:\s]+)(\S+)")


class MeasureError(Exception):
    """The measurement cannot go on; the message says why."""


@dataclass(frozen=True)
class MeasureOptions:
    """What ``dfopt measure`` was asked to do."""

    dockerfile: Path
    context: Path
    unsafe_fixes: bool = False
    smoke: Sequence[str] | None = None
    run_args: Sequence[str] = ()
    keep: bool = False
    touch: str | None = None
    """The file (relative to the context) to change for the source-change rebuild."""
    log_path: Path | None = None
    isolated: bool = False


@dataclass
class Variant:
    """One version of the Dockerfile and what building it gave."""

    label: str
    text: str
    image: str
    facts: ImageFacts | None = None
    cold: BuildResult | None = None
    warm: BuildResult | None = None
    source_change: BuildResult | None = None
    changed_file: str | None = None
    first_warm: BuildResult | None = None
    """The first warm rebuild, when it re-ran steps and a second one was made."""


@dataclass
class Behaviour:
    """The result of running both images."""

    command: list[str] | None
    before: RunResult
    after: RunResult
    same: bool
    expected: bool = False
    """True when the outputs differ only by the user the images run as."""
    note: str = ""
    diff: str = ""


@dataclass
class Measurement:
    """Everything ``dfopt measure`` reports."""

    dockerfile: str
    builder: str
    builder_version: str
    log: str
    unsafe_fixes: bool
    fixes: list[str]
    before: Variant
    after: Variant
    behaviour: Behaviour | None
    held_back: list[str] = field(default_factory=list)
    """Rules whose fixes were left out because the builder cannot build their syntax."""
    lacking: list[str] = field(default_factory=list)
    builder_settings: dict[str, str] = field(default_factory=dict)
    kept_images: bool = False
    image_format: str = ""
    """The image format both versions were built in (``docker``)."""

    @property
    def builder_line(self) -> str:
        """``podman 4.3.1 (docker image format)``."""
        version = f" {self.builder_version}" if self.builder_version else ""
        shown = f" ({self.image_format} image format)" if self.image_format else ""
        return f"{self.builder}{version}{shown}"


# -- fixing for the builder ----------------------------------------------------------------


def introduced_syntax(original: str, fixed: str, capabilities: Capabilities) -> list[str]:
    """Syntax ``fixed`` uses more often than ``original`` that the builder cannot build."""
    from dfopt.syntax import parse

    def counts(text: str) -> tuple[int, int]:
        heredocs = links = 0
        for node in parse(text).instructions:
            instruction = node.effective
            heredocs += len(instruction.heredocs)
            if instruction.keyword in ("COPY", "ADD") and any(
                flag.name == "link" for flag in instruction.flags
            ):
                links += 1
        return heredocs, links

    before = counts(original)
    after = counts(fixed)
    problems = []
    if not capabilities.heredocs and after[0] > before[0]:
        problems.append("heredocs")
    if not capabilities.copy_link and after[1] > before[1]:
        problems.append("COPY --link")
    return problems


@dataclass
class FixOutcome:
    text: str
    codes: list[str]
    held_back: list[str]
    context_changes: dict[str, str]
    """Build-context files the fixes change: path relative to the Dockerfile -> new text."""


def fix_for_builder(
    text: str, path: Path, *, unsafe: bool, capabilities: Capabilities, isolated: bool = False
) -> FixOutcome:
    """Fix ``text`` with the project's configuration, leaving out rules whose fixes
    introduce syntax the builder cannot build."""
    from dfopt.api import context_file_changes, session
    from dfopt.verify import new_parse_problems

    ignored: list[str] = []
    while True:
        result = session(path=path, isolated=isolated, ignore=ignored).fix(
            text, path, unsafe, context_files=True
        )
        if result.failure is not None:
            raise MeasureError(f"dfopt could not fix {path.name}: {result.failure}")
        problems = introduced_syntax(text, result.text, capabilities)
        codes = list(dict.fromkeys(applied.code for applied in result.applied))
        if not problems:
            break
        candidates = [code for code in codes if code not in ignored]
        if not candidates:
            raise MeasureError(
                f"the fixed Dockerfile needs {', '.join(problems)}, which the builder lacks"
            )
        for code in candidates:
            trial = session(path=path, isolated=isolated, ignore=[*ignored, code]).fix(
                text, path, unsafe, context_files=True
            )
            if not introduced_syntax(text, trial.text, capabilities):
                ignored.append(code)
                break
        else:
            ignored.append(candidates[0])
    reason = new_parse_problems(text, result.text) if result.text != text else None
    if reason is not None:
        raise MeasureError(f"the fixed Dockerfile does not parse: {reason}")
    changes = {
        str(target.relative_to(path.parent)): new
        for target, (_old, new) in context_file_changes(result, path).items()
    }
    return FixOutcome(result.text, codes, ignored, changes)


# -- the source-only change ------------------------------------------------------------


def _ignore_patterns(context: Path) -> list[str]:
    try:
        lines = (context / ".dockerignore").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    patterns = []
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "!")):
            patterns.append(stripped.strip("/").removeprefix("./"))
    return patterns


def _ignored(relative: str, patterns: Sequence[str]) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(prefix, pattern + "/**")
        for pattern in patterns
        for prefix in prefixes
    )


def _is_manifest(name: str) -> bool:
    lowered = name.lower()
    return lowered in MANIFESTS or any(
        fnmatch.fnmatchcase(lowered, pattern) for pattern in _MANIFEST_PATTERNS
    )


def _is_text(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"\0" not in handle.read(8192)
    except OSError:
        return False


def pick_source_file(context: Path, ignore_patterns: Sequence[str] = ()) -> str | None:
    """A source file of ``context`` to change (relative path), or None when there is none.

    Dependency manifests, Dockerfiles, binary files, hidden folders and files the
    ``.dockerignore`` leaves out are never picked; known source suffixes come first,
    then shallow paths.
    """
    candidates: list[tuple[int, int, str]] = []
    for path in sorted(context.rglob("*")):
        relative = path.relative_to(context).as_posix()
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        if not path.is_file() or path.is_symlink() or _is_manifest(path.name):
            continue
        if _ignored(relative, ignore_patterns) or not _is_text(path):
            continue
        suffix = path.suffix.lower()
        rank = SOURCE_SUFFIXES.index(suffix) if suffix in SOURCE_SUFFIXES else len(SOURCE_SUFFIXES)
        candidates.append((rank, relative.count("/"), relative))
    return min(candidates)[2] if candidates else None


def change_source(context: Path, relative: str, token: int) -> None:
    """Change ``relative`` in ``context`` harmlessly: add a whitespace-only last line.

    The line spells ``token`` in binary with spaces and tabs, so every measurement makes a
    change no earlier build has cached, in any text format (a blank line is valid in
    every source language).
    """
    line = "".join(" " if bit == "0" else "\t" for bit in f"{token:032b}")
    target = context / relative
    with target.open("ab") as handle:
        handle.write(b"\n" + line.encode("ascii") + b"\n")


# -- behaviour -------------------------------------------------------------------------


def _mask_users(output: str, users: Sequence[str]) -> str:
    masked = _USER_WORD.sub(lambda match: f"{match.group(1)}{match.group(2)}<user>", output)
    for user in sorted({name for name in users if name}, key=len, reverse=True):
        masked = re.sub(rf"(?<![\w-]){re.escape(user)}(?![\w-])", "<user>", masked)
    return masked


def compare_behaviour(
    command: list[str] | None,
    before: RunResult,
    after: RunResult,
    before_user: str,
    after_user: str,
) -> Behaviour:
    """Compare two runs; a difference only in the user is ``expected`` when the users differ."""
    same = before.exit_code == after.exit_code and before.output == after.output
    diff = ""
    if before.output != after.output:
        diff = "".join(
            difflib.unified_diff(
                before.output.splitlines(keepends=True),
                after.output.splitlines(keepends=True),
                "before",
                "after",
            )
        )
    if same:
        return Behaviour(command, before, after, True)
    users_differ = (before_user or "root") != (after_user or "root")
    if users_differ and before.exit_code == after.exit_code:
        names = [
            part
            for user in (before_user or "root", after_user or "root")
            for part in user.split(":")
        ]
        if _mask_users(before.output, names) == _mask_users(after.output, names):
            shown = after_user or "root"
            note = f"the output differs only in the user: the fixed image runs as `{shown}`"
            return Behaviour(command, before, after, False, True, note, diff)
    if before.exit_code != after.exit_code:
        note = f"exit status {before.exit_code} before, {after.exit_code} after"
    else:
        note = "the output differs"
    return Behaviour(command, before, after, False, False, note, diff)


# -- progress --------------------------------------------------------------------------


class Progress:
    """Progress lines on standard error while the builds run."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.phase_started = self.started
        self.tracker = StepTracker()

    def phase(self, text: str) -> None:
        self.phase_started = time.monotonic()
        self.tracker = StepTracker()
        self._write(f"dfopt measure: {text}")

    def line(self, line: str) -> None:
        step = self.tracker.feed(line)
        if step is not None:
            elapsed = time.monotonic() - self.phase_started
            shown = " ".join(step.split())
            shown = shown if len(shown) <= 90 else shown[:87] + "..."
            self._write(f"  {elapsed:6.1f}s  {shown}")

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


# -- the measurement -------------------------------------------------------------------


def _copy_context(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)


def _dockerfile_place(options: MeasureOptions, workspace: Path) -> Path:
    """Where the Dockerfile goes inside ``workspace`` (inside the copied context if it was)."""
    try:
        relative = options.dockerfile.resolve().relative_to(options.context.resolve())
    except ValueError:
        return workspace / "Dockerfile"
    return workspace / "context" / relative


def _build_variant(
    variant: Variant,
    options: MeasureOptions,
    builder: Builder,
    workspace: Path,
    log: IO[str],
    progress: Progress,
    context_changes: dict[str, str],
    touch: str | None,
    token: int,
) -> None:
    context = workspace / "context"
    _copy_context(options.context, context)
    dockerfile = _dockerfile_place(options, workspace)
    dockerfile.parent.mkdir(parents=True, exist_ok=True)
    dockerfile.write_text(variant.text, encoding="utf-8")
    for relative, text in context_changes.items():
        (dockerfile.parent / relative).write_text(text, encoding="utf-8")

    def build(phase: str, no_cache: bool) -> BuildResult:
        progress.phase(f"{variant.label}: {phase}")
        log.write(f"\n## {variant.label}: {phase}\n")
        return builder.build(
            dockerfile, context, variant.image, no_cache=no_cache, log=log, on_line=progress.line
        )

    variant.cold = build("cold build (no cache)", True)
    variant.warm = build("warm rebuild (nothing changed)", False)
    if variant.warm.reran_runs:
        # Buildah may match a step against an older cached layer left by another build of
        # the same steps and re-run what follows; the next rebuild then is warm. Both
        # figures are reported.
        variant.first_warm = variant.warm
        variant.warm = build("warm rebuild again (the first one re-ran steps)", False)
    changed = touch or pick_source_file(context, _ignore_patterns(context))
    if changed is not None:
        if not (context / changed).is_file():
            raise MeasureError(f"`{changed}` is not a file of the build context")
        change_source(context, changed, token)
        variant.changed_file = changed
        variant.source_change = build(f"rebuild after changing {changed}", False)
    variant.facts = builder.inspect(variant.image)


def measure(
    options: MeasureOptions, builder: Builder, progress: Progress | None = None
) -> Measurement:
    """Fix, build and compare; the images are removed at the end unless ``options.keep``."""
    progress = progress or Progress()
    try:
        text = options.dockerfile.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MeasureError(f"cannot read {options.dockerfile}: {error}") from error
    if not options.context.is_dir():
        raise MeasureError(f"the build context {options.context} is not a folder")
    capabilities = builder.capabilities
    outcome = fix_for_builder(
        text,
        options.dockerfile,
        unsafe=options.unsafe_fixes,
        capabilities=capabilities,
        isolated=options.isolated,
    )
    if outcome.text == text and not outcome.context_changes:
        raise MeasureError(f"dfopt has nothing to fix in {options.dockerfile}; nothing to compare")
    stamp = f"{int(time.time())}-{secrets.token_hex(3)}"
    before = Variant("before", text, f"localhost/dfopt-measure-{stamp}:before")
    after = Variant("after", outcome.text, f"localhost/dfopt-measure-{stamp}:after")
    if options.log_path is not None:
        log_path = options.log_path
    else:
        handle, name = tempfile.mkstemp(prefix="dfopt-measure-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    measurement = Measurement(
        dockerfile=str(options.dockerfile),
        builder=builder.name,
        builder_version=builder.version,
        log=str(log_path),
        unsafe_fixes=options.unsafe_fixes,
        fixes=outcome.codes,
        before=before,
        after=after,
        behaviour=None,
        held_back=outcome.held_back,
        lacking=capabilities.lacking(),
        kept_images=options.keep,
        image_format=builder.image_format,
    )
    workspace = Path(tempfile.mkdtemp(prefix="dfopt-measure-"))
    built: list[str] = []
    try:
        with log_path.open("w", encoding="utf-8") as log:
            touch = options.touch
            token = secrets.randbits(32)
            if touch is None:
                # One file for both versions, so both rebuild after the same change.
                patterns = _ignore_patterns(options.context)
                for relative in outcome.context_changes:
                    if Path(relative).name == ".dockerignore":
                        patterns += [
                            line.strip().strip("/")
                            for line in outcome.context_changes[relative].splitlines()
                            if line.strip() and not line.lstrip().startswith(("#", "!"))
                        ]
                touch = pick_source_file(options.context, patterns)
            for variant, changes in ((before, {}), (after, outcome.context_changes)):
                built.append(variant.image)
                _build_variant(
                    variant,
                    options,
                    builder,
                    workspace / variant.label,
                    log,
                    progress,
                    changes,
                    touch,
                    token,
                )
            progress.phase("running both images")
            command = list(options.smoke) if options.smoke else None
            first = builder.run(before.image, command, options.run_args)
            second = builder.run(after.image, command, options.run_args)
            log.write(f"\n## run before (exit {first.exit_code})\n{first.output}\n")
            log.write(f"\n## run after (exit {second.exit_code})\n{second.output}\n")
            assert before.facts is not None and after.facts is not None
            measurement.behaviour = compare_behaviour(
                command
                if command is not None
                else (
                    before.facts.command if before.facts.command == after.facts.command else None
                ),
                first,
                second,
                before.facts.user,
                after.facts.user,
            )
    except BuildFailed as failure:
        raise MeasureError(f"{failure}; the builder's output is in {log_path}") from failure
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        if not options.keep:
            for image in built:
                builder.remove(image)
    measurement.builder_version = builder.version
    measurement.builder_settings = dict(getattr(builder, "added_env", {}))
    return measurement
