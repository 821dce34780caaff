"""DL3052: a `url` label of the label schema is not a URL."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, is_url, show


class InvalidUrlLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `url` whose value is not an
    absolute URI as RFC 3986 defines it: a scheme, a colon and the rest
    (`https://example.com/app`, `git+ssh://host/repo.git`, `mailto:ops@example.com`).
    Spaces, non-ASCII characters, stray `%` signs, a second `#` and scheme-less values
    such as `example.com` or `git@host:org/repo` are refused. It does nothing without a
    schema.

    A value taken from a variable is checked after expanding it with the ARG and ENV
    values known at that point, and left alone when the variable has no known value
    (hadolint checks the unexpanded `$VAR` text and always reports it). `ONBUILD LABEL`
    is ignored.

    ## Why is this bad?
    Tools follow these labels (the source repository, documentation, the vendor's site).
    A value that is not a URL breaks the link and usually points at a typo.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `url` are checked.
    """

    code = "DL3052"
    name = "invalid-url-label"
    summary = "A label of the label schema is not a valid URL"
    label_type = "url"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.source": "url"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.source="github.com/example/app"\n'
    good = (
        'FROM alpine:3.20\nLABEL org.opencontainers.image.source="https://github.com/example/app"\n'
    )

    def problem(self, value: str) -> str | None:
        return None if is_url(value) else ""

    def message(self, pair: LabelPair, problem: str) -> str:
        return f"Label `{pair.key}` is not a valid URL: {show(pair.value)}"
