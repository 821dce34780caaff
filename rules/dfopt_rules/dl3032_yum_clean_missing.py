"""DL3032: `yum install` without `yum clean all` in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, FixAvailability, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import Cleanup, append_command, command_span

YUM = Cleanup(
    program="yum",
    installs=frozenset({"install"}),
    cleans=frozenset({"clean"}),
    directories=("/var/cache/yum",),
)


class YumCleanMissing(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or here-document script) that runs `yum install`
    and does not clean yum's cache afterwards: `yum clean all` (any `yum clean`) or an
    `rm` of `/var/cache/yum` after the last `yum install`.

    Differences from hadolint: hadolint only wants some `yum clean` after the *first*
    install, and takes any `rm -rf` (even of another directory) as the cleanup; dfopt
    wants the cleanup after the *last* install and an `rm` of `/var/cache/yum` (any
    flags). A `RUN` whose `/var/cache/yum` is a BuildKit cache or tmpfs mount is not
    reported: the cache never reaches the layer (hadolint reports it).

    An exec-form `RUN` (`RUN ["yum", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    yum keeps the repository metadata and downloaded packages in `/var/cache/yum`. They
    are useless in the image, yet stay in the layer and can add a hundred megabytes or
    more.

    ## Fix safety
    Safe: ` && yum clean all` is appended to the end of the `RUN` (on a new continuation
    line, indented like the others, when the command spans several lines). Only yum's
    cache leaves the image; a later yum command downloads the metadata again.

    The fix is only offered when the script is a plain `&&` chain, so the cleanup runs
    exactly when everything before it succeeded, and when no `USER` other than root is
    in force (yum refuses to clean as another user).
    """

    code = "DL3032"
    name = "yum-clean-missing"
    summary = "`yum clean all` missing after yum command"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"yum"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM centos:7\nRUN yum install -y httpd-2.4.6\n"
    good = "FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        install = YUM.missing(instruction, ctx)
        if install is None:
            return
        yield self.violation(
            command_span(install),
            "`yum install` without `yum clean all` afterwards leaves yum's cache in the image",
            append_command(instruction, ctx, "yum clean all", "Append `yum clean all`"),
        )
