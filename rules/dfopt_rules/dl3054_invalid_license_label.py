"""DL3054: an `spdx` label of the label schema is not an SPDX license expression."""

from __future__ import annotations

from typing import ClassVar

from dfopt_rules._labels import LabelPair, LabelValueRule, spdx_problem


class InvalidLicenseLabel(LabelValueRule):
    """## What it does
    With a label schema configured, flags a label typed `spdx` whose value is not an
    SPDX license expression. It does nothing without a schema.

    The identifiers come from the SPDX License List shipped with dfopt (version 3.27.0:
    every current license and exception identifier). Accepted: one identifier (`MIT`,
    `Apache-2.0`), an identifier with `+` (`MPL-2.0+`), `LicenseRef-...` and
    `DocumentRef-...:LicenseRef-...`, and expressions joining them with `AND`, `OR`,
    `WITH <exception>` and parentheses (`(MIT OR Apache-2.0) AND BSD-3-Clause`).
    Identifiers match case-insensitively, as the SPDX specification asks. Deprecated
    identifiers such as `GPL-2.0` or `GPL-2.0+` are refused, and the message names the
    replacement (`GPL-2.0-only`, `GPL-2.0-or-later`).

    Differences from hadolint, which accepts a single identifier of its own (older)
    list, case-sensitively: expressions, `LicenseRef-` references and lower-case
    spellings are accepted, as `org.opencontainers.image.licenses` is defined as an
    SPDX expression. A value taken from a variable is checked after expanding it with
    the ARG and ENV values known at that point, and left alone when the variable has no
    known value. `ONBUILD LABEL` is ignored.

    ## Why is this bad?
    Licence scanners and SBOM tools read the licence label; free text such as
    `GPL` or `Apache License` cannot be matched to a licence without guessing.

    ## Options
    Set in the configuration file (also read from `.hadolint.yaml`):

    - `label-schema`: a mapping of label name to type; the labels typed `spdx` are checked.
    """

    code = "DL3054"
    name = "invalid-license-label"
    summary = "A label of the label schema is not an SPDX license expression"
    label_type = "spdx"
    example_settings: ClassVar[dict[str, object]] = {
        "label-schema": {"org.opencontainers.image.licenses": "spdx"}
    }
    bad = 'FROM alpine:3.20\nLABEL org.opencontainers.image.licenses="Apache License"\n'
    good = 'FROM alpine:3.20\nLABEL org.opencontainers.image.licenses="Apache-2.0"\n'

    def problem(self, value: str) -> str | None:
        return spdx_problem(value)

    def message(self, pair: LabelPair, problem: str) -> str:
        return f"Label `{pair.key}` is not a valid SPDX license expression: {problem}"
