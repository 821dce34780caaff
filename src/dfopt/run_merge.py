"""Merge adjacent RUN instructions into one layer without changing what runs.

Every rule that suggests joining RUNs (DL3059, DF101, DF102, DF104 and any other pack)
builds its fix here, so the same pair of RUNs always gets the very same edit and the
rewriter's overlap handling sees identical fixes.

Two RUNs of one stage can be merged when both are shell form without here-documents,
their flags are identical, neither is ``ONBUILD``, the stage's SHELL is POSIX, both shell
parses are clean, the first body holds no shell comment (``# ...`` would swallow the
joined text) and no suppression pragma sits between them. The join keeps the file's
formatting::

    RUN apt-get update                     RUN apt-get update \\
    # install the tools             ->     # install the tools
    RUN apt-get install -y curl                && apt-get install -y curl

The text from the end of the first body to the start of the second body is replaced by
`` <escape>``, a line break (the file's), any comment lines that sat between the RUNs
(kept verbatim, now inner comment lines; blank lines are dropped), the continuation
indentation the first RUN already uses (else four spaces) and ``&& ``.

State that could leak from the first body into the second (``cd``, ``export``, ``set``,
variable assignments, functions, a hashed command the first may shadow on ``PATH`` ...)
is fenced off by running the first body in a subshell, ``( ... )``; a second body with a
top-level ``||``, ``;``, ``&`` or several statements is wrapped too, so ``a && b || c``
cannot change what runs.

What one shell would change beyond that refuses the merge (:func:`join_hazard`): a
first body that may turn errexit on and is not one plain ``&&`` list (POSIX shells
ignore errexit on the left of ``&&``; under an errexit SHELL such a body is joined as
``( first ); second`` instead), a login or interactive SHELL, ``BASH_ENV``/``BASHOPTS``,
tmpfs or writable bind mounts, a background job or daemon, a replaced shell, a Windows
base. The facts come from :mod:`dfopt.shell.effects` and :mod:`dfopt.shell.shells`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, cast

from dfopt.fixes import Applicability, Edit, FileLines, Fix, apply_edits
from dfopt.semantics.mounts import mounts_of
from dfopt.semantics.stages import DEFAULT_SHELL
from dfopt.shell import ShellScript, parse_script, scripts_of
from dfopt.shell.effects import Effects, effects
from dfopt.shell.model import _parser
from dfopt.shell.shells import login_shell, shell_errexit
from dfopt.syntax import Blank, Comment, Form, Instruction, Span, parse
from dfopt.syntax._record import record, set_field

if TYPE_CHECKING:
    from dfopt.rules_api import Context

__all__ = [
    "DeferredFix",
    "MergeCheck",
    "command_count",
    "merge_chain_fix",
    "merge_fix",
    "mergeable",
    "same_run_flags",
]

_PRAGMA = re.compile(r"^(dfopt:|hadolint\b)", re.IGNORECASE)


@record()
class MergeCheck:
    """Whether two RUNs can be merged, why not, and how safe the merge is."""

    __slots__ = (
        "applicability",
        "bodies",
        "comments",
        "ok",
        "reason",
        "shell_errexit",
        "wrap_first",
        "wrap_second",
    )

    ok: bool
    reason: str
    """Why the RUNs cannot be merged (empty when they can)."""
    applicability: Applicability | None
    """SAFE, or UNSAFE when comment lines between the RUNs move inside the merged RUN."""
    comments: tuple[Span, ...]
    """Comment lines between the two bodies, kept verbatim inside the merged RUN."""
    bodies: tuple[str, str]
    """The shell bodies of the two RUNs (empty when they cannot be merged)."""
    wrap_first: bool
    """Run the first body in ``( )``: it may leave shell state (directory, variables,
    options, hashed commands the second runs) or ends with ``;``/``&``."""
    wrap_second: bool
    """The second body has a top-level ``||``, ``;``, ``&`` or several statements, so
    after ``&&`` it runs in ``( )``."""
    shell_errexit: bool
    """The stage's SHELL runs with errexit on (``-e``): a first body that is not one plain
    ``&&`` list is then joined as ``( first ); second``, where errexit still stops it."""

    def __init__(
        self,
        ok: bool,
        reason: str = "",
        applicability: Applicability | None = None,
        comments: tuple[Span, ...] = (),
        bodies: tuple[str, str] = ("", ""),
        wrap_first: bool = False,
        wrap_second: bool = False,
        shell_errexit: bool = False,
    ) -> None:
        set_field(self, "ok", ok)
        set_field(self, "reason", reason)
        set_field(self, "applicability", applicability)
        set_field(self, "comments", comments)
        set_field(self, "bodies", bodies)
        set_field(self, "wrap_first", wrap_first)
        set_field(self, "wrap_second", wrap_second)
        set_field(self, "shell_errexit", shell_errexit)

    def __bool__(self) -> bool:
        return self.ok


def _refuse(reason: str) -> MergeCheck:
    return MergeCheck(False, reason)


def same_run_flags(first: Instruction, second: Instruction, *, ordered: bool = False) -> bool:
    """True when two instructions carry the same flags (normalised text).

    hadolint compares RUN flags as a set; pass ``ordered=True`` to also require the same
    order, as a merge does (two mounts on one target depend on their order).
    """
    if not first.flags and not second.flags:
        return True
    mine = [flag.text for flag in first.flags]
    theirs = [flag.text for flag in second.flags]
    if ordered:
        return mine == theirs
    return sorted(mine) == sorted(theirs)


def command_count(instruction: Instruction) -> int:
    """How many commands a RUN runs, counted the way hadolint's DL3059 counts them.

    Every named simple command counts, nested ones (``$(date)``) included; an exec-form
    RUN is read as its words joined by spaces; the SHELL in force does not matter.
    """
    store = instruction.__dict__
    cached: int | None = store.get(_COUNT_KEY)
    if cached is None:
        cached = store[_COUNT_KEY] = _command_count(instruction)
    return cached


_COUNT_KEY = "_dfopt_command_count"


def _command_count(instruction: Instruction) -> int:
    target = instruction.effective
    if target.keyword != "RUN":
        return 0
    if target.form is Form.EXEC:
        text = " ".join(word.value for word in target.exec_args)
        script = parse_script(text, lambda offset: 0)
        return sum(1 for command in script.commands if command.name is not None)
    return sum(
        1
        for source in scripts_of(instruction)
        for command in source.script.commands
        if command.name is not None
    )


# -- the check --------------------------------------------------------------------------


def _is_pragma(node: Comment) -> bool:
    return _PRAGMA.match(node.text) is not None


def mergeable(ctx: Context, first: Instruction, second: Instruction) -> MergeCheck:
    """Can ``second`` be appended to ``first`` as ``first && second`` in one RUN?"""
    key = ("mergeable", id(first), id(second))
    if key not in ctx.memo:
        ctx.memo[key] = _mergeable(ctx, first, second)
    return cast(MergeCheck, ctx.memo[key])


def _layout_refusal(ctx: Context, first: Instruction, second: Instruction) -> str | None:
    """Why the two RUNs cannot be merged, judged from the instructions alone (cheap)."""
    for instruction in (first, second):
        if instruction.is_onbuild:
            return "`ONBUILD` instructions are not merged"
        if instruction.keyword != "RUN":
            return f"`{instruction.keyword}` is not a `RUN`"
        if instruction.form is not Form.SHELL or instruction.command_span is None:
            return "exec-form `RUN` instructions are not merged"
        if instruction.heredocs:
            return "`RUN` instructions with here-documents are not merged"
        if not instruction.command_text:
            return "an empty `RUN` is not merged"
    if ctx.next_instruction(first) is not second:
        return "the `RUN` instructions are not adjacent in one stage"
    if not same_run_flags(first, second, ordered=True):
        return "the `RUN` instructions have different flags"
    return None


def _mergeable(ctx: Context, first: Instruction, second: Instruction) -> MergeCheck:
    refusal = _layout_refusal(ctx, first, second)
    if refusal is not None:
        return _refuse(refusal)
    if not (ctx.state(first).shell_is_posix and ctx.state(second).shell_is_posix):
        return _refuse("the stage's SHELL is not a POSIX shell")
    scripts = (ctx.shell(first), ctx.shell(second))
    if scripts[0] is None or scripts[1] is None:
        return _refuse("the `RUN` bodies could not be read as shell scripts")
    if scripts[0].has_errors or scripts[1].has_errors:
        return _refuse("a `RUN` body does not parse as a shell script")
    if scripts[0].has_comment:
        return _refuse("the first `RUN` ends with a shell comment")
    assert first.command_span is not None and second.command_span is not None
    if ctx.slice(Span(first.command_span.end, first.span.end)).strip():
        return _refuse("text follows the first `RUN` body")
    comments: list[Span] = []
    for node in ctx.nodes_between(first, second):
        if isinstance(node, Comment):
            if _is_pragma(node):
                return _refuse("a suppression pragma sits between the `RUN` instructions")
            comments.append(node.span)
        elif not isinstance(node, Blank):
            return _refuse("unparsed text sits between the `RUN` instructions")
    comments.extend(
        span for span in second.inner_comments if span.start < second.command_span.start
    )
    refusal = join_hazard(ctx, first, scripts[0])
    if refusal is not None:
        return _refuse(refusal)
    bodies = (first.command_text or "", second.command_text or "")
    before, after = effects(bodies[0]), effects(bodies[1])
    errexit = errexit_shell(ctx, first)
    wrap_first = before.leaks or before.open_end or _shadows(before, after, scripts[0])
    return MergeCheck(
        True,
        applicability=Applicability.UNSAFE if comments else Applicability.SAFE,
        comments=tuple(sorted(comments)),
        bodies=bodies,
        wrap_first=wrap_first,
        wrap_second=after.compound,
        shell_errexit=errexit,
    )


def join_hazard(ctx: Context, first: Instruction, script: ShellScript) -> str | None:
    """Why the RUN after ``first`` may not run in ``first``'s shell, whatever the join:
    state of the stage (see :func:`_process_refusal`), a background job or daemon left
    running, a replaced shell, or errexit that ``&&`` would switch off. ``script`` is
    ``first``'s shell script. None when the shell may be shared."""
    refusal = _process_refusal(ctx, first)
    if refusal is not None:
        return refusal
    before = effects(first.command_text or "")
    if before.background:
        return (
            "the first `RUN` leaves a background job or a daemon running, which the second"
            " would see in one shell"
        )
    shell = ctx.state(first).shell or DEFAULT_SHELL
    if _replaces_shell(script, shell[0]):
        return f"the first `RUN` replaces `{shell[0]}`, which runs the second `RUN`"
    if before.may_set_errexit and not errexit_shell(ctx, first) and not before.neutral:
        return (
            "the first `RUN` may turn errexit on (`set -e`), which the shell ignores on the"
            " left of `&&`"
        )
    return None


