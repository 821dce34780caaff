"""Repair the tree-sitter-bash parse where it groups commands unlike the shell does.

tree-sitter-bash (0.2x) attaches a redirection written after the last command of an
``&&``/``||`` list to the whole list, and puts whatever follows a here-document marker on
the same line (more redirections, ``&&`` and the next commands) inside the here-document
node. The shell binds a redirection to its simple command and ``|`` tighter than
``&&``/``||``, so::

    a && b > f          is  a && (b > f)            not  (a && b) > f
    a && b > f | c      is  a && ((b > f) | c)      not  ((a && b) > f) | c
    cat <<EOF > f && d  is  (cat <<EOF > f) && d    with d inside the here-document

Without the repair, redirections and the commands after a here-document are lost and
pipelines include too much. :func:`normalise` copies the tree into light :class:`Node`
objects and regroups those cases; everything else is copied unchanged.
"""

from __future__ import annotations

from typing import Any

_LIST_OPERATORS = frozenset({"&&", "||"})
_PIPE_OPERATORS = frozenset({"|", "|&"})
_SEQUENCE_OPERATORS = frozenset({";", "&"})
_HEREDOC_TAIL_END = frozenset({"heredoc_body", "heredoc_end"})


class Node:
    """The parts of a tree-sitter node the shell model reads."""

    __slots__ = ("children", "end_byte", "has_error", "is_named", "start_byte", "type")

    def __init__(
        self,
        type: str,
        is_named: bool,
        start_byte: int,
        end_byte: int,
        children: list[Node] | None = None,
        has_error: bool = False,
    ) -> None:
        self.type = type
        self.is_named = is_named
        self.start_byte = start_byte
        self.end_byte = end_byte
        self.children: list[Node] = [] if children is None else children
        self.has_error = has_error

    @property
    def named_children(self) -> list[Node]:
        return [child for child in self.children if child.is_named]


def normalise(root: Any) -> Node:
    """A repaired copy of the tree under ``root`` (a tree-sitter node)."""
    return _copy(root.walk(), True)


def _copy(cursor: Any, check_errors: bool) -> Node:
    """Copy the node under ``cursor`` (a tree-sitter cursor, left where it started).

    A cursor walk reads each node once instead of building every ``children`` list. A node
    without errors has none below it, so its descendants are not asked.
    """
    node = cursor.node
    kind = node.type
    has_error = check_errors and node.has_error
    children: list[Node] = []
    if cursor.goto_first_child():
        children.append(_copy(cursor, has_error))
        while cursor.goto_next_sibling():
            children.append(_copy(cursor, has_error))
        cursor.goto_parent()
    copied = Node(kind, node.is_named, node.start_byte, node.end_byte, children, has_error)
    if kind == "redirected_statement" or kind == "pipeline":
        return _repair(copied)
    return copied


def _group(kind: str, children: list[Node]) -> Node:
    """A new node over ``children``.

    Its range ends with the last child on the command line: a here-document's body comes
    after the whole line, so it does not stretch the range of a regrouped statement.
    """
    on_line = [child for child in children if child.type != "heredoc_redirect"] or children
    return Node(
        type=kind,
        is_named=True,
        start_byte=min(child.start_byte for child in children),
        end_byte=max(child.end_byte for child in on_line),
        children=children,
        has_error=any(child.has_error for child in children),
    )


def _repair(node: Node) -> Node:
    if node.type == "redirected_statement":
        return _repair_redirected(node)
    if node.type == "pipeline":
        return _repair_pipeline(node)
    return node


