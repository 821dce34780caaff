"""DL3020: ADD used where COPY would do."""

from __future__ import annotations

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
_TAR_MAGIC_OFFSET = 257
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
    """True when the first bytes of a file are those of an archive ADD would unpack."""
    if head.startswith(_MAGIC_PREFIXES):
        return True
    return head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar"


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
    also inside `ONBUILD`, and keeps flags, heredocs and exec form as written. It is safe:
    `COPY` copies local files, folders and heredocs exactly as `ADD` does. There is no fix
    when a source is a URL or a git source, when a source is named like an archive
    (including `.zst` and `.zip`), when the `ADD` uses a flag `COPY` lacks (`--checksum`,
    `--keep-git-dir`, `--unpack`), or when a source file in the build context (the
    Dockerfile's folder) is an archive by content (gzip, bzip2, xz, zstd, tar or zip
    magic bytes): `ADD` unpacks tar archives whatever their name. When a source holds a
    variable, or a glob that matches no file in the build context, the files cannot be
    checked and the fix is unsafe instead. A glob that matches files is checked file by
    file.
    """

    code = "DL3020"
    name = "add-for-local-files"
    summary = "Use COPY instead of ADD for files and folders"
    severity = Severity.ERROR
    targets = frozenset({"ADD"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM alpine:3.20\nADD app.py /srv/app.py\n"
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
        heredoc_markers = self._heredoc_markers(target, ctx)
        checkable = True
        for raw, value in zip(sources, expanded, strict=True):
            if raw in heredoc_markers:
                continue
            for candidate in (drop_quotes(raw), drop_quotes(value)):
                if is_url(candidate) or is_remote(candidate) or looks_like_archive(candidate):
                    return None
            verdict = self._content_verdict(drop_quotes(raw), ctx, onbuild=onbuild)
            if verdict is None:
                return None
            checkable = checkable and verdict
        keyword = keyword_like("COPY", ctx.slice(target.keyword_span))
        edits = [Edit.replace(target.keyword_span, keyword)]
        title = "Replace `ADD` with `COPY`"
        return Fix.safe(title, edits) if checkable else Fix.unsafe(title, edits)

    @staticmethod
    def _heredoc_markers(target: Instruction, ctx: Context) -> set[str]:
        """The words of the instruction line that open a heredoc (``<<EOF``, ``<<-"EOF"``)."""
        markers = {ctx.slice(heredoc.marker) for heredoc in target.heredocs}
        return {word.value for word in target.words if ctx.slice(word.span) in markers}

    @staticmethod
    def _content_verdict(source: str, ctx: Context, *, onbuild: bool) -> bool | None:
        """Whether ``source`` was checked and holds no archive.

        True: checked, or a literal name (the name is the evidence when the file cannot be
        read). False: a variable or glob that cannot be checked. None: an archive was found.
        """
        dynamic = "$" in source
        glob = any(char in _GLOB_CHARS for char in source)
        if onbuild:
            # ONBUILD triggers run against a later build's context, not this folder.
            return not (dynamic or glob)
        if dynamic:
            return False
        if glob:
            matches = _glob_context(source, ctx.context_dir)
            if not matches:
                return False
            for relative in matches:
                head = ctx.read_context_head(relative)
                if head is not None and is_archive_content(head):
                    return None
            return True
        head = ctx.read_context_head(source)
        if head is not None and is_archive_content(head):
            return None
        return True


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
