"""DL4003: more than one CMD in a stage."""

from __future__ import annotations

from dfopt.rules_api import Severity
from dfopt_rules._instructions import RepeatedInstruction


class MultipleCmd(RepeatedInstruction):
    """## What it does
    Flags every `CMD` after the first one in the same build stage (hadolint's DL4003).
    The finding sits on the later `CMD`, as in hadolint; BuildKit's
    `MultipleInstructionsDisallowed` check (an alias of this rule) reports the same thing at
    the earlier, ignored instruction, and also covers `ENTRYPOINT` (DL4004) and
    `HEALTHCHECK` (DL3012). `ONBUILD CMD` is not counted: it belongs to the images built
    from this one.

    ## Why is this bad?
    Only the last `CMD` of a stage ends up in the image; the earlier ones are dead code that
    misleads the reader about what the container runs.

    ## Fix safety
    Safe: the fix deletes the `CMD` before the reported one, so fixing every finding keeps
    only the last `CMD`, which is the one the image already uses. Comment lines above the
    deleted instruction, and comment lines inside its continuation, are kept.
    """

    code = "DL4003"
    name = "multiple-cmd"
    summary = "Multiple CMD instructions in a stage; only the last one takes effect"
    severity = Severity.WARNING
    targets = frozenset({"CMD"})
    aliases = ("MultipleInstructionsDisallowed",)
    bad = 'FROM alpine:3.20\nCMD ["sh"]\nCMD ["app", "serve"]\n'
    good = 'FROM alpine:3.20\nCMD ["app", "serve"]\n'
