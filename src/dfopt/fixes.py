"""Fixes: text edits with an applicability level."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``span`` with ``text``: an empty span inserts, empty text deletes."""

    span: Span
    text: str

    @classmethod
    def replace(cls, span: Span, text: str) -> Edit:
        return cls(span, text)

    @classmethod
    def insert(cls, offset: int, text: str) -> Edit:
        return cls(Span(offset, offset), text)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span, "")


@dataclass(frozen=True, slots=True)
class FileLines:
    """Make sure a file of the build context holds ``lines``, appending the missing ones.

    Used by fixes that repair a violation outside the Dockerfile (a `.dockerignore`).
    ``path`` is relative to the Dockerfile's directory. A new file starts with ``header``
    (comment lines); an existing one keeps its text and gets the missing lines at the end.
    """

    path: str
    lines: tuple[str, ...]
    header: tuple[str, ...] = ()

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


@dataclass(frozen=True, slots=True)
class Fix:
    """A titled set of non-overlapping edits that together repair one violation.

    ``files`` holds changes to files of the build context instead; such a fix is applied
    only on request (``dfopt fix --dockerignore``), never by the fix loop itself.
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability
    files: tuple[FileLines, ...] = ()

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
