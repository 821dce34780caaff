"""DL3056: a `semver` label of the label schema is not a semantic version."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, is_semver, show


class InvalidSemverLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `semver` whose value is not a
    Semantic Versioning 2.0.0 version: `MAJOR.MINOR.PATCH`, then an optional pre-release
    (`-rc.1`) and build metadata (`+build.7`). It does nothing without a schema.

    dfopt follows the specification more closely than hadolint, which also accepts
    numbers with leading zeros (`01.2.3`, `1.2.3-01`) and an empty pre-release or build
    part (`1.2.3-`, `1.2.3+`). A value taken from a variable is checked after expanding
    it with the ARG and ENV values known at that point, and left alone when the variable
    has no known value (hadolint checks the unexpanded `$VERSION` text and reports it).
    `ONBUILD LABEL` is ignored.

    ## Why is this bad?
    Tools compare versions to pick the newest image or flag outdated ones. `v1.2`,
    `1.2` or `latest` cannot be ordered reliably.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `semver` are
      checked.
    """

    code = "DL3056"
    name = "invalid-semver-label"
    summary = "A label of the label schema does not conform to semantic versioning"
    label_type = "semver"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.version": "semver"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.version="v1.4"\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.version="1.4.0"\n'

    def problem(self, value: str) -> str | None:
        if is_semver(value):
            return None
        if value[:1] in ("v", "V") and is_semver(value[1:]):
            return "drop the leading `v`"
        return ""

    def message(self, pair: LabelPair, problem: str) -> str:
        detail = f" ({problem})" if problem else ""
        return f"Label `{pair.key}` is not a semantic version: {show(pair.value)}{detail}"
