"""DL3041: `dnf install` (or `microdnf install`) without versions."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._packages import (
    command_span,
    commands_of,
    describe,
    has_word,
    rpm_unpinned,
)

_PROGRAMS = frozenset({"dnf", "microdnf"})


class DnfVersionUnpinned(Rule):
    """## What it does
    Flags `dnf install` and `microdnf install` commands with a package that names no
    version (`httpd-2.4.62`), in `RUN`, `ONBUILD RUN` and here-document scripts.

    As in hadolint, a package counts as versioned when what follows its first `-` looks
    like a version (`-` separated parts of letters, digits and `.~^_:+`, one of them
    starting with a digit: `openssl-1:3.0.7` is, `python3-pip` is not), or when it is an
    `.rpm` file whose name holds a `-`. A `dnf module install` wants a stream
    (`nodejs:20`); `dnf group install` is not checked. dfopt does not read the value of
    an option such as `--enablerepo epel` or `-x pkg` as a package, and also checks the
    programs called by their path.

    An exec-form `RUN` (`RUN ["dnf", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without versions, every build installs whatever the repositories hold that day:
    builds are not reproducible and an upstream change can break the image without any
    change to the Dockerfile.
    """

    code = "DL3041"
    name = "dnf-version-unpinned"
    summary = "Specify version with `dnf install -y <package>-<version>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"dnf", "microdnf"})
    bad = "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n"
    good = "FROM fedora:40\nRUN dnf install -y httpd-2.4.62 && dnf clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "dnf", "microdnf"):
            if command.command not in _PROGRAMS or not has_word(command, "install"):
                continue
            if has_word(command, "group"):
                continue
            missing, modules = rpm_unpinned(command)
            if modules:
                message = (
                    f"Specify the stream of {describe(missing)} in "
                    f"`{command.command} module install` (`<module>:<stream>`)"
                )
            else:
                message = (
                    f"Specify the version of {describe(missing)} in "
                    f"`{command.command} install` (`dnf install -y <package>-<version>`)"
                )
            if missing:
                yield self.violation(command_span(command), message)
