"""Helpers shared by the instruction-level rules: name/value words, variable references,
quoting, and deleting an instruction or a repeated one.

Private to the pack (the leading underscore keeps it from being loaded as a rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Span,
    Violation,
    record,
    set_field,
)

_SPACE = " \t\v\f\r"


@record()
class NameValue:
    """One word of an ARG or ENV instruction: ``key``, ``key=value`` or the legacy ``key value``."""

    __slots__ = ("key", "key_span", "span", "value", "value_offset")

    key: str
    """The name as written (quotes are kept; names are rarely quoted)."""
    value: str | None
    """The value as written, quotes and escapes kept; None for a bare ``ARG name``."""
    span: Span
    """Source span of the whole word."""
    key_span: Span
    value_offset: int
    """Logical offset of the value's first character."""

    def __init__(
        self, key: str, value: str | None, span: Span, key_span: Span, value_offset: int
    ) -> None:
        set_field(self, "key", key)
        set_field(self, "value", value)
        set_field(self, "span", span)
        set_field(self, "key_span", key_span)
        set_field(self, "value_offset", value_offset)


def name_values(instruction: Instruction, escape: str) -> list[NameValue]:
    """Split the arguments of an ARG or ENV into names and values, as the builder does.

    White space splits words except inside quotes or after the escape character. For the
    legacy ``ENV key value`` form (first word without ``=``) the single pair's value is the
    rest of the line.
    """
    logical = instruction.logical
    text = logical.text
    start = instruction.args_offset
    end = start + len(instruction.args_text)
    bounds = _word_bounds(text, start, end, escape)
    if not bounds:
        return []
    first_start, first_end = bounds[0]
    legacy = instruction.keyword == "ENV" and "=" not in text[first_start:first_end]
    if legacy:
        value_start = first_end
        while value_start < end and text[value_start] in _SPACE:
            value_start += 1
        return [
            NameValue(
                key=text[first_start:first_end],
                value=text[value_start:end],
                span=logical.span_to_source(first_start, end),
                key_span=logical.span_to_source(first_start, first_end),
                value_offset=value_start,
            )
        ]
    pairs = []
    for word_start, word_end in bounds:
        word = text[word_start:word_end]
        key, sep, value = word.partition("=")
        key_end = word_start + len(key)
        pairs.append(
            NameValue(
                key=key,
                value=value if sep else None,
                span=logical.span_to_source(word_start, word_end),
                key_span=logical.span_to_source(word_start, key_end),
                value_offset=key_end + 1,
            )
        )
    return pairs


def _word_bounds(text: str, start: int, end: int, escape: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    index = start
    while index < end:
        while index < end and text[index] in _SPACE:
            index += 1
        if index >= end:
            break
        word_start = index
        quote = ""
        while index < end:
            char = text[index]
            if quote:
                if char == quote:
                    quote = ""
                elif char == escape and quote == '"':
                    index += 1
            elif char in _SPACE:
                break
            elif char in "'\"":
                quote = char
            elif char == escape:
                index += 1
            index += 1
        bounds.append((word_start, min(index, end)))
    return bounds


@record()
class Reference:
    """A ``$NAME`` or ``${NAME...}`` in a value, with offsets into that value."""

    __slots__ = ("end", "name", "start")

    name: str
    start: int
    end: int

    def __init__(self, name: str, start: int, end: int) -> None:
        set_field(self, "name", name)
        set_field(self, "start", start)
        set_field(self, "end", end)


def references(value: str, escape: str) -> list[Reference]:
    """Variables the builder expands in ``value``: not inside single quotes, not escaped.

    ``${A:-$B}`` yields both ``A`` and ``B``.
    """
    found: list[Reference] = []
    index = 0
    length = len(value)
    in_single = False
    while index < length:
        char = value[index]
        if in_single:
            if char == "'":
                in_single = False
            index += 1
            continue
        if char == escape and index + 1 < length:
            index += 2
            continue
        if char == "'":
            in_single = True
            index += 1
            continue
        if char == "$" and index + 1 < length:
            braced = value[index + 1] == "{"
            name_start = index + (2 if braced else 1)
            name_end = name_start
            while name_end < length and (value[name_end].isalnum() or value[name_end] == "_"):
                name_end += 1
            name = value[name_start:name_end]
            if name and not name[0].isdigit():
                end = name_end + 1 if braced and value[name_end : name_end + 1] == "}" else name_end
                found.append(Reference(name, index, end))
                index = name_end
                continue
        index += 1
    return found


def unquote(text: str) -> tuple[str, str]:
    """``(inner, quote)`` of a word wrapped in matching quotes, else ``(text, "")``."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1], text[0]
    return text, ""


def delete_instruction(instruction: Instruction) -> list[Edit]:
    """Edits that delete an instruction's lines but keep the comment lines inside it.

    Comment lines directly above the instruction are separate nodes and stay as they are.
    """
    edits: list[Edit] = []
    cursor = instruction.span.start
    for comment in sorted(instruction.inner_comments, key=lambda span: span.start):
        if comment.start > cursor:
            edits.append(Edit.delete(Span(cursor, comment.start)))
        cursor = max(cursor, comment.end)
    if instruction.span.end > cursor:
        edits.append(Edit.delete(Span(cursor, instruction.span.end)))
    return edits


class RepeatedInstruction(Rule):
    """Base of the rules for instructions of which only the last one in a stage counts.

    Like hadolint, every occurrence after the first in a stage is reported; its fix deletes
    the occurrence before it, so fixing all findings keeps only the last one.
    """

    include_onbuild: ClassVar[bool] = False
    fix_availability: ClassVar[FixAvailability] = FixAvailability.ALWAYS
    fix_class: ClassVar[str] = "safe"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._previous: dict[int, Instruction] = {}

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        if stage is None:
            return
        keyword = instruction.keyword
        previous = self._previous.get(stage.index)
        self._previous[stage.index] = instruction
        if previous is None:
            return
        fix = Fix.safe(
            f"Delete the earlier `{keyword}`, which has no effect",
            delete_instruction(previous),
        )
        line = ctx.document.position(previous.keyword_span.start).line
        yield self.violation(
            instruction.keyword_span,
            f"`{keyword}` is given more than once in this stage; only the last one takes "
            f"effect, so the one on line {line} is ignored",
            fix,
        )
