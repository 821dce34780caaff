"""DF108: a downloaded archive is unpacked but left in the layer."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from functools import cache, partial

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellScript,
    SimpleCommand,
    Stage,
    Violation,
    append_to_chain,
    later_instructions,
    plain_chain,
    record,
    run_invocations,
    set_field,
)
from dfopt_rules._hygiene import (
    Paths,
    command_span,
    operands,
    option_values,
    options,
    removes,
    shell_quote,
    short_letters,
    url_name,
)

_CURL_VALUES = frozenset("oHdXuxAebcCEFKmrTwYyzUQt") | {
    "output",
    "output-dir",
    "header",
    "data",
    "user",
    "proxy",
    "request",
    "user-agent",
    "referer",
    "cookie",
    "cookie-jar",
    "connect-timeout",
    "max-time",
    "retry",
    "write-out",
    "form",
    "config",
    "range",
    "upload-file",
    "cacert",
    "cert",
}
_WGET_VALUES = frozenset("OoaPeUTtwiBYQlADIXR") | {
    "output-document",
    "directory-prefix",
    "output-file",
    "append-output",
    "tries",
    "timeout",
    "wait",
    "user-agent",
    "header",
    "user",
    "password",
    "input-file",
    "progress",
}
_TAR_VALUES = frozenset("fCbTXKNVgLH") | {
    "file",
    "directory",
    "exclude",
    "files-from",
    "exclude-from",
    "transform",
    "strip-components",
    "owner",
    "group",
    "mode",
    "use-compress-program",
}
# Decompressors that delete their input unless told to keep it.
_CONSUMING = {
    "gunzip": "gzip",
    "gzip": "gzip",
    "bunzip2": "bzip2",
    "bzip2": "bzip2",
    "unxz": "xz",
    "xz": "xz",
    "unlzma": "xz",
    "lzma": "xz",
    "uncompress": "gzip",
}
_CATS = frozenset({"zcat", "gzcat", "bzcat", "xzcat", "zstdcat", "lz4cat"})
_SEVEN_ZIP = frozenset({"7z", "7za", "7zr", "unrar", "rar"})


_UNPACKERS = frozenset(
    {"tar", "bsdtar", "gtar", "unzip", "zstd", "unzstd", *_SEVEN_ZIP, *_CATS, *_CONSUMING}
)
"""Every command :func:`_unpacked` knows."""


@record()
class _Download:
    __slots__ = ("command", "key", "literal", "value")

    key: str
    value: str
    """The path as the script writes it."""
    literal: bool
    command: SimpleCommand

    def __init__(self, key: str, value: str, literal: bool, command: SimpleCommand) -> None:
        set_field(self, "key", key)
        set_field(self, "value", value)
        set_field(self, "literal", literal)
        set_field(self, "command", command)


def _downloads(command: SimpleCommand, paths: Paths) -> Iterator[_Download]:
    name = command.command
    written: list[tuple[str, bool]] = []
    if name == "curl":
        for word, value in option_values(command, "o", "output", _CURL_VALUES):
            if value != "-":  # `-o -` writes to standard output, not to a file
                written.append((value, word.literal))
        if any(
            "O" in short_letters(arg.value, _CURL_VALUES)
            or arg.value in ("--remote-name", "--remote-name-all")
            for arg in options(command, _CURL_VALUES)
        ):
            directories = option_values(command, None, "output-dir", _CURL_VALUES)
            prefix = directories[-1][1] if directories else ""
            for arg in operands(command, _CURL_VALUES):
                remote = url_name(arg.value)
                if remote is not None:
                    written.append((posixpath.join(prefix, remote) if prefix else remote, True))
    elif name == "wget":
        outputs = option_values(command, "O", "output-document", _WGET_VALUES)
        prefixes = option_values(command, "P", "directory-prefix", _WGET_VALUES)
        if outputs:
            written.extend((value, word.literal) for word, value in outputs if value != "-")
        else:
            prefix = prefixes[-1][1] if prefixes else ""
            for arg in operands(command, _WGET_VALUES):
                remote = url_name(arg.value)
                if remote is not None:
                    written.append((posixpath.join(prefix, remote) if prefix else remote, True))
    for value, literal in written:
        key = paths.key(value, command.start) if literal else None
        if key is not None:
            yield _Download(key, value, literal, command)


def _unpacked(command: SimpleCommand) -> tuple[list[str], bool]:
    """The archive files a command unpacks, and whether it deletes them doing so."""
    name = command.command
    values = [arg.value for arg in command.args]
    if name in ("tar", "bsdtar", "gtar"):
        letters = "".join(
            short_letters(arg.value, _TAR_VALUES) for arg in options(command, _TAR_VALUES)
        )
        old_style = values[0] if values and values[0].isalpha() else ""
        if "x" not in letters + old_style and not any(
            value in ("--extract", "--get") for value in values
        ):
            return [], False
        files = [value for _word, value in option_values(command, "f", "file", _TAR_VALUES)]
        if old_style and "f" in old_style:
            valued = [letter for letter in old_style if letter in _TAR_VALUES]
            index = 1 + valued.index("f")
            if index < len(values):
                files.append(values[index])
        return files, False
    if name == "unzip":
        found = operands(command, {"d", "P", "x"})
        return ([found[0].value] if found else []), False
    if name in _SEVEN_ZIP:
        found = operands(command)
        if len(found) >= 2 and found[0].value in ("x", "e"):
            return [found[1].value], False
        return [], False
    if name in _CATS:
        return [word.value for word in operands(command)], False
    family = _CONSUMING.get(name or "")
    if family is not None or name in ("zstd", "unzstd"):
        decompress = name.startswith("un") if name else False
        letters = "".join(short_letters(arg.value) for arg in options(command))
        longs = {value for value in values if value.startswith("--")}
        decompress = decompress or "d" in letters or "--decompress" in longs
        if not decompress:
            return [], False
        files = [word.value for word in operands(command)]
        if name in ("zstd", "unzstd"):
            return files, "--rm" in longs
        keeps = bool({"k", "c"} & set(letters)) or bool({"--keep", "--stdout"} & longs)
        return files, not keeps
    return [], False


def _removed(command: SimpleCommand, paths: Paths) -> list[str | None]:
    """Keys of what an ``rm`` removes; None for an operand whose value is unknown."""
    if command.command != "rm":
        return []
    return [
        paths.key(word.value, command.start) if word.literal else None for word in operands(command)
    ]


class ArchiveLeftBehind(Rule):
    """## What it does
    Flags a `RUN` that downloads an archive (`curl -o FILE`, `curl -O`, `wget -O FILE`,
    `wget -P DIR` or plain `wget URL`), unpacks it (`tar -x`, `unzip`, `7z x`,
    `gunzip -k`, `zcat` ...) and does not remove it in the same `RUN`.

    It stays silent when an `rm` of the same `RUN` removes the file (by name, glob or a
    parent directory), or might (an `rm` of a variable), when the archive sits on a
    cache or tmpfs mount, and when a decompressor such as `gunzip` deletes the archive
    itself. Only stages that end up in an image are checked (the final stage and stages
    a later `FROM` builds on), plus `ONBUILD RUN`. When a later `RUN` of the stage
    removes the archive, DF102 reports that instead.

    ## Why is this bad?
    Once unpacked, the archive is dead weight: its bytes are committed with the layer
    and no later instruction can take them out of the image.

    ## Fix safety
    Safe: ` && rm -f <archive>` is appended to the `RUN` (on a new continuation line
    when the `RUN` spans several). Only the downloaded archive, which the `RUN` has
    already unpacked, leaves the image. The fix is offered only when the `RUN` is a
    plain `&&` chain (so the removal runs when everything before it succeeded), the
    archive path is a literal the removal can name from the end of the script, and no
    later instruction of the stage, of a stage built on it, or a `COPY --from` (or
    `--mount=from=`) may read the archive: none names it or a glob matching it
    (`sha256sum tool-*.tar.gz`), checks checksums or signatures (`sha256sum -c
    SHA256SUMS` names the file only inside the list), or runs code dfopt cannot see (a
    script, `make`). The archive file itself is the one difference in the image: the
    execution oracles of the test suite list it as allowed to vanish.
    """

    code = "DF108"
    name = "archive-left-behind"
    summary = "A downloaded archive is unpacked but not removed in the same RUN"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"curl", "wget"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = (
        "FROM debian:12\n"
        "RUN curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool.tar.gz"
        " && tar -xzf /tmp/tool.tar.gz -C /opt\n"
    )
    good = (
        "FROM debian:12\n"
        "RUN curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool.tar.gz"
        " && tar -xzf /tmp/tool.tar.gz -C /opt && rm -f /tmp/tool.tar.gz\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        names = {command.command for command in ctx.commands(instruction)}
        if ("curl" not in names and "wget" not in names) or names.isdisjoint(_UNPACKERS):
            return  # nothing downloaded, or nothing unpacked
        stage = ctx.stage(instruction)
        if stage is None or (not ctx.onbuild and not _kept(stage, ctx)):
            return
        workdir = ctx.state(instruction).workdir
        left: list[tuple[_Download, Paths]] = []
        for source in ctx.scripts(instruction):
            left.extend(self._left_in(source.script, workdir))
        left = [
            (download, paths)
            for download, paths in left
            if not (download.key.startswith("/") and ctx.cache_mounted(instruction, download.key))
            and not self._removed_later(download.key, instruction, stage, ctx)
        ]
        if not left:
            return
        # Planned once, and only when something reads it; every finding shares it.
        fix = cache(partial(self._fix, instruction, stage, left, ctx))
        for download, _paths in left:
            yield self.violation(
                command_span(download.command),
                f"`{download.value}` is downloaded and unpacked but not removed in the same "
                "`RUN`, so the archive stays in the layer",
                fix,
            )

    @staticmethod
    def _left_in(script: ShellScript, workdir: str | None) -> Iterator[tuple[_Download, Paths]]:
        commands = [command for command in script.commands if command.reliable]
        if script.has_errors and not commands:
            return
        if not any(command.command in _UNPACKERS for command in commands):
            return
        paths = Paths(script, workdir)
        downloads: list[_Download] = []
        for command in commands:
            if command.command in ("curl", "wget"):
                downloads.extend(_downloads(command, paths))
        if not downloads:
            return
        # What each command unpacks (keys), whether that deletes it, and what it removes.
        first = min(download.command.start for download in downloads)
        effects = []
        for command in commands:
            if command.start <= first:
                continue
            files, deletes = _unpacked(command)
            keys = [paths.key(value, command.start) for value in files]
            effects.append((command.start, keys, deletes, _removed(command, paths)))
        seen: set[str] = set()
        for download in downloads:
            if download.key in seen:
                continue
            unpacked = False
            gone = False
            for start, keys, deletes, removed in effects:
                if start <= download.command.start:
                    continue
                if download.key in keys:
                    unpacked = True
                    gone = gone or deletes
                if any(key is None or removes(key, download.key) for key in removed):
                    gone = True
            if unpacked and not gone:
                seen.add(download.key)
                yield download, paths

    @staticmethod
    def _removed_later(key: str, instruction: Instruction, stage: Stage, ctx: Context) -> bool:
        """A later RUN of the stage removes the archive (DF102 reports that case)."""
        if not key.startswith("/"):
            return False
        seen = False
        for candidate in stage.instructions:
            if candidate is instruction:
                seen = True
                continue
            if not seen or candidate.effective.keyword != "RUN":
                continue
            if candidate.is_onbuild != ctx.onbuild:
                continue
            workdir = ctx.state(candidate).workdir
            for source in ctx.scripts(candidate):
                paths = Paths(source.script, workdir)
                for command in source.script.commands:
                    removed = _removed(command, paths)
                    if any(item is not None and removes(item, key) for item in removed):
                        return True
        return False

    # -- the fix ----------------------------------------------------------------------

    @staticmethod
    def _fix(
        instruction: Instruction,
        stage: Stage,
        left: list[tuple[_Download, Paths]],
        ctx: Context,
    ) -> Fix | None:
        chain = plain_chain(ctx, instruction)
        if chain is None or len(ctx.scripts(instruction)) != 1:
            return None
        targets: list[str] = []
        for download, paths in left:
            if download.value.startswith("/") or download.key.startswith("/"):
                if not download.value.startswith("/") and (
                    paths.epoch(download.command.start) != paths.final_epoch
                ):
                    target = download.key
                else:
                    target = download.value
            elif paths.epoch(download.command.start) == paths.final_epoch:
                target = download.value
            else:
                return None
            if _mentioned_later(posixpath.basename(download.key), instruction, stage, ctx):
                return None
            targets.append(shell_quote(target))
        edit = append_to_chain(ctx, chain, "rm -f " + " ".join(targets))
        return Fix.safe("Remove the downloaded archive at the end of the `RUN`", [edit])


def _kept(stage: Stage, ctx: Context) -> bool:
    """The stage is the final one or a later FROM builds on it."""
    return ctx.is_final_stage(stage) or any(other.parent is stage for other in ctx.stages)


def _mentioned_later(name: str, instruction: Instruction, stage: Stage, ctx: Context) -> bool:
    """A later step may still read the archive: a later instruction of the stage, of a
    stage built on it, or a ``COPY --from``/``--mount=from=`` names it or a glob that
    matches it (``tool-*.tar.gz``), or a later RUN checks checksums or signatures
    (``sha256sum -c SHA256SUMS`` names it only inside a file) or runs code dfopt cannot
    see (a script, ``make``)."""
    import fnmatch

    later = later_instructions(ctx, instruction, readers=True)
    for candidate in later:
        text = ctx.slice(candidate.span)
        if name in text:
            return True
        for word in text.split():
            pattern = word.strip("\"'").rsplit("/", 1)[-1]
            if any(mark in pattern for mark in "*?[") and fnmatch.fnmatchcase(name, pattern):
                return True
        if candidate.effective.keyword != "RUN":
            continue
        found = run_invocations(ctx, candidate)
        if found is None or any(
            invocation.opaque or invocation.program in _VERIFIERS for invocation in found
        ):
            return True
    return False


# Programs that read files named in a list or a signature (`sha256sum -c SHA256SUMS`).
_VERIFIERS = frozenset(
    {"sha256sum", "sha512sum", "sha1sum", "sha384sum", "sha224sum", "md5sum", "b2sum"}
    | {"shasum", "cksum", "gpg", "gpgv", "minisign", "cosign", "signify", "openssl"}
)
