"""The layout of one instruction: keyword, flags, continuation lines and indentation.

An instruction is laid out from its logical line (the text the builder reads, with the
continuations joined). Its words are found by :mod:`dfopt.format.lexer`; each break
between physical lines falls either between two words (a *soft* break: the white space
around it may be rewritten) or inside a word (a *hard* break: the source is kept exactly
as written there). Only the blanks between words change, so the words the builder and
the shell see stay the same; in ``exact`` regions (a shell that is not known to be a
POSIX shell) even the amount of white space is kept, only moved between the end of one
line and the indentation of the next.

Heredoc bodies are copied from the source untouched.
"""

from __future__ import annotations

import itertools

from dfopt.format.lexer import BLANKS, COMPOUND_WORDS, Classified, Mode, classify, words_of
from dfopt.format.options import FormatOptions
from dfopt.syntax import Document, Form, Instruction, Span
from dfopt.syntax.lexing import name_value_words, parse_json_array

__all__ = ["Region", "layout_instruction"]

_WORDS_KEYWORDS = frozenset({"FROM", "COPY", "ADD", "ARG", "EXPOSE", "VOLUME", "ENV", "LABEL"})
_SHELL_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT"})


class Region:
    """A part of the logical line read one way."""

    __slots__ = ("end", "exact", "mode", "start")

    def __init__(self, start: int, end: int, mode: Mode, exact: bool) -> None:
        self.start = start
        self.end = end
        self.mode = mode
        self.exact = exact
        """The amount of white space between words must be kept."""


