"""Source text, spans and line/column positions."""

from __future__ import annotations

import bisect

from dfopt.syntax._record import record, set_field


@record()
class Span:
    """A half-open range ``[start, end)`` of character offsets into the source text."""

    __slots__ = ("end", "start")

    start: int
    end: int

    def __init__(self, start: int, end: int) -> None:
        if start < 0 or end < start:
            raise ValueError(f"invalid span {start}..{end}")
        set_field(self, "start", start)
        set_field(self, "end", end)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is Span:
            assert isinstance(other, Span)
            return self.start == other.start and self.end == other.end
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __lt__(self, other: Span) -> bool:
        if other.__class__ is Span:
            return (self.start, self.end) < (other.start, other.end)
        return NotImplemented

    def __le__(self, other: Span) -> bool:
        if other.__class__ is Span:
            return (self.start, self.end) <= (other.start, other.end)
        return NotImplemented

    def __gt__(self, other: Span) -> bool:
        if other.__class__ is Span:
            return (self.start, self.end) > (other.start, other.end)
        return NotImplemented

    def __ge__(self, other: Span) -> bool:
        if other.__class__ is Span:
            return (self.start, self.end) >= (other.start, other.end)
        return NotImplemented

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    def contains(self, other: Span) -> bool:
        """True when ``other`` lies inside this span."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        """True when the spans share a character, or an empty span sits strictly inside."""
        if self.is_empty or other.is_empty:
            return self.start < other.end and other.start < self.end
        return self.start < other.end and other.start < self.end

    def touches(self, other: Span) -> bool:
        """True when the spans overlap or meet end to start (for edit conflicts)."""
        return self.start <= other.end and other.start <= self.end

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)


@record()
class Position:
    """A 1-based line and column; columns count characters, not bytes."""

    __slots__ = ("column", "line")

    line: int
    column: int

    def __init__(self, line: int, column: int) -> None:
        set_field(self, "line", line)
        set_field(self, "column", column)


class Source:
    """The text of one Dockerfile with a line index for offset <-> position lookups."""

    __slots__ = ("_line_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self._line_starts = starts

    def __len__(self) -> int:
        return len(self.text)

    @property
    def line_count(self) -> int:
        """Number of physical lines (a trailing newline does not open a new line)."""
        starts = self._line_starts
        if len(starts) > 1 and starts[-1] == len(self.text):
            return len(starts) - 1
        return len(starts)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line``."""
        return self._line_starts[line - 1]

    def position(self, offset: int) -> Position:
        """1-based line and column of ``offset``."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(index + 1, offset - self._line_starts[index] + 1)

    def slice(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def line_span(self, offset: int) -> Span:
        """Span of the whole physical line holding ``offset``, newline included."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[index]
        end = self._line_starts[index + 1] if index + 1 < len(self._line_starts) else len(self.text)
        return Span(start, end)
