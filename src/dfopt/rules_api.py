"""The API a rule pack uses: the only dfopt module a rule should import.

A rule is a class with its metadata as class attributes and two hooks:
``check(instruction, ctx)`` for each instruction whose keyword is in ``targets`` and
``finish(ctx)`` once at the end of the file. A fresh instance is made for every file,
so a rule may keep state on ``self``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from dfopt.fixes import Applicability, Edit, Fix, FixAvailability, apply_edits
from dfopt.programs import (
    CACHE_PATHS,
    SPECS,
    Invocation,
    ProgramSpec,
    apk_needs_index_first,
    apt_needs_lists_first,
    installs_offline,
    invocations,
    is_cache_path,
    later_instructions,
    later_runs_may,
    run_invocations,
    spec_of,
    word_invocations,
)
from dfopt.programs.packages import APK_FRESH_INDEX, APK_NEEDS_INDEX, APT, APT_NEEDS_LISTS
from dfopt.run_chain import Chain, append_to_chain, plain_chain
from dfopt.run_merge import command_count, merge_chain_fix, merge_fix, mergeable, same_run_flags
from dfopt.semantics import (
    Semantics,
    Stage,
    State,
    cache_mounted,
    expand,
    mounts_of,
    parse_assignments,
)
from dfopt.severity import Severity
from dfopt.shell import (
    ScriptSource,
    ShellScript,
    ShellWord,
    SimpleCommand,
    parse_script,
    scripts_of,
)
from dfopt.syntax import Comment, Document, Flag, Form, Instruction, Node, Span, Word
from dfopt.syntax._record import KeyedRecord, lazy_property, record, set_field
from dfopt.syntax.lexing import name_value_words

if TYPE_CHECKING:
    # Only rules with options need pydantic; the engine imports it when it validates them.
    from pydantic import BaseModel

__all__ = [
    "APK_FRESH_INDEX",
    "APK_NEEDS_INDEX",
    "APT",
    "APT_NEEDS_LISTS",
    "CACHE_PATHS",
    "SPECS",
    "Applicability",
    "Chain",
    "Comment",
    "Context",
    "Document",
    "Edit",
    "Fix",
    "FixAvailability",
    "FixSource",
    "Flag",
    "Form",
    "Instruction",
    "Invocation",
    "Node",
    "ProgramSpec",
    "Review",
    "Rule",
    "Settings",
    "Severity",
    "ShellScript",
    "ShellWord",
    "SimpleCommand",
    "Span",
    "Stage",
    "State",
    "Violation",
    "Word",
    "apk_needs_index_first",
    "append_to_chain",
    "apply_edits",
    "apt_needs_lists_first",
    "cache_mounted",
    "command_count",
    "expand",
    "installs_offline",
    "invocations",
    "is_cache_path",
    "later_instructions",
    "later_runs_may",
    "merge_chain_fix",
    "merge_fix",
    "mergeable",
    "mounts_of",
    "name_value_words",
    "parse_assignments",
    "plain_chain",
    "record",
    "run_invocations",
    "same_run_flags",
    "set_field",
    "spec_of",
    "word_invocations",
]

ALL_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)


FixSource: TypeAlias = Fix | Callable[[], Fix | None] | None
"""What a rule may pass as a violation's fix: a :class:`Fix`, None, or a function of no
arguments that returns one of those; the function runs the first time ``fix`` is read."""


class Violation(KeyedRecord):
    """One finding. ``severity`` and ``name`` are filled in from the rule by the engine.

    Immutable, compared and hashed like a frozen dataclass of ``code``, ``message``,
    ``span``, ``fix``, ``severity`` and ``name``. ``fix`` may be given as a function of no
    arguments: a fix that is costly to plan is then only worked out when something reads
    it (``dfopt fix``, reports that show fixes), and at most once.
    """

    __slots__ = ("_fix", "code", "message", "name", "severity", "span")
    __match_args__ = ("code", "message", "span", "fix", "severity", "name")

    code: str
    message: str
    span: Span
    severity: Severity
    name: str
    _fix: FixSource

    def __init__(
        self,
        code: str,
        message: str,
        span: Span,
        fix: FixSource = None,
        severity: Severity = Severity.WARNING,
        name: str = "",
    ) -> None:
        _set = object.__setattr__
        _set(self, "code", code)
        _set(self, "message", message)
        _set(self, "span", span)
        _set(self, "_fix", fix)
        _set(self, "severity", severity)
        _set(self, "name", name)

    @property
    def fix(self) -> Fix | None:
        """The fix, planned on first read when the rule gave a function."""
        fix = self._fix
        if fix is None or fix.__class__ is Fix:
            return fix
        if callable(fix):
            planned = fix()
            object.__setattr__(self, "_fix", planned)
            return planned
        return fix

    @property
    def fix_source(self) -> FixSource:
        """The fix as the rule gave it: a :class:`Fix`, None, or a planner not run yet."""
        return self._fix

    def labelled(self, severity: Severity, name: str) -> Violation:
        """The same finding with ``severity`` and ``name``; a fix not planned yet stays so."""
        return Violation(self.code, self.message, self.span, self._fix, severity, name)

    def with_fix(self, fix: FixSource) -> Violation:
        """The same finding with another fix (or planner)."""
        return Violation(self.code, self.message, self.span, fix, self.severity, self.name)

    def _key(self) -> tuple[str, str, Span, Fix | None, Severity, str]:
        return (self.code, self.message, self.span, self.fix, self.severity, self.name)


@record()
class Review:
    """The report of one file after suppression, as a :meth:`Rule.review` hook sees it."""

    document: Document
    violations: tuple[Violation, ...]
    """The findings that were kept."""
    suppressions: Any
    """The file's suppression pragmas, each with the selectors that hid something."""
    problems: tuple[Any, ...]
    """Rules that crashed (each has a ``code``)."""
    selected: tuple[type[Rule], ...]
    """Every rule that ran for the file."""

    def __init__(
        self,
        document: Document,
        violations: tuple[Violation, ...],
        suppressions: Any,
        problems: tuple[Any, ...],
        selected: tuple[type[Rule], ...],
    ) -> None:
        set_field(self, "document", document)
        set_field(self, "violations", violations)
        set_field(self, "suppressions", suppressions)
        set_field(self, "problems", problems)
        set_field(self, "selected", selected)