def errexit_shell(ctx: Context, run: Instruction) -> bool:
    """The stage's SHELL runs bodies with errexit on (``-e``, or ``SHELLOPTS`` set)."""
    state = ctx.state(run)
    return shell_errexit(state.shell or DEFAULT_SHELL) or "SHELLOPTS" in state.variables


def _process_refusal(ctx: Context, run: Instruction) -> str | None:
    """Why no RUN of this stage may share its shell with the next one, judged from the
    stage: a login or interactive SHELL (it reads profiles a RUN may have changed), a
    start-up file named by the environment, mounts private to each RUN, a Windows base."""
    state = ctx.state(run)
    shell = state.shell or DEFAULT_SHELL
    if login_shell(shell):
        return (
            "the stage's SHELL is a login or interactive shell, which reads profiles that"
            " each `RUN` may change"
        )
    variables = state.variables
    # `ENV` is read by interactive shells only, which are refused above.
    for name in ("BASH_ENV", "BASHOPTS"):
        if variables.get(name):
            return f"`{name}` names a start-up file that each `RUN`'s shell reads"
    if any(mount.private_to_run for mount in mounts_of(run)):
        return "a tmpfs or writable bind mount starts empty (or fresh) in each `RUN`"
    stage = ctx.stage(run)
    if stage is not None and stage.may_be_windows:
        return "the base image may be a Windows one, where `( )` is no subshell"
    return None


