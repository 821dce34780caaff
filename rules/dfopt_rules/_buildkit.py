"""Helpers shared by the rules that mirror BuildKit's build checks (DF5xx).

Not a rule module (leading underscore): the pack's loader skips it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from dfopt.rules_api import Context, Edit, Instruction, Span, Stage, record, set_field

# ARGs the builder defines for every FROM line (TARGETSTAGE included).
BUILDER_ARGS = (
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
)
# ARGs that never become environment variables, so they are never "undefined".
NON_ENV_ARGS = frozenset({"BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"})
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME = re.compile(r"[A-Za-z0-9_]*")


@record()
class Reference:
    """A ``$NAME`` or ``${NAME...}`` in a word: the name and where it starts and ends."""

    __slots__ = ("end", "name", "start")

    name: str
    start: int
    end: int

    def __init__(self, name: str, start: int, end: int) -> None:
        set_field(self, "name", name)
        set_field(self, "start", start)
        set_field(self, "end", end)


def variable_references(text: str, escape: str = "\\") -> list[Reference]:
    """Variables the builder substitutes in ``text`` (as it processes an ARG/ENV/COPY word).

    Single-quoted text and escaped ``$`` are literal; references inside the default word of
    ``${A:-$B}`` are found too.
    """
    found: list[Reference] = []
    _scan(text, 0, len(text), escape, found)
    return found


def _scan(text: str, index: int, end: int, escape: str, found: list[Reference]) -> int:
    in_double = False
    while index < end:
        char = text[index]
        if char == escape:
            index += 2
            continue
        if char == "'" and not in_double:
            close = text.find("'", index + 1, end)
            index = end if close < 0 else close + 1
            continue
        if char == '"':
            in_double = not in_double
            index += 1
            continue
        if char != "$":
            index += 1
            continue
        start = index
        index += 1
        if index < end and text[index] == "{":
            match = _NAME.match(text, index + 1)
            name_end = match.end() if match else index + 1
            name = text[index + 1 : name_end]
            close = _matching_brace(text, index, end)
            if name and _NAME_START.match(name):
                found.append(Reference(name, start, close))
            if name_end < close - 1:
                _scan(text, name_end, close - 1, escape, found)
            index = close
            continue
        if index < end and _NAME_START.match(text[index]):
            match = _NAME.match(text, index)
            name_end = match.end() if match else index
            found.append(Reference(text[index:name_end], start, name_end))
            index = name_end
    return index


def _matching_brace(text: str, open_index: int, end: int) -> int:
    """Offset just after the ``}`` closing the ``${`` at ``open_index`` (or ``end``)."""
    depth = 0
    index = open_index
    while index < end:
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return end


def suggest(name: str, options: Iterable[str]) -> str | None:
    """The option closest to ``name`` (edit distance under 3), as BuildKit suggests one."""
    best: str | None = None
    best_distance = 3
    length = len(name)
    for option in options:
        if option == name:
            return None
        if abs(len(option) - length) >= best_distance:
            continue  # the distance is at least the difference in length
        distance = _distance_below(name, option, best_distance)
        if distance < best_distance:
            best, best_distance = option, distance
    return best


def levenshtein(first: str, second: str) -> int:
    """Edit distance (insertions, deletions, substitutions) between two strings."""
    # The distance never exceeds the longer length, so this bound never cuts it short.
    return _distance_below(first, second, max(len(first), len(second)) + 1)


def _distance_below(first: str, second: str, bound: int) -> int:
    """:func:`levenshtein` when it is below ``bound``, else some number >= ``bound``."""
    if len(first) < len(second):
        first, second = second, first
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) >= bound:
            return bound  # no cell of a later row gets smaller than this row's minimum
        previous = current
    return previous[-1]


def stage_name_words(instruction: Instruction) -> tuple[int, int] | None:
    """Indexes of the ``AS`` word and the stage name of a ``FROM ... AS name``, or None."""
    words = instruction.words
    if len(words) == 3 and words[1].value.lower() == "as":
        return 1, 2
    return None


def root_stage(stage: Stage) -> Stage:
    """The first stage of the ``FROM <stage>`` chain this stage builds on."""
    seen = {id(stage)}
    while stage.parent is not None and id(stage.parent) not in seen:
        stage = stage.parent
        seen.add(id(stage))
    return stage


def inherited_arg_names(stage: Stage) -> set[str]:
    """ARGs declared in the stages this one builds on (the builder carries them over)."""
    names: set[str] = set()
    parent = stage.parent
    seen: set[int] = set()
    while parent is not None and id(parent) not in seen:
        seen.add(id(parent))
        names.update(parent.final_state.args)
        parent = parent.parent
    return names


def delete_flag(ctx: Context, span: Span) -> Edit:
    """Delete a flag and the blanks after it (on the same line)."""
    text = ctx.text
    end = span.end
    while end < len(text) and text[end] in " \t":
        end += 1
    return Edit.delete(Span(span.start, end))


def logical_source(instruction: Instruction, index: int) -> int:
    """Source offset of ``index`` in the instruction's ``args_text``."""
    return instruction.logical.to_source(instruction.args_offset + index)


def logical_span(instruction: Instruction, start: int, end: int) -> Span:
    """Source span of ``[start, end)`` of the instruction's ``args_text``."""
    offset = instruction.args_offset
    return instruction.logical.span_to_source(offset + start, offset + end)


def known_names(variables: Mapping[str, str], extra: Iterable[str] = ()) -> list[str]:
    """Names the builder can substitute, in a stable order for suggestions."""
    names = list(variables)
    for name in extra:
        if name not in variables:
            names.append(name)
    return names


def iter_source_words(instruction: Instruction) -> Iterator[tuple[str, Span]]:
    """The sources of a COPY/ADD (the destination and heredoc markers left out)."""
    if instruction.exec_args:
        words = [(word.value, word.span) for word in instruction.exec_args]
    else:
        words = [(word.value, word.span) for word in instruction.words]
    markers = {heredoc.marker for heredoc in instruction.heredocs}
    for value, span in words[:-1]:
        if span in markers or value.startswith("<<"):
            continue
        yield value, span
