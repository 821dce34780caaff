"""DF511: COPY or ADD of a path that `.dockerignore` leaves out of the context."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation, expand
from dfopt_rules._buildkit import iter_source_words
from dfopt_rules._dockerignore import Matcher, clean_path, find_ignore_file


class CopyIgnoredFile(Rule):
    """## What it does
    Reads the `.dockerignore` of the build context (the Dockerfile's directory), or
    `<Dockerfile name>.dockerignore` next to the Dockerfile when it exists, and flags a
    local source of `COPY` or `ADD` (not `--from`, not a URL) that it excludes, directly
    or through a parent directory. As in BuildKit's `CopyIgnoredFile` check, nothing is
    reported when the file has `!` exceptions (an excluded directory may have a kept
    file inside), and `.` is only reported when a pattern excludes everything (`*`, `**`,
    `**/*`). BuildKit marks this check experimental; dfopt enables it because it only
    reads a local file.

    ## Why is this bad?
    Excluded files never reach the builder: the `COPY` fails ("not found") or, with a
    wildcard or a directory, silently copies less than intended. Either the pattern or
    the instruction is wrong.
    """

    code = "DF511"
    name = "copy-ignored-file"
    summary = "Copied file is excluded by .dockerignore"
    severity = Severity.WARNING
    targets = frozenset({"COPY", "ADD"})
    include_onbuild = False
    aliases = ("CopyIgnoredFile",)
    bad = "FROM alpine:3.20\nCOPY .env /app/.env\n"
    good = "FROM alpine:3.20\nCOPY config.yaml /app/\n"
    example_context = {".dockerignore": ".env\n*.log\n", ".env": "SECRET=1\n"}

    _matcher: Matcher | None = None
    _loaded: bool = False

    def _load(self, ctx: Context) -> Matcher | None:
        if not self._loaded:
            self._loaded = True
            found = find_ignore_file(ctx)
            if found is not None:
                self._matcher = Matcher.from_text(found[1])
        return self._matcher

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if instruction.flag("from") is not None:
            return
        matcher = self._load(ctx)
        if matcher is None or not matcher.patterns or matcher.has_exclusions:
            return
        variables = ctx.state(instruction).variables
        verb = "Add" if instruction.keyword == "ADD" else "Copy"
        for value, span in iter_source_words(instruction):
            if "://" in value or value.startswith("git@"):
                continue
            source = clean_path(expand(value, variables, ctx.escape))
            if source in (".", "/") and not matcher.excludes_root():
                continue
            if matcher.excludes(source):
                yield self.violation(
                    span, f"Attempting to {verb} file `{source}` that is excluded by .dockerignore"
                )
