"""RUN bodies that are plain ``&&`` chains, and appending a command to one.

Several rules fix a RUN by appending a cleanup (``rm -rf /var/lib/apt/lists/*``, ``yum
clean all``, ``rm -f archive.tgz``). That is only sound when the body is a plain ``&&``
chain, so the cleanup runs exactly when everything before it succeeded, and the result
should look as if a person had written it: same line or a new continuation line with the
file's indentation, ``&&`` placement, escape character and line ending.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from dfopt.fixes import Edit
from dfopt.shell import ShellScript, SimpleCommand
from dfopt.shell.effects import effects
from dfopt.shell.shells import shell_errexit
from dfopt.syntax import Form, Instruction, Span
from dfopt.syntax._record import record, set_field

if TYPE_CHECKING:
    from dfopt.rules_api import Context


@record()
class Chain:
    """A shell-form RUN whose script is top-level statements joined only by ``&&``."""

    __slots__ = ("instruction", "ranges", "script")

    instruction: Instruction
    """The instruction as written (an ONBUILD for a trigger)."""
    script: ShellScript
    ranges: tuple[tuple[int, int], ...]
    """Script offsets of the top-level statements."""

    def __init__(
        self, instruction: Instruction, script: ShellScript, ranges: tuple[tuple[int, int], ...]
    ) -> None:
        set_field(self, "instruction", instruction)
        set_field(self, "script", script)
        set_field(self, "ranges", ranges)

    @property
    def target(self) -> Instruction:
        """The RUN that runs (the trigger of an ONBUILD)."""
        return self.instruction.effective

    def source_span(self, start: int, end: int) -> Span:
        """The source span of the script range ``[start, end)``."""
        target = self.target
        base = target.command_offset
        return target.logical.span_to_source(base + start, base + end)

    def statement(self, index: int) -> Span:
        """The source span of top-level statement ``index``."""
        return self.source_span(*self.ranges[index])

    def statement_index(self, command: SimpleCommand) -> int | None:
        """Index of the top-level statement that is exactly ``command``, if any."""
        for index, (start, end) in enumerate(self.ranges):
            if start == command.start and end == command.end:
                return index
        return None


def plain_chain(ctx: Context, instruction: Instruction) -> Chain | None:
    """The ``&&`` chain of a shell-form RUN without here-documents, or None.

    None for ``;``, ``||``, ``|`` or a newline between top-level statements, a syntax
    error, a here-document or a non-POSIX shell; the script may end with a comment.
    """
    target = instruction.effective
    if target.form is not Form.SHELL or target.heredocs or target.command_text is None:
        return None
    sources = ctx.scripts(instruction)
    if len(sources) != 1 or sources[0].kind != "line":
        return None
    script = sources[0].script
    ranges = script.top_level
    if script.has_errors or not ranges:
        return None
    text = script.text
    if text[: ranges[0][0]].strip():
        return None
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if text[end:start].strip() != "&&":
            return None
    tail = text[ranges[-1][1] :].strip()
    if tail and not tail.startswith("#"):
        return None
    if not _appendable(ctx, instruction, text):
        return None
    return Chain(instruction, script, tuple(ranges))


def _appendable(ctx: Context, instruction: Instruction, text: str) -> bool:
    """``&& more`` after the chain changes nothing errexit decides.

    Appending puts the chain's last statement on the left of ``&&``, where POSIX shells
    ignore errexit. That is exact when errexit cannot be on (no ``-e`` in the SHELL, no
    ``SHELLOPTS``, no ``set -e`` in the body) or the last statement is a simple command
    or pipeline, which ``&&`` stops exactly where errexit would have.
    """
    shape = effects(text)
    if shape.last_neutral:
        return True
    state = ctx.state(instruction)
    return not (
        shape.may_set_errexit or shell_errexit(state.shell) or "SHELLOPTS" in state.variables
    )


def append_to_chain(ctx: Context, chain: Chain, command: str) -> Edit:
    """An edit appending ``&& command`` to the chain, in the chain's own layout.

    On a one-line RUN the command goes at the end of the line; across continuation lines
    it goes on a new continuation line indented like the last statement, with the ``&&``
    leading or trailing as the chain already writes it, using the file's escape
    character and line ending.
    """
    target = chain.target
    last = chain.statement(len(chain.ranges) - 1)
    previous = chain.statement(len(chain.ranges) - 2) if len(chain.ranges) > 1 else None
    source = ctx.document.source
    first_line = source.line_span(target.keyword_span.start)
    end_line = source.line_span(max(last.end - 1, last.start))
    if end_line.start == first_line.start:
        return Edit.insert(last.end, f" && {command}")
    newline = ctx.newline_of(target)
    escape = ctx.escape
    start_line = source.line_span(last.start)
    reference = start_line if start_line.start != first_line.start else end_line
    line_text = ctx.slice(reference)
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))] or "    "
    leading = True
    if previous is not None:
        gap = ctx.text[previous.end : last.start]
        if "\n" in gap and "&&" in gap:
            leading = gap.rfind("&&") > gap.rfind("\n")
    if leading:
        return Edit.insert(last.end, f" {escape}{newline}{indent}&& {command}")
    return Edit.insert(last.end, f" && {escape}{newline}{indent}{command}")
