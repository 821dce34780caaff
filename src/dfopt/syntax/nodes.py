"""Nodes of the lossless Dockerfile model.

Every node covers whole physical lines (line terminators included) and the nodes of a
document tile the source without gaps, so joining their text gives the input back.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass
from functools import cached_property

from dfopt.syntax.source import Span


class Form(str, enum.Enum):
    """How an instruction's arguments are written."""

    SHELL = "shell"
    """Plain text (for RUN/CMD/ENTRYPOINT: run through the shell)."""
    EXEC = "exec"
    """A JSON array of strings."""


@dataclass(frozen=True, slots=True)
class Word:
    """A value with the source span it was read from (quotes and escapes removed)."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Flag:
    """A builder flag such as ``--mount=type=cache,target=/root/.cache``."""

    name: str
    """Flag name without the leading dashes, lower-cased (``mount``)."""
    value: str | None
    """Text after the first ``=`` with quotes removed, or None for a bare flag."""
    span: Span
    """Span of the whole flag word in the source."""

    @property
    def text(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document attached to RUN, COPY or ADD."""

    name: str
    """The delimiter word, unquoted."""
    chomp: bool
    """``<<-``: leading tabs are stripped from the body and the terminator."""
    expand: bool
    """False when the delimiter was quoted, so variables in the body are not expanded."""
    fd: int
    """File descriptor the document feeds (0 unless written ``3<<EOF``)."""
    marker: Span
    """Span of the ``<<EOF`` word on the instruction line."""
    body: Span
    """Span of the body lines (may be empty)."""
    terminator: Span
    """Span of the terminator line, newline included."""
    content: str
    """The body text as the builder sees it (tabs not yet stripped for ``<<-``)."""
    terminator_text: str
    """The terminator line exactly as written, line end included."""


@dataclass(frozen=True, slots=True)
class LogicalLine:
    """The instruction text as the builder reads it, with a map back to the source.

    Continuations are joined, the escape character before each line break is removed and
    comment or empty lines inside the continuation are dropped. The logical text from
    ``logical_starts[i]`` up to the next start is a contiguous run of source characters
    beginning at ``source_starts[i]``.
    """

    text: str
    logical_starts: tuple[int, ...]
    source_starts: tuple[int, ...]

    def to_source(self, offset: int) -> int:
        """Source offset of logical ``offset`` (``len(text)`` maps to the end of the last run)."""
        starts = self.logical_starts
        if len(starts) == 1:
            return self.source_starts[0] + (offset - starts[0])
        if not starts:
            return 0
        index = bisect.bisect_right(starts, offset) - 1
        if index < 0:
            index = 0
        return self.source_starts[index] + (offset - starts[index])

    def span_to_source(self, start: int, end: int) -> Span:
        """Source span of the logical range ``[start, end)``.

        A range that crosses a continuation covers the line break and any dropped lines.
        """
        if end <= start:
            position = self.to_source(start)
            return Span(position, position)
        return Span(self.to_source(start), self.to_source(end - 1) + 1)

    def from_source(self, offset: int) -> int | None:
        """Logical offset of source ``offset``, or None when that character was dropped."""
        for index, source_start in enumerate(self.source_starts):
            logical_start = self.logical_starts[index]
            next_logical = (
                self.logical_starts[index + 1]
                if index + 1 < len(self.logical_starts)
                else len(self.text)
            )
            if source_start <= offset <= source_start + (next_logical - logical_start):
                return logical_start + (offset - source_start)
        return None


class Node:
    """Base class of every node: a kind name and the span it covers."""

    __slots__ = ()
    kind: str
    span: Span


@dataclass(frozen=True, slots=True)
class ByteOrderMark(Node):
    """A UTF-8 byte order mark at the very start of the file."""

    span: Span
    kind: str = "bom"


@dataclass(frozen=True, slots=True)
class Directive(Node):
    """A parser directive at the top of the file (``# syntax=``, ``# escape=``, ``# check=``)."""

    span: Span
    name: str
    """Lower-cased directive name."""
    value: str
    value_span: Span
    kind: str = "directive"


@dataclass(frozen=True, slots=True)
class Comment(Node):
    """A comment line outside any instruction."""

    span: Span
    text: str
    """The comment text after ``#``, stripped."""
    kind: str = "comment"


@dataclass(frozen=True, slots=True)
class Blank(Node):
    """An empty or whitespace-only line outside any instruction."""

    span: Span
    kind: str = "blank"


@dataclass(frozen=True, slots=True)
class Opaque(Node):
    """Text the model does not understand: it is kept verbatim and never edited."""

    span: Span
    reason: str
    keyword: str | None = None
    """The first word of the text, when it reads like an instruction keyword."""
    keyword_span: Span | None = None
    kind: str = "opaque"


@dataclass(frozen=True, eq=False)
class Instruction(Node):
    """One Dockerfile instruction with everything a rule or a fix needs."""

    span: Span
    """Whole lines: continuation lines, inner comments and heredoc bodies included."""
    keyword: str
    """The upper-cased instruction keyword (``RUN``)."""
    keyword_span: Span
    flags: tuple[Flag, ...]
    args_text: str
    """Logical text after the keyword and flags, trimmed."""
    args_span: Span
    """Source span from the first to the last character of ``args_text``."""
    args_offset: int
    """Logical offset where ``args_text`` begins."""
    logical: LogicalLine
    form: Form = Form.SHELL
    exec_args: tuple[Word, ...] = ()
    """The decoded JSON strings of an exec-form instruction."""
    command_text: str | None = None
    """What runs: the RUN/CMD/ENTRYPOINT/SHELL body or the command of ``HEALTHCHECK CMD``."""
    command_span: Span | None = None
    command_offset: int = 0
    """Logical offset where ``command_text`` begins."""
    heredocs: tuple[Heredoc, ...] = ()
    inner_comments: tuple[Span, ...] = ()
    """Comment lines inside the continuation (not part of the logical line)."""
    empty_continuation_lines: tuple[Span, ...] = ()
    trigger: Instruction | None = None
    """For ONBUILD: the wrapped instruction (its spans point into the same source)."""
    header_end: int = 0
    """Source offset just after the instruction's last logical character (before heredoc bodies)."""
    kind: str = "instruction"

    @cached_property
    def words(self) -> tuple[Word, ...]:
        """``args_text`` split on whitespace, each word with its source span."""
        return split_words(self.logical, self.args_offset, self.args_offset + len(self.args_text))

    def flag(self, name: str) -> Flag | None:
        """The last flag called ``name`` (as the builder does), or None."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = flag
        return found

    def has_flag(self, name: str) -> bool:
        return any(flag.name == name for flag in self.flags)

    @property
    def effective(self) -> Instruction:
        """The instruction that takes effect: the trigger of an ONBUILD, else itself."""
        return self.trigger if self.trigger is not None else self

    @property
    def is_onbuild(self) -> bool:
        return self.keyword == "ONBUILD"

    @property
    def has_heredoc(self) -> bool:
        return bool(self.heredocs)


_WHITESPACE = " \t\v\f\r"


def split_words(logical: LogicalLine, start: int, end: int) -> tuple[Word, ...]:
    """Split the logical range ``[start, end)`` on whitespace into words with source spans."""
    text = logical.text
    words: list[Word] = []
    index = start
    while index < end:
        while index < end and text[index] in _WHITESPACE:
            index += 1
        if index >= end:
            break
        word_start = index
        while index < end and text[index] not in _WHITESPACE:
            index += 1
        words.append(Word(text[word_start:index], logical.span_to_source(word_start, index)))
    return tuple(words)
