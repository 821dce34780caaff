"""DF512: a comment right above ARG or FROM ... AS that does not describe it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfopt.rules_api import (
    Comment,
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

# Suppression comments must stay right above their instruction: no fix for them.
_PRAGMA = re.compile(r"^(?:hadolint|dfopt:)", re.IGNORECASE)


class InvalidDefinitionDescription(Rule):
    """## What it does
    Flags the comment line right above an `ARG` or a named stage (`FROM ... AS name`)
    when its first word is not the name it precedes (any of the ARG's names). `docker
    build --call=outline` and `--call=targets` show such a comment as the description of
    the ARG or stage, so `# VERSION of the tool` above `ARG VERSION=1` is fine, while
    `# pin the tool` is not. Only the last comment line before the instruction counts.
    This is BuildKit's experimental `InvalidDefinitionDescription` check; it is off by
    default here too.

    ## Why is this bad?
    A comment that is not written as a description still shows up as one in the build
    outline, which is confusing. Start the comment with the name, or separate it from the
    instruction with an empty line.

    ## Fix safety
    Safe: the fix inserts an empty line between the comment and the instruction, which
    changes nothing in the build. Suppression comments (`# hadolint ignore=...`,
    `# dfopt: ignore=...`) are reported but not separated, since they must stay right
    above their instruction.
    """

    code = "DF512"
    name = "invalid-definition-description"
    summary = "Comment above ARG or a stage should describe it"
    severity = Severity.WARNING
    targets = frozenset({"ARG", "FROM"})
    include_onbuild = False
    aliases = ("InvalidDefinitionDescription",)
    enabled_by_default = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "# pin the release\nARG VERSION=1.2.3\nFROM alpine:3.20\n"
    good = "# VERSION of the release to install\nARG VERSION=1.2.3\nFROM alpine:3.20\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if instruction.keyword == "FROM":
            indexes = stage_name_words(instruction)
            if indexes is None:
                return
            keys = [instruction.words[indexes[1]].value.lower()]
            example = keys[0]
        else:
            keys = [word.value.split("=", 1)[0] for word in instruction.words]
            if not keys:
                return
            example = keys[0] if len(keys) == 1 else "<arg_key>"
        index = ctx.document.node_index(instruction)
        if index == 0:
            return
        previous = ctx.document.nodes[index - 1]
        if not isinstance(previous, Comment):
            return
        if previous.text.split(" ")[0] in keys:
            return
        fix = None
        if not _PRAGMA.match(previous.text):
            fix = Fix.safe(
                "Separate the comment from the instruction with an empty line",
                [Edit.insert(instruction.span.start, ctx.newline_of(instruction))],
            )
        yield self.violation(
            previous.span,
            f"Comment for `{instruction.keyword}` should follow the format: "
            f"`# {example} <description>`",
            fix,
        )
