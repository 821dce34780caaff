"""DF507: `ENV key value` / `LABEL key value` (the legacy whitespace form)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
    name_value_words,
)

# The builder splits the legacy form at the first run of these blanks.
_BLANKS = re.compile(r"[\t\v\f\r ]+")
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
_UNSAFE_KEY_CHARS = frozenset("\"'$=")


class LegacyKeyValueFormat(Rule):
    """## What it does
    Flags `ENV` and `LABEL` instructions written in the legacy whitespace form,
    `ENV JAVA_HOME /opt/java` or `LABEL maintainer Jane Doe`, instead of `key=value`.
    `ONBUILD ENV` and `ONBUILD LABEL` are checked too. `ARG` has no such form
    (`ARG A B` declares two ARGs) and is not checked. This is BuildKit's
    `LegacyKeyValueFormat` check.

    ## Why is this bad?
    In the legacy form the value is everything after the key, blanks included, and one
    instruction can set only one variable. It reads like the `key=value` form but splits
    differently, so `ENV A B=C` sets `A` to `B=C`, a common source of surprise. The
    legacy form is deprecated.

    ## Fix safety
    Safe: the instruction is rewritten to `key="value"` with exactly the value the builder
    reads today: quotes of the old value are resolved, literal `"`, `$` and escape
    characters are escaped, and variable references (`$HOME`, `${VERSION:-1}`) stay
    references. A value the rewrite cannot reproduce with certainty (an unterminated quote,
    a trailing escape, special parameters such as `$1`, nested quotes inside `${...}`) is
    reported without a fix, and so is a key with quotes or variables, or an instruction
    with comment lines inside its continuation (they would be lost).
    """

    code = "DF507"
    name = "legacy-key-value-format"
    summary = "Use `key=value` instead of the legacy `key value` form"
    severity = Severity.WARNING
    targets = frozenset({"ENV", "LABEL"})
    aliases = ("LegacyKeyValueFormat",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM eclipse-temurin:21\nENV JAVA_OPTS -Xmx512m\n"
    good = 'FROM eclipse-temurin:21\nENV JAVA_OPTS="-Xmx512m"\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if not is_legacy(target.args_text, ctx.escape):
            return
        if len(target.words) < 2:
            return  # `ENV A` alone: the builder rejects it before any check runs
        keyword = target.keyword
        yield self.violation(
            target.keyword_span,
            f"`{keyword} key=value` should be used instead of the legacy `{keyword} key value`",
            lambda: _fix(instruction, ctx),
        )


def _fix(instruction: Instruction, ctx: Context) -> Fix | None:
    """The rewrite to `key="value"`, or None when it cannot be done with certainty."""
    target = instruction.effective
    escape = ctx.escape
    parts = _BLANKS.split(target.args_text.strip(), maxsplit=1)
    key_word = target.words[0]
    requoted = requote(parts[1], escape) if len(parts) == 2 else None
    if (
        requoted is not None
        and not instruction.inner_comments
        and not target.inner_comments
        and key_word.value == parts[0]
        and ctx.slice(key_word.span) == parts[0]
        and not _UNSAFE_KEY_CHARS.intersection(parts[0])
        and escape not in parts[0]
    ):
        span = Span(key_word.span.end, target.args_span.end)
        keyword = target.keyword
        return Fix.safe(f"Write `{keyword} key=value`", [Edit.replace(span, "=" + requoted)])
    return None


def is_legacy(text: str, escape: str = "\\") -> bool:
    """True when the builder's first word of ENV/LABEL arguments ``text`` has no ``=``.

    The word is split as the builder splits it (quotes and the escape character keep
    white space inside it); the answer is the one ``parse_assignments`` gives, without
    reading the other words.
    """
    first = name_value_words(text, escape, limit=1)
    return bool(first) and "=" not in first[0]


def requote(raw: str, escape: str = "\\") -> str | None:
    """The legacy value ``raw`` as one double-quoted word the builder reads the same way.

    The builder processes a legacy value like an unquoted word: quotes are removed, the
    escape character makes the next character literal, single-quoted text is literal and
    ``$`` starts a variable reference. The result keeps every reference as written and
    escapes every literal ``"``, ``$`` and escape character. None when the value holds
    something this cannot reproduce with certainty.
    """
    out: list[str] = ['"']
    index = 0
    length = len(raw)
    after_name = False  # the last thing written was an unbraced `$NAME`

    def literal(char: str) -> bool:
        """Write a literal character; False when it would extend a `$NAME` before it."""
        nonlocal after_name
        if after_name and _NAME_CHAR.match(char):
            return False
        after_name = False
        out.append(escape + char if char in ('"', "$", escape) else char)
        return True

    in_double = False
    while index < length:
        char = raw[index]
        if char == "$":
            reference = _reference(raw, index, escape)
            if reference is None:
                return None
            if reference == index + 1:
                if not literal("$"):
                    return None
                index += 1
                continue
            out.append(raw[index:reference])
            after_name = raw[index + 1] != "{"
            index = reference
            continue
        if char == escape:
            following = raw[index + 1 : index + 2]
            if not following:
                return None
            if in_double and following not in ('"', "$", escape):
                if not literal(char):
                    return None
                index += 1
                continue
            if not literal(following):
                return None
            index += 2
            continue
        if char == '"':
            in_double = not in_double
            index += 1
            continue
        if char == "'" and not in_double:
            close = raw.find("'", index + 1)
            if close < 0:
                return None
            if not all(literal(quoted) for quoted in raw[index + 1 : close]):
                return None
            index = close + 1
            continue
        if not literal(char):
            return None
        index += 1
    if in_double:
        return None
    out.append('"')
    return "".join(out)


def _reference(raw: str, index: int, escape: str) -> int | None:
    """End of the variable reference at ``raw[index] == "$"``.

    ``index + 1`` when the ``$`` is a literal dollar; None when the reference is one this
    rule does not rewrite (special parameters, nested quotes or escapes in ``${...}``).
    """
    following = raw[index + 1 : index + 2]
    if following == "{":
        close = raw.find("}", index + 2)
        if close < 0:
            return None
        inner = raw[index + 2 : close]
        if not inner or not _NAME_START.match(inner):
            return None
        if any(char in inner for char in ("'", '"', "$", "{", escape)):
            return None
        return close + 1
    if following and _NAME_START.match(following):
        end = index + 1
        while end < len(raw) and _NAME_CHAR.match(raw[end]):
            end += 1
        return end
    if following and (following.isdigit() or following in "@*#?-$!"):
        return None
    return index + 1
