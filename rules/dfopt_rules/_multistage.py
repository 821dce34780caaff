"""Turning a final stage that builds its artefact into a build stage plus a runtime stage.

Not a rule module (the leading underscore keeps the pack loader away): the edits of
DF106's unsafe fix. The build stage keeps everything up to the build command; a new
final stage gets the runtime settings, the run-time packages and the artefact.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from dfopt.rules_api import (
    Comment,
    Context,
    Edit,
    Form,
    Instruction,
    SimpleCommand,
    Span,
    Stage,
    parse_assignments,
)

from . import _toolchains as tc

DUPLICATED = frozenset({"ENV", "ARG", "WORKDIR", "USER", "SHELL"})
"""Set up both the build and the run: kept in the build stage and repeated."""
MOVED = frozenset(
    {
        "EXPOSE",
        "LABEL",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "VOLUME",
        "CMD",
        "ENTRYPOINT",
        "MAINTAINER",
        "ONBUILD",
    }
)
"""Runtime settings: they move to the final stage."""
_QUIET = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "STOPSIGNAL", "MAINTAINER", "SHELL"})
"""Instructions the artefact COPY may be placed after."""
_RUNTIME_TOOLS = frozenset(
    {"go", "cargo", "rustc", "mvn", "mvnw", "gradle", "gradlew", "gcc", "make", "javac"}
)
_NODE_RUNNERS = frozenset({"node", "npm", "yarn", "pnpm", "nodemon", "ts-node"})
_STATE_CHANGES = frozenset({"cd", "export", "set", "source", ".", "alias", "unset", "pushd"})
_INSTALL_KINDS = frozenset({tc.RUNTIME, tc.NEUTRAL})
_BUILD_KINDS = frozenset({tc.BUILD, tc.NEUTRAL, tc.TOOLCHAIN})
_SAFE_PACKAGE = frozenset(
    "+-._=~<>:@abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
"""The CA bundle of Debian-family images (and of Alpine's ``ca-certificates``)."""
_CERTIFICATE_IMAGES = frozenset({tc.GO, tc.RUST})
"""Toolchain images that ship CA certificates (``golang``, ``rust``)."""


@dataclass
class Piece:
    """Lines of the new final stage."""

    text: str
    install: bool = False
    """A RUN that only installs packages or creates users: the artefact may come after."""
    quiet: bool = False
    """Metadata the artefact COPY may be placed after."""
    args: tuple[str, ...] = ()
    """For a repeated ARG: the names it declares (dropped when nothing uses them)."""
    source: bool = False
    """A repeated COPY of application files: the artefact COPY goes before it."""
    carry: bool = False
    """The RUN that installs the carried-over packages again."""


@dataclass
class Plan:
    pre: list[Piece] = field(default_factory=list)
    post: list[Piece] = field(default_factory=list)
    moved: list[Instruction] = field(default_factory=list)
    carry: dict[str, list[str]] = field(default_factory=dict)
    """Package manager -> run-time packages installed next to the toolchain."""
    runs_moved: bool = False
    global_installs: set[str] = field(default_factory=set)
    cut: Edit | None = None
    jdk: str | None = None
    """The Java version of a JDK package the build stage installs."""
    python_base: str | None = None
    """For the Python conversion: the base image, whose toolchain packages are mapped to
    their run-time libraries (see :func:`_toolchains.runtime_packages`)."""
    unmapped: list[str] = field(default_factory=list)
    """-dev packages with no known run-time library."""
    repeated: set[int] = field(default_factory=set)
    """ids of RUNs before the build that are repeated in the final stage."""
    certificates: bool = False
    """Copy the build image's CA bundle into the final stage, next to the artefact."""


def runtime_commands(stage: Stage, ctx: Context) -> Iterator[list[str]]:
    """The command lines the container runs (CMD, ENTRYPOINT, HEALTHCHECK CMD)."""
    for item in stage.instructions:
        if item.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            yield from _command_lines(item, ctx)


def plan(stage: Stage, found: tc.Found, ctx: Context) -> list[Edit] | None:
    """The edits of the multi-stage conversion, or None when it is not safe to offer."""
    items = stage.instructions
    from_instruction = stage.from_instruction
    if from_instruction is None or any(item.heredocs for item in items):
        return None
    if any(item.trigger is not None and item.trigger.heredocs for item in items):
        return None
    served = _check_runtime(stage, found, ctx)
    if served is False:
        return None
    artefact = _artefact(stage, found, ctx, served if isinstance(served, tuple) else None)
    if artefact is None:
        return None
    source, dest = artefact
    if found.toolchain != tc.NODE and not _starts_artefact(stage, found, dest, ctx):
        return None
    result = Plan()
    index = next(i for i, item in enumerate(items) if item is found.run)
    if not _before(items[1:index], result, ctx):
        return None
    if not _build_run(found, result, ctx):
        return None
    if not _after(items[index + 1 :], result, ctx):
        return None
    base = _runtime_base(stage, found, result)
    if base is None or not _carry(result, base, ctx, from_instruction):
        return None
    if isinstance(served, tuple) and served[0] not in result.global_installs:
        # `@latest` is what npm installs without a version; written out, it is a tag
        # DL3016 accepts, as hadolint does, so the conversion adds no finding.
        line = _line(ctx, from_instruction, f"RUN npm install -g {served[0]}@latest")
        result.post.insert(0, Piece(line, install=True))
    result.certificates = _needs_certificates(stage, base, result)
    return _edits(stage, result, base, source, dest, ctx)


# -- what the container runs -----------------------------------------------------------------


def _check_runtime(
    stage: Stage, found: tc.Found, ctx: Context
) -> bool | tuple[str, str | None, Instruction]:
    """False when the container runs a toolchain; for a front-end, the static server,
    its folder and the instruction that starts it; else True."""
    serving: tuple[str, str | None, Instruction] | None = None
    for item in stage.instructions:
        if item.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            continue
        for words in _command_lines(item, ctx):
            program = words[0].rsplit("/", 1)[-1] if words else ""
            if program in _RUNTIME_TOOLS:
                return False
            if found.toolchain != tc.NODE:
                continue
            served = tc.served_folder(words)
            if served is not None and item.keyword != "HEALTHCHECK":
                serving = (served[0], served[1], item)
            elif program in _NODE_RUNNERS or program in ("npx", "nginx"):
                return False
    if found.toolchain == tc.NODE:
        return serving if serving is not None else False
    return True


def _startup(stage: Stage, ctx: Context) -> tuple[list[str], Instruction] | None:
    """The words of the command the container starts (the last ENTRYPOINT, else the last
    CMD; for shell form its first command) and the instruction giving it."""
    for keyword in ("ENTRYPOINT", "CMD"):
        last = next((i for i in reversed(stage.instructions) if i.keyword == keyword), None)
        if last is None:
            continue
        lines = list(_command_lines(last, ctx))
        return (lines[0], last) if lines and lines[0] else None
    return None


def _starts_artefact(stage: Stage, found: tc.Found, dest: str, ctx: Context) -> bool:
    """The container starts the artefact (or `java -jar` on a copied jar), so it needs
    nothing else from the build stage."""
    startup = _startup(stage, ctx)
    if startup is None:
        return False
    words, item = startup
    workdir = ctx.state(item).workdir
    program = tc.resolve(words[0], workdir) if "/" in words[0] else None
    if found.toolchain == tc.JAVA:
        if words[0].rsplit("/", 1)[-1] != "java" or "-jar" not in words:
            return False
        position = words.index("-jar")
        if position + 1 >= len(words):
            return False
        jar = tc.resolve(words[position + 1], workdir)
        return jar is not None and posixpath.dirname(jar) + "/" == dest
    if dest.endswith("/"):
        return program is not None and program.startswith(dest)
    return program == dest


def _command_lines(item: Instruction, ctx: Context) -> Iterator[list[str]]:
    """The command lines of an exec-form or shell-form instruction (name and arguments)."""
    if item.form is Form.EXEC:
        yield [word.value for word in item.exec_args]
        return
    script = ctx.command_script(item)
    if script is None:
        return
    for command in script.commands:
        if command.name is not None:
            yield [command.name.value, *(arg.value for arg in command.args)]


def _artefact(
    stage: Stage,
    found: tc.Found,
    ctx: Context,
    served: tuple[str, str | None, Instruction] | None,
) -> tuple[str, str] | None:
    """``(source in the build stage, destination in the final stage)``."""
    build = found.build
    if build.toolchain == tc.NODE:
        # The server must be given the folder, and it must be the one the bundler writes.
        if served is None or served[1] is None:
            return None
        folder = tc.resolve(served[1], ctx.state(served[2]).workdir)
        output = tc.front_end_output(ctx)
        if output is not None and tc.resolve(output, found.cwd) != folder:
            return None
        if folder is None or not _plain(folder) or folder == "/":
            return None
        return folder, folder
    path = build.artefact
    if path is None or build.label == "pip install" or build.toolchain == tc.NATIVE:
        return None
    resolved = tc.resolve(path, found.cwd)
    if resolved is None or not _plain(resolved.replace("*", "")):
        return None
    if "*" in resolved:
        directory = posixpath.dirname(resolved)
        return resolved, directory + "/"
    if path.endswith("/"):
        return resolved + "/", resolved + "/"
    return resolved, resolved


def _plain(path: str) -> bool:
    return path.startswith("/") and not any(char in path for char in "$ \t\"'\\`")


# -- sorting the stage's instructions ----------------------------------------------------


def _before(items: list[Instruction], result: Plan, ctx: Context) -> bool:
    for item in items:
        keyword = item.keyword
        if keyword in DUPLICATED:
            result.pre.append(_piece(item, ctx, comments=False))
        elif keyword in MOVED:
            result.pre.append(_piece(item, ctx, comments=True))
            result.moved.append(item)
        elif keyword == "RUN":
            commands = list(ctx.commands(item)) if item.form is Form.SHELL else []
            kinds = set(tc.kinds(commands))
            if commands and kinds <= _INSTALL_KINDS and tc.RUNTIME in kinds:
                piece = _piece(item, ctx, comments=False, install=_installs(commands))
                result.pre.append(piece)
                result.runs_moved = True
                _note_globals(commands, result)
            else:
                _collect(commands, result)
    return True


def _build_run(found: tc.Found, result: Plan, ctx: Context) -> bool:
    """Split the build RUN after the build command when run-time work follows it."""
    run = found.run
    script = ctx.shell(run)
    if script is None:
        return False
    build = found.build.command
    ranges = script.top_level
    position = next(
        (i for i, (start, end) in enumerate(ranges) if start <= build.start < end), None
    )
    if position is None:
        return False
    commands = list(ctx.commands(run))
    before = [command for command in commands if command.start < ranges[position][0]]
    _collect(before, result)
    tail_ranges = ranges[position + 1 :]
    if not tail_ranges:
        return True
    tail = [command for command in commands if command.start >= tail_ranges[0][0]]
    kinds = set(tc.kinds(tail))
    if kinds <= _BUILD_KINDS:
        return True
    if not kinds <= _INSTALL_KINDS or script.has_errors:
        return False
    text = script.text
    for (_, end), (start, _) in zip(ranges[position:], ranges[position + 1 :], strict=False):
        if text[end:start].strip() != "&&":
            return False
    if text[ranges[-1][1] :].strip():
        return False
    if any(command.command in _STATE_CHANGES for command in commands if command not in tail):
        return False
    build_end = _range_end(commands, ranges[position])
    tail_start = next((c for c in tail if c.start == tail_ranges[0][0]), None)
    if build_end is None or tail_start is None or run.flags:
        return False
    gap = Span(build_end, tail_start.span.start)
    comments = "".join(ctx.slice(span) for span in run.inner_comments if gap.contains(span))
    body = ctx.slice(Span(tail_start.span.start, run.header_end))
    keyword = ctx.slice(run.keyword_span)
    newline = ctx.newline_of(run)
    piece = Piece(comments + f"{keyword} {body}{newline}", install=_installs(tail))
    result.post.append(piece)
    result.cut = Edit.delete(Span(build_end, run.header_end))
    result.runs_moved = True
    _note_globals(tail, result)
    return True


def _range_end(commands: list[SimpleCommand], bounds: tuple[int, int]) -> int | None:
    last = [command for command in commands if bounds[0] <= command.start < bounds[1]]
    if not last or last[-1].end != bounds[1]:
        return None
    return last[-1].span.end


def _after(items: list[Instruction], result: Plan, ctx: Context) -> bool:
    staying: list[int] = []
    moving: dict[int, bool] = {}
    for index, item in enumerate(items):
        if item.keyword != "RUN":
            continue
        if item.form is not Form.SHELL:
            return False
        script = ctx.shell(item)
        if script is None or script.has_errors:
            return False
        commands = list(ctx.commands(item))
        kinds = set(tc.kinds(commands))
        if kinds <= _INSTALL_KINDS:
            moving[index] = _installs(commands)
            _note_globals(commands, result)
        elif kinds <= _BUILD_KINDS:
            staying.append(index)
        else:
            return False
    last_staying = max(staying, default=-1)
    for index, item in enumerate(items):
        keyword = item.keyword
        if keyword == "RUN":
            if index in moving:
                result.post.append(_piece(item, ctx, comments=True, install=moving[index]))
                result.moved.append(item)
                result.runs_moved = True
            continue
        if keyword in DUPLICATED and index < last_staying:
            result.post.append(_piece(item, ctx, comments=False))
            continue
        if keyword in DUPLICATED or keyword in MOVED or keyword in ("COPY", "ADD"):
            result.post.append(_piece(item, ctx, comments=True))
            result.moved.append(item)
            continue
        return False
    return True


def _installs(commands: list[SimpleCommand]) -> bool:
    return all(
        tc.install_of(command) is not None
        or tc.classify(command) == tc.NEUTRAL
        or command.command in ("useradd", "adduser", "addgroup", "groupadd", "npm", "yarn", "pnpm")
        for command in commands
    )


def _note_globals(commands: list[SimpleCommand], result: Plan) -> None:
    for command in commands:
        if command.command in ("npm", "pnpm", "yarn"):
            result.global_installs.update(arg.value.split("@", 1)[0] for arg in command.args)


def _collect(commands: list[SimpleCommand], result: Plan) -> None:
    """Remember the run-time packages installed in a RUN that stays in the build stage."""
    removed: set[str] = set()
    for command in commands:
        names = tc.removed_packages(command)
        if names is not None:
            removed |= names
    for command in commands:
        install = tc.install_of(command)
        if install is None or (install.virtual is not None and install.virtual in removed):
            continue
        for word in install.packages:
            name = tc.package_name(word.value)
            result.jdk = result.jdk or tc.jdk_version(word.value)
            if name in removed:
                continue
            wanted = [word.value]
            if tc.toolchain_of(word.value):
                if result.python_base is None:
                    continue
                mapped = tc.runtime_packages(install.manager, word.value, result.python_base)
                if mapped is None:
                    if name not in result.unmapped:
                        result.unmapped.append(name)
                    continue
                wanted = mapped
            elif tc.is_build_only(word.value):
                continue
            packages = result.carry.setdefault(install.manager, [])
            packages.extend(package for package in wanted if package not in packages)


# -- the runtime stage ---------------------------------------------------------------------


def _runtime_base(stage: Stage, found: tc.Found, result: Plan) -> str | None:
    """The base image of the new final stage (None when dfopt cannot pick one)."""
    image = tc.image_toolchain(stage.base)
    toolchain = found.toolchain
    if toolchain == tc.NODE:
        return stage.base_raw if image == tc.NODE else None
    if toolchain == tc.JAVA:
        version = tc.java_version(stage.base) if image == tc.JAVA else None
        if version is None:
            version = result.jdk
        if version is None:
            return None
        alpine = "-alpine" if tc.family(stage.base) == "alpine" else ""
        return f"eclipse-temurin:{version}-jre{alpine}"
    if image is None:
        return stage.base_raw
    return tc.slim_base(stage.base)


def _needs_certificates(stage: Stage, base: str, result: Plan) -> bool:
    """The build image had CA certificates that the runtime base lacks: a ``golang`` or
    ``rust`` image (both ship ``ca-certificates``) swapped for a slim Debian or Ubuntu
    one (Alpine's base has the bundle), unless the final stage installs them itself."""
    if tc.image_toolchain(stage.base) not in _CERTIFICATE_IMAGES or tc.family(base) != "debian":
        return False
    pieces = (*result.pre, *result.post)
    return not any("ca-certificates" in piece.text for piece in pieces)


def _carry(result: Plan, base: str, ctx: Context, from_instruction: Instruction) -> bool:
    """Add the RUN that installs the carried-over packages; False when impossible."""
    family = tc.family(base)
    for manager, packages in result.carry.items():
        if not packages:
            continue
        if any(not set(package) <= _SAFE_PACKAGE for package in packages):
            return False
        names = " ".join(packages)
        if manager == "apk" and family == "alpine":
            line = f"RUN apk add --no-cache {names}"
        elif manager == "apt" and family == "debian":
            line = (
                "RUN apt-get update && apt-get install -y --no-install-recommends "
                f"{names} && rm -rf /var/lib/apt/lists/*"
            )
        else:
            return False
        result.pre.append(Piece(_line(ctx, from_instruction, line), install=True, carry=True))
    return True


def _line(ctx: Context, from_instruction: Instruction, line: str) -> str:
    keyword, _, rest = line.partition(" ")
    if ctx.slice(from_instruction.keyword_span).islower():
        keyword = keyword.lower()
    return f"{keyword} {rest}{ctx.newline_of(from_instruction)}"


def _piece(item: Instruction, ctx: Context, comments: bool, install: bool = False) -> Piece:
    start = _attached_start(item, ctx) if comments else item.span.start
    text = ctx.slice(Span(start, item.span.end))
    if not text.endswith("\n"):
        text += ctx.newline_of(item)
    args: tuple[str, ...] = ()
    if item.keyword == "ARG":
        args = tuple(key for key, _ in parse_assignments(item.args_text, False, ctx.escape))
    return Piece(text, install=install, quiet=item.keyword in _QUIET, args=args)


def _attached_start(item: Instruction, ctx: Context) -> int:
    nodes = ctx.document.nodes
    index = ctx.document.node_index(item)
    start = item.span.start
    while index > 0 and isinstance(nodes[index - 1], Comment):
        index -= 1
        start = nodes[index].span.start
    return start


def _stage_name(stage: Stage, ctx: Context) -> str:
    used = {other.name for other in ctx.stages if other.name}
    for name in ("build", "builder", "build-stage"):
        if name not in used:
            return name
    number = 2
    while f"build{number}" in used:
        number += 1
    return f"build{number}"


def _edits(
    stage: Stage, result: Plan, base: str, source: str, dest: str, ctx: Context
) -> list[Edit] | None:
    from_instruction = stage.from_instruction
    assert from_instruction is not None
    newline = ctx.newline_of(from_instruction)
    lower = ctx.slice(from_instruction.keyword_span).islower()
    as_word = "as" if lower else "AS"
    builder = _stage_name(stage, ctx)
    edits: list[Edit] = []
    words = from_instruction.words
    final_name = ""
    if len(words) >= 3 and words[1].value.lower() == "as":
        final_name = f" {ctx.slice(words[1].span)} {ctx.slice(words[2].span)}"
        edits.append(Edit.replace(words[2].span, builder))
    elif len(words) == 1:
        edits.append(Edit.insert(words[0].span.end, f" {as_word} {builder}"))
    else:
        return None
    if result.cut is not None:
        edits.append(result.cut)
    flags = "".join(ctx.slice(flag.span) + " " for flag in from_instruction.flags)
    keyword = ctx.slice(from_instruction.keyword_span)
    copy = "copy" if lower else "COPY"
    copy_line = f"{copy} --from={builder} {source} {dest}{newline}"
    if result.certificates:
        copy_line = f"{copy} --from={builder} {CA_BUNDLE} {CA_BUNDLE}{newline}" + copy_line
    post = result.post
    position = 0
    for index, piece in enumerate(post):
        if piece.install:
            position = index + 1
        elif not piece.quiet:
            break
    first_source = next((i for i, piece in enumerate(result.pre) if piece.source), None)
    if first_source is None:
        pieces = [*result.pre, *post[:position], Piece(copy_line), *post[position:]]
    else:
        # Application files copied before the build come after the artefact, so the
        # packages installed again and the artefact are cached below them.
        head = [piece for piece in result.pre[:first_source] if not piece.carry]
        carried = [piece for piece in result.pre if piece.carry]
        tail = [piece for piece in result.pre[first_source:] if not piece.carry]
        pieces = [*head, *carried, Piece(copy_line), *tail, *post]
    used = "".join(piece.text for piece in pieces if not piece.args)
    kept = [piece for piece in pieces if not piece.args or tc.references(used, piece.args)]
    stage_text = f"{keyword} {flags}{base}{final_name}{newline}" + "".join(
        piece.text for piece in kept
    )
    deletions = _deletions(stage, result.moved, ctx)
    text = ctx.text
    end = len(text)
    lead = "" if text.endswith("\n") else newline
    insertion = lead + newline + stage_text
    if deletions and deletions[-1].end == end:
        last = deletions.pop()
        before = text[: last.start]
        lead = "" if before.endswith("\n") or not before else newline
        edits.append(Edit.replace(last, lead + newline + stage_text))
    else:
        edits.append(Edit.insert(end, insertion))
    edits.extend(Edit.delete(span) for span in deletions)
    return edits


def _deletions(stage: Stage, moved: list[Instruction], ctx: Context) -> list[Span]:
    nodes = ctx.document.nodes
    from_instruction = stage.from_instruction
    assert from_instruction is not None
    first = ctx.document.node_index(from_instruction)
    deleted: set[int] = set()
    for item in moved:
        index = ctx.document.node_index(item)
        deleted.add(index)
        while index - 1 > first and isinstance(nodes[index - 1], Comment):
            index -= 1
            deleted.add(index)
    for index in range(first + 1, len(nodes)):
        if nodes[index].kind != "blank" or index in deleted:
            continue
        following = next((j for j in range(index + 1, len(nodes)) if j not in deleted), None)
        if following is None or nodes[following].kind == "blank":
            deleted.add(index)
    spans: list[Span] = []
    for index in sorted(deleted):
        span = nodes[index].span
        if spans and spans[-1].end == span.start:
            spans[-1] = Span(spans[-1].start, span.end)
        else:
            spans.append(span)
    return spans


# -- Python packages -----------------------------------------------------------------------

_PIP_ENVIRONMENT = frozenset(
    {
        "PIP_USER",
        "PIP_TARGET",
        "PIP_PREFIX",
        "PIP_ROOT",
        "PIP_EDITABLE",
        "PIP_SRC",
        "PIP_REQUIRE_VIRTUALENV",
        "VIRTUAL_ENV",
        "PYTHONUSERBASE",
        "CONDA_PREFIX",
    }
)
"""Settings that make pip install somewhere else than the interpreter's prefix."""
_BUILDER_COMMANDS = frozenset({"cd", "set", "rm", "true", ":"})
"""Commands that may stay in the build stage of the Python conversion besides pip,
package installs and removals, and cache cleanups."""
_REQUIREMENT_FILE = re.compile(
    r"^(?:[^/]*requirements[^/]*|constraints[^/]*\.txt|setup\.py|setup\.cfg|pyproject\.toml"
    r"|Pipfile|Pipfile\.lock|poetry\.lock)$",
    re.IGNORECASE,
)


@dataclass
class PythonPlan:
    """The edits of the Python conversion, or None with why it is not offered."""

    edits: list[Edit] | None
    unmapped: list[str] = field(default_factory=list)
    """-dev packages with no known run-time library (the fix is display only)."""


def python_plan(stage: Stage, found: tc.Found, ctx: Context) -> PythonPlan:
    """The multi-stage conversion of a ``pip install`` on the official ``python`` image.

    The stage becomes the build stage, where every ``pip install`` (but upgrades of pip,
    setuptools and wheel) gets ``--prefix=/install``; the new final stage starts from the
    same image, installs the run-time libraries of the ``-dev`` packages, copies
    ``/install`` to ``/usr/local`` and then the application files.
    """
    items = stage.instructions
    from_instruction = stage.from_instruction
    if from_instruction is None or any(item.heredocs for item in items):
        return PythonPlan(None)
    if any(item.trigger is not None and item.trigger.heredocs for item in items):
        return PythonPlan(None)
    if _check_runtime(stage, found, ctx) is False:
        return PythonPlan(None)
    index = next(i for i, item in enumerate(items) if item is found.run)
    if any(item.keyword == "USER" for item in items[:index]):
        return PythonPlan(None)
    if not _PIP_ENVIRONMENT.isdisjoint(ctx.state(found.run).variables):
        return PythonPlan(None)
    result = Plan(python_base=stage.base)
    if not _python_before(items[1:index], result, ctx):
        return PythonPlan(None, result.unmapped)
    if not _build_run(found, result, ctx) or not _after(items[index + 1 :], result, ctx):
        return PythonPlan(None, result.unmapped)
    moved = {id(item) for item in result.moved}
    for item in items[index + 1 :]:
        if item.keyword == "RUN" and id(item) not in moved:
            # Installs that stay in the build stage after the build (more -dev packages
            # for a later pip install) need their run-time libraries too.
            _collect(list(ctx.commands(item)), result)
    if result.unmapped:
        return PythonPlan(None, result.unmapped)
    prefixes = _prefix_edits(stage, found, result, ctx)
    if prefixes is None or not _builder_order(items[index + 1 :], result):
        return PythonPlan(None)
    base = stage.base_raw
    if not _carry(result, base, ctx, from_instruction):
        return PythonPlan(None)
    prefix = tc.PIP_PREFIX
    edits = _edits(stage, result, base, prefix, "/usr/local", ctx)
    if edits is None:
        return PythonPlan(None)
    return PythonPlan([*edits, *prefixes])


def _python_before(items: list[Instruction], result: Plan, ctx: Context) -> bool:
    """Sort the instructions before the build; False when one cannot be placed."""
    for item in items:
        keyword = item.keyword
        if keyword in DUPLICATED:
            result.pre.append(_piece(item, ctx, comments=False))
        elif keyword in MOVED:
            result.pre.append(_piece(item, ctx, comments=True))
            result.moved.append(item)
        elif keyword in ("COPY", "ADD"):
            # The install may read it, so it stays; application files are copied again.
            if not _requirements_only(item):
                result.pre.append(replace(_piece(item, ctx, comments=False), source=True))
        elif keyword == "RUN":
            if item.form is not Form.SHELL:
                return False
            script = ctx.shell(item)
            commands = list(ctx.commands(item))
            if script is None or script.has_errors or not commands:
                return False
            kinds = set(tc.kinds(commands))
            if kinds <= _INSTALL_KINDS and tc.RUNTIME in kinds:
                if any(command.command in _NODE_RUNNERS for command in commands):
                    return False
                piece = _piece(item, ctx, comments=False, install=_installs(commands))
                result.pre.append(piece)
                result.repeated.add(id(item))
                result.runs_moved = True
            else:
                _collect(commands, result)
        else:
            return False
    return True


def _requirements_only(item: Instruction) -> bool:
    """A COPY/ADD from the context of requirement files or project metadata only."""
    if any(flag.name == "from" for flag in item.flags):
        return False
    if item.form is Form.EXEC:
        words = [word.value for word in item.exec_args]
    else:
        words = [word.value for word in item.words]
    sources = words[:-1]
    if not sources:
        return False
    for source in sources:
        name = posixpath.basename(source.rstrip("/"))
        if "://" in source or not _REQUIREMENT_FILE.match(name):
            return False
    return True


def _builder_command(command: SimpleCommand) -> bool:
    """A command the Python conversion may leave in the build stage."""
    if not command.reliable:
        return False
    if tc.pip_install(command) is not None:
        return True
    if tc.install_of(command) is not None or tc.removed_packages(command) is not None:
        return True
    return tc.classify(command) == tc.NEUTRAL or command.command in _BUILDER_COMMANDS


def _prefix_edits(stage: Stage, found: tc.Found, result: Plan, ctx: Context) -> list[Edit] | None:
    """``--prefix=/install`` for every pip install that stays in the build stage; None when
    a command there installs Python packages another way or does other work."""
    moved = {id(item) for item in result.moved}
    cut = result.cut.span.start if result.cut is not None else None
    edits: list[Edit] = []
    for item in stage.instructions:
        if item.keyword != "RUN" or id(item) in moved or id(item) in result.repeated:
            continue
        if item.form is not Form.SHELL:
            return None
        for command in ctx.commands(item):
            if item is found.run and cut is not None and command.span.start >= cut:
                continue
            if not _builder_command(command):
                return None
            install = tc.pip_install(command)
            if install is None or install.tooling_only:
                continue
            if install.elsewhere or not install.verb.literal:
                return None
            edits.append(Edit.insert(install.verb.span.end, f" --prefix={tc.PIP_PREFIX}"))
    return edits


def _builder_order(items: list[Instruction], result: Plan) -> bool:
    """No RUN stays in the build stage after a COPY that moved to the final stage (it
    might read the files)."""
    moved = {id(item) for item in result.moved}
    copied = False
    for item in items:
        if item.keyword in ("COPY", "ADD") and id(item) in moved:
            copied = True
        elif item.keyword == "RUN" and id(item) not in moved and copied:
            return False
    return True
