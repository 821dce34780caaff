"""Formatting a whole document: instructions, comments, blank lines, line ends.

Every instruction is laid out by :mod:`dfopt.format.layout` and checked on its own (a
layout that would read differently is dropped and the instruction kept as written); the
whole result is then checked by :mod:`dfopt.format.meaning` and dropped, with the
reason, when it would not mean what the input means.
"""

from __future__ import annotations

import re

from dfopt.format.layout import Plan, exec_replacement, layout_instruction, regions_for
from dfopt.format.meaning import document_difference, instruction_key, posix_document, shell_key
from dfopt.format.name_value import key_value_replacement
from dfopt.format.options import FormatOptions
from dfopt.format.packages import order, package_lists
from dfopt.syntax import (
    Blank,
    ByteOrderMark,
    Comment,
    Directive,
    Document,
    Form,
    Instruction,
    Node,
    Opaque,
    parse,
)
from dfopt.syntax._record import record, set_field
from dfopt.syntax.lexing import match_directive

__all__ = ["FormatResult", "format_document", "newline_of"]

_SWITCH = re.compile(r"dfopt:\s*format\s*[:=]?\s*(off|on)\b", re.IGNORECASE)


@record()
class FormatResult:
    """The formatted text, and why the input was kept when it was."""

    __slots__ = ("reason", "text")

    text: str
    reason: str | None
    """Why the text was left unchanged although the formatter would change it."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        set_field(self, "text", text)
        set_field(self, "reason", reason)


class _Item:
    __slots__ = ("kind", "locked", "text")

    def __init__(self, kind: str, text: str, locked: bool = False) -> None:
        self.kind = kind
        self.text = text
        self.locked = locked
        """Kept as written (a ``format off`` region, or outside the range formatted)."""


def newline_of(text: str) -> str:
    """The line end of ``text``: that of its first line."""
    index = text.find("\n")
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"


def switch_of(node: Node) -> str | None:
    """``off`` or ``on`` for a ``# dfopt: format off``/``on`` comment, else None."""
    if not isinstance(node, Comment):
        return None
    match = _SWITCH.match(node.text)
    return match.group(1).lower() if match else None


def format_document(
    document: Document,
    options: FormatOptions,
    lines: tuple[int, int] | None = None,
) -> FormatResult:
    """Format ``document``; with ``lines`` (1-based, inclusive) only the nodes touching them.

    The whole result is checked first; when it would read differently, every instruction
    is checked on its own, the ones that would change are kept as written, and the
    result is checked again. A result that a second run would still change is not used
    either.
    """
    text = document.text
    formatted = _formatted(document, options, lines, each=False)
    if formatted == text:
        return FormatResult(text)
    sort = options.sort_packages
    reason = document_difference(document, formatted, sort)
    each = reason is not None
    if each:
        formatted = _formatted(document, options, lines, each=True)
        if formatted == text:
            return FormatResult(text, reason)
        reason = document_difference(document, formatted, sort)
        if reason is not None:
            return FormatResult(text, reason)
    if lines is None and _formatted(parse(formatted), options, None, each) != formatted:
        return FormatResult(text, "a second run would change the layout again")
    return FormatResult(formatted)


def _formatted(
    document: Document, options: FormatOptions, lines: tuple[int, int] | None, each: bool
) -> str:
    text = document.text
    newline = newline_of(text)
    posix = posix_document(document)
    items: list[_Item] = []
    off = False
    for node in document.nodes:
        node_text = document.node_text(node)
        switch = switch_of(node)
        if off or switch == "off" or not _in_range(document, node, lines):
            if switch == "on":
                off = False
            elif switch == "off":
                off = True
            items.append(_Item(node.kind, node_text, locked=True))
            continue
        if isinstance(node, ByteOrderMark | Directive | Opaque):
            items.append(_Item(node.kind, node_text, locked=True))
        elif isinstance(node, Blank):
            items.append(_Item("blank", newline))
        elif isinstance(node, Comment):
            items.append(_Item("comment", node_text.rstrip() + newline))
        elif isinstance(node, Instruction):
            kind = "from" if node.keyword == "FROM" else "instruction"
            laid_out = _instruction(document, node, options, posix, newline, each)
            items.append(_Item(kind, laid_out))
    _blank_lines(items, options, newline)
    if items and not items[-1].locked and not items[-1].text.endswith("\n"):
        items[-1].text += newline
    return "".join(item.text for item in items)


def _in_range(document: Document, node: Node, lines: tuple[int, int] | None) -> bool:
    if lines is None:
        return True
    first = document.position(node.span.start).line
    last = document.position(max(node.span.start, node.span.end - 1)).line
    return first <= lines[1] and last >= lines[0]


