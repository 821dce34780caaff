"""Variable expansion as the builder does it for ARG, ENV, FROM and friends."""

from __future__ import annotations

from collections.abc import Mapping


def expand(text: str, variables: Mapping[str, str], escape: str = "\\") -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``,
    ``${VAR:+alt}`` and ``${VAR+alt}`` in ``text``; unknown variables become empty.

    Quotes are not removed; an escaped ``$`` stays literal.
    """
    if "$" not in text:
        return text
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == escape and index + 1 < length and text[index + 1] == "$":
            out.append("$")
            index += 2
            continue
        if char != "$" or index + 1 >= length:
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        if following == "{":
            close = _matching_brace(text, index + 2)
            if close < 0:
                out.append(text[index:])
                break
            out.append(_expand_braced(text[index + 2 : close], variables, escape))
            index = close + 1
            continue
        if following.isalpha() or following == "_":
            end = index + 1
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            out.append(variables.get(text[index + 1 : end], ""))
            index = end
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _matching_brace(text: str, start: int) -> int:
    depth = 1
    index = start
    while index < len(text):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _expand_braced(body: str, variables: Mapping[str, str], escape: str) -> str:
    name_end = 0
    while name_end < len(body) and (body[name_end].isalnum() or body[name_end] == "_"):
        name_end += 1
    name = body[:name_end]
    rest = body[name_end:]
    value = variables.get(name)
    if not rest:
        return value or ""
    for operator in (":-", ":+", "-", "+"):
        if rest.startswith(operator):
            word = expand(rest[len(operator) :], variables, escape)
            if operator == ":-":
                return value if value else word
            if operator == "-":
                return value if value is not None else word
            if operator == ":+":
                return word if value else ""
            return word if value is not None else ""
    # Other forms (pattern removal, ${#VAR}) are not resolved: keep the value if known.
    return value or ""


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
