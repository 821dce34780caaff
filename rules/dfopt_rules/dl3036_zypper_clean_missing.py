"""DL3036: `zypper install` without `zypper clean` in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, FixAvailability, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import Cleanup, append_command, command_span

ZYPPER = Cleanup(
    program="zypper",
    installs=frozenset({"install", "in"}),
    cleans=frozenset({"clean", "cc"}),
    directories=("/var/cache/zypp",),
)


class ZypperCleanMissing(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or here-document script) that runs `zypper install`
    (`zypper in`) and does not clean zypper's cache afterwards: `zypper clean` (`cc`,
    with any options) or an `rm` of `/var/cache/zypp` after the last install.

    Differences from hadolint: hadolint only wants some `zypper clean` after the *first*
    install and ignores an `rm` of the cache; dfopt wants the cleanup after the *last*
    install and takes an `rm` of `/var/cache/zypp` as one. A `RUN` whose `/var/cache/zypp`
    is a BuildKit cache or tmpfs mount is not reported: the cache never reaches the
    layer (hadolint reports it).

    An exec-form `RUN` (`RUN ["zypper", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    zypper keeps repository data and downloaded packages in `/var/cache/zypp`. They are
    useless in the image, yet stay in the layer.

    ## Fix safety
    Safe: ` && zypper clean` is appended to the end of the `RUN` (on a new continuation
    line, indented like the others, when the command spans several lines). Only zypper's
    package cache leaves the image; the repository metadata stays, so a later zypper
    command works as before.

    The fix is only offered when the script is a plain `&&` chain, so the cleanup runs
    exactly when everything before it succeeded, and when no `USER` other than root is
    in force.
    """

    code = "DL3036"
    name = "zypper-clean-missing"
    summary = "`zypper clean` missing after zypper use"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"zypper"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0\n"
    good = "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0 && zypper clean\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        install = ZYPPER.missing(instruction, ctx)
        if install is None:
            return
        yield self.violation(
            command_span(install),
            "`zypper install` without `zypper clean` afterwards leaves zypper's cache in the image",
            append_command(instruction, ctx, "zypper clean", "Append `zypper clean`"),
        )
