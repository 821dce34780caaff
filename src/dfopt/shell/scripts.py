"""Find the shell scripts an instruction runs, and parse each once."""

from __future__ import annotations

from dfopt.shell.model import ShellScript, parse_script
from dfopt.syntax._record import record, set_field
from dfopt.syntax.nodes import Form, Instruction

_POSIX_SHEBANG = ("sh", "bash", "ash", "dash", "zsh", "ksh", "busybox")


@record()
class ScriptSource:
    """A shell script run by an instruction.

    ``kind`` is ``"line"`` for the RUN line itself (with any here-document bodies it
    feeds appended, as the shell receives them) or ``"heredoc"`` for a here-document run
    as the script (``RUN <<EOF``).
    """

    __slots__ = ("instruction", "kind", "script")

    kind: str
    script: ShellScript
    instruction: Instruction

    def __init__(self, kind: str, script: ShellScript, instruction: Instruction) -> None:
        set_field(self, "kind", kind)
        set_field(self, "script", script)
        set_field(self, "instruction", instruction)


_CACHE_KEY = "_dfopt_scripts"
"""Where an instruction keeps its parsed scripts (in its ``__dict__``, like a cached
property): they live and die with the instruction."""


def scripts_of(instruction: Instruction) -> tuple[ScriptSource, ...]:
    """The shell scripts a shell-form RUN (or ONBUILD RUN) runs; empty for anything else."""
    store = instruction.__dict__
    cached: tuple[ScriptSource, ...] | None = store.get(_CACHE_KEY)
    if cached is None:
        cached = store[_CACHE_KEY] = _scripts(instruction)
    return cached


def _scripts(instruction: Instruction) -> tuple[ScriptSource, ...]:
    target = instruction.effective
    if target.keyword != "RUN" or target.form is not Form.SHELL or target.command_text is None:
        return ()
    logical = target.logical
    base = target.command_offset
    line = target.command_text
    heredocs = instruction.heredocs
    if not heredocs:

        def to_source(offset: int) -> int:
            return logical.to_source(base + offset)

        return (ScriptSource("line", parse_script(line, to_source), instruction),)
    first = heredocs[0]
    words = line.split(None, 1)
    if words and words[0] == _marker_text(instruction, 0):
        # `RUN <<EOF`: the here-document is the script.
        body = first.content
        if body.startswith("#!") and not _posix_shebang(body):
            return ()
        start = first.body.start
        return (
            ScriptSource("heredoc", parse_script(body, lambda offset: start + offset), instruction),
        )
    tail_start = first.body.start
    tail = "".join(heredoc.content + heredoc.terminator_text for heredoc in heredocs)
    text = line + "\n" + tail
    line_length = len(line)

    def combined(offset: int) -> int:
        if offset < line_length:
            return logical.to_source(base + offset)
        if offset == line_length:
            return target.header_end
        return tail_start + (offset - line_length - 1)

    return (ScriptSource("line", parse_script(text, combined), instruction),)


def _marker_text(instruction: Instruction, index: int) -> str:
    heredoc = instruction.heredocs[index]
    logical = instruction.effective.logical
    start = logical.from_source(heredoc.marker.start)
    if start is None:
        return ""
    return logical.text[start : start + (heredoc.marker.end - heredoc.marker.start)]


def _posix_shebang(body: str) -> bool:
    first_line = body.split("\n", 1)[0]
    return any(first_line.rstrip().endswith(("/" + shell, " " + shell)) for shell in _POSIX_SHEBANG)
