"""Nodes of the lossless Dockerfile model.

Every node covers whole physical lines (line terminators included) and the nodes of a
document tile the source without gaps, so joining their text gives the input back.
"""

from __future__ import annotations

import bisect
import enum

from dfopt.syntax._record import lazy_property, record, set_field
from dfopt.syntax.source import Span


class Form(str, enum.Enum):
    """How an instruction's arguments are written."""

    SHELL = "shell"
    """Plain text (for RUN/CMD/ENTRYPOINT: run through the shell)."""
    EXEC = "exec"
    """A JSON array of strings."""


@record()
class Word:
    """A value with the source span it was read from (quotes and escapes removed)."""

    __slots__ = ("span", "value")

    value: str
    span: Span

    def __init__(self, value: str, span: Span) -> None:
        set_field(self, "value", value)
        set_field(self, "span", span)


@record()
class Flag:
    """A builder flag such as ``--mount=type=cache,target=/root/.cache``."""

    __slots__ = ("name", "span", "value")

    name: str
    """Flag name without the leading dashes, lower-cased (``mount``)."""
    value: str | None
    """Text after the first ``=`` with quotes removed, or None for a bare flag."""
    span: Span
    """Span of the whole flag word in the source."""

    def __init__(self, name: str, value: str | None, span: Span) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "span", span)

    @property
    def text(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@record()
class Heredoc:
    """A here-document attached to RUN, COPY or ADD."""

    __slots__ = (
        "body",
        "chomp",
        "content",
        "expand",
        "fd",
        "marker",
        "name",
        "terminator",
        "terminator_text",
    )

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

    def __init__(
        self,
        name: str,
        chomp: bool,
        expand: bool,
        fd: int,
        marker: Span,
        body: Span,
        terminator: Span,
        content: str,
        terminator_text: str,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "chomp", chomp)
        set_field(self, "expand", expand)
        set_field(self, "fd", fd)
        set_field(self, "marker", marker)
        set_field(self, "body", body)
        set_field(self, "terminator", terminator)
        set_field(self, "content", content)
        set_field(self, "terminator_text", terminator_text)


@record()
class LogicalLine:
    """The instruction text as the builder reads it, with a map back to the source.

    Continuations are joined, the escape character before each line break is removed and
    comment or empty lines inside the continuation are dropped. The logical text from
    ``logical_starts[i]`` up to the next start is a contiguous run of source characters
    beginning at ``source_starts[i]``.
    """

    __slots__ = ("logical_starts", "source_starts", "text")

    text: str
    logical_starts: tuple[int, ...]
    source_starts: tuple[int, ...]

    def __init__(
        self, text: str, logical_starts: tuple[int, ...], source_starts: tuple[int, ...]
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "logical_starts", logical_starts)
        set_field(self, "source_starts", source_starts)

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


@record()
class ByteOrderMark(Node):
    """A UTF-8 byte order mark at the very start of the file."""

    __slots__ = ("kind", "span")

    span: Span
    kind: str

    def __init__(self, span: Span, kind: str = "bom") -> None:
        set_field(self, "span", span)
        set_field(self, "kind", kind)


@record()
class Directive(Node):
    """A parser directive at the top of the file (``# syntax=``, ``# escape=``, ``# check=``)."""

    __slots__ = ("kind", "name", "span", "value", "value_span")

    span: Span
    name: str
    """Lower-cased directive name."""
    value: str
    value_span: Span
    kind: str

    def __init__(
        self, span: Span, name: str, value: str, value_span: Span, kind: str = "directive"
    ) -> None:
        set_field(self, "span", span)
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "value_span", value_span)
        set_field(self, "kind", kind)


@record()
class Comment(Node):
    """A comment line outside any instruction."""

    __slots__ = ("kind", "span", "text")

    span: Span
    text: str
    """The comment text after ``#``, stripped."""
    kind: str

    def __init__(self, span: Span, text: str, kind: str = "comment") -> None:
        set_field(self, "span", span)
        set_field(self, "text", text)
        set_field(self, "kind", kind)


@record()
class Blank(Node):
    """An empty or whitespace-only line outside any instruction."""

    __slots__ = ("kind", "span")

    span: Span
    kind: str

    def __init__(self, span: Span, kind: str = "blank") -> None:
        set_field(self, "span", span)
        set_field(self, "kind", kind)


@record()
class Opaque(Node):
    """Text the model does not understand: it is kept verbatim and never edited."""

    __slots__ = ("keyword", "keyword_span", "kind", "reason", "span")

    span: Span
    reason: str
    keyword: str | None
    """The first word of the text, when it reads like an instruction keyword."""
    keyword_span: Span | None
    kind: str

    def __init__(
        self,
        span: Span,
        reason: str,
        keyword: str | None = None,
        keyword_span: Span | None = None,
        kind: str = "opaque",
    ) -> None:
        set_field(self, "span", span)
        set_field(self, "reason", reason)
        set_field(self, "keyword", keyword)
        set_field(self, "keyword_span", keyword_span)
        set_field(self, "kind", kind)


@record(eq=False)
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
    form: Form
    exec_args: tuple[Word, ...]
    """The decoded JSON strings of an exec-form instruction."""
    command_text: str | None
    """What runs: the RUN/CMD/ENTRYPOINT/SHELL body or the command of ``HEALTHCHECK CMD``."""
    command_span: Span | None
    command_offset: int
    """Logical offset where ``command_text`` begins."""
    heredocs: tuple[Heredoc, ...]
    inner_comments: tuple[Span, ...]
    """Comment lines inside the continuation (not part of the logical line)."""
    empty_continuation_lines: tuple[Span, ...]
    trigger: Instruction | None
    """For ONBUILD: the wrapped instruction (its spans point into the same source)."""
    header_end: int
    """Source offset just after the instruction's last logical character (before heredoc bodies)."""
    kind: str

    def __init__(
        self,
        span: Span,
        keyword: str,
        keyword_span: Span,
        flags: tuple[Flag, ...],
        args_text: str,
        args_span: Span,
        args_offset: int,
        logical: LogicalLine,
        form: Form = Form.SHELL,
        exec_args: tuple[Word, ...] = (),
        command_text: str | None = None,
        command_span: Span | None = None,
        command_offset: int = 0,
        heredocs: tuple[Heredoc, ...] = (),
        inner_comments: tuple[Span, ...] = (),
        empty_continuation_lines: tuple[Span, ...] = (),
        trigger: Instruction | None = None,
        header_end: int = 0,
        kind: str = "instruction",
    ) -> None:
        self.__dict__.update(
            span=span,
            keyword=keyword,
            keyword_span=keyword_span,
            flags=flags,
            args_text=args_text,
            args_span=args_span,
            args_offset=args_offset,
            logical=logical,
            form=form,
            exec_args=exec_args,
            command_text=command_text,
            command_span=command_span,
            command_offset=command_offset,
            heredocs=heredocs,
            inner_comments=inner_comments,
            empty_continuation_lines=empty_continuation_lines,
            trigger=trigger,
            header_end=header_end,
            kind=kind,
        )

    @lazy_property
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