class _Unset:
    """The type of a default that is filled in per instance (a fresh dict)."""


_UNSET = _Unset()


@record()
class Settings:
    """Project-wide settings a rule may read (hadolint-compatible ones included)."""

    trusted_registries: tuple[str, ...]
    label_schema: dict[str, str]
    strict_labels: bool

    def __init__(
        self,
        trusted_registries: tuple[str, ...] = (),
        label_schema: dict[str, str] | _Unset = _UNSET,
        strict_labels: bool = False,
    ) -> None:
        set_field(self, "trusted_registries", trusted_registries)
        set_field(self, "label_schema", {} if isinstance(label_schema, _Unset) else label_schema)
        set_field(self, "strict_labels", strict_labels)


class Rule:
    """Base class of every rule. Subclasses set the class attributes below.

    The class docstring is the rule's documentation and uses fixed headings:
    ``## What it does``, ``## Why is this bad?``, ``## Fix safety`` (when fixable) and
    ``## Options`` (when it has options).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    """kebab-case; names the anti-pattern."""
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    targets: ClassVar[frozenset[str]] = frozenset()
    """Instruction keywords this rule's ``check`` sees (ONBUILD triggers included)."""
    include_onbuild: ClassVar[bool] = True
    """Also call ``check`` for ``ONBUILD <keyword>`` with a target keyword."""
    programs: ClassVar[frozenset[str]] = frozenset()
    """For a rule about some programs only (``apt-get``, ``pip``): ``check`` sees a RUN
    only when the RUN runs one of them: a command of its shell scripts, or the program
    an exec-form RUN starts (by name, directory stripped). Empty: every RUN. Declare it
    only when ``check`` finds nothing in a RUN that runs none of them."""
    aliases: ClassVar[tuple[str, ...]] = ()
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NEVER
    fix_class: ClassVar[str] = "no"
    """The catalogue's fix class: ``safe``, ``unsafe``, ``display-only`` or ``no``."""
    enabled_by_default: ClassVar[bool] = True
    Options: ClassVar[type[BaseModel] | None] = None
    bad: ClassVar[str] = ""
    good: ClassVar[str] = ""
    example_settings: ClassVar[Mapping[str, Any] | None] = None
    """Configuration (``.dfopt.yaml`` keys) the ``bad``/``good`` examples need, if any."""
    example_context: ClassVar[Mapping[str, str] | None] = None
    """Files of the build context (path -> text) the examples need, if any."""
    offline_applicable: ClassVar[bool] = True
    """False for a rule that needs data dfopt cannot get offline (image metadata), so it
    never reports anything here; its ``bad`` example is then not expected to fire."""

    def __init__(self, options: BaseModel | None = None) -> None:
        self.options = options

    def check(self, instruction: Instruction, ctx: Context) -> Iterable[Violation]:
        return ()

    def finish(self, ctx: Context) -> Iterable[Violation]:
        return ()

    def review(self, review: Review, ctx: Context) -> Iterable[Violation]:
        """Called once suppressions are applied, with what the other rules reported.

        For rules about the report itself, such as unused suppressions. Violations it
        yields are suppressed like any other.
        """
        return ()

    def violation(self, span: Span, message: str, fix: FixSource = None) -> Violation:
        """A finding of this rule; ``fix`` may be a function that plans the fix on demand."""
        return Violation(self.code, message, span, fix, self.severity, self.name)

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation in Markdown."""
        import inspect
        import textwrap

        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def validate(cls) -> list[str]:
        """Problems with this rule's metadata (used by the registry and tests)."""
        problems = []
        for attribute in ("code", "name", "summary"):
            if not getattr(cls, attribute, None):
                problems.append(f"missing `{attribute}`")
        code = getattr(cls, "code", "")
        if code and not re.fullmatch(r"[A-Z]{2,}[0-9]{3,4}", code):
            problems.append(f"bad code `{code}`")
        name = getattr(cls, "name", "")
        if name and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            problems.append(f"name `{name}` is not kebab-case")
        unknown = set(cls.targets) - ALL_KEYWORDS
        if unknown:
            problems.append(f"unknown targets {sorted(unknown)}")
        if cls.programs and "RUN" not in cls.targets:
            problems.append("`programs` needs RUN among the targets")
        return problems


