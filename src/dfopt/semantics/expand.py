"""Variable expansion as the builder does it for ARG, ENV, FROM and friends.

Two entry points share one implementation of the builder's word processing:

- :func:`expand` substitutes variables and leaves quotes in place (handy for rules that
  inspect a value as written);
- :func:`process_word` does what the builder does to an ENV/ARG/LABEL value, a FROM image
  or a WORKDIR/USER argument: it removes quotes and escape characters, keeps single-quoted
  text literal and substitutes variables elsewhere.

Supported forms: ``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR-word}``, ``${VAR:+word}``,
``${VAR+word}``, ``${VAR:?word}``, ``${VAR?word}``, ``${VAR#pattern}``, ``${VAR##pattern}``,
``${VAR%pattern}``, ``${VAR%%pattern}``, ``${VAR/pattern/replacement}`` and
``${VAR//pattern/replacement}``. Unknown variables expand to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")


class _SyntaxError(ValueError):
    """The builder would reject the word (bad substitution, unterminated quote)."""


class _Processor:
    def __init__(
        self,
        text: str,
        variables: Mapping[str, str],
        escape: str,
        quotes: bool,
        keep_unset: bool,
    ) -> None:
        self.text = text
        self.pos = 0
        self.variables = variables
        self.escape = escape
        self.quotes = quotes
        """False for :func:`expand`: quotes are plain characters and only ``\\$`` is special."""
        self.keep_unset = keep_unset

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        if char:
            self.pos += 1
        return char

    def word(self, stop: str = "", raw_escapes: bool = False) -> str:
        out: list[str] = []
        text = self.text
        size = len(text)
        special = {"$", self.escape}
        if self.quotes:
            special.update(("'", '"'))
        if stop:
            special.add(stop)
        while self.peek():
            char = self.peek()
            if stop and char == stop:
                self.next()
                return "".join(out)
            if char == "$":
                start = self.pos
                try:
                    out.append(self.dollar())
                except _SyntaxError:
                    if self.quotes:
                        raise
                    # expand(): keep a malformed substitution and the rest as written.
                    out.append(self.text[start:])
                    self.pos = len(self.text)
            elif self.quotes and char == "'":
                out.append(self.single_quoted())
            elif self.quotes and char == '"':
                out.append(self.double_quoted())
            elif char == self.escape:
                self.next()
                following = self.peek()
                if not self.quotes:
                    # Only an escaped `$` is special; everything else stays as written.
                    if following == "$":
                        out.append(self.next())
                    else:
                        out.append(char)
                    continue
                if raw_escapes:
                    out.append(char)
                if not following:
                    break
                out.append(self.next())
            else:
                # A run of plain characters is copied as it is.
                end = self.pos + 1
                while end < size and text[end] not in special:
                    end += 1
                out.append(text[self.pos : end])
                self.pos = end
        if stop:
            raise _SyntaxError(f"missing {stop!r}")
        return "".join(out)

    def single_quoted(self) -> str:
        self.next()
        out: list[str] = []
        while True:
            char = self.next()
            if not char:
                raise _SyntaxError("unterminated single quote")
            if char == "'":
                return "".join(out)
            out.append(char)

    def double_quoted(self) -> str:
        self.next()
        out: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise _SyntaxError("unterminated double quote")
            if char == '"':
                self.next()
                return "".join(out)
            if char == "$":
                out.append(self.dollar())
                continue
            char = self.next()
            if char == self.escape:
                following = self.peek()
                if not following:
                    continue
                if following in ('"', "$", self.escape):
                    char = self.next()
            out.append(char)

    def name(self) -> str:
        chars: list[str] = []
        while self.peek():
            char = self.peek()
            if not chars and char.isdecimal():
                while self.peek().isdecimal():
                    chars.append(self.next())
                return "".join(chars)
            if not chars and char in _SPECIAL_PARAMETERS:
                return self.next()
            if not (char.isalpha() or char.isdecimal() or char == "_"):
                break
            chars.append(self.next())
        return "".join(chars)

    def lookup(self, name: str) -> str | None:
        return self.variables.get(name)

    def dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            value = self.lookup(name)
            if value is None:
                return "$" + name if self.keep_unset else ""
            return value
        self.next()
        if not self.peek():
            raise _SyntaxError("missing '}'")
        if self.peek() in "{}:":
            raise _SyntaxError("bad substitution")
        start = self.pos - 2
        name = self.name()
        char = self.next()
        value = self.lookup(name)
        if char == "}":
            if value is None:
                return "${" + name + "}" if self.keep_unset else ""
            return value
        null_is_unset = False
        if char == ":":
            null_is_unset = True
            char = self.next()
        if char and char in "+-?#%":
            word = self.word("}", raw_escapes=char in "#%")
            if value is None and self.keep_unset:
                return self.text[start : self.pos]
            missing = value is None or (null_is_unset and value == "")
            if char == "-":
                return word if missing else str(value)
            if char == "+":
                return "" if missing else word
            if char == "?":
                return "" if value is None else value
            greedy = word.startswith(char)
            pattern = word[1:] if greedy else word
            if char == "#":
                return _trim_prefix(value or "", pattern, greedy)
            return _trim_suffix(value or "", pattern, greedy)
        if char == "/":
            replace_all = self.peek() == "/"
            if replace_all:
                self.next()
            pattern = self.word("/", raw_escapes=True)
            replacement = self.word("}", raw_escapes=True)
            if value is None and self.keep_unset:
                return self.text[start : self.pos]
            regex = _pattern_regex(pattern, greedy=True, anchored=False)
            return regex.sub(lambda _: replacement, value or "", count=0 if replace_all else 1)
        raise _SyntaxError(f"unsupported modifier ({char}) in substitution")


def _pattern_regex(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """A shell pattern (``*``, ``?``, backslash escapes) as a regular expression."""
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            out.append(star)
        elif char == "?":
            out.append(".")
        elif char == "\\" and index < len(pattern):
            out.append(re.escape(pattern[index]))
            index += 1
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(value: str, pattern: str, greedy: bool) -> str:
    match = _pattern_regex(pattern, greedy, anchored=True).search(value)
    return value[match.end() :] if match else value


def _trim_suffix(value: str, pattern: str, greedy: bool) -> str:
    # Match the reversed pattern against the reversed value, anchored at its start.
    reversed_pattern = _reverse_pattern(pattern)
    match = _pattern_regex(reversed_pattern, greedy, anchored=True).search(value[::-1])
    return value[: len(value) - match.end()] if match else value


def _reverse_pattern(pattern: str) -> str:
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\" and index + 1 < len(pattern):
            tokens.append(pattern[index : index + 2])
            index += 2
        else:
            tokens.append(pattern[index])
            index += 1
    return "".join(reversed(tokens))


def expand(text: str, variables: Mapping[str, str], escape: str = "\\") -> str:
    """Expand variables in ``text``; quotes are kept and an escaped ``$`` stays literal.

    Unknown variables become empty. A malformed substitution (``${``, ``${}``) is kept as
    written from that point on.
    """
    if "$" not in text:
        return text
    return _Processor(text, variables, escape, quotes=False, keep_unset=False).word()


def process_word(
    text: str, variables: Mapping[str, str], escape: str = "\\", keep_unset: bool = False
) -> str:
    """``text`` as the builder reads an ARG/ENV/LABEL value or a FROM/WORKDIR/USER argument.

    Quotes and escape characters are removed, single-quoted text is literal and variables
    are substituted elsewhere. With ``keep_unset`` unknown variables are kept as written.
    When the builder would reject the text, the quotes are stripped and nothing else.
    """
    if "$" not in text and "'" not in text and '"' not in text and escape not in text:
        return text  # nothing to substitute, unquote or unescape
    try:
        return _Processor(text, variables, escape, quotes=True, keep_unset=keep_unset).word()
    except _SyntaxError:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        return text


def references(text: str) -> list[str]:
    """Names of the variables ``text`` refers to, in order."""
    names: list[str] = []
    index = 0
    while True:
        index = text.find("$", index)
        if index < 0 or index + 1 >= len(text):
            return names
        following = text[index + 1]
        start = index + 2 if following == "{" else index + 1
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if end > start and not text[start].isdigit():
            names.append(text[start:end])
        index = max(end, index + 1)