def _replaces_shell(script: ShellScript, shell: str) -> bool:
    """The script may replace, move, divert or reconfigure the program at ``shell``."""
    name = shell.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    for command in script.commands:
        if command.command is None:
            continue
        values = [arg.value for arg in command.args]
        values.extend(redirect.target for redirect in command.redirects)
        for value in values:
            if "dash/sh" in value or value.rstrip("/").rsplit("/", 1)[-1] == name:
                return True
        if command.command in ("dpkg-divert", "update-alternatives", "dpkg-reconfigure") and any(
            arg.value in ("dash", "bash", "sh", name) for arg in command.args
        ):
            return True
    return False


# Programs that may put an executable somewhere on PATH: copies, links, downloads,
# unpacking, mode changes, builds, package installs from files, and scripts (opaque).
# Everything else (the system package managers included, which install into the system
# directories in PATH order) is taken to write no program that shadows a hashed one.
_MAY_INSTALL_PROGRAMS = frozenset(
    {"cp", "mv", "ln", "install", "curl", "wget", "tar", "unzip", "chmod", "rsync", "make"}
    | {"dpkg", "update-alternatives", "cmake", "ninja", "git", "ar", "gunzip", "bunzip2"}
    | {"7z", "busybox", "tee", "dd", "perl", "python", "python3", "node"}
)
# Language package managers put the programs of the packages they are given on PATH,
# possibly before the copy the shell hashed (`pip install --upgrade pip` from Debian's
# /usr/bin/pip writes /usr/local/bin/pip): they shadow a command only when given it.
_PACKAGE_INSTALLERS = frozenset(
    {"pip", "pip3", "npm", "yarn", "pnpm", "gem", "cargo", "go", "uv", "pipx", "composer"}
    | {"bundle", "corepack"}
)
_PATH_DIRS = ("/usr/local/sbin/", "/usr/local/bin/", "/usr/sbin/", "/usr/bin/", "/sbin/")


