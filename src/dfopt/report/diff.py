"""Unified diffs of fixed files, as printed by ``dfopt fix --diff``."""

from __future__ import annotations

import difflib

__all__ = ["unified_diff"]

_NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    """Split after each ``\\n`` only (a Dockerfile knows no other line break)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_diff(
    original: str, fixed: str, path: str, context: int = 3, *, created: bool = False
) -> str:
    """A unified diff with ``--- a/path`` and ``+++ b/path`` headers ('' when equal).

    Line ends are kept as they are in the file (CRLF stays CRLF); a last line without
    a newline is marked the way ``diff`` and ``git`` mark it. A ``created`` file is
    diffed from ``/dev/null``, as git shows a new file.
    """
    if original == fixed:
        return ""
    name = path.removeprefix("./").lstrip("/")
    lines = difflib.unified_diff(
        _lines(original),
        _lines(fixed),
        fromfile="/dev/null" if created else f"a/{name}",
        tofile=f"b/{name}",
        n=context,
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n" + _NO_NEWLINE)
    return "".join(out)
