"""Rules that belong to the engine itself rather than to a pack."""

from __future__ import annotations

from dfopt.rules_api import Rule, Severity


class ParseError(Rule):
    """## What it does
    Reports text the builder cannot parse: an unknown instruction, an unterminated
    here-document, a JSON array holding something other than strings, a repeated or
    invalid parser directive.

    ## Why is this bad?
    The build fails on it. dfopt keeps such text verbatim and never edits it, and still
    lints the rest of the file.
    """

    code = "DL1000"
    name = "parse-error"
    summary = "The Dockerfile cannot be parsed here"
    severity = Severity.ERROR
    bad = "FROM alpine:3.20\nRUNN echo hello\n"
    good = "FROM alpine:3.20\nRUN echo hello\n"


CORE_RULES: tuple[type[Rule], ...] = (ParseError,)
