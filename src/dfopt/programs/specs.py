"""One spec per program: how its command line reads, and what only touches caches.

A spec says which options take a value (so the subcommand and the operands are found
where the program finds them: ``apk --repository URL add curl`` adds ``curl``), the
subcommands and their aliases (``dnf in`` is ``dnf install``, ``npm i`` is
``npm install``), the options that only change caches, prompts or logs (a SAFE fix may
add them: ``-y``, ``--no-cache-dir``), and the subcommands that only clean caches
(``apt-get clean``). Invocations (:mod:`dfopt.programs.invocations`), the cache-only
view of the build fingerprint (:mod:`dfopt.programs.cache_only`) and the rules read
programs through these specs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dfopt.syntax._record import record, set_field

__all__ = ["SPECS", "ProgramSpec", "spec_of"]


@record()
class ProgramSpec:
    """How one program's command line reads (see the module documentation)."""

    __slots__ = ("cache_only", "cleans", "name", "same_as", "subcommands", "with_value")

    name: str
    with_value: frozenset[str]
    """Options that take the next word as their value (``-o FILE``, ``--index-url URL``)."""
    subcommands: Mapping[str, str]
    """Every spelling of a subcommand (aliases included) to its canonical name."""
    cache_only: frozenset[str]
    """Options that only change caches, prompts or logs."""
    cleans: frozenset[str]
    """Subcommands that only clean caches."""
    same_as: str
    """The program this one is a spelling of, for comparisons (``apt`` as ``apt-get``)."""

    def __init__(
        self,
        name: str,
        with_value: Iterable[str] = (),
        subcommands: Mapping[str, Iterable[str]] | None = None,
        cache_only: Iterable[str] = (),
        cleans: Iterable[str] = (),
        same_as: str = "",
    ) -> None:
        spellings: dict[str, str] = {}
        for canonical, aliases in (subcommands or {}).items():
            spellings[canonical] = canonical
            for alias in aliases:
                spellings[alias] = canonical
        set_field(self, "name", name)
        set_field(self, "with_value", frozenset(with_value))
        set_field(self, "subcommands", spellings)
        set_field(self, "cache_only", frozenset(cache_only))
        set_field(self, "cleans", frozenset(cleans))
        set_field(self, "same_as", same_as or name)

    def subcommand_of(self, args: Sequence[str]) -> str | None:
        """The canonical subcommand of ``args``: the first word that is neither an option
        nor an option's value, its alias resolved (None when there is none)."""
        skip = False
        for arg in args:
            if skip:
                skip = False
                continue
            if arg == "--":
                return None
            if arg.startswith("-") and len(arg) > 1:
                skip = "=" not in arg and arg in self.with_value
                continue
            return self.subcommands.get(arg, arg)
        return None


_APT_VALUES = ("-o", "--option", "-c", "--config-file", "-t", "--target-release")
_RPM_VALUES = ("--setopt", "--repo", "--enablerepo", "--disablerepo", "--releasever")
_RPM_SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "install": ("in",),
    "remove": ("rm", "erase"),
    "upgrade": ("update", "up"),
    "reinstall": ("rei",),
    "makecache": ("mc",),
    "clean": (),
    "autoremove": (),
}
_PIP = ProgramSpec(
    "pip",
    with_value=(
        "-i",
        "--index-url",
        "--extra-index-url",
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
    ),
    subcommands={"install": (), "uninstall": (), "download": (), "cache": (), "wheel": ()},
    cache_only=("--no-cache-dir",),
    cleans=("cache",),
)
_NPM_SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "install": ("i", "add", "isntall", "in"),
    "ci": ("clean-install", "ic", "install-clean", "isntall-clean"),
    "uninstall": ("remove", "rm", "r", "un", "unlink"),
    "cache": (),
    "run": ("run-script", "rum", "urn"),
}

