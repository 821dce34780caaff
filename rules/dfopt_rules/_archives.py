"""What counts as an archive, shared by the rules about ADD and unpacking."""

from __future__ import annotations

# The file-name suffixes hadolint treats as archives (case-sensitive, as hadolint does).
HADOLINT_ARCHIVE_EXTENSIONS: tuple[str, ...] = (
    ".tar",
    ".Z",
    ".bz2",
    ".gz",
    ".lz",
    ".lzma",
    ".tZ",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".tpz",
    ".txz",
    ".xz",
)
