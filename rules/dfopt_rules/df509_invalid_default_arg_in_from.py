"""DF509: the defaults of the global ARGs give an invalid base image name."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_RE = re.compile(_DOMAIN)
_TAG_RE = re.compile(_TAG)
_DIGEST_RE = re.compile(_DIGEST)


def is_valid_reference(name: str) -> bool:
    """True when ``name`` is an image reference the builder can parse (Docker's grammar)."""
    if not name:
        return False
    remainder, _, digest = name.partition("@")
    if digest and not _DIGEST_RE.fullmatch(digest):
        return False
    slash = remainder.find("/")
    last_colon = remainder.rfind(":")
    tag = ""
    if last_colon > slash:
        remainder, tag = remainder[:last_colon], remainder[last_colon + 1 :]
        if not _TAG_RE.fullmatch(tag):
            return False
    first, sep, rest = remainder.partition("/")
    if not sep or (
        (not any(char in first for char in ".:") and first != "localhost")
        and first == first.lower()
    ):
        domain, path = "", remainder
    else:
        domain, path = first, rest
    if domain and not _DOMAIN_RE.fullmatch(domain):
        return False
    return len(remainder) <= 255 and bool(_PATH.fullmatch(path))


class InvalidDefaultArgInFrom(Rule):
    """## What it does
    Flags a `FROM` whose image uses global ARGs and, with the ARGs' default values (no
    `--build-arg` given), expands to an empty or invalid image name: `ARG TAG` then
    `FROM alpine:${TAG}` gives `alpine:`. This is BuildKit's `InvalidDefaultArgInFrom`
    check; unlike BuildKit, a constant image name is left to the build itself (a constant
    invalid name is not about ARG defaults).

    ## Why is this bad?
    The Dockerfile only builds when every such ARG is passed on the command line.
    Giving the ARG a default (`ARG TAG=3.20`) keeps the file buildable as is, and makes
    the default image visible to readers and tools.
    """

    code = "DF509"
    name = "invalid-default-arg-in-from"
    summary = "Global ARG defaults give an empty or invalid base image name"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("InvalidDefaultArgInFrom",)
    bad = "ARG TAG\nFROM alpine:${TAG}\n"
    good = "ARG TAG=3.20\nFROM alpine:${TAG}\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        if stage is None or "$" not in stage.base_raw or not instruction.words:
            return
        if is_valid_reference(stage.base):
            return
        word = instruction.words[0]
        yield self.violation(
            word.span,
            f"Default value for ARG `{stage.base_raw}` results in empty or invalid base image name",
        )
