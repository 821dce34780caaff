"""DL3000: WORKDIR with a relative path."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Violation,
    expand,
)
from dfopt_rules._instructions import references, unquote

# `C:`, `c:\app`, `D:/data`: absolute on Windows images (hadolint accepts them too).
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


class WorkdirRelativePath(Rule):
    """## What it does
    Flags a `WORKDIR` whose path is relative (`WORKDIR app`), as hadolint's DL3000 does.
    Paths that start with `/`, with a Windows drive (`C:\\app`) or with a variable are
    accepted. A path that starts with a variable is checked only when every variable in it
    has a known value from an `ARG` default or an `ENV` of the stage: `ARG DIR=app` followed
    by `WORKDIR $DIR` is reported (hadolint never reports it), while `WORKDIR $HOME/app`
    is not, since `HOME` comes from the base image. `ONBUILD WORKDIR` is not checked.

    BuildKit's `WorkdirRelativePath` check (an alias of this rule) is narrower: it reports
    a relative `WORKDIR` only when no `WORKDIR` at all came before it in the stage.

    ## Why is this bad?
    A relative `WORKDIR` is resolved against the working directory in force, which, until
    the stage sets an absolute one, is whatever the base image chose. When the base image
    changes its `WORKDIR`, files silently land somewhere else. An absolute path says where
    they go.

    ## Fix safety
    When an earlier `WORKDIR` of the stage (or of the stage it builds on) set an absolute
    directory, the relative path is resolved against it (`WORKDIR /srv` then
    `WORKDIR app` becomes `WORKDIR /srv/app`) and the fix is safe: the directory is the
    same. Otherwise the fix is unsafe: it makes the path absolute from the root
    (`WORKDIR app` becomes `WORKDIR /app`), which differs when the base image's working
    directory is not `/`. Quotes are kept. No fix is offered for paths with backslashes
    (Windows images) or written across continuation lines.
    """

    code = "DL3000"
    name = "workdir-relative-path"
    summary = "Use an absolute WORKDIR"
    severity = Severity.ERROR
    targets = frozenset({"WORKDIR"})
    include_onbuild = False
    aliases = ("WorkdirRelativePath",)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM node:22-alpine\nWORKDIR app\n"
    good = "FROM node:22-alpine\nWORKDIR /app\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        raw = instruction.args_text
        if not raw:
            return
        path, quote = unquote(raw)
        if path.startswith("/") or _WINDOWS_DRIVE.match(path):
            return
        state = ctx.state(instruction)
        if path.startswith("$"):
            variables = state.variables
            names = [reference.name for reference in references(path, ctx.escape)]
            if not names or any(name not in variables for name in names):
                return
            resolved = expand(path, variables, ctx.escape)
            if resolved.startswith("/") or _WINDOWS_DRIVE.match(resolved):
                return
        yield self.violation(
            instruction.args_span,
            f"`WORKDIR {raw}` is relative; use an absolute path",
            self._fix(instruction, path, quote, state.workdir, ctx),
        )

    @staticmethod
    def _fix(
        instruction: Instruction, path: str, quote: str, workdir: str | None, ctx: Context
    ) -> Fix | None:
        span = instruction.args_span
        if ctx.slice(span) != instruction.args_text or "\\" in path or ctx.escape in path:
            return None
        if workdir is not None and not any(char in workdir for char in "$\\\"'`\n"):
            joined = posixpath.join(workdir, path)
            absolute = joined if "$" in path else posixpath.normpath(joined)
            return Fix.safe(
                f"Resolve against the current WORKDIR: `{absolute}`",
                [Edit.replace(span, f"{quote}{absolute}{quote}")],
            )
        absolute = "/" + path if "$" in path else posixpath.normpath("/" + path)
        return Fix.unsafe(
            f"Make the path absolute: `{absolute}`",
            [Edit.replace(span, f"{quote}{absolute}{quote}")],
        )
