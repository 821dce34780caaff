"""DL3050: a label that is not in the label schema (strict labels)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
)
from dfopt_rules._labels import LabelPair, label_pairs


class SuperfluousLabel(Rule):
    """## What it does
    With `strict-labels` on, flags every label that a `LABEL` instruction sets although
    the label schema does not list it. It does nothing unless `strict-labels` is on;
    with `strict-labels` on and no schema, every label is reported (as in hadolint).

    Each extra label is reported at its key (hadolint reports the instruction once).
    A key built from a variable without a known value is not judged, and
    `ONBUILD LABEL` is ignored: it labels the images built from this one.

    ## Why is this bad?
    A strict schema says which metadata the project's images carry. Labels outside it
    are usually leftovers (`maintainer`, `version` copied from another Dockerfile),
    duplicate what the schema already records under a standard name, or leak details
    nobody maintains.

    ## Fix safety
    Unsafe: the fix removes metadata from the image. It deletes the extra `key=value`
    pairs from the instruction, with the blanks or line continuation before them so the
    layout stays tidy, and deletes the whole `LABEL` instruction when none of its
    labels is in the schema. Every extra label of one instruction is removed in the
    same fix. Comment lines inside the instruction are kept unless they sit right
    before a removed label.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `strict-labels`: `true` turns the rule on.
    - `label-schema`: the labels that are allowed, as a mapping of name to type.
    """

    code = "DL3050"
    name = "superfluous-label"
    summary = "A label is not in the label schema"
    severity = Severity.INFO
    targets = frozenset({"LABEL"})
    include_onbuild = False
    fix_availability = FixAvailability.ALWAYS
    fix_class = "unsafe"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.version": "semver"},
        "strict-labels": True,
    }
    bad = (
        "FROM alpine:3.20\n"
        'LABEL org.opencontainers.image.version="1.4.0" maintainer="ops@example.com"\n'
    )
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.version="1.4.0"\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if not ctx.settings.strict_labels:
            return
        schema = ctx.settings.label_schema
        pairs = label_pairs(instruction, ctx)
        extra = [pair for pair in pairs if pair.key_known and pair.key not in schema]
        if not extra:
            return
        fix = _removal_fix(instruction, pairs, extra, ctx.text)
        for pair in extra:
            yield self.violation(
                pair.key_span, f"Label `{pair.key}` is not in the label schema", fix
            )


def _removal_fix(
    instruction: Instruction, pairs: Sequence[LabelPair], extra: Sequence[LabelPair], text: str
) -> Fix:
    if len(extra) == len(pairs):
        return Fix.unsafe(
            "Remove the LABEL instruction: none of its labels is in the schema",
            [Edit.delete(instruction.span)],
        )
    doomed = {id(pair) for pair in extra}
    edits: list[Edit] = []
    index = 0
    while index < len(pairs):
        if id(pairs[index]) not in doomed:
            index += 1
            continue
        first = index
        while index < len(pairs) and id(pairs[index]) in doomed:
            index += 1
        last = pairs[index - 1]
        if first > 0:
            # From the end of the label kept before the run to the end of the run.
            edits.append(Edit.delete(Span(pairs[first - 1].span.end, last.span.end)))
            continue
        # A leading run: up to the next kept label, unless a comment sits in between.
        span = Span(pairs[first].span.start, pairs[index].span.start)
        if any(span.contains(comment) for comment in instruction.inner_comments):
            end = last.span.end
            while end < len(text) and text[end] in " \t":
                end += 1
            span = Span(pairs[first].span.start, end)
        edits.append(Edit.delete(span))
    return Fix.unsafe("Remove the labels that are not in the schema", edits)
