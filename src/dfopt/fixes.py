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
class Fix:
    """A titled set of non-overlapping edits that together repair one violation."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @classmethod
    def safe(cls, title: str, edits: Iterable[Edit]) -> Fix:
        return cls(title, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, title: str, edits: Iterable[Edit]) -> Fix:
        return cls(title, tuple(edits), Applicability.UNSAFE)

    @classmethod
    def display_only(cls, title: str, edits: Iterable[Edit] = ()) -> Fix:
        return cls(title, tuple(edits), Applicability.DISPLAY_ONLY)

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
