"""DL3012: more than one HEALTHCHECK in a stage."""

from __future__ import annotations

from dfopt.rules_api import Severity
from dfopt_rules._instructions import RepeatedInstruction


class MultipleHealthchecks(RepeatedInstruction):
    """## What it does
    Flags every `HEALTHCHECK` after the first one in the same build stage (hadolint's
    DL3012), `HEALTHCHECK NONE` included. The finding sits on the later instruction, as in
    hadolint; BuildKit reports the same thing at the earlier, ignored instruction under
    `MultipleInstructionsDisallowed` (an alias of DL4003, which covers `CMD`).
    `ONBUILD HEALTHCHECK` is not counted: it belongs to the images built from this one.

    ## Why is this bad?
    Only the last `HEALTHCHECK` of a stage ends up in the image; the earlier ones are dead
    code that misleads the reader about how the container is monitored.

    ## Fix safety
    Safe: the fix deletes the `HEALTHCHECK` before the reported one, so fixing every finding
    keeps only the last one, which is the one the image already uses. Comment lines above
    the deleted instruction, and comment lines inside its continuation, are kept.
    """

    code = "DL3012"
    name = "multiple-healthchecks"
    summary = "Multiple HEALTHCHECK instructions in a stage; only the last one takes effect"
    severity = Severity.ERROR
    targets = frozenset({"HEALTHCHECK"})
    bad = (
        "FROM nginx:1.27\n"
        'HEALTHCHECK CMD ["true"]\n'
        'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]\n'
    )
    good = 'FROM nginx:1.27\nHEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]\n'
