"""Lossless Dockerfile model: every node knows its exact source span."""

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
from dfopt.syntax.parser import KNOWN_INSTRUCTIONS, parse, parse_bytes
from dfopt.syntax.source import Position, Source, Span

__all__ = [
    "KNOWN_INSTRUCTIONS",
    "Blank",
    "ByteOrderMark",
    "Comment",
    "Directive",
    "Document",
    "Flag",
    "Form",
    "Heredoc",
    "Instruction",
    "LogicalLine",
    "Node",
    "Opaque",
    "ParseProblem",
    "Position",
    "Source",
    "Span",
    "Word",
    "parse",
    "parse_bytes",
]
