"""DL4004: more than one ENTRYPOINT in a stage."""

from __future__ import annotations

from dfopt.rules_api import Severity
from dfopt_rules._instructions import RepeatedInstruction


class MultipleEntrypoint(RepeatedInstruction):
    """## What it does
    Flags every `ENTRYPOINT` after the first one in the same build stage (hadolint's
    DL4004). The finding sits on the later `ENTRYPOINT`, as in hadolint; BuildKit reports
    the same thing at the earlier, ignored instruction under `MultipleInstructionsDisallowed`
    (an alias of DL4003, which covers `CMD`). `ONBUILD ENTRYPOINT` is not counted: it
    belongs to the images built from this one.

    ## Why is this bad?
    Only the last `ENTRYPOINT` of a stage ends up in the image; the earlier ones are dead
    code that misleads the reader about what the container runs.

    ## Fix safety
    Safe: the fix deletes the `ENTRYPOINT` before the reported one, so fixing every finding
    keeps only the last `ENTRYPOINT`, which is the one the image already uses. Comment lines
    above the deleted instruction, and comment lines inside its continuation, are kept.
    """

    code = "DL4004"
    name = "multiple-entrypoint"
    summary = "Multiple ENTRYPOINT instructions in a stage; only the last one takes effect"
    severity = Severity.ERROR
    targets = frozenset({"ENTRYPOINT"})
    bad = 'FROM alpine:3.20\nENTRYPOINT ["sh"]\nENTRYPOINT ["/usr/bin/app"]\n'
    good = 'FROM alpine:3.20\nENTRYPOINT ["/usr/bin/app"]\n'
