"""Suppression comments: dfopt's, hadolint's and BuildKit's ``# check=skip=``."""

from __future__ import annotations

import re
from collections.abc import Callable

from dfopt.syntax import Comment, Directive, Document, Instruction, Span

_PRAGMA = (
    r"^(?P<tool>dfopt:|hadolint)\s*(?P<scope>global\s+|stage\s+)?ignore\s*=\s*(?P<codes>[^\s]+)"
)
_pragma: re.Pattern[str] | None = None


def _pragma_pattern() -> re.Pattern[str]:
    """The pragma regex, compiled when a file first has a comment."""
    global _pragma
    if _pragma is None:
        _pragma = re.compile(_PRAGMA, re.IGNORECASE)
    return _pragma


class Suppression:
    """One pragma and the codes it names."""

    __slots__ = ("codes", "scope", "span", "target", "tool", "used")

    span: Span
    """The comment line holding it."""
    codes: tuple[str, ...]
    scope: str
    """``line`` (the next instruction), ``stage``, ``file``."""
    tool: str
    target: Span | None
    """The instruction (or stage) it covers; None for file-wide ones."""
    used: set[str]
    """The selectors of ``codes`` that hid a finding."""

    def __init__(
        self,
        span: Span,
        codes: tuple[str, ...],
        scope: str,
        tool: str,
        target: Span | None = None,
        used: set[str] | None = None,
    ) -> None:
        self.span = span
        self.codes = codes
        self.scope = scope
        self.tool = tool
        self.target = target
        self.used = set() if used is None else used


class Suppressions:
    """The suppression pragmas of one document."""

    __slots__ = ("items", "skip_all")

    items: list[Suppression]
    skip_all: bool
    """``# check=skip=all``: every finding of the file is hidden."""

    def __init__(self, items: list[Suppression], skip_all: bool = False) -> None:
        self.items = items
        self.skip_all = skip_all

    def suppressed(self, code: str, span: Span, is_match: Callable[[str, str], bool]) -> bool:
        """True (and the pragma marked used) when a pragma hides ``code`` at ``span``."""
        hit = False
        for item in self.items:
            if item.target is not None and not (
                item.target.start <= span.start < max(item.target.end, item.target.start + 1)
            ):
                continue
            for selector in item.codes:
                if is_match(selector, code):
                    item.used.add(selector)
                    hit = True
        return hit or self.skip_all


def collect(document: Document, allow_inline: bool = True) -> Suppressions:
    """Find every suppression pragma in ``document``.

    A line pragma covers the instruction right after its comment block (other comments
    may sit between, a blank line may not); a stage pragma covers the stage whose FROM
    follows it; a global pragma and ``# check=skip=`` cover the whole file.
    """
    items: list[Suppression] = []
    skip_all = False
    pending: list[Suppression] = []
    stage_pending: list[Suppression] = []
    open_stage: list[Suppression] = []
    for node in document.nodes:
        if isinstance(node, Directive) and node.name == "check":
            codes = _check_skip(node.value)
            if codes == ("all",):
                skip_all = True
            elif codes:
                items.append(Suppression(node.span, codes, "file", "buildkit"))
            continue
        if isinstance(node, Comment):
            match = _pragma_pattern().match(node.text)
            if match is None:
                continue
            codes = tuple(code for code in match.group("codes").split(",") if code)
            tool = "dfopt" if match.group("tool").lower().startswith("dfopt") else "hadolint"
            scope = (match.group("scope") or "").strip().lower()
            if scope == "global":
                items.append(Suppression(node.span, codes, "file", tool))
            elif scope == "stage":
                stage_pending.append(Suppression(node.span, codes, "stage", tool))
            elif allow_inline:
                pending.append(Suppression(node.span, codes, "line", tool))
            continue
        if isinstance(node, Instruction):
            for item in pending:
                item.target = node.span
                items.append(item)
            pending = []
            if node.keyword == "FROM":
                _close(open_stage, node.span.start, items)
                open_stage = stage_pending
                stage_pending = []
                for item in open_stage:
                    item.target = Span(node.span.start, node.span.end)
            continue
        pending = []
    _close(open_stage, len(document.text), items)
    _close(stage_pending, len(document.text), items)
    return Suppressions(items, skip_all)


def _close(stage_items: list[Suppression], end: int, items: list[Suppression]) -> None:
    for item in stage_items:
        start = item.target.start if item.target is not None else item.span.start
        item.target = Span(start, max(end, start))
        items.append(item)


def _check_skip(value: str) -> tuple[str, ...]:
    """Codes named by BuildKit's ``# check=skip=A,B;error=true`` directive."""
    for part in value.split(";"):
        key, _, rest = part.strip().partition("=")
        if key.strip().lower() == "skip":
            names = tuple(name.strip() for name in rest.split(",") if name.strip())
            if any(name.lower() == "all" for name in names):
                return ("all",)
            return names
    return ()