class _Word:
    __slots__ = ("end", "hard", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.hard: tuple[int, int] | None = None
        """The source range of a word split over lines, kept as written."""


class _Line:
    __slots__ = ("forced", "gaps", "indent", "parent", "words")

    def __init__(self) -> None:
        self.forced = ""
        """``package`` for a package on its own line, ``after`` for the line after a list."""
        self.parent = 0
        """For a forced line: the line holding the install command."""
        self.words: list[_Word] = []
        self.gaps: list[str] = []
        """The text before each word after the first."""
        self.indent = ""


class Plan:
    """What the layout needs to know about one instruction, worked out by the caller."""

    __slots__ = (
        "keyword_texts",
        "last_packages",
        "packages",
        "regions",
        "replacements",
        "shell_posix",
    )

    def __init__(self) -> None:
        self.packages: dict[int, str] = {}
        """Package words (by logical start) and the package written there, one per line."""
        self.last_packages: set[int] = set()
        """The last package of each list: an ``&&`` after it starts the next line."""
        self.regions: list[Region] = []
        self.replacements: dict[tuple[int, int], str] = {}
        """Logical ranges replaced by new text (keywords, exec form, ENV pairs ...)."""
        self.keyword_texts: dict[int, str] = {}
        self.shell_posix = True


def _legacy(instruction: Instruction, escape: str) -> bool:
    words = name_value_words(instruction.args_text, escape, limit=1)
    return bool(words) and "=" not in words[0]


def regions_for(instruction: Instruction, posix: bool, escape: str, length: int) -> list[Region]:
    """How each part of the logical line is read."""
    target = instruction.effective
    args_start = target.args_offset
    args_end = args_start + len(target.args_text)
    regions = [Region(0, args_start, "words", False)]
    keyword = target.keyword
    if target.heredocs or target.form is Form.EXEC:
        if keyword == "HEALTHCHECK" and target.command_offset > args_start:
            regions.append(Region(args_start, target.command_offset, "words", False))
            args_start = target.command_offset
        regions.append(Region(args_start, args_end, "literal", True))
    elif keyword in _SHELL_KEYWORDS:
        regions.append(Region(args_start, args_end, "shell", not posix))
    elif keyword == "HEALTHCHECK" and target.command_text is not None:
        command_start = target.command_offset
        regions.append(Region(args_start, command_start, "words", False))
        regions.append(Region(command_start, args_end, "shell", not posix))
    elif keyword in ("ENV", "LABEL") and _legacy(target, escape):
        # ``ENV KEY value``: the value is the rest of the line, white space included.
        regions.append(Region(args_start, args_end, "literal", True))
    elif keyword in _WORDS_KEYWORDS:
        regions.append(Region(args_start, args_end, "words", False))
    else:
        regions.append(Region(args_start, args_end, "literal", True))
    regions.append(Region(args_end, length, "words", False))
    return regions


def _classify(text: str, regions: list[Region], escape: str) -> tuple[Classified, Classified]:
    """Separators for the whole line, and the shell reading of its shell region."""
    whole = Classified(len(text))
    shell = Classified(len(text))
    for region in regions:
        if region.start >= region.end:
            continue
        # The builder reads flags with the backslash as escape character.
        region_escape = "\\" if region.start == 0 else escape
        part = classify(text, region.start, region.end, region.mode, region_escape)
        trailing = region is regions[-1]
        for index in range(region.start, region.end):
            # After the arguments everything is white space the builder trims.
            whole.separator[index] = trailing or part.separator[index]
        if region.mode == "shell":
            shell = part
    return whole, shell


def _region_at(regions: list[Region], index: int) -> Region:
    for region in regions:
        if region.start <= index < region.end:
            return region
    return regions[-1]


def layout_instruction(
    document: Document,
    instruction: Instruction,
    options: FormatOptions,
    plan: Plan,
    newline: str,
) -> str:
    """The new text of ``instruction`` (whole lines, heredoc bodies included)."""
    source = document.text
    logical = instruction.logical
    text = logical.text
    escape = document.escape
    regions = plan.regions
    classified, shell = _classify(text, regions, escape)
    ranges = words_of(text, 0, len(text), classified)
    # Words, with the replacements merged in (a replacement covers whole words).
    words: list[_Word] = []
    replaced = sorted(plan.replacements.items())
    pending = list(replaced)
    for start, end in ranges:
        while pending and pending[0][0][1] <= start:
            pending.pop(0)
        if pending and pending[0][0][0] <= start and end <= pending[0][0][1]:
            (rep_start, rep_end), rep_text = pending[0]
            if words and words[-1].start == rep_start:
                continue
            words.append(_Word(rep_start, rep_end, rep_text))
            continue
        written = text[start:end]
        keyword = plan.keyword_texts.get(start)
        # A keyword is only recased when it is a word of its own.
        if keyword is not None and keyword.upper() == written.upper():
            written = keyword
        written = plan.packages.get(start, written) if start in plan.packages else written
        words.append(_Word(start, end, written))
    if not words:
        return source[instruction.span.start : instruction.span.end]
    # Where the physical lines break, in logical offsets.
    breaks = list(logical.logical_starts[1:])
    replaced_spans = {span for span, _ in replaced}
    for word in words:
        if (word.start, word.end) in replaced_spans:
            continue
        if any(word.start < position < word.end for position in breaks):
            # A word split over lines (a quoted string, say) is kept exactly as written.
            begin = logical.to_source(word.start)
            finish = logical.to_source(word.end - 1) + 1
            word.text = _line_ends(source[begin:finish], newline)
            word.hard = (begin, finish)
    lines: list[_Line] = [_Line()]
    lines[0].words.append(words[0])
    break_index = 0
    indents: list[tuple[int, bool]] = [(0, False)]
    after_list_next = False
    for word in words[1:]:
        previous = lines[-1].words[-1]
        last_soft = None
        while break_index < len(breaks) and breaks[break_index] <= word.start:
            position = breaks[break_index]
            if position >= previous.end:
                last_soft = position
            break_index += 1
        gap_text = text[previous.end : word.start]
        region = _region_at(regions, previous.end)
        forced = ""
        operator_after_list = previous.start in plan.last_packages and word.text in ("&&", "||")
        if word.start in plan.packages:
            forced = "package"
        elif after_list_next or (operator_after_list and options.operator_position == "start"):
            forced = "after"
        # With the operators at the end, the line after a list starts after the operator.
        after_list_next = operator_after_list and options.operator_position == "end"
        if last_soft is not None or forced:
            line = _Line()
            line.words.append(word)
            line.forced = forced
            current_line = lines[-1]
            line.parent = current_line.parent if current_line.forced else len(lines) - 1
            if region.exact:
                line.indent = "\0" + gap_text  # shared out when rendered
            lines.append(line)
            starts_shell = _region_at(regions, word.start).mode == "shell"
            width = _width(text[last_soft : word.start]) if last_soft is not None else 0
            indents.append((width, starts_shell and not forced))
            continue
        current = lines[-1]
        current.gaps.append(gap_text if region.exact or region.mode == "shell" else " ")
        current.words.append(word)
    # Indentation: continuation lines of a shell script keep their indentation relative
    # to each other (the nesting of ifs and loops); other lines get one level.
    shell_widths = [width for width, in_shell in indents[1:] if in_shell]
    base = min(shell_widths) if shell_widths else 0
    unit = options.indent
    for line, (width, in_shell) in zip(lines[1:], indents[1:], strict=True):
        if line.indent.startswith("\0"):
            continue
        extra = max(0, width - base) if in_shell else 0
        line.indent = " " * (unit + extra)
    for line in lines[1:]:
        if line.forced:
            parent = lines[line.parent]
            level = unit if line.parent == 0 else len(parent.indent)
            line.indent = " " * (level + (unit if line.forced == "package" else 0))
    _move_operators(lines, options, regions, text, shell, plan)
    if options.split_chains and plan.shell_posix:
        lines = _split_long_chains(lines, options, regions, text, shell)
    return _render(document, instruction, lines, newline, unit)


def _width(blanks: str) -> int:
    width = 0
    for char in blanks:
        width += 4 if char == "\t" else 1
    return width


def _shell_region(regions: list[Region], position: int) -> bool:
    region = _region_at(regions, position)
    return region.mode == "shell" and not region.exact


def _move_operators(
    lines: list[_Line],
    options: FormatOptions,
    regions: list[Region],
    text: str,
    shell: Classified,
    plan: Plan,
) -> None:
    """Put ``&&`` at the start (or the end) of continued lines."""
    if not plan.shell_posix or shell.comment_at is not None:
        return
    for index in range(1, len(lines)):
        before, after = lines[index - 1], lines[index]
        if after.indent.startswith("\0"):
            continue
        if options.operator_position == "start":
            last = before.words[-1]
            if (
                last.text == "&&"
                and len(before.words) > 1
                and _shell_region(regions, last.start)
                and _shell_region(regions, after.words[0].start)
            ):
                before.words.pop()
                before.gaps.pop()
                after.words.insert(0, last)
                after.gaps.insert(0, " ")
        else:
            first = after.words[0]
            if (
                first.text == "&&"
                and len(after.words) > 1
                and _shell_region(regions, first.start)
                and _shell_region(regions, before.words[-1].start)
            ):
                after.words.pop(0)
                after.gaps.pop(0)
                before.words.append(first)
                before.gaps.append(" ")


def _line_width(line: _Line) -> int:
    width = len(line.indent) + sum(len(word.text) for word in line.words)
    width += sum(len(gap) for gap in line.gaps)
    return width + 2


def _split_long_chains(
    lines: list[_Line],
    options: FormatOptions,
    regions: list[Region],
    text: str,
    shell: Classified,
) -> list[_Line]:
    """One command per line for an ``&&`` chain longer than the line width."""
    if shell.comment_at is not None:
        return lines
    shell_words = [
        text[start:end]
        for region in regions
        if region.mode == "shell" and not region.exact
        for start, end in words_of(text, region.start, region.end, shell)
    ]
    if not shell_words or any(word in COMPOUND_WORDS for word in shell_words):
        return lines
    result: list[_Line] = []
    for number, line in enumerate(lines):
        if line.indent.startswith("\0") or _line_width(line) <= options.line_width:
            result.append(line)
            continue
        cuts = [
            position
            for position, word in enumerate(line.words)
            if position > 0
            and word.text == "&&"
            and _shell_region(regions, word.start)
            and shell.top_level[word.start]
            and _shell_region(regions, line.words[position - 1].end - 1)
            and all(char in BLANKS for char in line.gaps[position - 1])
        ]
        if options.operator_position == "end":
            cuts = [
                position + 1
                for position in cuts
                if position + 1 < len(line.words) and all(c in BLANKS for c in line.gaps[position])
            ]
        if not cuts:
            result.append(line)
            continue
        indent = line.indent if number > 0 else " " * options.indent
        pieces = [0, *cuts, len(line.words)]
        for piece, (start, end) in enumerate(itertools.pairwise(pieces)):
            part = _Line()
            part.indent = line.indent if piece == 0 else indent
            part.words = line.words[start:end]
            part.gaps = line.gaps[start : end - 1]
            result.append(part)
    return result


def _render(
    document: Document,
    instruction: Instruction,
    lines: list[_Line],
    newline: str,
    unit: int,
) -> str:
    source = document.text
    escape = document.escape
    placed = _place_comments(instruction, lines)
    # For a break that must keep its white space: what ends the line and what indents the
    # next one.
    shares: list[tuple[str, str] | None] = [None]
    for line in lines[1:]:
        if line.indent.startswith("\0"):
            shares.append(_split_exact(line.indent[1:], unit))
        else:
            shares.append(None)
    out: list[str] = []
    for number, line in enumerate(lines):
        share = shares[number]
        indent = "" if number == 0 else (share[1] if share is not None else line.indent)
        parts = [indent, line.words[0].text]
        for gap, word in zip(line.gaps, line.words[1:], strict=True):
            parts.append(gap)
            parts.append(word.text)
        out.append("".join(parts))
        if number + 1 == len(lines):
            out.append(newline)
            break
        following = lines[number + 1]
        next_share = shares[number + 1]
        out.append((next_share[0] if next_share is not None else " ") + escape + newline)
        comment_indent = next_share[1] if next_share is not None else following.indent
        for span in placed.get(number + 1, ()):
            out.append(comment_indent + source[span.start : span.end].strip() + newline)
    text = "".join(out)
    if instruction.heredocs:
        text += source[instruction.heredocs[0].body.start : instruction.span.end]
    return text


def _place_comments(instruction: Instruction, lines: list[_Line]) -> dict[int, list[Span]]:
    """The comment lines inside the continuation, by the line they go before.

    A comment goes before the first line holding a word that followed it in the source;
    comments inside a word kept as written stay where they are.
    """
    logical = instruction.logical
    kept = [word.hard for line in lines for word in line.words if word.hard is not None]
    latest = [max(logical.to_source(word.start) for word in line.words) for line in lines]
    placed: dict[int, list[Span]] = {}
    for span in sorted(instruction.inner_comments):
        if any(begin <= span.start < finish for begin, finish in kept):
            continue
        target = len(lines) - 1
        for number in range(1, len(lines)):
            if latest[number] > span.start:
                target = number
                break
        placed.setdefault(target, []).append(span)
    return placed


def _line_ends(text: str, newline: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", newline)


def _split_exact(gap: str, unit: int) -> tuple[str, str]:
    """Share the blanks ``gap`` between the end of a line and the next line's indentation."""
    if len(gap) > unit:
        return gap[: len(gap) - unit], gap[len(gap) - unit :]
    return gap[:1], gap[1:]


def exec_replacement(instruction: Instruction) -> tuple[tuple[int, int], str] | None:
    """The exec-form array as compact JSON with ``", "`` separators, or None to keep it.

    The elements are kept exactly as written (escapes included); only the white space
    between them changes. Text after the array (which the builder ignores) keeps it as
    it is.
    """
    target = instruction.effective
    if target.form is not Form.EXEC:
        return None
    text = instruction.logical.text
    start = target.command_offset if target.command_text is not None else target.args_offset
    end = target.args_offset + len(target.args_text)
    if target.keyword == "HEALTHCHECK":
        start = target.command_offset
    elements = parse_json_array(text[:end], start)
    if elements is None:
        return None
    open_at = text.index("[", start)
    position = elements[-1][2] if elements else open_at + 1
    while position < end and text[position] in " \t":
        position += 1
    if position >= end or text[position] != "]" or position + 1 != end:
        return None
    raw = [text[s:e] for _, s, e in elements]
    return (open_at, end), "[" + ", ".join(raw) + "]"
