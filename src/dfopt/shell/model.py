"""Shell scripts of RUN instructions, parsed with tree-sitter-bash.

The builder runs the *logical* line (continuations joined, inner comment lines
dropped) through ``/bin/sh -c``; that is what is parsed here, and every offset the
parse yields is mapped back to the Dockerfile source, through continuations, inner
comment lines and CRLF line ends, so an edit computed on the shell tree lands on the
right characters of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from functools import cache, cached_property
from typing import Any

from dfopt.shell.normalise import normalise
from dfopt.syntax.source import Span

OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})
_WORD_TYPES = frozenset(
    {
        "word",
        "string",
        "raw_string",
        "concatenation",
        "simple_expansion",
        "expansion",
        "number",
        "command_substitution",
        "ansi_c_string",
        "translated_string",
        "process_substitution",
        "arithmetic_expansion",
        "brace_expression",
    }
)
_DYNAMIC_TYPES = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    }
)


@cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


class ShellWord:
    """One word of a command: its text as written, its value and where it is.

    Immutable, compared and hashed by value like a frozen dataclass. ``span`` is worked
    out on first use when the word comes from a parse (most words never need it).
    """

    __slots__ = ("_source", "_span", "end", "literal", "raw", "start", "value")
    __match_args__ = ("raw", "value", "literal", "span", "start", "end")

    raw: str
    """The word as written (quotes included)."""
    value: str
    """Quotes and escapes removed; expansions are kept as written."""
    literal: bool
    """False when the word holds an expansion or substitution, so its value is not known."""
    start: int
    """Offset in the script text."""
    end: int
    _span: Span | None
    _source: Callable[[int], int] | None

    def __init__(
        self, raw: str, value: str, literal: bool, span: Span, start: int, end: int
    ) -> None:
        _set = object.__setattr__
        _set(self, "raw", raw)
        _set(self, "value", value)
        _set(self, "literal", literal)
        _set(self, "_span", span)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "_source", None)

    @classmethod
    def _mapped(
        cls,
        raw: str,
        value: str,
        literal: bool,
        start: int,
        end: int,
        to_source: Callable[[int], int],
    ) -> ShellWord:
        """A word whose source span is computed from ``to_source`` when first read."""
        word = cls.__new__(cls)
        _set = object.__setattr__
        _set(word, "raw", raw)
        _set(word, "value", value)
        _set(word, "literal", literal)
        _set(word, "_span", None)
        _set(word, "start", start)
        _set(word, "end", end)
        _set(word, "_source", to_source)
        return word

    @property
    def span(self) -> Span:
        """Span in the Dockerfile source."""
        span = self._span
        if span is None:
            to_source = self._source
            assert to_source is not None
            span = _source_span(to_source, self.start, self.end)
            object.__setattr__(self, "_span", span)
            object.__setattr__(self, "_source", None)
        return span

    def _key(self) -> tuple[str, str, bool, Span, int, int]:
        return (self.raw, self.value, self.literal, self.span, self.start, self.end)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, ShellWord)
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}(raw={self.raw!r}, value={self.value!r}, "
            f"literal={self.literal!r}, span={self.span!r}, start={self.start!r}, "
            f"end={self.end!r})"
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (ShellWord, self._key())


def _source_span(to_source: Callable[[int], int], start: int, end: int) -> Span:
    if end <= start:
        position = to_source(start)
        return Span(position, position)
    return Span(to_source(start), to_source(end - 1) + 1)


@dataclass(frozen=True, slots=True)
class Redirect:
    operator: str
    target: str
    span: Span


@dataclass(frozen=True)
class SimpleCommand:
    """A simple command (``apt-get install -y curl``), or a declaration like ``export``."""

    name: ShellWord | None
    args: tuple[ShellWord, ...]
    assignments: tuple[str, ...]
    redirects: tuple[Redirect, ...]
    span: Span
    start: int
    end: int
    reliable: bool
    """False when the part of the parse holding this command has syntax errors."""
    depth: int = 0
    """How many subshells, groups, functions or control structures enclose it."""
    in_pipeline: bool = False

    @cached_property
    def command(self) -> str | None:
        """The command name with any directory stripped (``/usr/bin/apt-get`` -> ``apt-get``)."""
        if self.name is None:
            return None
        return self.name.value.rsplit("/", 1)[-1]

    @property
    def arg_values(self) -> list[str]:
        return [arg.value for arg in self.args]

    def has_flag(self, *names: str) -> bool:
        """True when any of ``names`` is given: ``-y`` also matches ``-qy``, ``--yes=1``."""
        return any(self.flag_word(name) is not None for name in names)

    def flag_word(self, name: str) -> ShellWord | None:
        for arg in self.args:
            value = arg.value
            if value == "--":
                return None
            if name.startswith("--"):
                if value == name or value.startswith(name + "="):
                    return arg
            elif len(name) == 2 and value.startswith("-") and not value.startswith("--"):
                if name[1] in value[1:]:
                    return arg
            elif value == name:
                return arg
        return None

    def positional(self) -> list[ShellWord]:
        """Arguments that are not options (a rough split: words not starting with ``-``)."""
        return [arg for arg in self.args if not arg.value.startswith("-")]

    @property
    def subcommand(self) -> str | None:
        """The first argument that is not an option (``install`` in ``apt-get -y install``)."""
        for arg in self.args:
            if not arg.value.startswith("-"):
                return arg.value
        return None


@dataclass(frozen=True, slots=True)
class Operator:
    text: str
    span: Span
    start: int
    end: int


@dataclass(frozen=True)
class ShellScript:
    """A parsed shell script with a query API for rules."""

    text: str
    commands: tuple[SimpleCommand, ...]
    operators: tuple[Operator, ...]
    has_errors: bool
    top_level: tuple[tuple[int, int], ...] = field(default=())
    """Script ranges of the top-level statements separated by ``&&``, ``;`` or newlines."""
    constructs: frozenset[str] = field(default=frozenset())
    """Node types seen: ``subshell``, ``function_definition``, ``if_statement`` ..."""
    has_comment: bool = False
    """True when the script holds a shell comment (``# ...`` runs to the end of the text)."""

    def commands_named(self, *names: str, subcommand: str | None = None) -> list[SimpleCommand]:
        """Commands whose name is one of ``names`` (and whose subcommand matches)."""
        found = []
        for command in self.commands:
            if command.command in names and (
                subcommand is None or command.subcommand == subcommand
            ):
                found.append(command)
        return found

    def has_command(self, *names: str, subcommand: str | None = None) -> bool:
        return bool(self.commands_named(*names, subcommand=subcommand))

    @property
    def operator_texts(self) -> list[str]:
        return [operator.text for operator in self.operators]

    def __iter__(self) -> Iterator[SimpleCommand]:
        return iter(self.commands)


def parse_script(text: str, to_source: Callable[[int], int]) -> ShellScript:
    """Parse ``text``; ``to_source`` maps an offset in ``text`` to a source offset."""
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    to_char = _byte_to_char(text, data)
    builder = _Builder(text, data, to_char, to_source)
    root = normalise(tree.root_node)
    builder.visit(root, 0, False)
    return ShellScript(
        text=text,
        commands=tuple(sorted(builder.commands, key=lambda command: command.start)),
        operators=tuple(sorted(builder.operators, key=lambda operator: operator.start)),
        has_errors=bool(tree.root_node.has_error),
        top_level=tuple(builder.top_level(root)),
        constructs=frozenset(builder.constructs),
        has_comment=_has_comment(root),
    )


def _has_comment(root: Any) -> bool:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            return True
        stack.extend(node.children)
    return False


def _byte_to_char(text: str, data: bytes) -> Callable[[int], int]:
    if len(data) == len(text):
        return lambda offset: offset
    table = [0] * (len(data) + 1)
    byte = 0
    for index, char in enumerate(text):
        width = len(char.encode("utf-8", "surrogatepass"))
        for step in range(width):
            table[byte + step] = index
        byte += width
    table[len(data)] = len(text)
    return lambda offset: table[offset]


_NESTING = frozenset(
    {
        "subshell",
        "compound_statement",
        "function_definition",
        "if_statement",
        "for_statement",
        "c_style_for_statement",
        "while_statement",
        "case_statement",
        "command_substitution",
        "process_substitution",
    }
)


class _Builder:
    def __init__(
        self,
        text: str,
        data: bytes,
        to_char: Callable[[int], int],
        to_source: Callable[[int], int],
    ) -> None:
        self.text = text
        self.data = data
        self.to_char = to_char
        self.to_source = to_source
        self.ascii = len(data) == len(text)
        self.commands: list[SimpleCommand] = []
        self.operators: list[Operator] = []
        self.constructs: set[str] = set()
        self.broken = False
        """True while visiting a part of the tree next to or inside a syntax error."""

    def chars(self, node: Any) -> tuple[int, int]:
        if self.ascii:
            return node.start_byte, node.end_byte
        return self.to_char(node.start_byte), self.to_char(node.end_byte)

    def span(self, start: int, end: int) -> Span:
        if end <= start:
            position = self.to_source(start)
            return Span(position, position)
        return Span(self.to_source(start), self.to_source(end - 1) + 1)

    def visit(self, node: Any, depth: int, in_pipeline: bool, outer: Sequence[Any] = ()) -> None:
        kind = node.type
        if kind == "redirected_statement":
            redirects = [child for child in node.children if child.type.endswith("_redirect")]
            for child in node.children:
                if not child.type.endswith("_redirect"):
                    self.visit(child, depth, in_pipeline, redirects)
                else:
                    self.visit_nested(child, depth)
            return
        if kind in ("command", "declaration_command", "unset_command"):
            self.command(node, depth, in_pipeline, outer)
            for child in node.named_children:
                if child.type in _WORD_TYPES or child.type in (
                    "command_name",
                    "variable_assignment",
                ):
                    self.visit_nested(child, depth)
            return
        if not node.is_named and kind in OPERATORS:
            start, end = self.chars(node)
            if end > start:  # tree-sitter inserts empty "missing" operators on errors
                self.operators.append(Operator(kind, self.span(start, end), start, end))
            return
        if kind in _NESTING:
            self.constructs.add(kind)
            depth += 1
        elif kind in ("pipeline", "negated_command", "test_command", "heredoc_redirect"):
            self.constructs.add(kind)
        children = node.children
        broken = self.broken
        for index, child in enumerate(children):
            # Inside an ERROR node, or right before one, the parse may have lost words.
            self.broken = (
                broken
                or kind == "ERROR"
                or (index + 1 < len(children) and children[index + 1].type == "ERROR")
            )
            self.visit(child, depth, in_pipeline or kind == "pipeline")
        self.broken = broken

    def visit_nested(self, node: Any, depth: int) -> None:
        """Visit the command and process substitutions inside a word or redirect."""
        if node.type in ("command_substitution", "process_substitution"):
            # visit() counts the substitution itself as one level of nesting.
            self.visit(node, depth, False)
            return
        for child in node.children:
            self.visit_nested(child, depth)

    def word(self, node: Any) -> ShellWord:
        start, end = self.chars(node)
        raw = self.text[start:end]
        value, literal = _cook(node, self.text, self.to_char)
        return ShellWord._mapped(raw, value, literal, start, end, self.to_source)

    def command(self, node: Any, depth: int, in_pipeline: bool, outer: Sequence[Any] = ()) -> None:
        name: ShellWord | None = None
        args: list[ShellWord] = []
        assignments: list[str] = []
        redirects: list[Redirect] = []
        kind = node.type
        for child in (*node.children, *outer):
            child_type = child.type
            if kind != "command" and not child.is_named and name is None:
                # `export`, `declare`, `local`, `readonly`, `typeset`, `unset`
                start, end = self.chars(child)
                text = self.text[start:end]
                name = ShellWord._mapped(text, text, True, start, end, self.to_source)
                continue
            if child_type == "command_name":
                name = self.word(child.named_children[0] if child.named_children else child)
            elif child_type == "variable_assignment":
                start, end = self.chars(child)
                if name is None and kind == "command":
                    assignments.append(self.text[start:end])
                else:
                    args.append(self.word(child))
            elif child_type in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                start, end = self.chars(child)
                operator = ""
                target = ""
                for part in child.children:
                    if not part.is_named:
                        operator = part.type
                    elif part.type != "file_descriptor":
                        target = _cook(part, self.text, self.to_char)[0]
                        if part.type == "heredoc_start":
                            break  # the delimiter word; the body and end are not targets
                redirects.append(Redirect(operator, target, self.span(start, end)))
            elif child.is_named and (child_type in _WORD_TYPES or child_type == "variable_name"):
                args.append(self.word(child))
        start, end = self.chars(node)
        self.commands.append(
            SimpleCommand(
                name=name,
                args=tuple(args),
                assignments=tuple(assignments),
                redirects=tuple(redirects),
                span=self.span(start, end),
                start=start,
                end=end,
                reliable=not (node.has_error or self.broken),
                depth=depth,
                in_pipeline=in_pipeline,
            )
        )

    def top_level(self, root: Any) -> Iterable[tuple[int, int]]:
        """Ranges of the statements joined at the top by ``&&``, ``;`` or newlines."""
        ranges: list[tuple[int, int]] = []

        def flatten(node: Any) -> None:
            if node.type == "list":
                operators = [child.type for child in node.children if not child.is_named]
                if all(op == "&&" for op in operators):
                    for child in node.named_children:
                        flatten(child)
                    return
            if node.type == "comment":
                return
            ranges.append(self.chars(node))

        for child in root.named_children:
            flatten(child)
        return ranges


def _cook(node: Any, text: str, to_char: Callable[[int], int]) -> tuple[str, bool]:
    """Value of a word with quotes removed, and whether it is free of expansions."""
    kind = node.type
    start, end = to_char(node.start_byte), to_char(node.end_byte)
    raw = text[start:end]
    if kind in _DYNAMIC_TYPES:
        return raw, False
    if kind == "raw_string":
        return raw[1:-1], True
    if kind == "ansi_c_string":
        return raw[2:-1], True
    if kind == "word" or kind == "number":
        return _unescape(raw), True
    if kind in ("string", "translated_string"):
        literal = True
        parts: list[str] = []
        cursor = start + (2 if kind == "translated_string" else 1)
        for child in node.named_children:
            child_start, child_end = to_char(child.start_byte), to_char(child.end_byte)
            if child_start > cursor:
                parts.append(_unescape_double(text[cursor:child_start]))
            if child.type == "string_content":
                parts.append(_unescape_double(text[child_start:child_end]))
            else:
                value, child_literal = _cook(child, text, to_char)
                parts.append(value)
                literal = literal and child_literal
            cursor = child_end
        if end - 1 > cursor:
            parts.append(_unescape_double(text[cursor : end - 1]))
        return "".join(parts), literal
    if kind == "concatenation" or node.named_children:
        literal = True
        parts = []
        cursor = start
        for child in node.children:
            child_start, child_end = to_char(child.start_byte), to_char(child.end_byte)
            if child_start > cursor:
                parts.append(_unescape(text[cursor:child_start]))
            value, child_literal = _cook(child, text, to_char)
            parts.append(value)
            literal = literal and child_literal
            cursor = child_end
        if end > cursor:
            parts.append(_unescape(text[cursor:end]))
        return "".join(parts), literal
    return _unescape(raw), kind not in ("variable_assignment",)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _unescape_double(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '$`"\\\n':
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def split_names(commands: Sequence[SimpleCommand]) -> list[str]:
    """The command names of ``commands`` (None skipped), handy for messages and tests."""
    return [command.command for command in commands if command.command is not None]
