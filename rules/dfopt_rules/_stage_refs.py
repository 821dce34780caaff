"""Helpers for the rules about base images and stage references (FROM, COPY --from).

Not a rule module (leading underscore): the pack's loader skips it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from dfopt.rules_api import Context, Edit, Instruction, Span, Stage, expand, record, set_field


class Word(Protocol):
    """A word of an instruction (the rule API does not export the syntax class)."""

    @property
    def value(self) -> str: ...

    @property
    def span(self) -> Span: ...


class Flag(Protocol):
    """A ``--name=value`` flag of an instruction."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str | None: ...

    @property
    def span(self) -> Span: ...


# ARGs the builder defines for every build; a FROM that uses them is resolved.
PLATFORM_ARG_NAMES = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
    }
)
_DEFAULT_OPERATORS = (":-", "-")
_OTHER_OPERATORS = (":+", "+", ":?", "?")


@record()
class ImageRef:
    """An image reference split the way the registry client reads it."""

    __slots__ = ("digest", "domain", "path", "tag")

    domain: str | None
    """The registry host (``quay.io``, ``localhost:5000``), None for Docker Hub's implicit one."""
    path: str
    """Repository path without the registry (``library/ubuntu``, ``ubuntu``)."""
    tag: str | None
    digest: str | None

    def __init__(self, domain: str | None, path: str, tag: str | None, digest: str | None) -> None:
        set_field(self, "domain", domain)
        set_field(self, "path", path)
        set_field(self, "tag", tag)
        set_field(self, "digest", digest)

    @property
    def name(self) -> str:
        """Registry and path, without tag or digest."""
        return f"{self.domain}/{self.path}" if self.domain else self.path


def parse_image(reference: str) -> ImageRef:
    """Split ``registry/path:tag@digest``; the first path part is a registry when it holds
    a ``.`` or ``:`` or is ``localhost``, as the Docker reference grammar says."""
    name, at, digest = reference.partition("@")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        tag = name[colon + 1 :]
        name = name[:colon]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return ImageRef(first, rest, tag, digest if at else None)
    return ImageRef(None, name, tag, digest if at else None)


def _references(text: str) -> Iterator[tuple[str, str, str]]:
    """``(name, operator, word)`` of every ``$NAME`` / ``${NAME<op>word}`` in ``text``."""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length:
            index += 2
            continue
        if char != "$" or index + 1 >= length:
            index += 1
            continue
        following = text[index + 1]
        if following == "{":
            depth = 1
            end = index + 2
            while end < length and depth:
                if text[end] == "{":
                    depth += 1
                elif text[end] == "}":
                    depth -= 1
                end += 1
            body = text[index + 2 : end - 1] if depth == 0 else text[index + 2 :]
            name_end = 0
            while name_end < len(body) and (body[name_end].isalnum() or body[name_end] == "_"):
                name_end += 1
            rest = body[name_end:]
            operator = ""
            for candidate in (*_DEFAULT_OPERATORS, *_OTHER_OPERATORS):
                if rest.startswith(candidate):
                    operator = candidate
                    break
            yield body[:name_end], operator, rest[len(operator) :]
            index = end
            continue
        if following.isalpha() or following == "_":
            end = index + 1
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            yield text[index + 1 : end], "", ""
            index = end
            continue
        index += 1


def unresolved(text: str, variables: Mapping[str, str]) -> bool:
    """True when ``text`` uses a variable that has no value and no default here, so its
    value is only known at build time (``--build-arg``)."""
    if "$" not in text:
        return False
    for name, operator, word in _references(text):
        if variables.get(name) or name in PLATFORM_ARG_NAMES:
            continue
        if operator in _DEFAULT_OPERATORS and word and not unresolved(word, variables):
            continue
        return True
    return False


def from_variables(ctx: Context) -> dict[str, str]:
    """What a FROM line can expand: the global ARG defaults."""
    return dict(ctx.semantics.global_args)


def resolve(text: str, variables: Mapping[str, str]) -> str | None:
    """``text`` with its variables expanded, or None when one has no known value."""
    if "$" not in text:
        return text
    if unresolved(text, variables):
        return None
    return expand(text, variables)


@record()
class FromLine:
    """The parts of a FROM instruction."""

    __slots__ = ("alias", "image")

    image: Word | None
    alias: Word | None

    def __init__(self, image: Word | None, alias: Word | None) -> None:
        set_field(self, "image", image)
        set_field(self, "alias", alias)


def from_line(instruction: Instruction) -> FromLine:
    words = instruction.words
    image = words[0] if words else None
    alias = words[2] if len(words) >= 3 and words[1].value.lower() == "as" else None
    return FromLine(image, alias)


def resolved_base(ctx: Context, instruction: Instruction) -> str | None:
    """The base image of a FROM with global ARG defaults expanded, or None when it
    depends on an ARG without a default (or the line has no image)."""
    stage = ctx.stage(instruction)
    if stage is None or stage.from_instruction is not instruction or not stage.base_raw:
        return None
    if "$" in stage.base_raw and unresolved(stage.base_raw, from_variables(ctx)):
        return None
    return stage.base or None


def copy_source_variables(ctx: Context, instruction: Instruction) -> dict[str, str]:
    """What ``COPY --from`` can expand: global ARG defaults, then the stage's ARG and ENV."""
    variables = dict(ctx.semantics.global_args)
    variables.update(ctx.state(instruction).variables)
    return variables


def resolved_copy_source(ctx: Context, instruction: Instruction) -> tuple[Flag, str] | None:
    """The ``--from`` flag of a COPY and its value with variables expanded, or None (no
    flag, empty value, or a variable without a known value)."""
    flag = instruction.effective.flag("from")
    if flag is None or not flag.value:
        return None
    value = flag.value
    if "$" in value:
        resolved = resolve(value, copy_source_variables(ctx, instruction))
        if not resolved:
            return None
        value = resolved
    return flag, value


def looks_like_image(value: str) -> bool:
    """A ``--from`` value that can only be an image: stage names never hold ``:``, ``/``
    or ``@``."""
    return any(char in value for char in ":/@")


def earlier_stage_named(stages: list[Stage], before: int, name: str) -> Stage | None:
    """The stage called ``name`` (case-insensitive) among ``stages[:before]``."""
    lowered = name.lower()
    for stage in stages[:before]:
        if stage.name == lowered:
            return stage
    return None


def flag_value_edit(ctx: Context, flag: Flag, value: str) -> Edit:
    """Replace the value of ``--name=value`` (quotes included) with ``value``."""
    text = ctx.slice(flag.span)
    equals = text.find("=")
    start = flag.span.start + equals + 1
    return Edit.replace(Span(start, flag.span.end), value)


def delete_with_trailing_space(ctx: Context, span: Span) -> Edit:
    """Delete ``span`` and the blanks that follow it on the same line."""
    text = ctx.text
    end = span.end
    while end < len(text) and text[end] in " \t":
        end += 1
    return Edit.delete(Span(span.start, end))
