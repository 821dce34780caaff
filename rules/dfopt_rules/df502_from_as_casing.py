"""DF502: the `AS` of a FROM line is not cased like `FROM`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Violation,
)
from dfopt_rules._buildkit import stage_name_words


class FromAsCasing(Rule):
    """## What it does
    Flags `FROM image AS name` lines where the `AS` keyword is not cased like the `FROM`
    keyword: `FROM debian:12 as build` or `from debian:12 AS build`. A `FROM` keyword in
    mixed case (`From`) is left to DF504 (BuildKit's `ConsistentInstructionCasing`). This
    is BuildKit's `FromAsCasing` check.

    ## Why is this bad?
    The builder accepts any casing, but mixing cases on one line reads as a mistake and
    makes the stage name harder to spot. Keywords are conventionally written in one case.

    ## Fix safety
    Safe: only the casing of `AS` changes, to upper case after `FROM` and to lower case
    after `from`. The builder ignores the casing of `AS`, so the image is the same.
    """

    code = "DF502"
    name = "from-as-casing"
    summary = "The `AS` keyword should match the casing of `FROM`"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("FromAsCasing",)
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM golang:1.23 as build\nRUN go version\n"
    good = "FROM golang:1.23 AS build\nRUN go version\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        indexes = stage_name_words(instruction)
        if indexes is None:
            return
        keyword = ctx.slice(instruction.keyword_span)
        if keyword == keyword.lower():
            wanted = "as"
        elif keyword == keyword.upper():
            wanted = "AS"
        else:
            return
        word = instruction.words[indexes[0]]
        written = ctx.slice(word.span)
        if written == wanted:
            return
        fix = Fix.safe(f"Write `{wanted}`", [Edit.replace(word.span, wanted)])
        yield self.violation(
            word.span, f"`{written}` and `{keyword}` keywords' casing do not match", fix
        )
