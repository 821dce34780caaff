"""DF110: a RUN upgrades every package of the base image."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, SimpleCommand, Violation
from dfopt_rules._hygiene import command_span, operands

_APT = frozenset({"apt-get", "apt", "aptitude"})
_APT_UPGRADES = frozenset({"upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"})
_APT_VALUES = frozenset({"o", "c", "t", "a", "option", "config-file", "target-release"})
# Package managers that upgrade everything only when no package is named.
_UPGRADES: dict[str, frozenset[str]] = {
    "apk": frozenset({"upgrade"}),
    "yum": frozenset({"update", "upgrade"}),
    "dnf": frozenset({"update", "upgrade", "distro-sync"}),
    "microdnf": frozenset({"update", "upgrade"}),
    "tdnf": frozenset({"update", "upgrade"}),
    "zypper": frozenset({"update", "up"}),
}
_VALUES: dict[str, frozenset[str]] = {
    "apk": frozenset({"X", "p", "repository", "root", "arch", "repositories-file", "cache-dir"}),
    "yum": frozenset(
        {"c", "x", "d", "e", "R", "config", "exclude", "installroot", "enablerepo"}
        | {"disablerepo", "releasever", "setopt", "repo", "repoid", "debuglevel"}
    ),
    "zypper": frozenset(
        {"R", "r", "t", "root", "repo", "from", "type", "config", "reposd-dir", "cache-dir"}
    ),
}
_VALUES["dnf"] = _VALUES["yum"] | {"exclude", "repofrompath"}
_VALUES["microdnf"] = _VALUES["dnf"]
_VALUES["tdnf"] = _VALUES["dnf"]


def _upgrade(command: SimpleCommand) -> str | None:
    """The upgrade subcommand when the command upgrades the whole system."""
    name = command.command
    if name in _APT:
        words = operands(command, _APT_VALUES)
        if words and words[0].value in _APT_UPGRADES:
            return words[0].value
        return None
    subcommands = _UPGRADES.get(name or "")
    if subcommands is None:
        return None
    words = operands(command, _VALUES.get(name or "", frozenset()))
    if not words or words[0].value not in subcommands:
        return None
    if len(words) > 1:
        return None  # named packages: a targeted upgrade
    return words[0].value


class SystemUpgrade(Rule):
    """## What it does
    Flags a `RUN` that upgrades every package of the base image:
    `apt-get upgrade`, `dist-upgrade` and `full-upgrade` (also with `apt` and
    `aptitude`), `apk upgrade`, `yum update`/`upgrade`, `dnf upgrade`/`update`/
    `distro-sync`, `microdnf update` and `zypper update`/`up`. For apk, yum, dnf and
    zypper an upgrade of named packages (`yum update -y openssl`) is a targeted fix and
    is not reported. `zypper dist-upgrade` is hadolint's DL3035.

    ## Why is this bad?
    The result depends on the day of the build, not on the Dockerfile: two builds of the
    same file give different images, a broken update breaks the build, and the upgraded
    files duplicate the base image's in a new layer. Security fixes belong in a newer
    base image (rebuild on a fresh tag or digest); when one package really needs an
    update, upgrade just that package, pinned.
    """

    code = "DF110"
    name = "system-upgrade"
    summary = "A RUN upgrades every package of the base image"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = frozenset(
        {"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "tdnf", "zypper"}
    )
    bad = "FROM debian:12\nRUN apt-get update && apt-get -y upgrade\n"
    good = "FROM debian:12.7\nRUN apt-get update && apt-get install -y --only-upgrade openssl\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            subcommand = _upgrade(command)
            if subcommand is None:
                continue
            yield self.violation(
                command_span(command),
                f"`{command.command} {subcommand}` upgrades every package of the base image, "
                "so the image depends on the day it is built",
            )
