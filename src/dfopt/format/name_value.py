"""``ENV`` and ``LABEL`` in ``key=value`` form.

The legacy form ``ENV KEY some value`` sets ``KEY`` to everything after the first run of
blanks, which the builder then reads as one word (quotes removed, variables expanded).
It is rewritten as ``KEY=value`` when the value is one word already, or as
``KEY="value"`` when putting it in double quotes cannot change how it is read: it holds
no quote and no escape character. Any other value keeps the legacy form.
"""

from __future__ import annotations

import re

from dfopt.syntax import Instruction
from dfopt.syntax.lexing import name_value_words

__all__ = ["key_value_replacement"]

_FIRST_BLANKS = re.compile(r"[\t\v\f\r ]+")


def key_value_replacement(
    instruction: Instruction, escape: str
) -> tuple[tuple[int, int], str] | None:
    """The ``key=value`` text for a legacy ``ENV``/``LABEL``, or None to keep it."""
    target = instruction.effective
    if target.keyword not in ("ENV", "LABEL"):
        return None
    text = target.args_text
    words = name_value_words(text, escape)
    if not words or "=" in words[0]:
        return None
    parts = _FIRST_BLANKS.split(text, maxsplit=1)
    if len(parts) != 2 or not parts[1]:
        return None
    key, value = parts
    if name_value_words(key, escape) != [key] or key.startswith(("'", '"')):
        return None
    if name_value_words(value, escape) == [value]:
        new_value = value
    elif not any(char in value for char in ("'", '"', escape, "`", "\\")):
        new_value = f'"{value}"'
    else:
        return None
    start = target.args_offset
    return (start, start + len(text)), f"{key}={new_value}"
