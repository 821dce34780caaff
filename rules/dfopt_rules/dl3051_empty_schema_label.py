"""DL3051: a label of the label schema is empty."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._labels import known_pairs


class EmptySchemaLabel(Rule):
    """## What it does
    With a label schema configured, flags a `LABEL` that sets a schema label to the empty
    string (`LABEL org.opencontainers.image.version=""`). It does nothing without a
    schema.

    A value taken from a variable is checked after expanding it with the ARG and ENV
    values known at that point; when the variable has no known value (an `ARG` without
    a default, meant to be passed with `--build-arg`), the value is left alone, as
    hadolint does. `ONBUILD LABEL` is ignored: it labels the images built from this one.
    An empty value of a typed label is also reported by the rule of its type (DL3052 to
    DL3058), as in hadolint.

    ## Why is this bad?
    An empty label satisfies the letter of the schema (DL3049 no longer fires) but
    carries no information, which defeats the point of requiring it.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; every label in it must not be empty.
    """

    code = "DL3051"
    name = "empty-schema-label"
    summary = "A label of the label schema is empty"
    severity = Severity.WARNING
    targets = frozenset({"LABEL"})
    include_onbuild = False
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.vendor": "text"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.vendor=""\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.vendor="Example Corp"\n'

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        schema = ctx.settings.label_schema
        if not schema:
            return
        for pair in known_pairs(instruction, ctx):
            if pair.key in schema and not pair.value:
                yield self.violation(pair.span, f"Label `{pair.key}` is empty")
