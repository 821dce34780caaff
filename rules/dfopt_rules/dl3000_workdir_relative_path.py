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
    parse_assignments,
)
from dfopt_rules._instructions import references, unquote
from dfopt_rules._toolchains import image

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
    The fix joins the relative path to the working directory in force, as the builder
    does (`WORKDIR /srv` then `WORKDIR app/../data` becomes `WORKDIR /srv/data`). That
    directory is worked out from the earlier `WORKDIR`s of the stage and of the stages
    it builds on, as they are written, never from `ARG` defaults: `ARG BASE=/srv`,
    `WORKDIR $BASE`, `WORKDIR app` would become `WORKDIR $BASE/app`, not
    `WORKDIR /srv/app`, which is wrong for `--build-arg BASE=/opt`. Quotes are kept.

    It is safe only when all of this holds: the path does not start with a variable
    (`ARG DIR=app`, `WORKDIR $DIR`: a build argument may make it absolute); the
    working directory it joins is known, from an absolute `WORKDIR` of the stage or its
    parent stages; and no `WORKDIR` that directory comes from holds a variable. A
    variable in the relative path itself is kept as written (`WORKDIR /opt` then
    `WORKDIR lib/$NAME` becomes `WORKDIR /opt/lib/$NAME`), which the builder resolves
    the same way.

    Otherwise the fix is unsafe:

    - the base image's own working directory is unknown: images set their own
      `WORKDIR` (`golang` images work in `/go`). The fix assumes `/go` for `golang`,
      `/usr/local/tomcat` for `tomcat` and `/` for any other image, `scratch` included
      (`WORKDIR app` after `FROM node:22` becomes `WORKDIR /app`), which differs when
      the image sets another;
    - the path starts with a variable;
    - the working directory comes from a `WORKDIR` with a variable (kept as written,
      `WORKDIR $BASE/app`): that is exact only while the variable holds an absolute
      path, and a relative `--build-arg` value makes the two differ.

    No fix is offered when a variable the working directory depends on comes from an
    earlier stage (`ARG`s do not cross stages) or is set again between that `WORKDIR`
    and this one, when an earlier `WORKDIR` starts with a variable whose default is
    relative, for paths with backslashes (Windows images) or written across
    continuation lines.
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
            self._fix(instruction, path, quote, ctx),
        )

    @staticmethod
    def _fix(instruction: Instruction, path: str, quote: str, ctx: Context) -> Fix | None:
        span = instruction.args_span
        if ctx.slice(span) != instruction.args_text or "\\" in path or ctx.escape in path:
            return None
        current = written_workdir(ctx, instruction)
        if current is None or not current.exact:
            return None
        joined = posixpath.join(current.path, path)
        absolute = joined if "$" in joined else posixpath.normpath(joined)
        edits = [Edit.replace(span, f"{quote}{absolute}{quote}")]
        if not current.known:
            return Fix.unsafe(
                f"Make the path absolute: `{absolute}` (assumes the base image works in "
                f"`{current.base}`)",
                edits,
            )
        if current.dynamic:
            return Fix.unsafe(
                f"Resolve against the current WORKDIR: `{absolute}` (exact while its "
                "variables hold absolute paths)",
                edits,
            )
        if path.startswith("$"):
            return Fix.unsafe(
                f"Resolve against the current WORKDIR: `{absolute}` (exact while the path "
                "stays relative)",
                edits,
            )
        return Fix.safe(f"Resolve against the current WORKDIR: `{absolute}`", edits)


class WrittenWorkdir:
    """The working directory before an instruction, as the Dockerfile writes it."""

    __slots__ = ("base", "dynamic", "exact", "known", "path")

    path: str
    """Absolute; variables of `WORKDIR`s kept as written (``$BASE/app``)."""
    known: bool
    """False when it starts from the base image's working directory, assumed here."""
    base: str
    """The working directory the stages' root image starts in (assumed unless known)."""
    dynamic: bool
    """It holds a variable."""
    exact: bool
    """False when writing ``path`` at the instruction would not mean the same: a
    variable from an earlier stage, set again since, or a `WORKDIR` starting with a
    variable (absolute or relative depending on the build argument)."""

    def __init__(self, path: str, known: bool, base: str, dynamic: bool, exact: bool) -> None:
        self.path = path
        self.known = known
        self.base = base
        self.dynamic = dynamic
        self.exact = exact


# Working directories of official images that set one (all their Linux variants).
_IMAGE_WORKDIRS = {"golang": "/go", "tomcat": "/usr/local/tomcat"}
_WINDOWS_TAGS = ("windowsservercore", "nanoserver", "ltsc")


def base_workdir(base: str) -> tuple[str, bool]:
    """The working directory a stage's root image starts in, and whether it is known
    rather than assumed. Never known: even ``scratch``, which works in ``/``, is left
    to the build fingerprint's view, which does not resolve against it."""
    found = image(base)
    if base.lower() == "scratch" or any(word in found.tag for word in _WINDOWS_TAGS):
        return "/", False
    return _IMAGE_WORKDIRS.get(found.name, "/"), False


def written_workdir(ctx: Context, instruction: Instruction) -> WrittenWorkdir | None:
    """The working directory in force before ``instruction``, from the `WORKDIR`s of its
    stage and the stages it builds on as they are written; None when one of them holds
    characters the helpers do not rewrite (backslashes, quotes inside)."""
    stage = ctx.stage(instruction)
    if stage is None:
        return None
    chain = [stage]
    while chain[-1].parent is not None and len(chain) <= len(ctx.stages):
        chain.append(chain[-1].parent)  # type: ignore[arg-type]
    path, known = base_workdir(chain[-1].base)
    base = path
    dynamic = False
    exact = True
    names: set[str] = set()
    for owner in reversed(chain):
        for item in owner.instructions:
            if item is instruction:
                break
            if owner is stage and item.keyword in ("ARG", "ENV") and names:
                assigned = {
                    key
                    for key, _ in parse_assignments(
                        item.args_text, item.keyword == "ENV", ctx.escape
                    )
                }
                if assigned & names:
                    exact = False
            if item.keyword != "WORKDIR":
                continue
            raw, _quote = unquote(item.args_text)
            if not raw or "\\" in raw or ctx.escape in raw or any(q in raw for q in "\"'"):
                return None
            used = {reference.name for reference in references(raw, ctx.escape)}
            if used:
                dynamic = True
                names |= used
                if owner is not stage:
                    exact = False
            if raw.startswith("/"):
                path, known = raw, True
            elif raw.startswith("$") and expand(
                raw, ctx.state(item).variables, ctx.escape
            ).startswith("/"):
                path, known = raw, True  # absolute with the defaults: kept as written
            else:
                if raw.startswith("$"):
                    exact = False
                path = posixpath.join(path, raw)
            if "$" not in path:
                path = posixpath.normpath(path)
    return WrittenWorkdir(path, known, base, dynamic, exact)
