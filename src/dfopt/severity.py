"""Severity levels shared by rules, configuration and reports."""

from __future__ import annotations

import enum


class Severity(str, enum.Enum):
    """How serious a finding is; ordered from most to least severe.

    ``IGNORE`` switches a rule off when used as an override, like hadolint's ``ignore``.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    STYLE = "style"
    IGNORE = "ignore"

    @property
    def rank(self) -> int:
        """Higher is more severe; ``IGNORE`` ranks lowest."""
        return _RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is as severe as ``threshold`` or more."""
        return self.rank >= threshold.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Parse a severity name, accepting hadolint's spellings (``warn``, ``none``)."""
        key = value.strip().lower()
        key = {"warn": "warning", "none": "ignore", "off": "ignore"}.get(key, key)
        return cls(key)


_RANK = {
    Severity.ERROR: 4,
    Severity.WARNING: 3,
    Severity.INFO: 2,
    Severity.STYLE: 1,
    Severity.IGNORE: 0,
}
