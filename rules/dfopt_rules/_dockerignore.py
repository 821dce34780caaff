"""`.dockerignore` patterns with Docker's semantics (moby's pattern matcher).

Not a rule module (leading underscore): the pack's loader skips it.

Patterns are cleaned like Go's ``filepath.Clean`` (a leading ``/`` or ``./`` is dropped),
``*`` and ``?`` never cross a ``/``, ``**`` crosses any number of directories, ``[...]`` is
a character class, ``\\`` escapes the next character and a leading ``!`` makes an
exception. Later patterns win; a path is also excluded when one of its parent
directories is.
"""

from __future__ import annotations

import re
from typing import cast

from dfopt.rules_api import Context, record, set_field

_SPECIAL = frozenset(".+()|{}$^")


def clean_path(path: str) -> str:
    """``path`` cleaned like Go's ``filepath.Clean`` on Unix."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


@record()
class Pattern:
    """One pattern of a `.dockerignore`."""

    __slots__ = ("exclusion", "regex", "text")

    text: str
    """The cleaned pattern, without the `!`."""
    exclusion: bool
    """True for a `!` exception (the path is kept)."""
    regex: re.Pattern[str] | None
    """None when the pattern is malformed (it then matches nothing)."""

    def __init__(self, text: str, exclusion: bool, regex: re.Pattern[str] | None) -> None:
        set_field(self, "text", text)
        set_field(self, "exclusion", exclusion)
        set_field(self, "regex", regex)

    def matches(self, path: str) -> bool:
        return self.regex is not None and self.regex.match(path) is not None


def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The regular expression for a cleaned pattern, or None when it is malformed."""
    out = ["^"]
    index = 0
    length = len(pattern)
    while index < length:
        char = pattern[index]
        index += 1
        if char == "*":
            if index < length and pattern[index] == "*":
                index += 1
                if index < length and pattern[index] == "/":
                    index += 1
                out.append(".*" if index >= length else "(.*/)?")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char in _SPECIAL:
            out.append("\\" + char)
        elif char == "\\":
            if index < length:
                out.append(re.escape(pattern[index]))
                index += 1
            else:
                out.append("\\\\")
        else:
            out.append(char)
    out.append("$")
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def parse_patterns(text: str) -> list[Pattern]:
    """The patterns of a `.dockerignore` file's text (comments and blank lines skipped)."""
    patterns: list[Pattern] = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.lstrip("\ufeff") if number == 0 else raw
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
            if not line:
                continue
        line = clean_path(line)
        if len(line) > 1 and line.startswith("/"):
            line = line[1:]
        patterns.append(Pattern(line, exclusion, compile_pattern(line)))
    return patterns


@record()
class Matcher:
    """A parsed `.dockerignore`."""

    __slots__ = ("patterns",)

    patterns: tuple[Pattern, ...]

    def __init__(self, patterns: tuple[Pattern, ...]) -> None:
        set_field(self, "patterns", patterns)

    @classmethod
    def from_text(cls, text: str) -> Matcher:
        return cls(tuple(parse_patterns(text)))

    @property
    def has_exclusions(self) -> bool:
        """True when some pattern is a `!` exception."""
        return any(pattern.exclusion for pattern in self.patterns)

    def excludes(self, path: str) -> bool:
        """True when ``path`` (relative to the context) is left out of the build context."""
        path = clean_path(path)
        if len(path) > 1 and path.startswith("/"):
            path = path[1:]
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parents = parent.split("/") if parent != "." else []
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            hit = pattern.matches(path)
            if not hit:
                hit = any(
                    pattern.matches("/".join(parents[: index + 1])) for index in range(len(parents))
                )
            if hit:
                matched = not pattern.exclusion
        return matched

    def excludes_root(self) -> bool:
        """True when a pattern excludes every entry of the context (`*`, `**`, `**/*`)."""
        return any(
            not pattern.exclusion and pattern.text in ("*", "**", "**/*")
            for pattern in self.patterns
        )


MAX_IGNORE_SIZE = 1 << 20
"""Read at most this much of a `.dockerignore`."""


def find_ignore_file(ctx: Context) -> tuple[str, str] | None:
    """The ignore file BuildKit uses for this Dockerfile: (name, text), or None.

    ``<Dockerfile name>.dockerignore`` next to the Dockerfile wins over ``.dockerignore``
    in the context. The name is relative to the Dockerfile's directory.
    """
    memo_key = ("dockerignore",)
    if memo_key in ctx.memo:
        return cast("tuple[str, str] | None", ctx.memo[memo_key])
    found: tuple[str, str] | None = None
    names = []
    if ctx.path is not None:
        names.append(f"{ctx.path.name}.dockerignore")
    names.append(".dockerignore")
    for name in names:
        data = ctx.read_context_head(name, MAX_IGNORE_SIZE)
        if data is not None:
            found = (name, data.decode("utf-8", "replace"))
            break
    ctx.memo[memo_key] = found
    return found
