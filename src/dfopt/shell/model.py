"""Shell scripts of RUN instructions, parsed with tree-sitter-bash.

The builder runs the *logical* line (continuations joined, inner comment lines
dropped) through ``/bin/sh -c``; that is what is parsed here, and every offset the
parse yields is mapped back to the Dockerfile source, through continuations, inner
comment lines and CRLF line ends, so an edit computed on the shell tree lands on the
right characters of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from dfopt.shell.normalise import Node, normalise
from dfopt.syntax._record import KeyedRecord, lazy_property, record, set_field
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

    return tree_sitter.Parser(tree_sitter.Language(_bash_language()))


def _bash_language() -> object:
    """The tree-sitter-bash grammar (a capsule for ``tree_sitter.Language``).

    The package's ``__init__`` imports :mod:`importlib.resources` for its query files,
    which dfopt does not use; loading only the compiled binding saves that at start-up.
    """
    import os
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec, PathFinder

    try:
        spec = PathFinder.find_spec("tree_sitter_bash")
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        for folder in folders:
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(folder, "_binding" + suffix)
                if os.path.isfile(path):
                    name = "tree_sitter_bash._binding"
                    loader = ExtensionFileLoader(name, path)
                    module = loader.create_module(ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    return module.language()
    except (ImportError, OSError, AttributeError):
        pass
    import tree_sitter_bash

    return tree_sitter_bash.language()


class ShellWord(KeyedRecord):
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


def _source_span(to_source: Callable[[int], int], start: int, end: int) -> Span:
    if end <= start:
        position = to_source(start)
        return Span(position, position)
    return Span(to_source(start), to_source(end - 1) + 1)


@record()
class Redirect:
    __slots__ = ("operator", "span", "target")

    operator: str
    target: str
    span: Span

    def __init__(self, operator: str, target: str, span: Span) -> None:
        set_field(self, "operator", operator)
        set_field(self, "target", target)
        set_field(self, "span", span)


@record()
class SimpleCommand:
    """A simple command (``apt-get install -y curl``), or a declaration like ``export``.

    ``span`` is worked out on first use when the command comes from a parse.
    """

    name: ShellWord | None
    args: tuple[ShellWord, ...]
    assignments: tuple[str, ...]
    redirects: tuple[Redirect, ...]
    span: Span
    start: int
    end: int
    reliable: bool
    """False when the part of the parse holding this command has syntax errors."""
    depth: int
    """How many subshells, groups, functions or control structures enclose it."""
    in_pipeline: bool

    def __init__(
        self,
        name: ShellWord | None,
        args: tuple[ShellWord, ...],
        assignments: tuple[str, ...],
        redirects: tuple[Redirect, ...],
        span: Span,
        start: int,
        end: int,
        reliable: bool,
        depth: int = 0,
        in_pipeline: bool = False,
    ) -> None:
        self.__dict__.update(
            name=name,
            args=args,
            assignments=assignments,
            redirects=redirects,
            span=span,
            start=start,
            end=end,
            reliable=reliable,
            depth=depth,
            in_pipeline=in_pipeline,
        )

    @classmethod
    def _mapped(
        cls,
        name: ShellWord | None,
        assignments: tuple[str, ...],
        start: int,
        end: int,
        reliable: bool,
        depth: int,
        in_pipeline: bool,
        to_source: Callable[[int], int],
        read_parts: Callable[[], tuple[tuple[ShellWord, ...], tuple[Redirect, ...]]],
    ) -> SimpleCommand:
        """A command from a parse: its source span is computed from ``to_source``, and its
        arguments and redirects by ``read_parts``, when first read (most rules look at
        the name only)."""
        command = cls.__new__(cls)
        command.__dict__.update(
            name=name,
            command=None if name is None else name.value.rsplit("/", 1)[-1],
            assignments=assignments,
            start=start,
            end=end,
            reliable=reliable,
            depth=depth,
            in_pipeline=in_pipeline,
            _to_source=to_source,
            _read_parts=read_parts,
        )
        return command

    def _parts(self) -> None:
        args, redirects = self.__dict__.pop("_read_parts")()
        self.__dict__.update(args=args, redirects=redirects)

    @lazy_property  # type: ignore[no-redef]
    def args(self) -> tuple[ShellWord, ...]:
        self._parts()
        return self.__dict__["args"]  # type: ignore[no-any-return]

    @lazy_property  # type: ignore[no-redef]
    def redirects(self) -> tuple[Redirect, ...]:
        self._parts()
        return self.__dict__["redirects"]  # type: ignore[no-any-return]

    @lazy_property  # type: ignore[no-redef]
    def span(self) -> Span:
        """Span in the Dockerfile source."""
        to_source = self.__dict__.pop("_to_source")
        return _source_span(to_source, self.start, self.end)

    @lazy_property
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


@record()
class Operator:
    __slots__ = ("end", "span", "start", "text")

    text: str
    span: Span
    start: int
    end: int

    def __init__(self, text: str, span: Span, start: int, end: int) -> None:
        set_field(self, "text", text)
        set_field(self, "span", span)
        set_field(self, "start", start)
        set_field(self, "end", end)


@record()
class ShellScript:
    """A parsed shell script with a query API for rules."""

    __slots__ = (
        "_top_level",
        "commands",
        "constructs",
        "has_comment",
        "has_errors",
        "operators",
        "text",
    )

    text: str
    commands: tuple[SimpleCommand, ...]
    operators: tuple[Operator, ...]
    has_errors: bool
    top_level: tuple[tuple[int, int], ...]
    """Script ranges of the top-level statements separated by ``&&``, ``;`` or newlines."""
    constructs: frozenset[str]
    """Node types seen: ``subshell``, ``function_definition``, ``if_statement`` ..."""
    has_comment: bool
    """True when the script holds a shell comment (``# ...`` runs to the end of the text)."""
    if TYPE_CHECKING:  # not a field: the store behind ``top_level``
        _top_level: tuple[tuple[int, int], ...] | Callable[[], tuple[tuple[int, int], ...]]

    def __init__(
        self,
        text: str,
        commands: tuple[SimpleCommand, ...],
        operators: tuple[Operator, ...],
        has_errors: bool,
        top_level: tuple[tuple[int, int], ...] | Callable[[], tuple[tuple[int, int], ...]] = (),
        constructs: frozenset[str] = frozenset(),
        has_comment: bool = False,
    ) -> None:
        """``top_level`` may be a function that works the ranges out on first use."""
        set_field(self, "text", text)
        set_field(self, "commands", commands)
        set_field(self, "operators", operators)
        set_field(self, "has_errors", has_errors)
        set_field(self, "_top_level", top_level)
        set_field(self, "constructs", constructs)
        set_field(self, "has_comment", has_comment)

    @property  # type: ignore[no-redef]
    def top_level(self) -> tuple[tuple[int, int], ...]:
        ranges = self._top_level
        if callable(ranges):
            ranges = ranges()
            set_field(self, "_top_level", ranges)
        return ranges

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
    """Parse ``text``; ``to_source`` maps an offset in ``text`` to a source offset.

    The model is read straight off the tree-sitter tree; only the statements tree-sitter
    may group unlike the shell (redirections and pipelines, see
    :mod:`dfopt.shell.normalise`) are copied and regrouped first.
    """
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    to_char = _byte_to_char(text, data)
    builder = _Builder(text, data, to_char, to_source)
    root = tree.root_node
    builder.visit(root, 0, False)
    commands = builder.commands
    if any(a.start > b.start for a, b in pairwise(commands)):
        commands.sort(key=_start)
    operators = builder.operators
    if any(a.start > b.start for a, b in pairwise(operators)):
        operators.sort(key=_start)
    return ShellScript(
        text=text,
        commands=tuple(commands),
        operators=tuple(operators),
        has_errors=root.has_error,
        top_level=lambda: tuple(builder.top_level(root)),
        constructs=frozenset(builder.constructs),
        has_comment="#" in text and _has_comment(root),
    )


def _start(item: SimpleCommand | Operator) -> int:
    return item.start


def _regrouped(node: Any) -> Any:
    """``node`` as the shell groups it: statements tree-sitter may group differently are
    copied and repaired, any other node is returned as it is."""
    kind = node.type
    if (kind == "redirected_statement" or kind == "pipeline") and _may_regroup(node, kind):
        return normalise(node)
    return node


_REGROUPED_CHILDREN = frozenset({"list", "pipeline", "redirected_statement", "heredoc_redirect"})


def _may_regroup(node: Any, kind: str) -> bool:
    """True when :func:`normalise` might regroup ``node`` itself (a tree-sitter
    ``redirected_statement`` or ``pipeline``): a list, pipeline, here-document or
    redirected statement among its children. Regrouping a node only looks at its children,
    which are checked in their turn when visited."""
    if isinstance(node, Node):
        return False  # already a repaired copy
    return any(child.type in _REGROUPED_CHILDREN for child in node.children)


def _has_comment(root: Any) -> bool:
    cursor = root.walk()
    while True:
        if cursor.node.type == "comment":
            return True
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while True:
            if not cursor.goto_parent():
                return False
            if cursor.goto_next_sibling():
                break


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
        self.substitutions = any(opener in text for opener in ("$(", "`", "<(", ">("))
        """False when no word can hold a command or process substitution."""
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
        if (kind == "redirected_statement" or kind == "pipeline") and _may_regroup(node, kind):
            node = normalise(node)
            kind = node.type
        if kind == "redirected_statement":
            redirects = [child for child in node.children if child.type.endswith("_redirect")]
            for child in node.children:
                if not child.type.endswith("_redirect"):
                    self.visit(child, depth, in_pipeline, redirects)
                elif self.substitutions:
                    self.visit_nested(child, depth)
            return
        if kind in ("command", "declaration_command", "unset_command"):
            self.command(node, depth, in_pipeline, outer)
            if not self.substitutions:
                return
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
        if not children:
            return
        broken = self.broken
        nested_pipeline = in_pipeline or kind == "pipeline"
        if not node.has_error:
            # No syntax error below: no ERROR node either.
            for child in children:
                self.visit(child, depth, nested_pipeline)
            return
        last = len(children) - 1
        for index, child in enumerate(children):
            # Inside an ERROR node, or right before one, the parse may have lost words.
            self.broken = (
                broken or kind == "ERROR" or (index < last and children[index + 1].type == "ERROR")
            )
            self.visit(child, depth, nested_pipeline)
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
        if self.ascii:
            start = node.start_byte
            end = node.end_byte
        else:
            start, end = self.to_char(node.start_byte), self.to_char(node.end_byte)
        raw = self.text[start:end]
        if node.type == "word":  # the common case, as _cook reads it
            value, literal = (_unescape(raw) if "\\" in raw else raw), True
        else:
            value, literal = _cook(node, self.text, self.to_char)
        return ShellWord._mapped(raw, value, literal, start, end, self.to_source)

    def command(self, node: Any, depth: int, in_pipeline: bool, outer: Sequence[Any] = ()) -> None:
        kind = node.type
        children = (*node.children, *outer)
        name: ShellWord | None = None
        name_at = len(children)
        assignments: list[str] = []
        for index, child in enumerate(children):
            if kind != "command":
                if not child.is_named:
                    # `export`, `declare`, `local`, `readonly`, `typeset`, `unset`
                    start, end = self.chars(child)
                    text = self.text[start:end]
                    name = ShellWord._mapped(text, text, True, start, end, self.to_source)
                    name_at = index
                    break
            else:
                child_type = child.type
                if child_type == "command_name":
                    name = self.word(child.named_children[0] if child.named_children else child)
                    name_at = index
                    break
                if child_type == "variable_assignment":
                    start, end = self.chars(child)
                    assignments.append(self.text[start:end])

        def read_parts() -> tuple[tuple[ShellWord, ...], tuple[Redirect, ...]]:
            return self.parts(kind, children, name_at)

        start, end = self.chars(node)
        self.commands.append(
            SimpleCommand._mapped(
                name,
                tuple(assignments),
                start,
                end,
                not (node.has_error or self.broken),
                depth,
                in_pipeline,
                self.to_source,
                read_parts,
            )
        )

    def parts(
        self, kind: str, children: Sequence[Any], name_at: int
    ) -> tuple[tuple[ShellWord, ...], tuple[Redirect, ...]]:
        """Arguments and redirects of a command whose name is the child at ``name_at``
        (``len(children)`` when it has none); assignments before the name are not
        arguments."""
        args: list[ShellWord] = []
        redirects: list[Redirect] = []
        for index, child in enumerate(children):
            if index == name_at:
                continue
            child_type = child.type
            if child_type == "variable_assignment":
                if index > name_at or kind != "command":
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
        return tuple(args), tuple(redirects)

    def top_level(self, root: Any) -> Iterable[tuple[int, int]]:
        """Ranges of the statements joined at the top by ``&&``, ``;`` or newlines."""
        ranges: list[tuple[int, int]] = []

        def flatten(node: Any) -> None:
            if node.type == "list":
                operators = [child.type for child in node.children if not child.is_named]
                if all(op == "&&" for op in operators):
                    for child in node.named_children:
                        flatten(_regrouped(child))
                    return
            if node.type == "comment":
                return
            ranges.append(self.chars(node))

        for child in root.named_children:
            flatten(_regrouped(child))
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
