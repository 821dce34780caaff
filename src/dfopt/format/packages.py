"""Package lists sorted, one per line (opt-in: ``format.sort-packages``)."""

from __future__ import annotations

from dfopt.syntax import Instruction

__all__ = ["package_replacements"]


def package_replacements(instruction: Instruction) -> dict[tuple[int, int], str]:
    """Logical ranges of package lists and their sorted text."""
    return {}
