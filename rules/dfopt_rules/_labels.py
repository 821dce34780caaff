"""LABEL parsing and the label checks shared by DL3048-DL3058 (not a rule module).

``label_pairs`` reads the ``key=value`` pairs of a LABEL the way the builder does: words
split on white space outside quotes, each word cut at its first ``=``, then quotes and
escape characters removed and ``$VAR`` / ``${VAR...}`` expanded. The legacy form
``LABEL key value with spaces`` gives one pair. A variable whose value is not known
while linting (an ARG without a default, a name never declared) makes the key or value
*unknown*: the schema rules do not judge what only exists at build time.

The validators below implement the value types of hadolint's ``label-schema``.
"""

from __future__ import annotations

import ipaddress
import re
import weakref
from collections.abc import Iterator, Mapping
from typing import ClassVar

from dfopt.rules_api import (
    Context,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
    expand,
    record,
    set_field,
)
from dfopt_rules._spdx import (
    DEPRECATED_EXCEPTION_IDS,
    DEPRECATED_LICENSE_IDS,
    EXCEPTION_IDS,
    LICENSE_IDS,
)

# White space as Go's unicode.IsSpace sees it (the builder splits LABEL words on it).
_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# What separates the key from the value in the legacy `LABEL key value` form.
_LEGACY_SPLIT = frozenset("\t\v\f\r ")


@record()
class LabelPair:
    """One label set by a LABEL instruction."""

    __slots__ = ("key", "key_known", "key_span", "span", "value", "value_known", "value_span")

    key: str
    """The key as the builder reads it (quotes removed, known variables expanded)."""
    value: str
    key_known: bool
    """False when the key refers to a variable whose value is unknown while linting."""
    value_known: bool
    key_span: Span
    value_span: Span
    span: Span
    """The whole ``key=value`` word (for the legacy form: from the key to the value's end)."""

    def __init__(
        self,
        key: str,
        value: str,
        key_known: bool,
        value_known: bool,
        key_span: Span,
        value_span: Span,
        span: Span,
    ) -> None:
        set_field(self, "key", key)
        set_field(self, "value", value)
        set_field(self, "key_known", key_known)
        set_field(self, "value_known", value_known)
        set_field(self, "key_span", key_span)
        set_field(self, "value_span", value_span)
        set_field(self, "span", span)


_CACHE: weakref.WeakKeyDictionary[Instruction, tuple[LabelPair, ...]] = weakref.WeakKeyDictionary()


def label_pairs(instruction: Instruction, ctx: Context) -> tuple[LabelPair, ...]:
    """The labels a LABEL (or ``ONBUILD LABEL``) instruction sets, in order.

    Empty when the instruction is not a LABEL or the builder would reject its arguments.
    """
    cached = _CACHE.get(instruction)
    if cached is None:
        target = instruction.effective
        if target.keyword != "LABEL":
            cached = ()
        else:
            cached = _parse(target, ctx.state(instruction).variables, ctx.escape)
        _CACHE[instruction] = cached
    return cached


def _parse(target: Instruction, variables: Mapping[str, str], escape: str) -> tuple[LabelPair, ...]:
    text = target.logical.text
    start = target.args_offset
    end = start + len(target.args_text)
    words = _raw_words(text, start, end, escape)
    if not words:  # nothing, or an unterminated quote
        return ()
    first_start, first_end = words[0]
    if "=" not in text[first_start:first_end]:
        # Legacy form: the key runs to the first blank, the value is the rest of the line.
        key_end = first_start
        while key_end < end and text[key_end] not in _LEGACY_SPLIT:
            key_end += 1
        value_start = key_end
        while value_start < end and text[value_start] in _LEGACY_SPLIT:
            value_start += 1
        if value_start >= end:
            return ()
        return (_pair(target, variables, escape, first_start, key_end, value_start, end),)
    pairs: list[LabelPair] = []
    for word_start, word_end in words:
        equals = text.find("=", word_start, word_end)
        if equals < 0:
            return ()  # the builder rejects a word without `=`
        pairs.append(_pair(target, variables, escape, word_start, equals, equals + 1, word_end))
    return tuple(pairs)


def _pair(
    target: Instruction,
    variables: Mapping[str, str],
    escape: str,
    key_start: int,
    key_end: int,
    value_start: int,
    value_end: int,
) -> LabelPair:
    logical = target.logical
    text = logical.text
    key, key_known = cook(text[key_start:key_end], variables, escape)
    value, value_known = cook(text[value_start:value_end], variables, escape)
    return LabelPair(
        key=key,
        value=value,
        key_known=key_known,
        value_known=value_known,
        key_span=logical.span_to_source(key_start, key_end),
        value_span=logical.span_to_source(value_start, value_end),
        span=logical.span_to_source(key_start, value_end),
    )