def _shadows(before: Effects, after: Effects, script: ShellScript) -> bool:
    """The first body looked up a command the second runs and may put a program of that
    name earlier on ``PATH``: in one shell the second would run the hashed old one."""
    shared = before.hashed & after.names
    if not shared:
        return False
    for command in script.commands:
        name = command.command or ""
        if any(
            redirect.operator.startswith(">")
            and (redirect.target.startswith(_PATH_DIRS) or "$" in redirect.target)
            for redirect in command.redirects
        ):
            return True
        if command.name is None or not command.name.literal or "/" in command.name.value:
            return True  # a script or a command held in a variable may write anything
        if name in _PACKAGE_INSTALLERS:
            given = {_package_name(arg.value) for arg in command.args}
            if not given.isdisjoint(shared) or not all(arg.literal for arg in command.args):
                return True
        elif name in _MAY_INSTALL_PROGRAMS:
            return True
    return False


def _package_name(value: str) -> str:
    """``pip==24.0``, ``npm@10`` and ``pip>=23`` name ``pip`` and ``npm``."""
    for mark in "=<>~!@[;":
        value = value.split(mark, 1)[0] if not value.startswith(mark) else value
    return value.strip()


# -- the fix ----------------------------------------------------------------------------


def _indent_of(ctx: Context, instruction: Instruction) -> str | None:
    """The indentation a RUN gives the continuation lines that start a new command.

    A line led by ``&&`` or ``||``, or following a line that ends with ``&&``, ``||``,
    ``;`` or ``|``, starts a command; lines that only continue an argument list (package
    names under ``apt-get install``) say nothing about where ``&&`` belongs.
    """
    assert instruction.command_span is not None
    escape = ctx.escape
    text = ctx.slice(Span(instruction.span.start, instruction.command_span.end))
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip(" \t").startswith("#")
    ]
    found: list[str] = []
    for previous, line in pairwise(lines):
        stripped = line.lstrip(" \t")
        indent = line[: len(line) - len(stripped)]
        if not indent:
            continue
        if stripped.startswith(("&&", "||")):
            return indent
        before = previous.rstrip()
        if before.endswith(escape):
            before = before[: -len(escape)].rstrip()
        if before.endswith(("&&", "||", ";", "|")):
            found.append(indent)
    return min(found, key=len) if found else None


def _indent(ctx: Context, runs: Sequence[Instruction]) -> str:
    """The indentation for the ``&&`` lines of a merge.

    The whole block of adjacent RUNs around ``runs`` is searched from its top, so merging
    a block pair by pair (as the fix loop does) indents every joined line alike.
    """
    key = ("merge_indent", id(runs[0]))
    cached = ctx.memo.get(key)
    if cached is None:
        cached = ctx.memo[key] = _block_indent(ctx, runs[0])
    return cast(str, cached)


