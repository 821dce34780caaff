"""DL3007: FROM an image with the `latest` tag."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import from_line, parse_image, resolved_base


class LatestTag(Rule):
    """## What it does
    Flags a `FROM` whose image uses the `latest` tag (`FROM node:latest`). An image also
    pinned by digest (`node:latest@sha256:...`) is fine: the digest wins.

    Variables are resolved with the global `ARG` defaults, so `ARG TAG=latest` then
    `FROM node:${TAG}` is reported too (hadolint looks at the text as written only).

    ## Why is this bad?
    `latest` is just the tag a publisher moved last: it changes under you, so the same
    Dockerfile builds a different image from one day to the next and a new major version
    can break the build or the application. Pin a release tag, or a digest.
    """

    code = "DL3007"
    name = "latest-tag"
    summary = "Using latest is prone to errors if the image will ever update"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    bad = "FROM node:latest\nRUN node --version\n"
    good = "FROM node:22.11-bookworm\nRUN node --version\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        word = from_line(instruction).image
        base = resolved_base(ctx, instruction)
        if word is None or base is None:
            return
        image = parse_image(base)
        if image.tag != "latest" or image.digest:
            return
        shown = f"`{base}`" if base == word.value else f"`{base}` (from `{word.value}`)"
        yield self.violation(
            word.span, f"Image {shown} uses the `latest` tag: pin a release tag or a digest"
        )
