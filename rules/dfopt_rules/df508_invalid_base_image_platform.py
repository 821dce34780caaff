"""DF508: the base image was built for another platform (needs the image; never fires offline)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation


class InvalidBaseImagePlatform(Rule):
    """## What it does
    Stands for BuildKit's `InvalidBaseImagePlatform` check, which warns when the image a
    `FROM` line resolves to was built for another OS or CPU architecture than the one the
    stage is built for: `FROM my-tools-amd64` in a `docker build --platform=linux/arm64`,
    or `FROM --platform=linux/arm64 image` naming a tag that only holds an amd64 image.

    This check is not applicable offline, so dfopt never reports it: the mismatch is only
    visible in the configuration of the pulled image (its `os` and `architecture` fields),
    which the builder reads from the registry while it builds. The Dockerfile text names a
    tag, not a platform, and dfopt does not contact registries. The rule is off by default
    and reports nothing even when selected; it exists so that configurations naming the
    BuildKit check resolve to a known rule. Run `docker build --check` to get it.

    ## Why is this bad?
    The builder takes the image it was given: the stage then runs, usually through
    emulation, with binaries of the wrong architecture, and the resulting image is labelled
    with the requested platform while it holds another one's binaries. It fails at run time
    with `exec format error`, or runs slowly under emulation.
    """

    code = "DF508"
    name = "invalid-base-image-platform"
    summary = "Base image platform does not match the platform of the build"
    severity = Severity.WARNING
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("InvalidBaseImagePlatform",)
    enabled_by_default = False
    offline_applicable: ClassVar[bool] = False
    """The check needs the pulled image's metadata, so it never fires on the text alone."""
    bad = "FROM --platform=linux/arm64 my-registry.example/tools-amd64:1.0\nRUN make\n"
    good = "FROM --platform=linux/arm64 my-registry.example/tools:1.0\nRUN make\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        # The platform of the base image is not in the Dockerfile: nothing to check offline.
        return iter(())
