"""Low-level scanning that follows the builder's own parsing rules."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING

from dfopt.syntax._record import record, set_field

if TYPE_CHECKING:
    import json

# The characters Go's unicode.IsSpace accepts (Python's str.isspace accepts a few more).
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The separator the builder splits a keyword from its arguments with.
TOKEN_SPACE = frozenset("\t\v\f\r ")
# White space for the builder's byte-wise scanners (flags, the HEALTHCHECK type word): a
# non-ASCII space is several bytes there, none of which is a space on its own.
ASCII_SPACE = frozenset("\t\n\v\f\r ")

# The builder's directive pattern; its ``\s`` is ASCII white space without \v.
_DIRECTIVE = re.compile(
    r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z"
)
VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)\Z")
_TOKEN_SPLIT = re.compile(r"[\t\v\f\r ]+")


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


@record()
class DirectiveMatch:
    __slots__ = ("name", "value", "value_end", "value_start")

    name: str
    value: str
    value_start: int
    value_end: int

    def __init__(self, name: str, value: str, value_start: int, value_end: int) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "value_start", value_start)
        set_field(self, "value_end", value_end)


def match_directive(text: str, start: int, end: int) -> DirectiveMatch | None:
    """Parse ``# name=value`` in ``text[start:end]`` (already left-trimmed)."""
    if start >= end or text[start] != "#":
        return None
    match = _DIRECTIVE.match(text, start, end)
    if match is None:
        return None
    name = match.group(1).lower()
    if name not in VALID_DIRECTIVES:
        return None
    return DirectiveMatch(name, match.group(2), match.start(2), match.end(2))


@record()
class RawFlag:
    __slots__ = ("end", "start", "word")

    word: str
    start: int
    end: int

    def __init__(self, word: str, start: int, end: int) -> None:
        set_field(self, "word", word)
        set_field(self, "start", start)
        set_field(self, "end", end)


def extract_flags(line: str, start: int) -> tuple[list[RawFlag], int]:
    """Read ``--flag`` words from ``line[start:]`` as the builder does.

    Returns the flags (quotes and backslash escapes resolved) and the index where the
    remaining arguments begin.
    """
    flags: list[RawFlag] = []
    length = len(line)
    pos = start
    while True:
        while pos < length and line[pos] in ASCII_SPACE:
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
            if char in ASCII_SPACE:
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


def name_value_words(text: str, escape: str, limit: int | None = None) -> list[str]:
    """Split ENV/LABEL/ARG arguments into words as the builder does before reading pairs.

    Quotes and escape characters are kept in the words; white space inside quotes or after
    the escape character does not split. An escape character at the very end is dropped.
    With ``limit``, stop after that many words.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    blank_ok = False
    quote = ""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote != "'":
                if index + 1 == length:
                    break
                word.append(char)
                index += 1
                char = text[index]
            word.append(char)
            index += 1
            continue
        if char in GO_SPACE:
            if in_word and (blank_ok or word):
                words.append("".join(word))
                if len(words) == limit:
                    return words
            word = []
            in_word = False
            blank_ok = False
            index += 1
            continue
        in_word = True
        if char in "'\"":
            quote = char
            blank_ok = True
        elif char == escape:
            if index + 1 == length:
                break
            word.append(char)
            index += 1
            char = text[index]
        word.append(char)
        index += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


def name_value_error(keyword: str, text: str, escape: str) -> str | None:
    """The builder's complaint about ENV/LABEL arguments, or None when they are valid.

    ``text`` is the argument text after the flags. Either the legacy ``KEY value`` form
    (at least two words) or only ``key=value`` words are accepted.
    """
    words = name_value_words(text, escape)
    if not words:
        return None
    if "=" not in words[0]:
        if len(_TOKEN_SPLIT.split(text, maxsplit=1)) < 2:
            return f"{keyword} must have two arguments"
        return None
    for word in words:
        if "=" not in word:
            return f"can't find = in `{word}`; it must be of the form name=value"
    return None


@record()
class HeredocSpec:
    __slots__ = ("chomp", "expand", "fd", "name", "word")

    name: str
    chomp: bool
    expand: bool
    fd: int
    word: str

    def __init__(self, name: str, chomp: bool, expand: bool, fd: int, word: str) -> None:
        set_field(self, "name", name)
        set_field(self, "chomp", chomp)
        set_field(self, "expand", expand)
        set_field(self, "fd", fd)
        set_field(self, "word", word)


class _LexError(ValueError):
    """The builder's word lexer gives up (unterminated quote, bad substitution)."""


