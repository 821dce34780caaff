"""DL3067: COPY --from=<stage> / / copies a whole filesystem."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Form, Instruction, Rule, Severity, Violation


class CopyWholeStageFilesystem(Rule):
    """## What it does
    Flags `COPY --from=<stage or image> ... / /`: a COPY with `--from` whose
    destination is `/` and one of whose sources is `/`. Like hadolint, `ONBUILD COPY`
    is not checked.

    ## Why is this bad?
    Copying the whole filesystem of another stage over `/` brings everything with it:
    package databases, caches, build tools, `/etc/passwd` and the other stage's
    configuration, overwriting the files of this stage. It defeats the point of a
    multi-stage build; copy only the directories the image needs.
    """

    code = "DL3067"
    name = "copy-whole-stage-filesystem"
    summary = "Do not copy an entire filesystem from another stage"
    severity = Severity.WARNING
    targets = frozenset({"COPY"})
    include_onbuild = False
    bad = "FROM debian:12 AS build\nRUN make\nFROM debian:12\nCOPY --from=build / /\n"
    good = (
        "FROM debian:12 AS build\nRUN make\n"
        "FROM debian:12\nCOPY --from=build /out/ /usr/local/bin/\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if instruction.flag("from") is None:
            return
        args = instruction.exec_args if instruction.form is Form.EXEC else instruction.words
        if len(args) < 2:
            return
        *sources, dest = args
        if dest.value.strip("\"'") != "/":
            return
        if not any(source.value.strip("\"'") == "/" for source in sources):
            return
        yield self.violation(dest.span, "`COPY --from` copies a whole filesystem (`/`) over `/`")
