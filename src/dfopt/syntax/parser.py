"""Turn Dockerfile text into a lossless :class:`Document`.

The scanner follows the builder's line rules: parser directives only at the very top,
the escape character for line continuations, comment and empty lines inside
continuations, here-documents after RUN/COPY/ADD lines, JSON (exec) form, builder
flags and ONBUILD triggers. Anything it cannot model becomes an :class:`Opaque` node
and a :class:`ParseProblem`; parsing itself never raises.
"""

from __future__ import annotations

from dfopt.syntax import lexing
from dfopt.syntax.document import Document, ParseProblem
from dfopt.syntax.nodes import (
    Blank,
    ByteOrderMark,
    Comment,
    Directive,
    Flag,
    Form,
    Heredoc,
    Instruction,
    LogicalLine,
    Node,
    Opaque,
    Word,
)
from dfopt.syntax.source import Source, Span

KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_MAYBE_JSON = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
_COMMAND_KINDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_HEREDOC_KINDS = frozenset({"RUN", "COPY", "ADD"})
# The builder reads physical lines with a buffer of 64 KiB: a longer line is an error.
_MAX_LINE_BYTES = 65535


def parse(text: str) -> Document:
    """Parse Dockerfile ``text`` into a lossless document."""
    return _Parser(text).run()


def parse_bytes(data: bytes) -> Document:
    """Parse raw bytes; undecodable bytes are kept (surrogate escapes) so nothing is lost."""
    return parse(data.decode("utf-8", "surrogateescape"))


class _Line:
    __slots__ = ("content_end", "end", "start")

    def __init__(self, start: int, content_end: int, end: int) -> None:
        self.start = start
        self.content_end = content_end
        self.end = end