def _block_indent(ctx: Context, run: Instruction) -> str:
    block: list[Instruction] = []
    current: Instruction | None = run
    while current is not None and current.keyword == "RUN":
        block.insert(0, current)
        current = ctx.previous_instruction(current)
    current = ctx.next_instruction(run)
    while current is not None and current.keyword == "RUN":
        block.append(current)
        current = ctx.next_instruction(current)
    for member in block:
        if member.command_span is None:
            continue
        key = ("merge_indent_of", id(member))
        if key not in ctx.memo:
            ctx.memo[key] = _indent_of(ctx, member)
        indent = cast("str | None", ctx.memo[key])
        if indent is not None:
            return indent
    return "    "


def merge_fix(ctx: Context, first: Instruction, second: Instruction, title: str) -> Fix | None:
    """The fix appending ``second`` to ``first``, or None when they cannot be merged.

    The fix is a :class:`DeferredFix`, checked in full and planned when first read (see
    :func:`merge_chain_fix`).
    """
    return merge_chain_fix(ctx, (first, second), title)


def merge_chain_fix(ctx: Context, runs: Sequence[Instruction], title: str) -> Fix | None:
    """The fix merging a run of adjacent RUNs into the first, or None when any pair cannot.

    The checks that need only the instructions (adjacent shell-form RUNs of one stage
    with the same flags, no here-documents, no ``ONBUILD``) run now and give None at once.
    The rest of :func:`mergeable` (SHELL, shell parses, comments and pragmas between the
    RUNs) and the edits (with the re-parse of the merged text) wait until the fix is first
    read, so linting without fixing skips that work; a deferred fix that turns out to be
    refused then plans to None. Hand the result to ``Rule.violation`` as it is: a
    violation reads the planned fix, or None.
    """
    if len(runs) < 2:
        return None
    if any(_layout_refusal(ctx, a, b) is not None for a, b in pairwise(runs)):
        return None
    return DeferredFix(ctx, tuple(runs), title)


class DeferredFix(Fix):
    """A merge fix whose edits are planned on first use.

    It reads like a :class:`Fix`; called, it returns the planned :class:`Fix`, or None
    when a pair of RUNs turns out not to be mergeable or the merged text does not re-parse
    cleanly (a violation then has no fix).
    """

    __slots__ = ("_args", "_planned")

    _args: tuple[Context, tuple[Instruction, ...], str] | None
    _planned: object

    def __init__(self, ctx: Context, runs: tuple[Instruction, ...], title: str) -> None:
        object.__setattr__(self, "_args", (ctx, runs, title))
        object.__setattr__(self, "_planned", _UNPLANNED)

    def __call__(self) -> Fix | None:
        planned = self._planned
        if planned is _UNPLANNED:
            assert self._args is not None
            ctx, runs, title = self._args
            planned = _planned_fix(ctx, runs, title)
            object.__setattr__(self, "_planned", planned)
            object.__setattr__(self, "_args", None)
        return cast("Fix | None", planned)

    def _resolved(self) -> Fix:
        return self() or _NO_FIX

    @property
    def title(self) -> str:
        return self._resolved().title

    @property
    def edits(self) -> tuple[Edit, ...]:
        return self._resolved().edits

    @property
    def applicability(self) -> Applicability:
        return self._resolved().applicability

    @property
    def files(self) -> tuple[FileLines, ...]:
        return self._resolved().files

    def __repr__(self) -> str:
        return f"DeferredFix({self()!r})"


_UNPLANNED = object()
_NO_FIX = Fix("", (), Applicability.SAFE)


def _planned_fix(ctx: Context, runs: Sequence[Instruction], title: str) -> Fix | None:
    key = ("merge_chain_fix", *(id(run) for run in runs))
    if key not in ctx.memo:
        ctx.memo[key] = _merge_edits(ctx, runs)
    planned = cast("tuple[tuple[Edit, ...], bool] | None", ctx.memo[key])
    if planned is None:
        return None
    edits, unsafe = planned
    return (Fix.unsafe if unsafe else Fix.safe)(title, edits)


