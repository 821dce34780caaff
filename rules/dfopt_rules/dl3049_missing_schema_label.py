"""DL3049: a label of the label schema is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from dfopt.rules_api import Context, Instruction, Rule, Severity, Stage, Violation, expand
from dfopt_rules._labels import label_pairs


class MissingSchemaLabel(Rule):
    """## What it does
    With a label schema configured, reports every label of the schema that a build stage
    does not set, once per stage (at its `FROM`). It does nothing without a schema.

    As in hadolint, a stage counts as labelled when it sets the label with `LABEL`, or
    when it builds on an earlier stage that did (`FROM base`). Intermediate stages are
    spared: a stage that a later `COPY --from` copies from is not reported, nor is one
    whose child stage (`FROM <stage>`) sets the label itself. `ONBUILD LABEL` does not
    count: it labels the images built from this one, not this one.

    Differences from hadolint: stage references are resolved the way the builder does
    (ARG defaults expanded, names compared case-insensitively, `COPY --from=0` by
    index), and a child stage that sets the label spares its parent whether or not the
    child is named (hadolint spares the parent only when the child has no `AS` name).

    ## Why is this bad?
    A label schema describes the metadata every image of the project must carry (source
    repository, version, licence, maintainer...). An image built without one of them
    cannot be traced back or audited by the tools that rely on it.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type (`text`, `url`, `semver`, `hash`,
      `rfc3339`, `spdx`, `email`); every name in it is required.
    """

    code = "DL3049"
    name = "missing-schema-label"
    summary = "A label of the label schema is missing"
    severity = Severity.INFO
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.source": "url"}
    }
    bad = "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r2\n"
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.source="https://example.com/app.git"\n'

    def finish(self, ctx: Context) -> Iterator[Violation]:
        schema = ctx.settings.label_schema
        if not schema or not ctx.stages:
            return
        for label in schema:
            missing = self._missing(label, ctx)
            for stage in missing:
                assert stage.from_instruction is not None
                yield self.violation(
                    stage.from_instruction.keyword_span, f"Label `{label}` is missing"
                )

    def _missing(self, label: str, ctx: Context) -> list[Stage]:
        labelled: set[int] = set()
        spared: set[int] = set()
        for stage in ctx.stages:
            parent = stage.parent
            if parent is not None and parent.index in labelled:
                labelled.add(stage.index)
            for instruction in stage.instructions:
                if instruction.keyword == "COPY":
                    source = _copy_source(instruction, stage, ctx)
                    if source is not None:
                        spared.add(source.index)
                elif instruction.keyword == "LABEL" and any(
                    pair.key_known and pair.key == label for pair in label_pairs(instruction, ctx)
                ):
                    labelled.add(stage.index)
                    if parent is not None:
                        spared.add(parent.index)
        return [
            stage
            for stage in ctx.stages
            if stage.from_instruction is not None
            and stage.index not in labelled
            and stage.index not in spared
        ]


def _copy_source(instruction: Instruction, stage: Stage, ctx: Context) -> Stage | None:
    """The earlier stage a `COPY --from` copies from, if it names one."""
    flag = instruction.flag("from")
    if flag is None or not flag.value:
        return None
    name = expand(flag.value, ctx.state(instruction).variables, ctx.escape)
    source = ctx.semantics.stage_named(name)
    if source is None or source.index >= stage.index:
        return None
    return source