class Context:
    """What a rule can ask about the file being linted."""

    def __init__(
        self,
        document: Document,
        semantics: Semantics,
        path: Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.document = document
        self.semantics = semantics
        self.path = path
        self.settings = settings or Settings()
        self.onbuild = False
        self._posix: dict[int, bool] = {}
        self._scripts: dict[int, tuple[ScriptSource, ...]] = {}
        self._commands: dict[int, tuple[SimpleCommand, ...]] = {}
        self.memo: dict[object, object] = {}
        """A per-file cache for helpers that several rules call with the same arguments."""
        self._heads: dict[str, tuple[bytes | None, int]] = {}
        self._context_base: str | None = None

    # -- text and positions ---------------------------------------------------------

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def escape(self) -> str:
        return self.document.escape

    def slice(self, span: Span) -> str:
        return self.document.text[span.start : span.end]

    def newline_of(self, instruction: Instruction) -> str:
        """The line ending the instruction's first line uses (``\\r\\n`` or ``\\n``)."""
        line = self.document.source.line_span(instruction.keyword_span.start)
        return "\r\n" if self.document.text[line.start : line.end].endswith("\r\n") else "\n"

    # -- structure ----------------------------------------------------------------------

    @property
    def stages(self) -> list[Stage]:
        return self.semantics.stages

    def stage(self, instruction: Instruction) -> Stage | None:
        return self.semantics.stage_of(instruction)

    def state(self, instruction: Instruction) -> State:
        return self.semantics.state_of(instruction)

    def is_final_stage(self, stage: Stage | None) -> bool:
        return stage is not None and self.semantics.is_final(stage)

    @lazy_property
    def _positions(self) -> dict[int, int]:
        return {id(node): index for index, node in enumerate(self.document.nodes)}

    def nodes_between(self, first: Node, second: Node) -> list[Node]:
        """Nodes strictly between two nodes of the document."""
        start = self._positions[id(first)]
        end = self._positions[id(second)]
        return list(self.document.nodes[start + 1 : end])

    @lazy_property
    def _stage_positions(self) -> dict[tuple[int, int], int]:
        """``(id(stage), id(instruction))`` to the instruction's first index in the stage."""
        positions: dict[tuple[int, int], int] = {}
        for stage in self.semantics.stages:
            key = id(stage)
            for index, candidate in enumerate(stage.instructions):
                positions.setdefault((key, id(candidate)), index)
        return positions

    def _position(
        self, items: list[Instruction], stage: int, instruction: Instruction
    ) -> int | None:
        index = self._stage_positions.get((stage, id(instruction)))
        if index is not None and index < len(items) and items[index] is instruction:
            return index
        return next((i for i, item in enumerate(items) if item is instruction), None)

    def next_instruction(self, instruction: Instruction) -> Instruction | None:
        """The next instruction of the same stage, or None."""
        stage = self.stage(instruction)
        if stage is None:
            return None
        items = stage.instructions
        index = self._position(items, id(stage), instruction)
        if index is None:
            return None
        return items[index + 1] if index + 1 < len(items) else None

    def previous_instruction(self, instruction: Instruction) -> Instruction | None:
        """The previous instruction of the same stage (the FROM for the first), or None."""
        stage = self.stage(instruction)
        if stage is None:
            return None
        items = stage.instructions
        index = self._position(items, id(stage), instruction)
        if index is None:
            return None
        return items[index - 1] if index > 0 else None

    @lazy_property
    def _runs_before(self) -> dict[int, Instruction]:
        return {
            id(second): first
            for stage in self.stages
            for first, second in pairwise(stage.instructions)
            if first.keyword == "RUN" and second.keyword == "RUN"
        }

    def run_before(self, instruction: Instruction) -> Instruction | None:
        """The instruction just before ``instruction`` in its stage when both are RUNs,
        else None (worked out for the whole file at once)."""
        return self._runs_before.get(id(instruction))

    # -- shell --------------------------------------------------------------------------

    @lazy_property
    def _pragma_shells(self) -> dict[int, str]:
        """The shell named by a ``# hadolint shell=`` / ``# dfopt: shell=`` pragma above
        each instruction (the latest pragma wins, for the rest of the file)."""
        shells: dict[int, str] = {}
        current: str | None = None
        for node in self.document.nodes:
            if isinstance(node, Comment):
                match = _SHELL_PRAGMA.match(node.text)
                if match is not None:
                    current = match.group(1)
            elif isinstance(node, Instruction) and current is not None:
                shells[id(node)] = current
        return shells

    def shell_is_posix(self, instruction: Instruction) -> bool:
        """True when RUN bodies here go to a POSIX-like shell: the stage's SHELL, unless a
        shell pragma says otherwise."""
        key = id(instruction)
        known = self._posix.get(key)
        if known is not None:
            return known
        pragma = self._pragma_shells.get(key)
        if pragma is not None:
            result = State(shell=(pragma,)).shell_is_posix
        else:
            result = self.state(instruction).shell_is_posix
        self._posix[key] = result
        return result

    def scripts(self, instruction: Instruction) -> tuple[ScriptSource, ...]:
        """Shell scripts the instruction runs, if its shell is POSIX-like."""
        key = id(instruction)
        found = self._scripts.get(key)
        if found is None:
            found = scripts_of(instruction) if self.shell_is_posix(instruction) else ()
            self._scripts[key] = found
        return found

    def shell(self, instruction: Instruction) -> ShellScript | None:
        """The main shell script of a shell-form RUN, or None (exec form, non-POSIX shell)."""
        scripts = self.scripts(instruction)
        return scripts[0].script if scripts else None

    def command_script(self, instruction: Instruction) -> ShellScript | None:
        """Shell parse of a shell-form command of any kind (RUN, CMD, ENTRYPOINT,
        HEALTHCHECK CMD), with offsets mapped to the source; None for exec form."""
        target = instruction.effective
        if target.form is not Form.SHELL or target.command_text is None:
            return None
        logical = target.logical
        base = target.command_offset
        return parse_script(target.command_text, lambda offset: logical.to_source(base + offset))

    def commands(self, instruction: Instruction) -> tuple[SimpleCommand, ...]:
        """Every reliably parsed simple command the instruction runs, in order."""
        key = id(instruction)
        cached = self._commands.get(key)
        if cached is None:
            cached = self._commands[key] = tuple(
                command
                for source in self.scripts(instruction)
                for command in source.script.commands
                if command.reliable
            )
        return cached

    def cache_mounted(self, instruction: Instruction, *paths: str) -> bool:
        return cache_mounted(instruction, *paths)

    # -- build context ----------------------------------------------------------------

    @property
    def context_dir(self) -> Path | None:
        """The directory holding the Dockerfile (the usual build context), if known."""
        return self.path.parent if self.path is not None else None

    def read_context_head(self, relative: str, size: int = 512) -> bytes | None:
        """First bytes of a file in the build context, or None when it cannot be read
        (no path, a glob, a name the file system cannot hold such as one with a NUL byte,
        a missing file or one that is not a regular file).

        Answers are kept for the life of the context (one lint of one file), so rules
        that look at the same file pay for the file system once.
        """
        path = self.path
        if path is None or any(char in relative for char in "*?[\x00"):
            # No file of the context can be named with a NUL byte.
            return None
        if size < 0:
            return self._read_head(path, relative, size)
        heads = self._heads
        known = heads.get(relative)
        if known is not None:
            data, read = known
            if data is None:
                return None
            if size <= read:
                return data[:size]
            if len(data) < read:
                return data  # the whole file is known
        data = self._read_head(path, relative, size)
        heads[relative] = (data, size)
        return data

    def _read_head(self, path: Path, relative: str, size: int) -> bytes | None:
        parts = [part for part in relative.split("/") if part and part != "."]
        if ".." in parts:
            candidate = str((path.parent / relative.lstrip("/")).resolve())
        else:
            # Without `..`, the operating system resolves the path as `resolve()` does.
            base = self._context_base
            if base is None:
                base = self._context_base = _context_base(path)
            candidate = base + "/".join(parts) if parts else base.rstrip(os.sep) or os.sep
        try:
            if not S_ISREG(os.stat(candidate).st_mode):
                return None
            with open(candidate, "rb") as handle:
                return handle.read(size)
        except (OSError, ValueError):
            return None


def _context_base(dockerfile: Path) -> str:
    """The directory of ``dockerfile`` as text ending in a separator; resolved when it
    holds a `..`, which the operating system could resolve differently from ``resolve()``."""
    base = os.path.dirname(os.fspath(dockerfile)) or "."
    if ".." in base.split(os.sep):
        base = str(Path(base).resolve())
    return base if base.endswith(os.sep) else base + os.sep


_SHELL_PRAGMA = re.compile(r"^(?:hadolint|dfopt:)\s*shell\s*=\s*(\S+)", re.IGNORECASE)


def flags_text(instruction: Instruction) -> tuple[str, ...]:
    """The instruction's flags as normalised text, for equality checks."""
    return tuple(flag.text for flag in instruction.flags)


def any_var(*values: Any) -> bool:
    """True when a value holds a variable reference."""
    return any("$" in str(value) for value in values)
