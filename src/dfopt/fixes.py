"""Fixes: text edits with an applicability level."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dfopt.syntax._record import record, set_field
from dfopt.syntax.source import Span


class Applicability(str, enum.Enum):
    """How far a fix can be trusted."""

    SAFE = "safe"
    """The built image stays the same; only layers, caches and logs may change."""
    UNSAFE = "unsafe"
    """Probably the same image, but it could differ: applied only with ``--unsafe-fixes``."""
    DISPLAY_ONLY = "display-only"
    """A suggestion for a human; never applied."""

    @property
    def rank(self) -> int:
        return {"safe": 2, "unsafe": 1, "display-only": 0}[self.value]


class FixAvailability(str, enum.Enum):
    """Whether a rule can fix what it finds."""

    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@record()
class Edit:
    """Replace ``span`` with ``text``: an empty span inserts, empty text deletes."""

    __slots__ = ("span", "text")

    span: Span
    text: str

    def __init__(self, span: Span, text: str) -> None:
        set_field(self, "span", span)
        set_field(self, "text", text)

    @classmethod
    def replace(cls, span: Span, text: str) -> Edit:
        return cls(span, text)

    @classmethod
    def insert(cls, offset: int, text: str) -> Edit:
        return cls(Span(offset, offset), text)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span, "")


@record()
class FileLines:
    """Make sure a file of the build context holds ``lines``, appending the missing ones.

    Used by fixes that repair a violation outside the Dockerfile (a `.dockerignore`).
    ``path`` is relative to the Dockerfile's directory. A new file starts with ``header``
    (comment lines); an existing one keeps its text and gets the missing lines at the end.
    """

    __slots__ = ("header", "lines", "path")

    path: str
    lines: tuple[str, ...]
    header: tuple[str, ...]

    def __init__(self, path: str, lines: tuple[str, ...], header: tuple[str, ...] = ()) -> None:
        set_field(self, "path", path)
        set_field(self, "lines", lines)
        set_field(self, "header", header)

    def apply(self, current: str | None) -> str:
        """The file's new text, given its ``current`` text (None when it does not exist)."""
        present = set()
        if current is not None:
            present = {line.strip() for line in current.splitlines()}
        missing = [line for line in self.lines if line.strip() not in present]
        if current is None:
            return "".join(f"{line}\n" for line in (*self.header, *missing))
        if not missing:
            return current
        newline = "\r\n" if "\r\n" in current else "\n"
        prefix = current if not current or current.endswith(("\n", "\r")) else current + newline
        return prefix + "".join(f"{line}{newline}" for line in missing)


@record()
class Fix:
    """A titled set of non-overlapping edits that together repair one violation.

    ``files`` holds changes to files of the build context instead; such a fix is applied
    only on request (``dfopt fix --dockerignore``), never by the fix loop itself.
    """

    __slots__ = ("applicability", "edits", "files", "title")

    if TYPE_CHECKING:
        # Read-only to type checkers, as a frozen dataclass's fields are, so that a
        # subclass may compute them (a fix planned on first read).

        @property
        def title(self) -> str: ...
        @property
        def edits(self) -> tuple[Edit, ...]: ...
        @property
        def applicability(self) -> Applicability: ...
        @property
        def files(self) -> tuple[FileLines, ...]: ...

    else:
        title: str
        edits: tuple[Edit, ...]
        applicability: Applicability
        files: tuple[FileLines, ...]

    def __init__(
        self,
        title: str,
        edits: tuple[Edit, ...],
        applicability: Applicability,
        files: tuple[FileLines, ...] = (),
    ) -> None:
        set_field(self, "title", title)
        set_field(self, "edits", edits)
        set_field(self, "applicability", applicability)
        set_field(self, "files", files)

    @classmethod
    def safe(cls, title: str, edits: Iterable[Edit]) -> Fix:
        return cls(title, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, title: str, edits: Iterable[Edit]) -> Fix:
        return cls(title, tuple(edits), Applicability.UNSAFE)

    @classmethod
    def display_only(cls, title: str, edits: Iterable[Edit] = ()) -> Fix:
        return cls(title, tuple(edits), Applicability.DISPLAY_ONLY)

    @classmethod
    def context_file(
        cls, title: str, path: str, lines: Iterable[str], header: Iterable[str] = ()
    ) -> Fix:
        """A safe fix that adds ``lines`` to the build-context file ``path``, on request only."""
        return cls(title, (), Applicability.SAFE, (FileLines(path, tuple(lines), tuple(header)),))

    @property
    def span(self) -> Span:
        """The smallest span covering every edit."""
        if not self.edits:
            return Span(0, 0)
        return Span(min(e.span.start for e in self.edits), max(e.span.end for e in self.edits))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to ``text`` (raises ValueError when two overlap)."""
    ordered = sorted(edits, key=lambda edit: (edit.span.start, edit.span.end))
    out: list[str] = []
    cursor = 0
    for edit in ordered:
        if edit.span.start < cursor:
            raise ValueError("overlapping edits")
        out.append(text[cursor : edit.span.start])
        out.append(edit.text)
        cursor = edit.span.end
    out.append(text[cursor:])
    return "".join(out)
