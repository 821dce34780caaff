"""``dfopt format``: lay Dockerfiles out one way without changing what they mean.

>>> from dfopt.format import format_text
>>> format_text("from alpine:3.20 as base\\nrun apk add curl &&   rm -rf /tmp/*\\n").text
'FROM alpine:3.20 AS base\\nRUN apk add curl &&   rm -rf /tmp/*\\n'

Only white space between words, keyword case, the layout of continuation lines, the
exec form's separators and the legacy ``ENV``/``LABEL`` form change; heredoc bodies,
comment text, parser directives, text the parser could not read and
``# dfopt: format off`` ... ``# dfopt: format on`` regions are kept as written. Every
result is parsed again and compared with the input (:mod:`dfopt.format.meaning`); when
it would read differently the input is returned unchanged with the reason.
"""

from __future__ import annotations

from dfopt.format.document import FormatResult, format_document
from dfopt.format.options import FormatOptions, options_from
from dfopt.syntax import parse

__all__ = ["FormatOptions", "FormatResult", "format_range", "format_text", "options_from"]


def format_text(text: str, settings: object = None) -> FormatResult:
    """Format Dockerfile ``text``.

    ``settings``: None (the defaults), :class:`FormatOptions`, a configuration's settings
    or ``format:`` section, or a mapping of ``format:`` keys (see :func:`options_from`).
    """
    return format_document(parse(text), options_from(settings))


def format_range(
    text: str, first_line: int, last_line: int, settings: object = None
) -> FormatResult:
    """Format only the lines ``first_line`` to ``last_line`` (1-based, inclusive).

    Every instruction, comment or blank line touching the range is formatted; the rest
    of the text is kept as written (for an editor's range formatting).
    """
    return format_document(parse(text), options_from(settings), (first_line, last_line))
