"""DL3048: invalid LABEL key."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._labels import key_problem, label_pairs


class InvalidLabelKey(Rule):
    """## What it does
    Flags a `LABEL` key that does not follow Docker's key format: it must start with a
    lower-case letter, end with a lower-case letter or a digit, contain only lower-case
    letters, digits, `.`, `-` (and, as hadolint allows, `_` and `/`), never `..` or `--`,
    and must not use the namespaces Docker reserves for itself (`com.docker.`,
    `io.docker.`, `org.dockerproject.`). Keys are read as the builder reads them: quotes
    removed, and the legacy `LABEL key value` form included.

    Like hadolint, the rule has nothing to say about the value. Differences from hadolint:
    a key built from a variable is checked after expanding it with the ARG and ENV
    values known at that point, and skipped when the variable has no known value (only
    the build knows the key then); keys of `ONBUILD LABEL` are checked too; a comment
    line inside the instruction does not hide the keys after it.

    ## Why is this bad?
    Tools that read image metadata expect reverse-DNS keys such as
    `org.opencontainers.image.source`. Upper-case or oddly punctuated keys are easy to
    misspell and are not found by such tools, and keys in Docker's namespaces may clash
    with labels that Docker sets itself.
    """

    code = "DL3048"
    name = "invalid-label-key"
    summary = "Invalid label key"
    severity = Severity.STYLE
    targets = frozenset({"LABEL"})
    bad = 'FROM alpine:3.20\nLABEL Description="Build tools"\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.description="Build tools"\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for pair in label_pairs(instruction, ctx):
            if not pair.key_known:
                continue
            problem = key_problem(pair.key)
            if problem is not None:
                message = (
                    f"Label key `{pair.key}` is invalid: {problem}"
                    if pair.key
                    else "Label key is empty"
                )
                yield self.violation(pair.key_span, message)