def _merge_edits(ctx: Context, runs: Sequence[Instruction]) -> tuple[tuple[Edit, ...], bool] | None:
    """The edits merging ``runs`` and whether the merge is unsafe, or None."""
    checks = [mergeable(ctx, a, b) for a, b in pairwise(runs)]
    if not all(checks):
        return None
    last = len(runs) - 1
    separators, wrapped = _joins(checks)
    if separators is None:
        return None
    escape = ctx.escape
    newline = ctx.newline_of(runs[0])
    indent = _indent(ctx, runs)
    spans = [run.command_span for run in runs]
    assert all(span is not None for span in spans)
    bodies = [span for span in spans if span is not None]
    edits: list[Edit] = []
    if wrapped[0]:
        edits.append(Edit.insert(bodies[0].start, "( "))
    for index, check in enumerate(checks):
        comments = "".join(ctx.slice(span) for span in check.comments)
        close = " )" if wrapped[index] else ""
        if separators[index] == "&&":
            join = f" {escape}{newline}{comments}{indent}&& "
        else:
            join = f"; {escape}{newline}{comments}{indent}"
        text = close + join + ("( " if wrapped[index + 1] else "")
        edits.append(Edit.replace(Span(bodies[index].end, bodies[index + 1].start), text))
    if wrapped[last]:
        edits.append(Edit.insert(bodies[last].end, " )"))
    expected = "".join(
        ({"&&": " && ", ";": "; "}[separators[index - 1]] if index else "")
        + (f"( {run.command_text} )" if wrap else run.command_text or "")
        for index, (run, wrap) in enumerate(zip(runs, wrapped, strict=True))
    )
    if not _reparses(ctx, runs, edits, expected):
        return None
    unsafe = any(check.applicability is Applicability.UNSAFE for check in checks)
    return tuple(edits), unsafe


def _joins(checks: Sequence[MergeCheck]) -> tuple[list[str] | None, list[bool]]:
    """How each pair of bodies is joined (``&&``, or ``;`` under an errexit SHELL) and
    which bodies run in ``( )``; None when errexit makes every join inexact.

    ``first && second`` is exact when the first body does not depend on errexit: errexit
    cannot be on (no ``-e`` SHELL, no ``set -e``), or everything errexit could stop in it
    is a simple command that ``&&`` stops too (one plain ``&&`` list, or, unwrapped, a
    last statement ending in a simple command). Under an errexit SHELL any other first
    body is joined as ``( first ); second``: the subshell is a statement of its own, so
    errexit applies inside it and to its status, exactly as in its own RUN.
    """
    count = len(checks) + 1
    separators = ["&&"] * len(checks)
    while True:
        wrapped = [
            (index < count - 1 and checks[index].wrap_first)
            or (index > 0 and separators[index - 1] == "&&" and checks[index - 1].wrap_second)
            or (index < count - 1 and separators[index] == ";")
            for index in range(count)
        ]
        changed = False
        for index, check in enumerate(checks):
            if separators[index] != "&&":
                continue
            shape = effects(check.bodies[0])
            if not (check.shell_errexit or shape.may_set_errexit):
                continue
            if shape.neutral or (not wrapped[index] and shape.last_neutral):
                continue
            if not check.shell_errexit:
                return None, wrapped
            separators[index] = ";"
            changed = True
        if not changed:
            return separators, wrapped


def _reparses(
    ctx: Context, runs: Sequence[Instruction], edits: Sequence[Edit], expected: str
) -> bool:
    """Re-parse the merged text: one RUN whose shell body is ``expected``, no new problems."""
    start = runs[0].span.start
    end = runs[-1].span.end
    segment = ctx.slice(Span(start, end))
    shifted = [Edit(edit.span.shifted(-start), edit.text) for edit in edits]
    merged = apply_edits(segment, shifted)
    prefix = "" if ctx.escape == "\\" else f"# escape={ctx.escape}\n"
    return _merged_text_ok(prefix, merged, expected)


@lru_cache(maxsize=1024)
def _merged_text_ok(prefix: str, merged: str, expected: str) -> bool:
    """True when ``prefix + merged`` is one clean shell-form RUN whose body is ``expected``."""
    document = parse(prefix + merged)
    if document.problems:
        return False
    instructions = [node for node in document.nodes if isinstance(node, Instruction)]
    if len(instructions) != 1 or len(document.nodes) != len(instructions) + bool(prefix):
        return False
    run = instructions[0]
    if run.keyword != "RUN" or run.form is not Form.SHELL or run.heredocs:
        return False
    if run.command_text is None or _squash(run.command_text) != _squash(expected):
        return False
    return not _has_shell_errors(run.command_text)


def _has_shell_errors(text: str) -> bool:
    """True when tree-sitter-bash finds a syntax error in ``text`` (as ``parse_script``)."""
    tree = _parser().parse(text.encode("utf-8", "surrogatepass"))
    return bool(tree.root_node.has_error)


def _squash(text: str) -> str:
    return " ".join(text.split())
