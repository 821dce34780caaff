"""DL1001: an inline `# hadolint ignore=` pragma is used."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import Comment, Context, Rule, Severity, Span, Violation

# hadolint's inline pragma, read from the comment text after `#`: `hadolint`, blanks,
# `ignore`, `=`, then a comma-separated list of rule codes (made of the characters
# D, L, S, C and digits), optionally followed by a `# reason` comment. The file-wide
# `hadolint global ignore=` form does not match.
_RULE = r"[DLSC0-9]+"
_PRAGMA = re.compile(
    rf"[ \t]*hadolint[ \t]+ignore[ \t]*=[ \t]*{_RULE}(?:[ \t]*,[ \t]*{_RULE})*[ \t]*(?:#.*)?"
)


def is_inline_ignore(text: str) -> bool:
    """True when a comment's text (after `#`) is hadolint's inline ignore pragma."""
    return _PRAGMA.fullmatch(text) is not None


class InlineIgnorePragma(Rule):
    """## What it does
    Flags comment lines that are hadolint's inline ignore pragma,
    `# hadolint ignore=DL3008,DL3015`, which silences the listed rules for the next
    instruction. The file-wide `# hadolint global ignore=...` form is not reported.
    Off by default: enable it (for example with a severity override) when a project
    wants every exception to live in the configuration file instead.

    ## Why is this bad?
    Inline pragmas scatter exceptions over many Dockerfiles, where nobody reviews them
    again; a rule silenced once stays silenced after the reason for it is gone. Keeping
    exceptions in one configuration file (`ignore`, `per-file-ignores`) makes them
    visible and easy to audit.
    """

    code = "DL1001"
    name = "inline-ignore-pragma"
    summary = "Inline `# hadolint ignore=` pragma used"
    severity = Severity.INFO
    enabled_by_default = False
    bad = (
        "FROM debian:12\n# hadolint ignore=DL3008\nRUN apt-get update && apt-get install -y curl\n"
    )
    good = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"

    def finish(self, ctx: Context) -> Iterator[Violation]:
        text = ctx.text
        for node in ctx.document.nodes:
            if not isinstance(node, Comment) or "hadolint" not in node.text:
                continue
            line = text[node.span.start : node.span.end]
            hash_at = line.find("#")
            if hash_at < 0 or not is_inline_ignore(line[hash_at + 1 :].rstrip("\r\n")):
                continue
            start = node.span.start + hash_at
            end = node.span.start + len(line.rstrip("\r\n"))
            yield self.violation(
                Span(start, end),
                f"Inline ignore pragma `{node.text}`: keep exceptions in the configuration",
            )
