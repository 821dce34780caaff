"""The error raised for unreadable or invalid configuration, and reading configuration text."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError", "read_config_text"]


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


def read_config_text(path: Path) -> str:
    """Read a configuration file as UTF-8 text (a byte order mark is dropped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot read configuration: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(path, "configuration is not valid UTF-8", line) from None
