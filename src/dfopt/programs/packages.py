"""System package managers: which of their commands need the package index.

A SAFE fix that removes an index (``rm -rf /var/lib/apt/lists/*``, ``apk add
--no-cache`` instead of ``--update``) must not run while a later step still installs
from it without fetching it again; these predicates answer that for a later RUN's
invocations (see :func:`dfopt.programs.later.later_runs_may`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dfopt.programs.invocations import Invocation

__all__ = [
    "APK_FRESH_INDEX",
    "APK_NEEDS_INDEX",
    "APT",
    "APT_NEEDS_LISTS",
    "apk_needs_index_first",
    "apt_needs_lists_first",
    "installs_offline",
]

APT = frozenset({"apt-get", "apt", "aptitude"})
APT_NEEDS_LISTS = frozenset(
    {
        "install",
        "upgrade",
        "dist-upgrade",
        "full-upgrade",
        "build-dep",
        "source",
        "download",
        "reinstall",
        "satisfy",
    }
)
"""apt subcommands that read the package lists."""
_APT_HELPERS = frozenset({"apt-cache", "install_packages", "apt-install"})
"""Programs that read the apt lists or install through apt-get themselves."""

APK_NEEDS_INDEX = frozenset({"add", "upgrade", "fix", "fetch", "search", "policy", "dot"})
"""apk applets that read the package index."""
APK_FRESH_INDEX = ("--no-cache", "--update", "--update-cache", "-U")
"""apk options that fetch a fresh index for the command itself."""


def apt_needs_lists_first(found: Iterable[Invocation]) -> bool:
    """The invocations read the apt lists before they update them."""
    for invocation in found:
        program = invocation.program
        if program in APT and "update" in invocation.args:
            return False
        if program in _APT_HELPERS:
            return True
        if program in APT and any(value in APT_NEEDS_LISTS for value in invocation.args):
            return True
    return False


def apk_needs_index_first(found: Iterable[Invocation]) -> bool:
    """The invocations read the apk index before they update it, without fetching a
    fresh one for themselves."""
    for invocation in found:
        if invocation.program != "apk":
            continue
        applet = invocation.subcommand
        if applet == "update":
            return False
        if applet in APK_NEEDS_INDEX and not invocation.has_option(*APK_FRESH_INDEX):
            return True
    return False


_OFFLINE_OPTIONS = ("--offline", "--no-index", "--no-download")
_OFFLINE_SETTINGS = ("offline", "goproxy=off", "no_index", "noindex")


def installs_offline(found: Iterable[Invocation]) -> bool:
    """An invocation installs from a package manager's cache only (``yarn install
    --offline``, ``npm ci --offline``, ``pip install --no-index``, ``GOPROXY=off``): a
    cache cleaned before it makes it fail."""
    for invocation in found:
        if invocation.has_option(*_OFFLINE_OPTIONS):
            return True
        command = invocation.command
        if command is not None and any(
            setting in assignment.lower()
            for assignment in command.assignments
            for setting in _OFFLINE_SETTINGS
        ):
            return True
    return False
