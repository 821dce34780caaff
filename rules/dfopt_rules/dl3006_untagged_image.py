"""DL3006: FROM an image without a tag."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import from_line, parse_image, resolved_base


class UntaggedImage(Rule):
    """## What it does
    Flags a `FROM` whose image has neither a tag nor a digest (`FROM ubuntu`).
    `scratch`, earlier stages (`FROM builder`) and digests (`FROM ubuntu@sha256:...`)
    are fine.

    Variables are resolved with the global `ARG` defaults, as the builder does:
    `ARG BASE=python:3.12` then `FROM ${BASE}` is tagged, while `ARG BASE=python` then
    `FROM ${BASE}` is not and is reported (hadolint skips every image that starts with
    `$`). An image that depends on an `ARG` without a default is only known at build
    time and is not reported.

    ## Why is this bad?
    Without a tag the builder pulls `latest`, which moves: the same Dockerfile builds a
    different image tomorrow, and a new major version of the base can break the build
    or the application without any change on your side. Pin a tag, or better a digest.
    """

    code = "DL3006"
    name = "untagged-image"
    summary = "Always tag the version of an image explicitly"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    bad = "FROM ubuntu\nRUN echo hello\n"
    good = "FROM ubuntu:24.04\nRUN echo hello\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        stage = ctx.stage(instruction)
        word = from_line(instruction).image
        base = resolved_base(ctx, instruction)
        if stage is None or word is None or base is None or stage.parent is not None:
            return
        if base.lower() == "scratch":
            return
        image = parse_image(base)
        if image.tag or image.digest:
            return
        shown = f"`{base}`" if base == word.value else f"`{base}` (from `{word.value}`)"
        yield self.violation(word.span, f"Image {shown} has no tag: pin a version explicitly")