def _instruction(
    document: Document,
    instruction: Instruction,
    options: FormatOptions,
    posix: bool,
    newline: str,
    check: bool,
) -> str:
    """The new text of ``instruction``; with ``check``, only when it reads the same."""
    original = document.node_text(instruction)
    candidate = _layout(document, instruction, options, posix, newline)
    if candidate == original or not check:
        return candidate
    prefix = "# escape=`\n" if document.escape == "`" else ""
    alone = parse(prefix + candidate)
    found = [node for node in alone.nodes if isinstance(node, Instruction | Opaque)]
    if (
        len(found) == 1
        and isinstance(found[0], Instruction)
        and not alone.problems
        and instruction_key(found[0], document.escape, posix, options.sort_packages)
        == instruction_key(instruction, document.escape, posix, options.sort_packages)
    ):
        return candidate
    if not original.endswith("\n"):
        original += newline
    return original


def _layout(
    document: Document,
    instruction: Instruction,
    options: FormatOptions,
    posix: bool,
    newline: str,
) -> str:
    target = instruction.effective
    logical = instruction.logical
    shell_posix = posix
    command = target.command_text
    if command is not None and target.form is Form.SHELL and not target.heredocs:
        shell_posix = posix and shell_key(command) is not None
    plan = Plan()
    plan.shell_posix = shell_posix
    plan.regions = regions_for(instruction, shell_posix, document.escape, len(logical.text))
    case = str.upper if options.keyword_case == "upper" else str.lower
    plan.keyword_texts[0] = case(instruction.keyword)
    if target is not instruction:
        start = logical.from_source(target.keyword_span.start)
        if start is not None:
            plan.keyword_texts[start] = case(target.keyword)
    if target.keyword == "FROM":
        words = target.words
        if len(words) == 3 and words[1].value.lower() == "as":
            start = logical.from_source(words[1].span.start)
            if start is not None:
                plan.keyword_texts[start] = case("AS")
    if target.keyword == "HEALTHCHECK" and target.args_text:
        kind = target.args_text.split(None, 1)[0]
        if kind.upper() in ("CMD", "NONE"):
            plan.keyword_texts[target.args_offset] = case(kind)
    replacement = None
    if options.exec_form and not instruction.inner_comments:
        replacement = exec_replacement(instruction)
    if replacement is None and options.env_label_form:
        replacement = key_value_replacement(instruction, document.escape)
        if replacement is not None:
            (start, end), _ = replacement
            if any(start < at < end for at in logical.logical_starts[1:]):
                # A value over several lines keeps its layout (and its comments).
                replacement = None
    if replacement is not None:
        plan.replacements[replacement[0]] = replacement[1]
    if (
        options.sort_packages
        and shell_posix
        and command is not None
        and target.form is Form.SHELL
        and not target.heredocs
    ):
        for found in package_lists(command):
            names = order([word.raw for word in found.words])
            starts = [target.command_offset + word.start for word in found.words]
            line = logical.text
            if not all(
                line[start - 1] in " \t"
                and (start + len(word.raw) == len(line) or line[start + len(word.raw)] in " \t")
                for start, word in zip(starts, found.words, strict=True)
            ):
                continue  # a package glued to an operator (``curl;``): left as it is
            for start, name in zip(starts, names, strict=True):
                plan.packages[start] = name
            plan.last_packages.add(starts[-1])
    return layout_instruction(document, instruction, options, plan, newline)


def _blank_lines(items: list[_Item], options: FormatOptions, newline: str) -> None:
    """At most ``max-blank-lines`` in a row, one before each stage, none at the end."""
    limit = options.max_blank_lines
    index = 0
    run = 0
    while index < len(items):
        item = items[index]
        if item.kind == "blank" and not item.locked:
            run += 1
            if run > limit:
                del items[index]
                continue
        else:
            run = 0
        index += 1
    if options.blank_line_before_stage and limit >= 1:
        seen_from = False
        index = 0
        while index < len(items):
            item = items[index]
            if item.kind == "from" and not item.locked:
                if seen_from:
                    at = index
                    while at > 0 and items[at - 1].kind == "comment" and not items[at - 1].locked:
                        at -= 1
                    before = items[at - 1] if at > 0 else None
                    if before is not None and before.kind not in ("blank", "bom", "directive"):
                        items.insert(at, _Item("blank", newline))
                        index += 1
                seen_from = True
            elif item.kind == "from":
                seen_from = True
            index += 1
    while items and items[-1].kind == "blank" and not items[-1].locked:
        items.pop()
    # Leading blank lines go, unless a comment that reads like a parser directive follows
    # (the blank line keeps it a comment).
    start = 1 if items and items[0].kind == "bom" else 0
    end = start
    while end < len(items) and items[end].kind == "blank" and not items[end].locked:
        end += 1
    if end > start and end < len(items):
        following = items[end].text.rstrip()
        if match_directive(following, 0, len(following)) is None:
            del items[start:end]
