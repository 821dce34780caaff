"""Which characters of an instruction's logical line are white space between words.

The formatter only ever changes white space that separates words; everything else is
kept character for character. :func:`classify` marks those separators, for one of three
readings of the text:

- ``shell``: a POSIX shell script (RUN, CMD, ENTRYPOINT, ``HEALTHCHECK CMD``): quotes,
  backslash escapes, ``$(...)``, ``${...}``, backticks and comments are understood, and
  only blanks outside quotes, parameter expansions, backticks and comments separate;
- ``words``: the builder's word splitting (FROM, COPY, ENV ...): quotes and the escape
  character keep blanks inside a word;
- ``literal``: the text is taken as a whole (WORKDIR, USER ...): nothing inside it is a
  separator.

Only the space and the tab count as blanks; any other white space is kept as it is.
"""

from __future__ import annotations

from typing import Literal

Mode = Literal["shell", "words", "literal"]

BLANKS = frozenset(" \t")
#: Shell words that open or close a compound command: a chain holding one is not split.
COMPOUND_WORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "for",
        "while",
        "until",
        "do",
        "done",
        "case",
        "esac",
        "select",
        "function",
        "{",
        "}",
        "[[",
        "]]",
    }
)
_COMMENT_AFTER = frozenset(" \t;&|()")


class Classified:
    """The separators of a text and what the shell reading found."""

    __slots__ = ("comment_at", "separator", "top_level")

    separator: list[bool]
    """``separator[i]``: character ``i`` is a blank between words."""
    top_level: list[bool]
    """``top_level[i]``: character ``i`` is outside any subshell, group or substitution."""
    comment_at: int | None
    """Where a shell comment starts (it runs to the end of the text), if any."""

    def __init__(self, length: int) -> None:
        self.separator = [False] * length
        self.top_level = [True] * length
        self.comment_at = None


def classify(text: str, start: int, end: int, mode: Mode, escape: str) -> Classified:
    """Classify ``text[start:end]`` (other positions are never separators)."""
    result = Classified(len(text))
    if mode == "words":
        _words(text, start, end, escape, result)
    elif mode == "shell":
        _shell(text, start, end, result)
    return result


def _words(text: str, start: int, end: int, escape: str, result: Classified) -> None:
    quote = ""
    index = start
    while index < end:
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote != "'":
                index += 1
        elif char in BLANKS:
            result.separator[index] = True
        elif char in "'\"":
            quote = char
        elif char == escape:
            index += 1
        index += 1


def _shell(text: str, start: int, end: int, result: Classified) -> None:
    # A stack of contexts: "top" (the script), "sub" ($(...) or (...)), "dq" (double
    # quotes), "brace" (${...}), "tick" (backticks).
    stack: list[str] = ["top"]
    quoted = 0  # how many of the enclosing contexts are quotes, expansions or backticks
    index = start
    separator = result.separator
    top_level = result.top_level
    while index < end:
        char = text[index]
        context = stack[-1]
        top_level[index] = len(stack) == 1
        quoted = sum(1 for item in stack if item in ("dq", "brace", "tick"))
        if context in ("top", "sub"):
            if char in BLANKS:
                # Inside a quoted substitution the blanks are part of the quoted word.
                separator[index] = quoted == 0
            elif char == "#" and (index == start or text[index - 1] in _COMMENT_AFTER):
                result.comment_at = index
                for rest in range(index, end):
                    top_level[rest] = False
                return
            elif char == "\\":
                index += 1
                if index < end:
                    top_level[index] = len(stack) == 1
            elif char == "'":
                close = text.find("'", index + 1, end)
                stop = end if close < 0 else close + 1
                for inner in range(index, stop):
                    top_level[inner] = len(stack) == 1
                index = stop
                continue
            elif char == '"':
                stack.append("dq")
            elif char == "`":
                stack.append("tick")
            elif char == "$" and index + 1 < end and text[index + 1] in "({":
                stack.append("sub" if text[index + 1] == "(" else "brace")
                index += 1
            elif char == "(":
                stack.append("sub")
            elif char == ")" and context == "sub":
                stack.pop()
        elif context == "dq":
            if char == '"':
                stack.pop()
            elif char == "\\":
                index += 1
            elif char == "`":
                stack.append("tick")
            elif char == "$" and index + 1 < end and text[index + 1] in "({":
                stack.append("sub" if text[index + 1] == "(" else "brace")
                index += 1
        elif context == "brace":
            if char == "}":
                stack.pop()
            elif char == "\\":
                index += 1
            elif char == '"':
                stack.append("dq")
            elif char == "'":
                close = text.find("'", index + 1, end)
                index = end if close < 0 else close + 1
                continue
        elif context == "tick":
            if char == "`":
                stack.pop()
            elif char == "\\":
                index += 1
        index += 1


def words_of(text: str, start: int, end: int, classified: Classified) -> list[tuple[int, int]]:
    """The ``(start, end)`` ranges of the words between separators in ``[start, end)``."""
    ranges: list[tuple[int, int]] = []
    index = start
    separator = classified.separator
    while index < end:
        while index < end and separator[index]:
            index += 1
        if index >= end:
            break
        word_start = index
        while index < end and not separator[index]:
            index += 1
        ranges.append((word_start, index))
    return ranges
