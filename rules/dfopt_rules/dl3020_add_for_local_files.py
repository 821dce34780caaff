"""DL3020: ADD used where COPY would do."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    Violation,
    expand,
)
from dfopt_rules._archives import HADOLINT_ARCHIVE_EXTENSIONS
from dfopt_rules.dl3045_copy_relative_without_workdir import (
    is_absolute_destination,
    stage_sets_workdir,
)

# An ADD whose every source is an archive by hadolint's extensions, or a URL, is not
# reported.
# Names that look like archives to the fix, which is more careful than the report: the
# builder also unpacks zstd-compressed tarballs, and a zip is left for a human to judge.
ARCHIVE_LOOKING_EXTENSIONS = tuple(
    sorted(
        {ext.lower() for ext in HADOLINT_ARCHIVE_EXTENSIONS}
        | {".zst", ".zstd", ".tzst", ".zip", ".lz4", ".7z"}
    )
)
# Magic numbers of what ADD unpacks (tar, optionally compressed), plus zip.
_MAGIC_PREFIXES = (
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"\x28\xb5\x2f\xfd",  # zstd
    b"PK\x03\x04",  # zip
)
# A zstd stream may start with a skippable frame: magic 0x184D2A50 to 0x184D2A5F.
_ZSTD_SKIPPABLE = 0x184D2A50
_TAR_BLOCK = 512
_TAR_CHECKSUM = slice(148, 156)
HEAD_SIZE = _TAR_BLOCK
"""How much of a source file the fix reads: one tar header block."""
# Flags ADD and COPY share with the same meaning; any other flag (`--checksum`,
# `--keep-git-dir`, `--unpack`, or one this rule does not know) blocks the fix.
_SHARED_FLAGS = frozenset({"chown", "chmod", "link", "exclude"})
_GLOB_CHARS = frozenset("*?[")
# `user@host:path`, the scp-like form of a git remote.
_SCP_REMOTE = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:")


def drop_quotes(value: str) -> str:
    """The value with surrounding quotes removed, as hadolint compares it."""
    return value.strip("\"'")


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def is_remote(value: str) -> bool:
    """True for a URL or a git source (``git://``, ``ssh://``, ``git@host:repo``)."""
    return "://" in value or _SCP_REMOTE.match(value) is not None


def has_archive_name(value: str) -> bool:
    return value.endswith(HADOLINT_ARCHIVE_EXTENSIONS)


def looks_like_archive(value: str) -> bool:
    return value.lower().endswith(ARCHIVE_LOOKING_EXTENSIONS)


def is_archive_content(head: bytes) -> bool:
    """True when the first bytes of a file could be those of an archive ADD unpacks: a
    gzip, bzip2, xz or zstd stream (or a zip), or a tar header, with or without the
    ``ustar`` magic (see :func:`is_tar_header`)."""
    if head.startswith(_MAGIC_PREFIXES):
        return True
    if len(head) >= 4 and int.from_bytes(head[:4], "little") & 0xFFFFFFF0 == _ZSTD_SKIPPABLE:
        return True
    return is_tar_header(head)


def is_tar_header(head: bytes) -> bool:
    """True when the first 512 bytes are a tar header block by its checksum.

    Pre-POSIX (V7) archives carry no magic; the builder, like Python's ``tarfile``
    and Go's ``archive/tar``, takes a block for a header when the octal number in its
    checksum field equals the sum of the block's bytes, the field counted as spaces
    (unsigned or signed bytes). A block of zeros ends an archive and is no header.
    """
    if len(head) < _TAR_BLOCK:
        return False
    block = head[:_TAR_BLOCK]
    if not block.strip(b"\x00"):
        return False
    field = block[_TAR_CHECKSUM]
    unsigned = 256 + sum(block[:148]) + sum(block[156:])
    signed = 256 + sum(b - 256 if b > 127 else b for b in (*block[:148], *block[156:]))
    for text in (field.split(b"\x00", 1)[0].strip(b" "), field.strip(b" \x00")):
        try:
            value = int(text or b"0", 8)
        except ValueError:
            continue
        if value in (unsigned, signed):
            return True
    return False


def keyword_like(keyword: str, written: str) -> str:
    """``keyword`` in the letter case ``written`` uses (``add`` -> ``copy``)."""
    if written.islower():
        return keyword.lower()
    if written.istitle():
        return keyword.title()
    return keyword.upper()


class AddForLocalFiles(Rule):
    """## What it does
    Flags an `ADD` with a source that is a local file or folder: not a URL, not a git
    repository, and not named like an archive (`.tar`, `.gz`, `.tgz`, `.bz2`, `.xz` and
    the other extensions hadolint knows). Sources are also read with their `ARG` and
    `ENV` defaults filled in, so `ADD ${RELEASE_URL} /opt/` is not reported when the
    default is a URL.

    ## Why is this bad?
    `ADD` does more than copy: it downloads URLs, clones git repositories and unpacks
    local tar archives. For plain files that extra behaviour only hides intent (a
    reader has to wonder whether something gets unpacked) and can surprise you when a
    file turns out to be a tarball. `COPY` says exactly what happens. Unlike hadolint,
    git sources (`git@host:repo.git`, `git://...`) are not reported: `COPY` cannot fetch
    them.

    ## Fix safety
    The fix swaps the keyword for `COPY` in the same letter case (`add` becomes `copy`),
    also inside `ONBUILD`, and keeps flags, heredocs and exec form as written. `COPY`
    copies local files, folders and heredocs exactly as `ADD` does, except that `ADD`
    unpacks a source file that is a tar archive (plain or compressed with gzip, bzip2,
    xz or zstd), whatever its name. So the fix looks at what each source is:

    - There is no fix when the destination is relative and no `WORKDIR` was set before
      (in the stage or the stages it builds on): as a `COPY` it would be DL3045's
      finding, so set a `WORKDIR` first. Nor when a source is a URL or a git source,
      when a source is named like an archive (including `.zst` and `.zip`), when the
      `ADD` uses a flag `COPY` lacks (`--checksum`, `--keep-git-dir`, `--unpack`), or
      when a source file in the build context (the Dockerfile's folder) is an archive
      by content: gzip, bzip2, xz or zstd magic bytes (a zstd skippable frame
      included), zip, or a tar header,
      recognised as the builder does by the checksum of its first 512-byte block, so
      pre-POSIX tar files without the `ustar` magic count too.
    - The fix is safe only when every source is a heredoc, the build context itself
      (`.`) or a path ending in `/` (a folder: `ADD` unpacks no archive inside a
      folder), or was read in the build context and is a folder or a file that is none
      of these. A glob is checked file by file.
    - Otherwise it is unsafe, and its title names the source that could not be read: a
      source with a variable, a glob that matches nothing, a missing file, a path with
      `..`, any source when the Dockerfile's folder is not known (text given on
      standard input or to the library without a path), and every source of an
      `ONBUILD ADD`, which runs against a later build's context. The build may find a
      tar archive there, which `ADD` would unpack and `COPY` copies as it is.
    """

    code = "DL3020"
    name = "add-for-local-files"
    summary = "Use COPY instead of ADD for files and folders"
    severity = Severity.ERROR
    targets = frozenset({"ADD"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM alpine:3.20\nADD app.py /srv/app.py\n"
    example_context = {"app.py": "print('hello')\n"}
    good = (
        "FROM alpine:3.20\n"
        "COPY app.py /srv/app.py\n"
        "ADD rootfs.tar.gz /\n"
        "ADD https://example.com/data.json /srv/\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        sources = self._sources(target)
        if not sources:
            return
        variables = ctx.state(instruction).variables
        expanded = [expand(source, variables, ctx.escape) for source in sources]
        if not any(
            _is_local_file(raw, value) for raw, value in zip(sources, expanded, strict=True)
        ):
            return
        onbuild = ctx.onbuild
        yield self.violation(
            target.keyword_span,
            "Use `COPY` instead of `ADD` for local files and folders",
            lambda: self._fix(target, sources, expanded, ctx, onbuild),
        )

    @staticmethod
    def _sources(target: Instruction) -> list[str]:
        """The source words (heredoc markers included), or nothing when ADD is malformed."""
        if target.form is Form.EXEC:
            values = [word.value for word in target.exec_args]
        else:
            values = [word.value for word in target.words]
        return values[:-1] if len(values) >= 2 else []

    def _fix(
        self,
        target: Instruction,
        sources: Sequence[str],
        expanded: Sequence[str],
        ctx: Context,
        onbuild: bool,
    ) -> Fix | None:
        if any(flag.name not in _SHARED_FLAGS for flag in target.flags):
            return None
        if not onbuild and _relative_without_workdir(target, ctx):
            return None  # as a COPY it would be DL3045's finding: a WORKDIR comes first
        heredoc_markers = self._heredoc_markers(target, ctx)
        unread: list[str] = []
        for raw, value in zip(sources, expanded, strict=True):
            if raw in heredoc_markers:
                continue
            for candidate in (drop_quotes(raw), drop_quotes(value)):
                if is_url(candidate) or is_remote(candidate) or looks_like_archive(candidate):
                    return None
            verdict = _content_verdict(drop_quotes(raw), ctx, onbuild=onbuild)
            if verdict == ARCHIVE:
                return None
            if verdict == UNREAD:
                unread.append(drop_quotes(raw))
        keyword = keyword_like("COPY", ctx.slice(target.keyword_span))
        edits = [Edit.replace(target.keyword_span, keyword)]
        if not unread:
            return Fix.safe("Replace `ADD` with `COPY`", edits)
        return Fix.unsafe(
            f"Replace `ADD` with `COPY` (`{unread[0]}` could not be read in the build "
            "context: `ADD` unpacks it if it is a tar archive)",
            edits,
        )

    @staticmethod
    def _heredoc_markers(target: Instruction, ctx: Context) -> set[str]:
        """The words of the instruction line that open a heredoc (``<<EOF``, ``<<-"EOF"``)."""
        markers = {ctx.slice(heredoc.marker) for heredoc in target.heredocs}
        return {word.value for word in target.words if ctx.slice(word.span) in markers}


PLAIN = "plain"
"""Read: a folder, or a file that is no archive."""
ARCHIVE = "archive"
"""Read: a file ADD could unpack."""
UNREAD = "unread"
"""Not read: ADD may unpack what the build finds there."""


def _content_verdict(source: str, ctx: Context, *, onbuild: bool) -> str:
    """Whether the build-context files a source names are plain, hold an archive, or
    could not be read (a variable, an ONBUILD trigger, which runs against a later
    build's context, no known context, a missing file, a glob that matches nothing)."""
    if "$" not in source and (source.endswith("/") or source in (".", "./")):
        return PLAIN  # the context root or a folder: ADD unpacks no archive inside one
    if onbuild or "$" in source or _leaves_context(source):
        return UNREAD
    if not any(char in _GLOB_CHARS for char in source):
        return _path_verdict(source, ctx)
    matches = _glob_context(source, ctx.context_dir)
    if not matches:
        return UNREAD
    verdict = PLAIN
    for relative in matches:
        found = _path_verdict(relative, ctx)
        if found == ARCHIVE:
            return ARCHIVE
        if found == UNREAD:
            verdict = UNREAD
    return verdict


def _path_verdict(relative: str, ctx: Context) -> str:
    head = ctx.read_context_head(relative, HEAD_SIZE)
    if head is not None:
        return ARCHIVE if is_archive_content(head) else PLAIN
    base = ctx.context_dir
    if base is None or "\x00" in relative:
        return UNREAD
    parts = [part for part in relative.split("/") if part and part != "."]
    return PLAIN if os.path.isdir(base.joinpath(*parts)) else UNREAD


def _leaves_context(source: str) -> bool:
    """A `..` in the path: the builder keeps it inside the context, this folder may not."""
    return ".." in source.split("/")


def _relative_without_workdir(target: Instruction, ctx: Context) -> bool:
    """The destination is relative and no `WORKDIR` was set before: what DL3045
    reports for a `COPY`."""
    args = target.exec_args if target.form is Form.EXEC else target.words
    if not args or is_absolute_destination(args[-1].value):
        return False
    stage = ctx.stage(target)
    return stage is None or not stage_sets_workdir(stage, target)


def _is_local_file(raw: str, value: str) -> bool:
    """True unless the source (as written or with ARG defaults) is remote or an archive."""
    for candidate in (drop_quotes(raw), drop_quotes(value)):
        if is_url(candidate) or is_remote(candidate) or has_archive_name(candidate):
            return False
    return True


def _glob_context(pattern: str, base: Path | None) -> list[str]:
    """Files and folders of the build context matching ``pattern``, relative to it."""
    if base is None or not base.is_dir():
        return []
    relative = pattern.lstrip("/")
    if not relative or relative.startswith("..") or "/../" in f"/{relative}":
        return []
    root = base.resolve()
    found = []
    try:
        for match in sorted(root.glob(relative)):
            resolved = match.resolve()
            if resolved == root or root in resolved.parents:
                found.append(match.relative_to(root).as_posix())
    except (OSError, ValueError):
        return []
    return found
