"""DL3033: `yum install` without versions."""

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


class YumVersionUnpinned(Rule):
    """## What it does
    Flags `yum install` commands with a package that names no version
    (`httpd-2.4.6`), in `RUN`, `ONBUILD RUN` and here-document scripts.

    As in hadolint, a package counts as versioned when what follows its first `-` looks
    like a version (`-` separated parts of letters, digits and `.~^_:+`, one of them
    starting with a digit: `openssl-1:1.1.1k` is, `python3-pip` is not), or when it is an
    `.rpm` file whose name holds a `-`. A `yum module install` wants a stream
    (`nodejs:18`). Any `yum` command with an `install` argument is checked. dfopt does
    not read the value of an option such as `--enablerepo epel` or `-x pkg` as a package,
    and also checks `yum` called by its path.

    An exec-form `RUN` (`RUN ["yum", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without versions, every build installs whatever the repositories hold that day:
    builds are not reproducible and an upstream change can break the image without any
    change to the Dockerfile.
    """

    code = "DL3033"
    name = "yum-version-unpinned"
    summary = "Specify version with `yum install -y <package>-<version>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"yum"})
    bad = "FROM centos:7\nRUN yum install -y httpd && yum clean all\n"
    good = "FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in commands_of(instruction, ctx, "yum"):
            if command.command != "yum" or not has_word(command, "install"):
                continue
            missing, modules = rpm_unpinned(command)
            if modules:
                message = (
                    f"Specify the stream of {describe(missing)} in `yum module install` "
                    "(`<module>:<stream>`)"
                )
            else:
                message = (
                    f"Specify the version of {describe(missing)} in `yum install` "
                    "(`yum install -y <package>-<version>`)"
                )
            if missing:
                yield self.violation(command_span(command), message)
