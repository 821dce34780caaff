"""DF505: FROM uses a variable that no global ARG declares."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Span, Violation
from dfopt_rules._buildkit import BUILDER_ARGS, suggest, variable_references


class UndefinedArgInFrom(Rule):
    """## What it does
    Flags a variable in a `FROM` line (the image or the `--platform` value) that is
    neither declared by an `ARG` before the first `FROM` nor one of the builder's
    platform ARGs (`TARGETPLATFORM`, `BUILDARCH`, ...). When a declared name is close,
    the message suggests it. An `ARG` without a default counts as declared. This is
    BuildKit's `UndefinedArgInFrom` check.

    ## Why is this bad?
    Only global ARGs (declared before the first `FROM`) are visible to `FROM`. An
    undeclared variable expands to nothing, so `FROM node:${NODE_VERSON}` silently pulls
    `node:` (an error) or, with a default operator, a base you did not intend; an ARG
    declared inside a stage is not visible to later `FROM` lines either.
    """

    code = "DF505"
    name = "undefined-arg-in-from"
    summary = "FROM must use declared ARGs"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("UndefinedArgInFrom",)
    bad = "ARG NODE_VERSION=22\nFROM node:${NODE_VERSON}-alpine\n"
    good = "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        declared = list(ctx.semantics.global_args)
        options = declared + [name for name in BUILDER_ARGS if name not in declared]
        known = set(options)
        places: list[tuple[str, int]] = []
        flag = instruction.flag("platform")
        if flag is not None and flag.value:
            places.append((ctx.slice(flag.span), flag.span.start))
        if instruction.words:
            word = instruction.words[0]
            places.append((ctx.slice(word.span), word.span.start))
        reported: set[str] = set()
        for text, offset in places:
            for reference in variable_references(text, ctx.escape):
                name = reference.name
                if name in known or name in reported:
                    continue
                reported.add(name)
                message = f"FROM argument `{name}` is not declared"
                near = suggest(name, options)
                if near is not None:
                    message += f" (did you mean `{near}`?)"
                span = Span(offset + reference.start, offset + reference.end)
                yield self.violation(span, message)
