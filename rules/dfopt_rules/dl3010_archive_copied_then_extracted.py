"""DL3010: a local archive is COPY'd and then unpacked in a RUN."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Span,
    Violation,
    plain_chain,
)
from dfopt_rules._archives import HADOLINT_ARCHIVE_EXTENSIONS
from dfopt_rules._commands import commands_of, is_option

# Archives ADD unpacks: tar, optionally compressed with gzip, bzip2 or xz.
_ADD_UNPACKS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
_DECOMPRESSORS = frozenset(
    {"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}
)
_TAR_KEYS = frozenset("xzjJvf")
_REMOVE_OPTIONS = frozenset({"-f", "-r", "-rf", "-fr", "-v", "-fv", "-vf", "--force"})


def _basename(value: str) -> str:
    return value.strip("\"'").replace("\\", "/").rsplit("/", 1)[-1]


def is_archive(value: str) -> bool:
    return _basename(value).endswith(HADOLINT_ARCHIVE_EXTENSIONS)


def _extracts(command: SimpleCommand) -> bool:
    name = command.command
    if name in _DECOMPRESSORS:
        return True
    if name != "tar":
        return False
    for index, arg in enumerate(command.args):
        value = arg.value
        if value in ("--extract", "--get"):
            return True
        if value.startswith("-") and not value.startswith("--") and "x" in value[1:]:
            return True
        # Old-style keys without a dash: `tar xzf file.tgz`.
        if index == 0 and value and set(value) <= set("xtcrudzjJvfpoaZ") and "x" in value:
            return True
    return False


class _Copied:
    """An archive a COPY brought, and whether a finding names it already."""

    __slots__ = ("instruction", "reported", "span")

    def __init__(self, instruction: Instruction, span: Span, reported: bool = False) -> None:
        self.instruction = instruction
        self.span = span
        self.reported = reported


class ArchiveCopiedThenExtracted(Rule):
    """## What it does
    Flags a `COPY` of a local archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, `.bz2`,
    `.gz`, `.xz`, `.lzma` ...) that a later `RUN` of the same stage unpacks with
    `tar -x` or a decompressor (`gunzip`, `bunzip2`, `unxz`, `unlzma`, `uncompress`,
    `zcat` ...), naming the archive by its file name. The finding is on the archive in
    the `COPY`, as in hadolint; a `COPY` whose destination is itself an archive name
    counts with that name. Zip files are not archives here (`ADD` does not unpack
    them). `COPY --from` copies from another stage and is not checked. `ONBUILD`
    instructions are matched among themselves.

    Differences from hadolint: old-style `tar xzf file.tgz` (keys without a dash)
    counts as an extraction, while `--exclude=...` and other long options holding an
    `x` do not; and every stage is reported (hadolint loses the findings of a stage
    when another `FROM` follows it, so in practice it only reports the last stage).

    ## Why is this bad?
    The archive is stored in the `COPY` layer and its unpacked content again in the
    `RUN` layer, so the image carries the bytes twice even if the `RUN` deletes the
    archive. `ADD` unpacks a local tar archive in a single step and a single layer.

    ## Fix safety
    Unsafe, and only offered in the simplest case: `COPY app.tar.gz /opt/` (a single
    literal tar archive, no flags, a directory destination ending in `/`) followed
    directly by a `RUN` whose `&&` chain starts with `tar -xzf /opt/app.tar.gz -C
    /opt` (only the `x`, `z`, `j`, `J`, `v` and `f` keys and `-C`) and `rm -f
    /opt/app.tar.gz`. The fix turns the `COPY` into `ADD` and drops those two
    commands (the whole `RUN` when nothing else is left).

    It is unsafe because `ADD` unpacks differently from `tar`: it detects the
    compression from the content rather than the name, copies a file that turns out
    not to be a tar archive instead of failing, and handles ownership and
    permissions its own way; and the `tar` output disappears from the build log.
    Every other case (`gunzip`, `--strip-components`, a checksum check before the
    extraction, other directories) is reported without a fix.
    """

    code = "DL3010"
    name = "archive-copied-then-extracted"
    summary = "Use ADD for extracting archives into an image"
    severity = Severity.INFO
    targets = frozenset({"COPY", "RUN"})
    programs = _DECOMPRESSORS | {"tar"}
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = (
        "FROM debian:12\n"
        "COPY app.tar.gz /opt/\n"
        "RUN tar -xzf /opt/app.tar.gz -C /opt && rm /opt/app.tar.gz\n"
    )
    good = "FROM debian:12\nADD app.tar.gz /opt/\n"

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._archives: dict[tuple[int, bool], dict[str, _Copied]] = {}

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if target.keyword != "COPY" and not self._archives:
            return  # no archive copied yet
        stage = ctx.stage(instruction)
        key = (stage.index if stage is not None else -1, ctx.onbuild)
        archives = self._archives.get(key)
        if target.keyword == "COPY":
            if archives is None:
                archives = {}
                self._remember(instruction, archives)
                if archives:
                    self._archives[key] = archives
            else:
                self._remember(instruction, archives)
            return
        if not archives:
            return
        for command in commands_of(ctx, instruction):
            if not _extracts(command):
                continue
            for arg in command.args:
                if is_option(arg):
                    continue
                copied = archives.get(_basename(arg.value))
                if copied is None or copied.reported:
                    continue
                copied.reported = True
                yield self.violation(
                    copied.span,
                    f"`{_basename(arg.value)}` is copied and then unpacked by a `RUN`: "
                    "`ADD` unpacks a local archive in one layer",
                    partial(_fix, copied.instruction, ctx),
                )

    @staticmethod
    def _remember(instruction: Instruction, archives: dict[str, _Copied]) -> None:
        target = instruction.effective
        if target.has_flag("from") or target.heredocs:
            return
        if target.form is Form.EXEC:
            words = [(word.value, word.span) for word in target.exec_args]
        else:
            words = [(word.value, word.span) for word in target.words]
        if len(words) < 2:
            return
        destination = words[-1]
        if is_archive(destination[0]):
            archives[_basename(destination[0])] = _Copied(instruction, destination[1])
            return
        for value, span in words[:-1]:
            if is_archive(value):
                archives.setdefault(_basename(value), _Copied(instruction, span))


def _fix(copy: Instruction, ctx: Context) -> Fix | None:
    if copy.is_onbuild or copy.flags or copy.form is not Form.SHELL or copy.heredocs:
        return None
    words = copy.words
    if len(words) != 2:
        return None
    source, destination = words[0].value, words[1].value
    if any(char in source + destination for char in "$*?[\"'\\"):
        return None
    if not source.endswith(_ADD_UNPACKS) or not destination.startswith("/"):
        return None
    if not destination.endswith("/"):
        return None
    directory = posixpath.normpath(destination)
    archive = posixpath.join(directory, _basename(source))
    run = ctx.next_instruction(copy)
    if run is None or run.keyword != "RUN" or run.flags:
        return None
    chain = plain_chain(ctx, run)
    if chain is None or len(chain.ranges) < 2:
        return None
    statements = [_statement_command(chain.script.commands, r) for r in chain.ranges[:2]]
    tar, remove = statements
    if tar is None or remove is None:
        return None
    if not _simple_tar(tar, archive, directory) or not _removes(remove, archive):
        return None
    keyword = "add" if ctx.slice(copy.keyword_span).islower() else "ADD"
    edits = [Edit.replace(copy.keyword_span, keyword)]
    if len(chain.ranges) == 2:
        edits.append(Edit.delete(run.span))
    else:
        first = chain.statement(0)
        third = chain.statement(2)
        edits.append(Edit.delete(Span(first.start, third.start)))
    return Fix.unsafe("Let `ADD` unpack the archive", edits)


def _statement_command(
    commands: Sequence[SimpleCommand], statement: tuple[int, int]
) -> SimpleCommand | None:
    for command in commands:
        if (command.start, command.end) == statement:
            if command.assignments or command.redirects or command.depth:
                return None
            return command
    return None


def _simple_tar(tar: SimpleCommand, archive: str, directory: str) -> bool:
    if tar.name is None or tar.name.raw != "tar":
        return False
    args = [arg.value for arg in tar.args]
    if any(not arg.literal for arg in tar.args):
        return False
    extract = False
    file: str | None = None
    into: str | None = None
    index = 0
    while index < len(args):
        value = args[index]
        following = args[index + 1] if index + 1 < len(args) else None
        keys = value[1:] if value.startswith("-") and not value.startswith("--") else None
        if index == 0 and not value.startswith("-"):
            keys = value
        if value == "-C" and following is not None:
            into = following
            index += 2
            continue
        if value.startswith("--directory="):
            into = value.split("=", 1)[1]
        elif value.startswith("--file="):
            file = value.split("=", 1)[1]
        elif value in ("--extract", "--get"):
            extract = True
        elif value not in ("--gzip", "--bzip2", "--xz", "--verbose"):
            if not keys or not set(keys) <= _TAR_KEYS:
                return False
            extract = extract or "x" in keys
            if "f" in keys:
                if not keys.endswith("f") or following is None:
                    return False
                file = following
                index += 2
                continue
        index += 1
    if not extract or file is None or into is None:
        return False
    return posixpath.normpath(file) == archive and posixpath.normpath(into) == directory


def _removes(remove: SimpleCommand, archive: str) -> bool:
    if remove.name is None or remove.name.raw != "rm":
        return False
    operands = [arg for arg in remove.args if arg.value not in _REMOVE_OPTIONS]
    if len(operands) != 1 or not operands[0].literal:
        return False
    return posixpath.normpath(operands[0].value) == archive
