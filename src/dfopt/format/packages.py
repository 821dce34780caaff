"""Package lists sorted, one per line (opt-in: ``format.sort-packages``).

Docker's best-practice guide recommends sorting the packages of an install command and
writing one per line, so that a change to the list is a one-line diff. Sorted are the
packages of ``apt-get``/``apt``/``aptitude install``, ``apk add``, ``dnf``/``yum``/
``microdnf``/``tdnf install`` and ``zypper install``, when every package is a plain word
(no quotes, variables or globs), they come last on the command, and the command's
options that take a value are known. The order of the packages does not matter to these
package managers: each installs the whole set in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dfopt.shell import ShellWord, SimpleCommand, parse_script

__all__ = ["PackageList", "order", "package_lists", "sorted_package_args"]


class _Manager:
    __slots__ = ("subcommands", "valued")

    def __init__(self, subcommands: frozenset[str], valued: frozenset[str]) -> None:
        self.subcommands = subcommands
        self.valued = valued
        """Options whose value is the next word."""


_APT = _Manager(
    frozenset({"install"}),
    frozenset({"-o", "--option", "-t", "--target-release", "-c", "--config-file", "-a"}),
)
_APK = _Manager(
    frozenset({"add"}),
    frozenset(
        {
            "-t",
            "--virtual",
            "-X",
            "--repository",
            "-p",
            "--root",
            "--arch",
            "--cache-dir",
            "--keys-dir",
            "--repositories-file",
            "--progress-fd",
            "--wait",
        }
    ),
)
_RPM = _Manager(
    frozenset({"install"}),
    frozenset(
        {
            "--enablerepo",
            "--disablerepo",
            "--repo",
            "--repoid",
            "--releasever",
            "--installroot",
            "-c",
            "--config",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
            "-x",
            "--exclude",
            "--setopt",
            "--forcearch",
            "--downloaddir",
            "--destdir",
        }
    ),
)
_ZYPPER = _Manager(
    frozenset({"install", "in"}),
    frozenset({"-t", "--type", "-r", "--repo", "--from", "--root", "-R"}),
)
MANAGERS: dict[str, _Manager] = {
    "apt-get": _APT,
    "apt": _APT,
    "aptitude": _APT,
    "apk": _APK,
    "dnf": _RPM,
    "yum": _RPM,
    "microdnf": _RPM,
    "tdnf": _RPM,
    "zypper": _ZYPPER,
}
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+:=~<>@/-]*\Z")


class PackageList:
    """The packages of one install command, in the order written."""

    __slots__ = ("words",)

    def __init__(self, words: list[ShellWord]) -> None:
        self.words = words


def _packages(command: SimpleCommand) -> list[ShellWord] | None:
    name = command.name
    if name is None or not name.literal:
        return None
    manager = MANAGERS.get(name.value)
    if manager is None:
        return None
    args = command.args
    index = 0
    # Options before the subcommand (``apt-get -y install``).
    while index < len(args) and args[index].value.startswith("-"):
        if args[index].value in manager.valued:
            index += 1
        index += 1
    if index >= len(args) or args[index].value not in manager.subcommands:
        return None
    index += 1
    packages: list[ShellWord] = []
    while index < len(args):
        word = args[index]
        if not word.literal or word.raw != word.value:
            return None
        if word.value.startswith("-"):
            if packages:
                return None  # an option after the packages: leave the command alone
            if word.value in manager.valued:
                index += 1
            index += 1
            continue
        if not _PLAIN.match(word.value):
            return None
        packages.append(word)
        index += 1
    return packages if len(packages) >= 2 else None


def package_lists(script: str) -> list[PackageList]:
    """The sortable package lists of ``script`` (offsets are in ``script``)."""
    parsed = parse_script(script, _identity)
    if parsed.has_errors:
        return []
    found = []
    for command in parsed.commands:
        if not command.reliable:
            continue
        words = _packages(command)
        if words is not None:
            found.append(PackageList(words))
    return found


def sorted_package_args(command: SimpleCommand) -> tuple[str, ...]:
    """The raw words of ``command`` with its package list (if any) sorted."""
    raws = [word.raw for word in command.args]
    packages = _packages(command)
    if packages:
        positions = [command.args.index(word) for word in packages]
        for position, text in zip(positions, order([word.raw for word in packages]), strict=True):
            raws[position] = text
    return tuple(raws)


def order(names: Sequence[str]) -> list[str]:
    """Package names in the order the formatter writes them."""
    return sorted(names, key=lambda name: (name.lower(), name))


def _identity(offset: int) -> int:
    return offset
