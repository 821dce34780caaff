"""DL3040: `dnf install` without `dnf clean all` in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, FixAvailability, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import Cleanup, append_command, command_span

_DIRECTORIES = ("/var/cache/dnf", "/var/cache/yum")
MANAGERS = tuple(
    Cleanup(
        program=program,
        installs=frozenset({"install"}),
        cleans=frozenset({"clean"}),
        directories=_DIRECTORIES,
    )
    for program in ("dnf", "microdnf")
)


class DnfCleanMissing(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or here-document script) that runs `dnf install`
    and does not clean dnf's cache afterwards: `dnf clean all` (any `dnf clean`) or an
    `rm` of `/var/cache/dnf` or `/var/cache/yum` after the last install. As in hadolint,
    `microdnf` is checked the same way and wants its own `microdnf clean`.

    Differences from hadolint: hadolint only wants some cleanup after the *first*
    install, and takes any `rm -rf` (even of another directory) as one; dfopt wants the
    cleanup after the *last* install and an `rm` of the cache (any flags). A `RUN` whose
    cache directory is a BuildKit cache or tmpfs mount is not reported: the cache never
    reaches the layer (hadolint reports it).

    An exec-form `RUN` (`RUN ["dnf", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    dnf keeps repository metadata and downloaded packages in `/var/cache/dnf`. They are
    useless in the image, yet stay in the layer and can add a hundred megabytes or more.

    ## Fix safety
    Safe: ` && dnf clean all` (or ` && microdnf clean all`) is appended to the end of the
    `RUN` (on a new continuation line, indented like the others, when the command spans
    several lines). Only the package manager's cache leaves the image; a later command
    downloads the metadata again.

    The fix is only offered when the script is a plain `&&` chain, so the cleanup runs
    exactly when everything before it succeeded, and when no `USER` other than root is
    in force.
    """

    code = "DL3040"
    name = "dnf-clean-missing"
    summary = "`dnf clean all` missing after dnf command"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"dnf", "microdnf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM fedora:40\nRUN dnf install -y curl-8.6.0\n"
    good = "FROM fedora:40\nRUN dnf install -y curl-8.6.0 && dnf clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for manager in MANAGERS:
            install = manager.missing(instruction, ctx)
            if install is None:
                continue
            cleanup = f"{manager.program} clean all"
            yield self.violation(
                command_span(install),
                f"`{manager.program} install` without `{cleanup}` afterwards leaves the "
                "package cache in the image",
                append_command(instruction, ctx, cleanup, f"Append `{cleanup}`"),
            )
