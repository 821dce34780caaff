"""DL3026: FROM an image of a registry that is not trusted."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import ClassVar

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import from_line, parse_image, resolved_base

# Names of Docker Hub: an image without a registry comes from there.
DOCKER_HUB = ("docker.io", "hub.docker.com", "index.docker.io", "registry-1.docker.io")


def registry_allowed(domain: str | None, trusted: tuple[str, ...]) -> bool:
    """True when ``domain`` (None for Docker Hub's implicit one) matches a trusted entry;
    entries may use shell wildcards (`*.gcr.io`, `*`)."""
    host = (domain or "docker.io").lower()
    candidates = DOCKER_HUB if host in DOCKER_HUB else (host,)
    return any(
        fnmatchcase(candidate, pattern.strip().lower())
        for pattern in trusted
        for candidate in candidates
    )


class UntrustedRegistry(Rule):
    """## What it does
    Flags a `FROM` whose image comes from a registry missing from the trusted list
    (`trusted-registries`, or hadolint's `trustedRegistries`). The rule is silent while
    that list is empty.

    Entries may use wildcards: `*.gcr.io` trusts `eu.gcr.io` and `us.gcr.io` (not
    `gcr.io` itself) and `*` trusts everything. An image without a registry host
    (`ubuntu`, `library/ubuntu`) comes from Docker Hub, trusted by `docker.io` or
    `hub.docker.com`. `scratch` and references to earlier stages are always fine.
    Variables are resolved with the global `ARG` defaults; an image that depends on an
    `ARG` without a default is not reported. A first path part is a registry host when
    it holds a `.` or a `:` or is `localhost`, as the Docker reference grammar says
    (hadolint takes `localhost/app` for a Docker Hub image).

    ## Why is this bad?
    Organisations restrict base images to registries they mirror, scan or sign; an image
    from anywhere else bypasses those controls and is a supply-chain risk.

    ## Options
    The trusted list is the project-wide `trusted-registries` setting, not a rule option.
    """

    code = "DL3026"
    name = "untrusted-registry"
    summary = "Use only an allowed registry in the FROM image"
    severity = Severity.ERROR
    targets = frozenset({"FROM"})
    include_onbuild = False
    example_settings: ClassVar[dict[str, list[str]]] = {
        "trusted-registries": ["docker.io", "*.gcr.io"]
    }
    bad = "FROM quay.io/example/app:1.0\n"
    good = "FROM eu.gcr.io/example/app:1.0\nFROM alpine:3.20\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        trusted = ctx.settings.trusted_registries
        if not trusted:
            return
        stage = ctx.stage(instruction)
        word = from_line(instruction).image
        base = resolved_base(ctx, instruction)
        if stage is None or word is None or base is None or stage.parent is not None:
            return
        if base.lower() == "scratch":
            return
        image = parse_image(base)
        if registry_allowed(image.domain, trusted):
            return
        host = image.domain or "docker.io"
        yield self.violation(
            word.span, f"Image `{base}` comes from `{host}`, which is not a trusted registry"
        )
