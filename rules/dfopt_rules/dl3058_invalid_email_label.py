"""DL3058: an `email` label of the label schema is not an email address."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, is_email, show


class InvalidEmailLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `email` whose value is not an
    email address as RFC 5322 defines the `addr-spec`: a local part (dot-separated
    atoms, or a quoted string) with at most 64 characters, `@`, and a domain name or a
    bracketed domain literal. A display name (`Jane Doe <jane@example.com>`), comments
    and surrounding blanks are refused. It does nothing without a schema.

    A value taken from a variable is checked after expanding it with the ARG and ENV
    values known at that point, and left alone when the variable has no known value
    (hadolint checks the unexpanded `$VAR` text and reports it). Quotes are removed as
    the builder removes them, also in the legacy form `LABEL maintainer "jane@example.com"`
    (hadolint keeps them there and reports a valid address). `ONBUILD LABEL` is ignored.

    ## Why is this bad?
    Tools send notices to the address in the label or show it as a contact; a name
    with the address in angle brackets, or a typo, is not an address they can use.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `email` are
      checked.
    """

    code = "DL3058"
    name = "invalid-email-label"
    summary = "A label of the label schema is not a valid email address"
    label_type = "email"
    example_settings: ClassVar[dict[str, object]] = {"label-schema": {"maintainer": "email"}}
    bad = 'FROM alpine:3.20\nLABEL maintainer="Jane Doe <jane@example.com>"\n'
    good = 'FROM alpine:3.20\nLABEL maintainer="jane@example.com"\n'

    def problem(self, value: str) -> str | None:
        return None if is_email(value) else ""

    def message(self, pair: LabelPair, problem: str) -> str:
        return f"Label `{pair.key}` is not a valid email address: {show(pair.value)}"