SPECS: dict[str, ProgramSpec] = {
    spec.name: spec
    for spec in (
        ProgramSpec(
            "apt-get",
            with_value=_APT_VALUES,
            subcommands={"install": (), "remove": (), "update": (), "upgrade": ()}
            | {"dist-upgrade": (), "clean": (), "autoclean": (), "purge": ()},
            cache_only=("-y", "--yes", "--assume-yes"),
            cleans=("clean", "autoclean"),
        ),
        ProgramSpec(
            "apt",
            with_value=_APT_VALUES,
            subcommands={"install": (), "remove": (), "update": (), "upgrade": ()}
            | {"full-upgrade": (), "clean": (), "autoclean": (), "purge": ()},
            cache_only=("-y", "--yes", "--assume-yes"),
            cleans=("clean", "autoclean"),
            same_as="apt-get",
        ),
        ProgramSpec(
            "aptitude",
            with_value=_APT_VALUES,
            subcommands={"install": (), "remove": (), "update": (), "clean": ()},
            cleans=("clean", "autoclean"),
        ),
        ProgramSpec(
            "apk",
            with_value=(
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "-t",
                "--virtual",
                "--cache-dir",
                "--keys-dir",
                "--repositories-file",
            ),
            subcommands={"add": (), "del": (), "update": (), "upgrade": (), "fix": ()}
            | {"fetch": (), "search": (), "info": (), "cache": (), "policy": (), "dot": ()},
            cache_only=("--no-cache", "--update", "--update-cache", "-U"),
        ),
        ProgramSpec(
            "dnf",
            with_value=_RPM_VALUES,
            subcommands=_RPM_SUBCOMMANDS,
            cache_only=("-y", "--assumeyes"),
            cleans=("clean",),
        ),
        ProgramSpec(
            "microdnf",
            with_value=_RPM_VALUES,
            subcommands=_RPM_SUBCOMMANDS,
            cache_only=("-y", "--assumeyes"),
            cleans=("clean",),
        ),
        ProgramSpec(
            "yum",
            with_value=_RPM_VALUES,
            subcommands=_RPM_SUBCOMMANDS,
            cache_only=("-y", "--assumeyes"),
            cleans=("clean",),
        ),
        ProgramSpec(
            "zypper",
            with_value=("--root", "-R", "--repo", "-r", "--from"),
            subcommands={"install": ("in",), "remove": ("rm",), "refresh": ("ref",)}
            | {"update": ("up",), "dist-upgrade": ("dup",), "clean": ("cc",)},
            cache_only=("-y", "-n", "--non-interactive", "--no-confirm"),
            cleans=("clean", "cc"),
        ),
        _PIP,
        ProgramSpec(
            "pip3",
            with_value=_PIP.with_value,
            subcommands={"install": (), "uninstall": (), "download": (), "cache": ()},
            cache_only=_PIP.cache_only,
            cleans=("cache",),
        ),
        ProgramSpec("pipx", subcommands={"install": (), "inject": (), "upgrade": ()}),
        ProgramSpec("pipenv", subcommands={"install": (), "sync": ()}, cleans=("--clear",)),
        ProgramSpec("poetry", subcommands={"install": (), "add": (), "lock": ()}),
        ProgramSpec(
            "uv",
            subcommands={"pip": (), "sync": (), "add": (), "cache": ()},
            cache_only=("--no-cache", "-n"),
        ),
        ProgramSpec("npm", subcommands=_NPM_SUBCOMMANDS, cleans=("cache",)),
        ProgramSpec(
            "yarn",
            subcommands={"install": (), "add": (), "cache": (), "global": ()},
            cleans=("cache",),
        ),
        ProgramSpec(
            "pnpm",
            subcommands={"install": ("i",), "add": (), "store": ()},
            cleans=("store",),
        ),
        ProgramSpec(
            "gem",
            with_value=("-v", "--version", "-s", "--source", "-i", "--install-dir"),
            subcommands={"install": ("i",), "cleanup": (), "update": ()},
            cache_only=("--no-document", "-N"),
            cleans=("cleanup",),
        ),
        ProgramSpec("bundle", subcommands={"install": (), "config": ()}),
        ProgramSpec(
            "composer",
            subcommands={"install": (), "require": (), "clear-cache": ("clearcache", "cc")},
            cleans=("clear-cache", "clearcache"),
        ),
        ProgramSpec(
            "go",
            subcommands={"build": (), "install": (), "get": (), "mod": (), "clean": ()},
        ),
        ProgramSpec("cargo", subcommands={"build": (), "install": (), "fetch": ()}),
        ProgramSpec(
            "curl",
            with_value=(
                "-o",
                "--output",
                "-H",
                "--header",
                "-d",
                "--data",
                "-u",
                "--user",
                "-x",
                "--proxy",
                "-A",
                "--user-agent",
                "-X",
                "--request",
                "--retry",
            ),
        ),
        ProgramSpec(
            "wget",
            with_value=(
                "-O",
                "--output-document",
                "-P",
                "--directory-prefix",
                "-o",
                "--header",
                "-U",
                "--user-agent",
                "-t",
                "--tries",
            ),
            cache_only=("-nv", "--no-verbose", "--progress=dot:giga"),
        ),
        ProgramSpec("tar", with_value=("-f", "--file", "-C", "--directory", "-T", "-X")),
        ProgramSpec("unzip", with_value=("-d", "-x")),
        ProgramSpec("sha256sum"),
        ProgramSpec("useradd", cache_only=("-l", "--no-log-init")),
    )
}
"""The specs by program name."""


def spec_of(program: str) -> ProgramSpec | None:
    """The spec of ``program`` (a name without its directory), if dfopt has one."""
    return SPECS.get(program)