def _repair_redirected(node: Node) -> Node:
    children = node.children
    heredoc_index = next(
        (index for index, child in enumerate(children) if _has_heredoc_tail(child)), None
    )
    if heredoc_index is not None:
        return _split_heredoc_tail(node, heredoc_index)
    body = children[0] if children else None
    if body is None or body.type not in ("list", "pipeline") or not _is_redirect(children[-1]):
        return node
    # `a && b > f`: the redirections belong to the last command of the list or pipeline.
    redirects = children[1:]
    last_index = max(index for index, child in enumerate(body.children) if child.is_named)
    inner = _repair(_group("redirected_statement", [body.children[last_index], *redirects]))
    regrouped = _group(body.type, [*body.children[:last_index], inner])
    return _repair(regrouped)


def _repair_pipeline(node: Node) -> Node:
    children = node.children
    if not children or not children[0].is_named:
        # `| grep x` after a here-document marker: regrouped with its command later.
        return node
    first = children[0]
    last = children[-1]
    if first.type == "list" and _list_operator(first) in _LIST_OPERATORS:
        # `a && b | c` read as `(a && b) | c`: only `b` is piped.
        tail = _group("pipeline", [_last_named(first), *children[1:]])
        return _group("list", [*first.children[:-1], _repair(tail)])
    if last.type == "list" and _list_operator(last) in _LIST_OPERATORS:
        # `a | b && c` read as `a | (b && c)`: only `b` is piped.
        return _pull_into_first(last, children[:-1])
    return node


def _pull_into_first(group: Node, prefix: list[Node]) -> Node:
    head = group.children[0]
    if head.type == "list":
        replaced = _pull_into_first(head, prefix)
    else:
        replaced = _repair(_group("pipeline", [*prefix, head]))
    return _group(group.type, [replaced, *group.children[1:]])


def _list_operator(node: Node) -> str | None:
    for child in node.children:
        if not child.is_named:
            return child.type
    return None


def _last_named(node: Node) -> Node:
    return next(child for child in reversed(node.children) if child.is_named)


def _is_redirect(node: Node) -> bool:
    return node.type.endswith("_redirect")


def _has_heredoc_tail(node: Node) -> bool:
    """A here-document node holding more than ``<<``, the start word, body and end."""
    if node.type != "heredoc_redirect":
        return False
    seen_start = False
    for child in node.children:
        if child.type == "heredoc_start":
            seen_start = True
        elif seen_start and child.type not in _HEREDOC_TAIL_END:
            return True
    return False


def _split_heredoc_tail(node: Node, heredoc_index: int) -> Node:
    """Move what follows ``<<EOF`` on its line out of the here-document node.

    Redirections stay with the command; an operator and the commands after it become the
    next items of a list or pipeline, as the shell reads them.
    """
    heredoc = node.children[heredoc_index]
    head: list[Node] = []
    tail: list[Node] = []
    ending: list[Node] = []
    seen_start = False
    for child in heredoc.children:
        if child.type in _HEREDOC_TAIL_END:
            ending.append(child)
        elif not seen_start:
            head.append(child)
            seen_start = child.type == "heredoc_start"
        else:
            tail.append(child)
    redirects: list[Node] = []
    while tail and _is_redirect(tail[0]):
        redirects.append(tail.pop(0))
    if tail and tail[0].type == "pipeline" and tail[0].children:
        # `cat <<EOF | grep x`: the pipe and what follows come as one pipeline node.
        tail = tail[0].children + tail[1:]
    kept = _group("heredoc_redirect", [*head, *ending])
    others = [child for index, child in enumerate(node.children) if index != heredoc_index]
    children = [*others[:heredoc_index], kept, *others[heredoc_index:], *redirects]
    operator = tail[0].type if len(tail) >= 2 and not tail[0].is_named else None
    if operator in _PIPE_OPERATORS:
        kind = "pipeline"
    elif operator in _LIST_OPERATORS or operator in _SEQUENCE_OPERATORS:
        kind = "list"
    else:
        # Nothing after the redirections, or something tree-sitter could not place.
        return _repair(_group("redirected_statement", [*children, *tail]))
    statement = _repair(_group("redirected_statement", children))
    return _repair(_group(kind, [statement, *tail]))
