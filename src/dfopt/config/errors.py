"""The error raised for unreadable or invalid configuration."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError"]


class ConfigError(Exception):
    """A configuration problem, located in a file (1-based line and column when known)."""

    path: Path
    line: int | None
    column: int | None
    message: str

    def __init__(
        self,
        path: Path,
        message: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(path, message, line, column)
        self.path = Path(path)
        self.message = message
        self.line = line
        self.column = column if line is not None else None

    @property
    def location(self) -> str:
        """``path:line:col``, ``path:line`` or ``path``, depending on what is known."""
        parts = [str(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = " ".join(part.strip() for part in self.message.splitlines() if part.strip())
        return f"{self.location}: {text}"
