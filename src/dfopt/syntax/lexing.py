"""Low-level scanning that follows the builder's own parsing rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# The characters Go's unicode.IsSpace accepts (Python's str.isspace accepts a few more).
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The separator the builder splits a keyword from its arguments with.
TOKEN_SPACE = frozenset("\t\v\f\r ")

_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)\Z")


def lstrip_go(text: str, start: int = 0, end: int | None = None) -> int:
    """Index of the first non-space character of ``text[start:end]`` (or ``end``)."""
    stop = len(text) if end is None else end
    index = start
    while index < stop and text[index] in GO_SPACE:
        index += 1
    return index


def rstrip_go(text: str, start: int = 0, end: int | None = None) -> int:
    """Index just after the last non-space character of ``text[start:end]`` (or ``start``)."""
    index = len(text) if end is None else end
    while index > start and text[index - 1] in GO_SPACE:
        index -= 1
    return index


def content_end(text: str, start: int, end: int) -> int:
    """End of a physical line's content: trailing CR and LF characters are not content."""
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return end


def is_comment(text: str, start: int, end: int) -> bool:
    """True when the first non-space character of the range is ``#``."""
    index = lstrip_go(text, start, end)
    return index < end and text[index] == "#"


def continuation_end(text: str, start: int, end: int, escape: str) -> int | None:
    """If the range ends with a line continuation, the index where the escape char sits.

    Mirrors the builder: the escape character followed only by blanks, and not itself
    preceded by an escape character (unless it starts the line).
    """
    index = end
    while index > start and text[index - 1] in " \t":
        index -= 1
    if index == start or text[index - 1] != escape:
        return None
    escape_at = index - 1
    if escape_at > start and text[escape_at - 1] == escape:
        return None
    return escape_at


@dataclass(frozen=True, slots=True)
class DirectiveMatch:
    name: str
    value: str
    value_start: int
    value_end: int


def match_directive(text: str, start: int, end: int) -> DirectiveMatch | None:
    """Parse ``# name=value`` in ``text[start:end]`` (already left-trimmed)."""
    if start >= end or text[start] != "#":
        return None
    body_start = lstrip_go(text, start + 1, end)
    match = _DIRECTIVE.match(text[body_start:end])
    if match is None:
        return None
    name = match.group(1).lower()
    if name not in VALID_DIRECTIVES:
        return None
    return DirectiveMatch(
        name, match.group(2), body_start + match.start(2), body_start + match.end(2)
    )


@dataclass(frozen=True, slots=True)
class RawFlag:
    word: str
    start: int
    end: int


def extract_flags(line: str, start: int) -> tuple[list[RawFlag], int]:
    """Read ``--flag`` words from ``line[start:]`` as the builder does.

    Returns the flags (quotes and backslash escapes resolved) and the index where the
    remaining arguments begin.
    """
    flags: list[RawFlag] = []
    length = len(line)
    pos = start
    while True:
        while pos < length and line[pos] in GO_SPACE:
            pos += 1
        if pos >= length:
            return flags, length
        if line[pos] != "-" or pos + 1 >= length or line[pos + 1] != "-":
            return flags, pos
        word_start = pos
        chars: list[str] = []
        blank_ok = False
        quote = ""
        while pos < length:
            char = line[pos]
            if quote:
                if char == quote:
                    quote = ""
                    pos += 1
                    continue
                if char == "\\":
                    if pos + 1 == length:
                        quote = ""
                        pos += 1
                        continue
                    pos += 1
                    char = line[pos]
                chars.append(char)
                pos += 1
                continue
            if char in GO_SPACE:
                break
            if char in "'\"":
                quote = char
                blank_ok = True
                pos += 1
                continue
            if char == "\\":
                if pos + 1 == length:
                    pos += 1
                    continue
                pos += 1
                char = line[pos]
            chars.append(char)
            pos += 1
        word = "".join(chars)
        if word == "--":
            return flags, pos
        if blank_ok or word:
            flags.append(RawFlag(word, word_start, pos))


def shell_words(text: str, raw: bool) -> list[str] | None:
    """Split ``text`` into shell words like the builder's word lexer (no expansion).

    With ``raw`` the quotes and backslashes are kept in the words. Returns None on an
    unterminated quote.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in GO_SPACE:
            if in_word:
                words.append("".join(current))
                current = []
                in_word = False
            index += 1
            continue
        in_word = True
        if char == "'":
            close = text.find("'", index + 1)
            if close < 0:
                return None
            current.append(text[index : close + 1] if raw else text[index + 1 : close])
            index = close + 1
            continue
        if char == '"':
            index += 1
            if raw:
                current.append('"')
            while index < length and text[index] != '"':
                if text[index] == "\\" and index + 1 < length:
                    if raw:
                        current.append(text[index])
                    index += 1
                current.append(text[index])
                index += 1
            if index >= length:
                return None
            if raw:
                current.append('"')
            index += 1
            continue
        if char == "\\" and index + 1 < length:
            if raw:
                current.append(char)
            current.append(text[index + 1])
            index += 2
            continue
        current.append(char)
        index += 1
    if in_word:
        words.append("".join(current))
    return words


@dataclass(frozen=True, slots=True)
class HeredocSpec:
    name: str
    chomp: bool
    expand: bool
    fd: int
    word: str


def heredocs_in_line(line: str) -> list[HeredocSpec]:
    """The here-documents a RUN/COPY/ADD line opens, in order."""
    if "<<" not in line:
        return []
    words = shell_words(line, raw=True) or []
    specs: list[HeredocSpec] = []
    for word in words:
        match = _HEREDOC_WORD.match(word)
        if match is None or not match.group(3):
            continue
        rest = match.group(3)
        cooked = shell_words(rest, raw=False)
        if cooked is None or len(cooked) != 1:
            continue
        name = cooked[0]
        raw_words = shell_words(rest, raw=True) or [name]
        raw_quotes = raw_words[0].count("'") + raw_words[0].count('"')
        expand = name.count("'") + name.count('"') == raw_quotes
        fd = int(match.group(1)) if match.group(1) else 0
        specs.append(HeredocSpec(name, match.group(2) == "-", expand, fd, word))
    return specs


class NotStringArrayError(ValueError):
    """A JSON array that holds something other than strings."""


_JSON_SPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


def parse_json_array(text: str, start: int) -> list[tuple[str, int, int]] | None:
    """Decode a JSON array of strings at ``text[start:]`` like the builder does.

    Returns ``(value, start, end)`` for each element, or None when the text is not a JSON
    array (the instruction is then in shell form). Text after the array is ignored, as
    the builder's decoder does. Raises NotStringArrayError for non-string elements.
    """
    index = lstrip_go(text, start)
    if index >= len(text) or text[index] != "[":
        return None
    try:
        value, _ = _DECODER.raw_decode(text, index)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise NotStringArrayError("JSON arrays must be made of strings only")
    elements: list[tuple[str, int, int]] = []
    position = index + 1
    for _ in value:
        while text[position] in _JSON_SPACE or text[position] == ",":
            position += 1
        item, end = _DECODER.raw_decode(text, position)
        elements.append((item, position, end))
        position = end
    return elements