class _InstructionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.source = Source(text)
        self.nodes: list[Node] = []
        self.problems: list[ParseProblem] = []
        self.escape = "\\"
        self.lines = self._split_lines()

    def _split_lines(self) -> list[_Line]:
        text = self.text
        lines: list[_Line] = []
        start = 0
        length = len(text)
        while start < length:
            newline = text.find("\n", start)
            end = length if newline < 0 else newline + 1
            lines.append(_Line(start, lexing.content_end(text, start, end), end))
            if end - start > _MAX_LINE_BYTES // 4 and _utf8_length(text, start, end) > (
                _MAX_LINE_BYTES + (1 if text[end - 1] == "\n" else 0)
            ):
                self.problems.append(
                    ParseProblem(
                        f"line longer than the builder's maximum of {_MAX_LINE_BYTES} bytes",
                        Span(start, end),
                    )
                )
            start = end
        return lines

    def run(self) -> Document:
        text = self.text
        lines = self.lines
        if lines and text.startswith("\ufeff"):
            self.nodes.append(ByteOrderMark(Span(0, 1)))
            lines[0].start = 1
            if lines[0].end == 1:
                del lines[0]  # the BOM was all there was
        index = self._directives()
        while index < len(lines):
            line = lines[index]
            first = lexing.lstrip_go(text, line.start, line.content_end)
            if first >= line.content_end:
                self.nodes.append(Blank(Span(line.start, line.end)))
                index += 1
                continue
            if text[first] == "#":
                comment = text[first + 1 : line.content_end].strip()
                self.nodes.append(Comment(Span(line.start, line.end), comment))
                index += 1
                continue
            index = self._instruction(index, first)
        return Document(
            source=self.source,
            nodes=tuple(self.nodes),
            escape=self.escape,
            problems=tuple(self.problems),
        )

    def _directives(self) -> int:
        text = self.text
        seen: set[str] = set()
        index = 0
        for index, line in enumerate(self.lines):
            first = lexing.lstrip_go(text, line.start, line.content_end)
            match = lexing.match_directive(text, first, line.content_end)
            if match is None:
                return index
            span = Span(line.start, line.end)
            self.nodes.append(
                Directive(span, match.name, match.value, Span(match.value_start, match.value_end))
            )
            if match.name in seen:
                self.problems.append(
                    ParseProblem(f"only one {match.name} parser directive can be used", span)
                )
            seen.add(match.name)
            if match.name == "escape":
                if match.value in ("\\", "`"):
                    self.escape = match.value
                else:
                    self.problems.append(
                        ParseProblem(
                            f"invalid escape token `{match.value}` does not match ` or \\",
                            Span(match.value_start, match.value_end),
                        )
                    )
        return len(self.lines)

    # -- instructions -------------------------------------------------------------

    def _instruction(self, index: int, first: int) -> int:
        """Read the instruction starting at line ``index``; return the next line index."""
        text = self.text
        lines = self.lines
        start_line = lines[index]
        logical_parts: list[str] = []
        logical_starts: list[int] = []
        source_starts: list[int] = []
        inner_comments: list[Span] = []
        empty_lines: list[Span] = []
        logical_length = 0

        def add(start: int, end: int) -> None:
            nonlocal logical_length
            if end <= start:
                return
            logical_starts.append(logical_length)
            source_starts.append(start)
            logical_parts.append(text[start:end])
            logical_length += end - start

        escape_at = lexing.continuation_end(text, first, start_line.content_end, self.escape)
        add(first, start_line.content_end if escape_at is None else escape_at)
        last_end = start_line.content_end if escape_at is None else escape_at
        index += 1
        continued = escape_at is not None
        while continued and index < len(lines):
            line = lines[index]
            index += 1
            if lexing.is_comment(text, line.start, line.content_end):
                inner_comments.append(Span(line.start, line.end))
                continue
            if lexing.lstrip_go(text, line.start, line.content_end) >= line.content_end:
                empty_lines.append(Span(line.start, line.end))
                continue
            escape_at = lexing.continuation_end(text, line.start, line.content_end, self.escape)
            end = line.content_end if escape_at is None else escape_at
            add(line.start, end)
            last_end = end
            continued = escape_at is not None
        if not logical_starts:
            logical_starts.append(0)
            source_starts.append(first)
        logical = LogicalLine("".join(logical_parts), tuple(logical_starts), tuple(source_starts))
        header_line_end = lines[index - 1].end
        node_start = start_line.start
        try:
            instruction = self._build(logical, 0, Span(node_start, header_line_end), last_end)
        except _InstructionError as error:
            span = Span(node_start, header_line_end)
            keyword, keyword_span = self._keyword_of(logical)
            self.nodes.append(Opaque(span, error.message, keyword, keyword_span))
            self.problems.append(ParseProblem(error.message, keyword_span or span))
            return index
        if instruction is None:
            span = Span(node_start, header_line_end)
            keyword, keyword_span = self._keyword_of(logical)
            message = f"unknown instruction `{keyword}`"
            self.nodes.append(Opaque(span, message, keyword, keyword_span))
            self.problems.append(ParseProblem(message, keyword_span or span))
            return index
        target = instruction.effective
        specs = []
        if target.keyword in _HEREDOC_KINDS and target.form is Form.SHELL:
            specs = lexing.heredocs_in_line(logical.text)
        heredocs: list[Heredoc] = []
        search_from = 0
        for spec in specs:
            body_start = lines[index].start if index < len(lines) else len(text)
            terminator: Span | None = None
            while index < len(lines):
                line = lines[index]
                index += 1
                candidate = text[line.start : line.content_end]
                if spec.chomp:
                    candidate = candidate.lstrip("\t")
                if candidate == spec.name:
                    terminator = Span(line.start, line.end)
                    break
            if terminator is None:
                span = Span(node_start, len(text))
                keyword, keyword_span = self._keyword_of(logical)
                message = f"unterminated heredoc `{spec.name}`"
                self.nodes.append(Opaque(span, message, keyword, keyword_span))
                self.problems.append(ParseProblem(message, keyword_span or span))
                return len(lines)
            marker_at = logical.text.find(spec.word, search_from)
            if marker_at < 0:
                marker_at = search_from
            else:
                search_from = marker_at + len(spec.word)
            body = Span(body_start, terminator.start)
            heredocs.append(
                Heredoc(
                    name=spec.name,
                    chomp=spec.chomp,
                    expand=spec.expand,
                    fd=spec.fd,
                    marker=logical.span_to_source(marker_at, marker_at + len(spec.word)),
                    body=body,
                    terminator=terminator,
                    content=text[body.start : body.end],
                    terminator_text=text[terminator.start : terminator.end],
                )
            )
        span = Span(node_start, lines[index - 1].end)
        extra: dict[str, object] = {
            "inner_comments": tuple(inner_comments),
            "empty_continuation_lines": tuple(empty_lines),
        }
        if heredocs:
            extra["heredocs"] = tuple(heredocs)
        trigger = instruction.trigger
        if trigger is not None and heredocs:
            trigger = _replace(trigger, span=span, heredocs=tuple(heredocs))
            extra["trigger"] = trigger
        self.nodes.append(_replace(instruction, span=span, **extra))
        return index

    def _keyword_of(self, logical: LogicalLine) -> tuple[str | None, Span | None]:
        text = logical.text
        start = lexing.lstrip_go(text)
        stop = lexing.rstrip_go(text, start)
        end = start
        while end < stop and text[end] not in lexing.TOKEN_SPACE:
            end += 1
        if end == start:
            return None, None
        return text[start:end], logical.span_to_source(start, end)

    def _build(
        self, logical: LogicalLine, start: int, span: Span, header_end: int
    ) -> Instruction | None:
        """Build the instruction whose keyword starts at logical ``start``."""
        text = logical.text
        key_start = lexing.lstrip_go(text, start)
        # The builder trims the line (any Unicode space) and splits off the keyword at the
        # first ASCII blank.
        stop = lexing.rstrip_go(text, key_start)
        key_end = key_start
        while key_end < stop and text[key_end] not in lexing.TOKEN_SPACE:
            key_end += 1
        keyword = text[key_start:key_end].upper()
        if keyword not in KNOWN_INSTRUCTIONS:
            return None
        raw_flags, args_start = lexing.extract_flags(text[:stop], key_end)
        args_start = lexing.lstrip_go(text, args_start)
        args_end = lexing.rstrip_go(text, args_start)
        flags = tuple(
            _flag(raw.word, logical.span_to_source(raw.start, raw.end)) for raw in raw_flags
        )
        args_text = text[args_start:args_end]
        fields: dict[str, object] = {}
        trigger: Instruction | None = None
        if keyword == "ONBUILD":
            if args_text:
                trigger = self._build(logical, args_start, span, header_end)
                if trigger is None:
                    word = args_text.split(None, 1)[0]
                    raise _InstructionError(f"unknown instruction `{word}` in ONBUILD")
                if trigger.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
                    # Kept as an instruction: the builder rejects it at build time, a rule
                    # reports it.
                    pass
            fields["trigger"] = trigger
        elif keyword in _MAYBE_JSON:
            self._command(keyword, logical, args_start, args_end, fields)
        elif keyword == "HEALTHCHECK":
            sub_end = args_start
            while sub_end < args_end and text[sub_end] not in lexing.ASCII_SPACE:
                sub_end += 1
            if sub_end > args_start:
                # The builder reads a JSON array after any type word, not only CMD.
                command_start = sub_end
                while command_start < args_end and text[command_start] in lexing.ASCII_SPACE:
                    command_start += 1
                kind = "CMD" if text[args_start:sub_end].upper() == "CMD" else keyword
                self._command(kind, logical, command_start, args_end, fields)
        elif keyword in ("ENV", "LABEL"):
            error = lexing.name_value_error(keyword, args_text, self.escape)
            if error is not None:
                raise _InstructionError(error)
        return Instruction(
            span=span,
            keyword=keyword,
            keyword_span=logical.span_to_source(key_start, key_end),
            flags=flags,
            args_text=args_text,
            args_span=logical.span_to_source(args_start, args_end),
            args_offset=args_start,
            logical=logical,
            header_end=header_end,
            **fields,  # type: ignore[arg-type]
        )

    def _command(
        self,
        keyword: str,
        logical: LogicalLine,
        start: int,
        end: int,
        fields: dict[str, object],
    ) -> None:
        text = logical.text
        try:
            elements = lexing.parse_json_array(text[:end], start)
        except lexing.NotStringArrayError as error:
            raise _InstructionError(str(error)) from error
        if elements is not None:
            fields["form"] = Form.EXEC
            fields["exec_args"] = tuple(
                Word(value, logical.span_to_source(s, e)) for value, s, e in elements
            )
        if keyword in _COMMAND_KINDS:
            fields["command_text"] = text[start:end]
            fields["command_span"] = logical.span_to_source(start, end)
            fields["command_offset"] = start


def _utf8_length(text: str, start: int, end: int) -> int:
    """Number of UTF-8 bytes of ``text[start:end]`` (surrogate escapes count as one byte)."""
    return len(text[start:end].encode("utf-8", "surrogatepass")) - sum(
        2 for char in text[start:end] if "\udc80" <= char <= "\udcff"
    )


def _flag(word: str, span: Span) -> Flag:
    body = word[2:] if word.startswith("--") else word
    name, sep, value = body.partition("=")
    return Flag(name.lower(), value if sep else None, span)


def _replace(instruction: Instruction, **changes: object) -> Instruction:
    """``instruction`` with ``changes`` applied in place.

    Only for an instruction :meth:`_Parser._build` has just made and nobody else has seen
    yet: updating it costs far less than ``dataclasses.replace`` and gives the same result.
    """
    for name, value in changes.items():
        object.__setattr__(instruction, name, value)
    return instruction