_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")


class _WordLexer:
    """The builder's shell-word lexer as it runs to find here-documents.

    Variables are never set (unset ones are kept as written), the escape character is
    always the backslash, and quotes/escapes are kept or removed as asked. Any syntax
    error makes the whole text yield no words, as in the builder.
    """

    def __init__(self, text: str, raw_quotes: bool, raw_escapes: bool) -> None:
        self.text = text
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        if char:
            self.pos += 1
        return char

    def words(self) -> list[str]:
        _, words = self.until("", self.raw_escapes)
        return words

    def until(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._until(stop)
        finally:
            self.raw_escapes = saved

    def _until(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False

        def add_char(char: str) -> None:
            nonlocal word, in_word
            if char in GO_SPACE:
                if in_word and word:
                    words.append("".join(word))
                    word = []
                    in_word = False
            else:
                word.append(char)
                in_word = True

        while self.peek():
            char = self.peek()
            if stop and char == stop:
                self.next()
                if word:
                    words.append("".join(word))
                return "".join(result), words
            if char == "$":
                value = self.dollar()
                result.append(value)
                for piece in value:
                    add_char(piece)
            elif char in "'\"":
                value = self.single_quote() if char == "'" else self.double_quote()
                result.append(value)
                word.append(value)
                in_word = True
            else:
                char = self.next()
                if char == "\\":
                    if self.raw_escapes:
                        word.append(char)
                        in_word = True
                        result.append(char)
                    char = self.next()
                    if not char:
                        break
                    word.append(char)
                    in_word = True
                else:
                    add_char(char)
                result.append(char)
        if stop:
            raise _LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append("".join(word))
        return "".join(result), words

    def single_quote(self) -> str:
        opening = self.next()
        result = [opening] if self.raw_quotes else []
        while True:
            char = self.next()
            if not char:
                raise _LexError("unexpected end of statement while looking for matching '")
            if char == "'":
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            result.append(char)

    def double_quote(self) -> str:
        opening = self.next()
        result = [opening] if self.raw_quotes else []
        while True:
            char = self.peek()
            if not char:
                raise _LexError('unexpected end of statement while looking for matching "')
            if char == '"':
                self.next()
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            if char == "$":
                result.append(self.dollar())
                continue
            char = self.next()
            if char == "\\":
                if self.raw_escapes:
                    result.append(char)
                following = self.peek()
                if not following:
                    continue
                if following in '"$\\':
                    char = self.next()
            result.append(char)

    def name(self) -> str:
        chars: list[str] = []
        while self.peek():
            char = self.peek()
            if not chars and char.isdecimal():
                while self.peek() and self.peek().isdecimal():
                    chars.append(self.next())
                return "".join(chars)
            if not chars and char in _SPECIAL_PARAMETERS:
                return self.next()
            if not (char.isalpha() or char.isdecimal() or char == "_"):
                break
            chars.append(self.next())
        return "".join(chars)

    def dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.name()
            return "$" + name
        self.next()
        if not self.peek():
            raise _LexError("syntax error: missing '}'")
        if self.peek() in "{}:":
            raise _LexError("syntax error: bad substitution")
        name = self.name()
        char = self.next()
        if char == "}":
            return "${" + name + "}"
        modifier = char
        if char == ":":
            char = self.next()
            modifier += char
        if char and char in "+-?#%":
            try:
                word, _ = self.until("}", char in "#%")
            except _LexError:
                if not self.peek():
                    raise _LexError("syntax error: missing '}'") from None
                raise
            return "${" + name + modifier + word + "}"
        if modifier == "/":
            if self.peek() == "/":
                self.next()
                modifier += "/"
            pattern, _ = self.until("/", True)
            replacement, _ = self.until("}", True)
            return "${" + name + modifier + pattern + "/" + replacement + "}"
        raise _LexError(f"unsupported modifier ({modifier}) in substitution")


def lex_words(text: str, raw_quotes: bool, raw_escapes: bool) -> list[str] | None:
    """Split ``text`` into words like the builder's lexer; None on a syntax error."""
    try:
        return _WordLexer(text, raw_quotes, raw_escapes).words()
    except _LexError:
        return None


def heredocs_in_line(line: str) -> list[HeredocSpec]:
    """The here-documents a RUN/COPY/ADD line opens, in order.

    ``line`` is the whole logical line, keyword included. Like the builder, the line is
    split into words with quotes and escapes kept; each word of the form ``[fd]<<[-]name``
    opens a here-document whose name is the word with quotes removed. A quoted name
    turns off expansion in the body.
    """
    if "<<" not in line:
        return []
    specs: list[HeredocSpec] = []
    for word in lex_words(line, raw_quotes=True, raw_escapes=True) or []:
        match = _HEREDOC_WORD.match(word)
        if match is None or not match.group(3):
            continue
        rest = match.group(3)
        cooked = lex_words(rest, raw_quotes=False, raw_escapes=False)
        raw = lex_words(rest, raw_quotes=True, raw_escapes=False)
        if cooked is None or raw is None or len(cooked) != 1 or len(raw) != 1:
            continue
        name = cooked[0]
        expand = name.count("'") + name.count('"') == raw[0].count("'") + raw[0].count('"')
        fd = int(match.group(1)) if match.group(1) else 0
        specs.append(HeredocSpec(name, match.group(2) == "-", expand, fd, word))
    return specs


class NotStringArrayError(ValueError):
    """A JSON array that holds something other than strings."""


_JSON_SPACE = " \t\n\r"


def _reject_constant(name: str) -> object:
    # NaN and Infinity are not JSON: the builder's decoder fails on them.
    raise ValueError(f"{name} is not JSON")


def _finite_number(text: str) -> object:
    # The builder decodes numbers as 64-bit floats; one out of range fails the decode.
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} out of range")
    return value


@cache
def _decoder() -> json.JSONDecoder:
    """A JSON decoder that reads numbers and constants as the builder does (:mod:`json`
    is imported on first use: most Dockerfiles have no exec-form instruction)."""
    import json

    return json.JSONDecoder(
        parse_constant=_reject_constant, parse_float=_finite_number, parse_int=_finite_number
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_array(text: str, start: int) -> list[tuple[str, int, int]] | None:
    """Decode a JSON array of strings at ``text[start:]`` like the builder does.

    Returns ``(value, start, end)`` for each element, or None when the text is not a JSON
    array (the instruction is then in shell form). Text after the array is ignored, as
    the builder's decoder does; so are ``NaN``/``Infinity`` and numbers out of the float
    range, which make the decode fail there. Raises NotStringArrayError for non-string
    elements.
    """
    index = lstrip_go(text, start)
    if index >= len(text) or text[index] != "[":
        return None
    decoder = _decoder()
    try:
        value, _ = decoder.raw_decode(text, index)
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
        item, end = decoder.raw_decode(text, position)
        # Invalid UTF-8 and lone surrogate escapes decode to U+FFFD, as in the builder.
        elements.append((_SURROGATE.sub("\ufffd", item), position, end))
        position = end
    return elements
