"""The parsed document: nodes in source order plus parse problems."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.syntax._record import lazy_property, record, set_field
from dfopt.syntax.nodes import Directive, Instruction, Node
from dfopt.syntax.source import Position, Source, Span


@record()
class ParseProblem:
    """Something the builder would reject or could not read; reported as a violation."""

    __slots__ = ("message", "span")

    message: str
    span: Span

    def __init__(self, message: str, span: Span) -> None:
        set_field(self, "message", message)
        set_field(self, "span", span)


@record()
class Document:
    """A Dockerfile as a sequence of nodes that tile the source text exactly."""

    source: Source
    nodes: tuple[Node, ...]
    escape: str
    problems: tuple[ParseProblem, ...]

    def __init__(
        self,
        source: Source,
        nodes: tuple[Node, ...],
        escape: str = "\\",
        problems: tuple[ParseProblem, ...] = (),
    ) -> None:
        self.__dict__.update(source=source, nodes=nodes, escape=escape, problems=problems)

    @property
    def text(self) -> str:
        return self.source.text

    def node_text(self, node: Node) -> str:
        return self.source.text[node.span.start : node.span.end]

    def joined(self) -> str:
        """Concatenate the text of every node (equals :attr:`text` for every input)."""
        return "".join(self.node_text(node) for node in self.nodes)

    @lazy_property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(node for node in self.nodes if isinstance(node, Instruction))

    @lazy_property
    def directives(self) -> dict[str, Directive]:
        found: dict[str, Directive] = {}
        for node in self.nodes:
            if isinstance(node, Directive):
                found.setdefault(node.name, node)
        return found

    def position(self, offset: int) -> Position:
        return self.source.position(offset)

    def walk(self) -> Iterator[Node]:
        yield from self.nodes

    def node_index(self, node: Node) -> int:
        for index, candidate in enumerate(self.nodes):
            if candidate is node:
                return index
        raise ValueError("node not in document")
