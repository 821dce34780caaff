"""DL3053: an `rfc3339` label of the label schema is not an RFC 3339 time."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, is_rfc3339, show


class InvalidTimeLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `rfc3339` whose value is not an
    RFC 3339 date-time: `YYYY-MM-DDThh:mm:ss`, optional fractional seconds, then `Z` or
    an offset such as `+02:00` (`2024-05-01T12:30:00Z`). The date and time must exist
    (no 30 February, no hour 24; a leap second `:60` is allowed). It does nothing without
    a schema.

    A value taken from a variable is checked after expanding it with the ARG and ENV
    values known at that point, and left alone when the variable has no known value:
    `LABEL org.opencontainers.image.created=$BUILD_DATE` with `ARG BUILD_DATE` is fine
    (hadolint checks the unexpanded `$BUILD_DATE` text and reports it). dfopt also
    follows RFC 3339 more closely than hadolint, which accepts two-digit years, offsets
    without a colon (`+0200`) and a trailing `.` before the zone. `ONBUILD LABEL` is
    ignored.

    ## Why is this bad?
    Tools sort and compare these timestamps (`org.opencontainers.image.created`); a date
    without time or zone, or a local format, cannot be compared reliably.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `rfc3339` are
      checked.
    """

    code = "DL3053"
    name = "invalid-time-label"
    summary = "A label of the label schema is not an RFC 3339 time"
    label_type = "rfc3339"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.created": "rfc3339"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.created="2024-05-01 12:30"\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.created="2024-05-01T12:30:00Z"\n'

    def problem(self, value: str) -> str | None:
        return None if is_rfc3339(value) else ""

    def message(self, pair: LabelPair, problem: str) -> str:
        return f"Label `{pair.key}` is not an RFC 3339 time: {show(pair.value)}"
