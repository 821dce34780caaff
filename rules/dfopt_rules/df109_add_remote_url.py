"""DF109: ADD downloads a URL without checking its checksum."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    Violation,
)

CHECKSUM_PLACEHOLDER = "--checksum=sha256:<fill in>"


def _is_remote(value: str) -> bool:
    lowered = value.lower()
    return lowered.startswith(("http://", "https://"))


def _is_git(value: str) -> bool:
    """Git sources are pinned by commit, not by a checksum of a download."""
    lowered = value.lower().split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return lowered.endswith(".git")


class AddRemoteUrl(Rule):
    """## What it does
    Flags `ADD` of an `http://` or `https://` URL without `--checksum`. Git sources
    (`https://host/repo.git#ref`) are left alone: they are pinned by a commit, not by a
    checksum.

    ## Why is this bad?
    Without `--checksum`, the builder takes whatever the server returns: a compromised
    or changed download goes into the image unnoticed, and the build is not
    reproducible. `ADD --checksum=sha256:...` (Dockerfile syntax 1.6 and later) makes
    the build fail when the content differs.

    ## Fix safety
    Display only. The digest cannot be computed offline, so dfopt only suggests adding
    `--checksum=sha256:<fill in>` for a single-URL `ADD`; applying it as is would break
    the build. Rewriting the `ADD` to `RUN curl -fsSL <url> -o <dest>` plus a checksum
    check is not offered either: it needs `curl` (or `wget`) in the image, which dfopt
    cannot know, and it changes the file's ownership, permissions and modification time.
    """

    code = "DF109"
    name = "add-remote-url"
    summary = "ADD of a URL without --checksum"
    severity = Severity.WARNING
    targets = frozenset({"ADD"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "display-only"
    bad = "FROM debian:12\nADD https://example.com/tool.tar.gz /opt/\n"
    good = (
        "# syntax=docker/dockerfile:1\nFROM debian:12\n"
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
        " https://example.com/tool.tar.gz /opt/\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if any(flag.name == "checksum" for flag in target.flags):
            return
        words = list(target.exec_args if target.form is Form.EXEC else target.words)
        sources = words[:-1]
        remote = [word for word in sources if _is_remote(word.value) and not _is_git(word.value)]
        fix = None
        if len(sources) == 1 and remote:
            fix = Fix.display_only(
                "Pin the download with `--checksum` (fill in its sha256 digest)",
                [Edit.insert(target.keyword_span.end, f" {CHECKSUM_PLACEHOLDER}")],
            )
        for word in remote:
            yield self.violation(
                word.span,
                f"`ADD` downloads `{word.value}` without `--checksum`, so the content is not "
                "verified",
                fix,
            )