def _raw_words(text: str, start: int, end: int, escape: str) -> list[tuple[int, int]] | None:
    """Ranges of the white-space separated words of ``text[start:end]``, quotes respected.

    None when a quote is not closed (the builder fails on it).
    """
    words: list[tuple[int, int]] = []
    index = start
    while index < end:
        if text[index] in _SPACE:
            index += 1
            continue
        word_start = index
        quote = ""
        while index < end:
            char = text[index]
            if quote:
                if char == quote:
                    quote = ""
                elif char == escape and quote == '"' and index + 1 < end:
                    index += 1
                index += 1
                continue
            if char in _SPACE:
                break
            if char in "'\"":
                quote = char
            elif char == escape and index + 1 < end:
                index += 1
            index += 1
        if quote:
            return None
        words.append((word_start, index))
    return words


def cook(raw: str, variables: Mapping[str, str], escape: str = "\\") -> tuple[str, bool]:
    """Remove quotes and escapes from ``raw`` and expand variables, as the builder does.

    Returns the text and whether every variable it refers to has a known, non-empty
    value (or a ``${VAR:-default}`` fallback).
    """
    if "$" not in raw and "'" not in raw and '"' not in raw and escape not in raw:
        return raw, True
    out: list[str] = []
    known = True
    quote = ""
    index = 0
    length = len(raw)
    while index < length:
        char = raw[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                out.append(char)
            index += 1
            continue
        if char == escape:
            if index + 1 >= length:
                index += 1
                continue
            following = raw[index + 1]
            if quote == '"' and following not in ('"', "$", escape):
                out.append(char)
                index += 1
                continue
            out.append(following)
            index += 2
            continue
        if char == '"':
            quote = "" if quote else '"'
            index += 1
            continue
        if char == "'" and not quote:
            quote = "'"
            index += 1
            continue
        if char == "$":
            end, text, resolved = _reference(raw, index, variables, escape)
            if end > index:
                out.append(text)
                known = known and resolved
                index = end
                continue
        out.append(char)
        index += 1
    return "".join(out), known


def _reference(
    raw: str, index: int, variables: Mapping[str, str], escape: str
) -> tuple[int, str, bool]:
    """Expand the variable reference at ``raw[index]`` (a ``$``): (end, text, resolved)."""
    following = raw[index + 1] if index + 1 < len(raw) else ""
    if following == "{":
        close = raw.find("}", index + 2)
        if close < 0:
            return index, "", True
        body = raw[index + 2 : close]
        name_end = 0
        while name_end < len(body) and (body[name_end].isalnum() or body[name_end] == "_"):
            name_end += 1
        rest = body[name_end:]
        value = variables.get(body[:name_end], "")
        resolved = bool(value) or (rest.startswith((":-", "-")) and "$" not in rest)
        return close + 1, expand(raw[index : close + 1], variables, escape), resolved
    if following.isalpha() or following == "_":
        end = index + 1
        while end < len(raw) and (raw[end].isalnum() or raw[end] == "_"):
            end += 1
        value = variables.get(raw[index + 1 : end], "")
        return end, value, bool(value)
    return index, "", True


def known_pairs(instruction: Instruction, ctx: Context) -> Iterator[LabelPair]:
    """Pairs whose key and value are both known while linting."""
    for pair in label_pairs(instruction, ctx):
        if pair.key_known and pair.value_known:
            yield pair


def show(value: str, limit: int = 60) -> str:
    """``value`` in backticks for a message, shortened; ``an empty value`` when empty."""
    if not value:
        return "an empty value"
    return f"`{value}`" if len(value) <= limit else f"`{value[: limit - 1]}…`"


# -- DL3048: label keys ----------------------------------------------------------------

_RESERVED_NAMESPACES = ("com.docker.", "io.docker.", "org.dockerproject.")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_/")
_KEY_END = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def key_problem(key: str) -> str | None:
    """Why ``key`` breaks Docker's label key guidelines, or None when it follows them.

    The character set is hadolint 2.15's: besides Docker's lower-case letters, digits,
    ``.`` and ``-``, it lets ``_`` and ``/`` through inside a key.
    """
    for namespace in _RESERVED_NAMESPACES:
        if key.startswith(namespace):
            return f"the `{namespace}` namespace is reserved for Docker"
    if not key:
        return "it is empty"
    if any(char not in _KEY_CHARS for char in key):
        return "only lower-case letters, digits, `.`, `-`, `_` and `/` are allowed"
    if not "a" <= key[0] <= "z":
        return "it must start with a lower-case letter"
    if key[-1] not in _KEY_END:
        return "it must end with a lower-case letter or a digit"
    if ".." in key or "--" in key:
        return "`..` and `--` are not allowed"
    return None


# -- DL3052: URLs (RFC 3986 URI with a scheme) --------------------------------------

_UNRESERVED = r"\-A-Za-z0-9._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"


class _LazyPattern:
    """A regular expression compiled on first use, so importing the pack stays cheap."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(text)

    def findall(self, text: str) -> list[str]:
        return self.compiled.findall(text)


_SCHEME = _LazyPattern(r"[A-Za-z][A-Za-z0-9+.\-]*")
_PATH = _LazyPattern(rf"(?:{_PCHAR}|/)*")
_QUERY = _LazyPattern(rf"(?:{_PCHAR}|[/?])*")
_USERINFO = _LazyPattern(rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*")
_REG_NAME = _LazyPattern(rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*")
_PORT = _LazyPattern(r"[0-9]*")
_IP_FUTURE = _LazyPattern(rf"[vV][0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+")


def is_url(value: str) -> bool:
    """True for an absolute URI as RFC 3986 defines it (``scheme:...``, ASCII only)."""
    colon = value.find(":")
    if colon <= 0 or not _SCHEME.fullmatch(value[:colon]):
        return False
    rest, hash_sign, fragment = value[colon + 1 :].partition("#")
    if hash_sign and not _QUERY.fullmatch(fragment):
        return False
    hier, question, query = rest.partition("?")
    if question and not _QUERY.fullmatch(query):
        return False
    if not hier.startswith("//"):
        return bool(_PATH.fullmatch(hier))
    slash = hier.find("/", 2)
    authority = hier[2:] if slash < 0 else hier[2:slash]
    path = "" if slash < 0 else hier[slash:]
    return _authority_ok(authority) and bool(_PATH.fullmatch(path))


def _authority_ok(authority: str) -> bool:
    userinfo, at_sign, host_port = authority.rpartition("@")
    if at_sign and not _USERINFO.fullmatch(userinfo):
        return False
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            return False
        literal, port = host_port[1:close], host_port[close + 1 :]
        if not (_is_ipv6(literal) or _IP_FUTURE.fullmatch(literal)):
            return False
        return not port or (port[0] == ":" and bool(_PORT.fullmatch(port[1:])))
    host, colon, port = host_port.partition(":")
    return bool(_REG_NAME.fullmatch(host)) and (not colon or bool(_PORT.fullmatch(port)))


def _is_ipv6(text: str) -> bool:
    if "%" in text:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# -- DL3053: RFC 3339 date-time -------------------------------------------------------

_RFC3339 = _LazyPattern(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+\-]([0-9]{2}):([0-9]{2}))"
)


def is_rfc3339(value: str) -> bool:
    """True for an RFC 3339 ``date-time`` such as ``2024-05-01T12:30:00Z``."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    import calendar

    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    offset_hour, offset_minute = match.group(7), match.group(8)
    return offset_hour is None or (int(offset_hour) <= 23 and int(offset_minute) <= 59)


# -- DL3054: SPDX license expressions -------------------------------------------------

_LICENSES = {license_id.lower(): license_id for license_id in LICENSE_IDS}
_DEPRECATED = {license_id.lower(): license_id for license_id in DEPRECATED_LICENSE_IDS}
_EXCEPTIONS = {exception.lower() for exception in EXCEPTION_IDS}
_DEPRECATED_EXCEPTIONS = {exception.lower() for exception in DEPRECATED_EXCEPTION_IDS}
_IDSTRING = r"[A-Za-z0-9.\-]+"
_LICENSE_REF = _LazyPattern(rf"(?:DocumentRef-{_IDSTRING}:)?LicenseRef-{_IDSTRING}")
_ADDITION_REF = _LazyPattern(rf"(?:DocumentRef-{_IDSTRING}:)?AdditionRef-{_IDSTRING}")
_SPDX_TOKEN = _LazyPattern(r"[()]|[^\s()]+")
_OR = frozenset({"OR", "or"})
_AND = frozenset({"AND", "and"})
_WITH = frozenset({"WITH", "with"})


class _SpdxError(ValueError):
    pass


def spdx_problem(value: str) -> str | None:
    """Why ``value`` is not an SPDX license expression, or None when it is one.

    Accepts ``MIT``, ``Apache-2.0 OR MIT``, ``GPL-2.0-only WITH Classpath-exception-2.0``,
    ``LicenseRef-custom``, parentheses and a ``+`` after an identifier; identifiers match
    case-insensitively as the SPDX specification asks. Deprecated identifiers are refused.
    """
    tokens = _SPDX_TOKEN.findall(value)
    if not tokens:
        return "it is empty"
    parser = _SpdxParser(tokens)
    try:
        parser.expression()
        if parser.index < len(tokens):
            raise _SpdxError(f"unexpected `{tokens[parser.index]}`")
    except _SpdxError as error:
        return str(error)
    return None


class _SpdxParser:
    """Recursive descent over ``or-expr := and-expr (OR and-expr)*`` and friends."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _SpdxError("the expression ends too early")
        self.index += 1
        return token

    def expression(self) -> None:
        self.conjunction()
        while self.peek() in _OR:
            self.index += 1
            self.conjunction()

    def conjunction(self) -> None:
        self.primary()
        while self.peek() in _AND:
            self.index += 1
            self.primary()

    def primary(self) -> None:
        token = self.take()
        if token == "(":
            self.expression()
            if self.take() != ")":
                raise _SpdxError("a `(` is not closed")
            return
        _check_license(token)
        if self.peek() in _WITH:
            self.index += 1
            _check_exception(self.take())


def _check_license(token: str) -> None:
    if token in (")", *_OR, *_AND, *_WITH):
        raise _SpdxError(f"unexpected `{token}`")
    if _LICENSE_REF.fullmatch(token):
        return
    base = token[:-1] if token.endswith("+") else token
    if base.lower() in _LICENSES:
        return
    deprecated = _DEPRECATED.get(token.lower()) or _DEPRECATED.get(base.lower())
    if deprecated is not None:
        canonical = _DEPRECATED.get(base.lower(), deprecated).rstrip("+")
        replacement = f"{canonical}-or-later" if token.endswith("+") else f"{canonical}-only"
        hint = f"; use `{replacement}`" if replacement.lower() in _LICENSES else ""
        raise _SpdxError(f"`{token}` is a deprecated SPDX identifier{hint}")
    raise _SpdxError(f"`{token}` is not an SPDX license identifier")


def _check_exception(token: str) -> None:
    lowered = token.lower()
    if lowered in _EXCEPTIONS or _ADDITION_REF.fullmatch(token):
        return
    if lowered in _DEPRECATED_EXCEPTIONS:
        raise _SpdxError(f"`{token}` is a deprecated SPDX exception identifier")
    raise _SpdxError(f"`{token}` is not an SPDX exception identifier")


# -- DL3055, DL3056, DL3058 -----------------------------------------------------------

_GIT_HASH = _LazyPattern(r"[0-9a-f]{7}|[0-9a-f]{40}")
_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE_RELEASE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z\-][0-9A-Za-z\-]*)"
_BUILD_ID = r"[0-9A-Za-z\-]+"
_SEMVER = _LazyPattern(
    rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
    rf"(?:-{_PRE_RELEASE_ID}(?:\.{_PRE_RELEASE_ID})*)?"
    rf"(?:\+{_BUILD_ID}(?:\.{_BUILD_ID})*)?"
)
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]"
_LOCAL_PART = _LazyPattern(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*" r'|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"'
)
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_DOMAIN = _LazyPattern(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[\x21-\x5a\x5e-\x7e]*\]")


def is_git_hash(value: str) -> bool:
    """True for an abbreviated (7) or full (40) lower-case hexadecimal commit hash."""
    return _GIT_HASH.fullmatch(value) is not None


def is_semver(value: str) -> bool:
    """True for a Semantic Versioning 2.0.0 version such as ``1.4.0-rc.1+build.7``."""
    return _SEMVER.fullmatch(value) is not None


def is_email(value: str) -> bool:
    """True for an RFC 5322 ``addr-spec`` (``local@domain``, no display name or comments)."""
    local, at_sign, domain = value.rpartition("@")
    if not at_sign or len(local) > 64 or len(domain) > 255:
        return False
    return bool(_LOCAL_PART.fullmatch(local)) and bool(_DOMAIN.fullmatch(domain))


# -- the shared shape of the value rules ----------------------------------------------


class LabelValueRule(Rule):
    """Base of the rules that check the value of schema labels of one type."""

    label_type: ClassVar[str] = ""
    targets = frozenset({"LABEL"})
    include_onbuild = False
    severity = Severity.WARNING

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        schema = ctx.settings.label_schema
        if not schema or self.label_type not in schema.values():
            return
        for pair in known_pairs(instruction, ctx):
            if schema.get(pair.key) != self.label_type:
                continue
            problem = self.problem(pair.value)
            if problem is not None:
                yield self.violation(pair.value_span, self.message(pair, problem))

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not of this rule's type (empty string: no detail), or None."""
        raise NotImplementedError

    def message(self, pair: LabelPair, problem: str) -> str:
        raise NotImplementedError
