"""DL3055: a `hash` label of the label schema is not a git commit hash."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, is_git_hash, show


class InvalidGitHashLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `hash` whose value is not a git
    commit hash: exactly 7 (abbreviated) or 40 (full SHA-1) lower-case hexadecimal
    digits, as in hadolint. It does nothing without a schema.

    A value taken from a variable is checked after expanding it with the ARG and ENV
    values known at that point, and left alone when the variable has no known value:
    `LABEL org.opencontainers.image.revision=$GIT_COMMIT` with `ARG GIT_COMMIT` is fine
    (hadolint checks the unexpanded `$GIT_COMMIT` text and reports it). `ONBUILD LABEL`
    is ignored.

    ## Why is this bad?
    The revision label ties an image to the commit it was built from. A branch name,
    tag or upper-case copy is ambiguous or not what `git` prints, so the image cannot be
    traced back reliably.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `hash` are checked.
    """

    code = "DL3055"
    name = "invalid-git-hash-label"
    summary = "A label of the label schema is not a git hash"
    label_type = "hash"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.revision": "hash"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.revision="main"\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.revision="3f2a9c1"\n'

    def problem(self, value: str) -> str | None:
        return None if is_git_hash(value) else ""

    def message(self, pair: LabelPair, problem: str) -> str:
        return f"Label `{pair.key}` is not a git commit hash: {show(pair.value)}"
