"""DL3016: `npm install` of packages without version pins."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._commands import command_span, operands

_INSTALL = frozenset({"install", "i", "add"})
# npm options whose value is a separate word (so it is not a package).
_WITH_VALUE = frozenset(
    {
        "prefix",
        "registry",
        "cache",
        "loglevel",
        "userconfig",
        "globalconfig",
        "workspace",
        "w",
        "tag",
        "omit",
        "include",
        "install-strategy",
        "save-prefix",
        "location",
        "fetch-retries",
        "fetch-timeout",
        "network-timeout",
    }
)
_GIT_PREFIXES = ("git://", "git+ssh://", "git+http://", "git+https://")
_PATH_PREFIXES = ("/", "./", "../", "~/")
_TARBALLS = (".tar", ".tar.gz", ".tgz")


def _pinned(package: str) -> bool:
    if package.startswith(_GIT_PREFIXES):
        return "#" in package
    if package.endswith(_TARBALLS) or package.startswith(_PATH_PREFIXES):
        return True
    # `@scope/name@1.2.3`: the version comes after an `@` that is not the scope's.
    return "@" in package[1:]


class NpmVersionNotPinned(Rule):
    """## What it does
    Flags `npm install <package>` (in `RUN`, `ONBUILD RUN` and heredoc scripts) when
    a package is named without a version, tag or commit: `npm install express`
    instead of `npm install express@4.19.2`.

    As in hadolint, a package counts as pinned when it has `@version` or `@tag`
    (after the scope of a scoped package: `@babel/core@7.24.0`), is a git URL with
    `#commit` or `#semver:...`, a tarball (`.tar`, `.tar.gz`, `.tgz`) or a folder
    (`./lib`, `../pkg`, `/src`, `~/pkg`). A bare `npm install` (or `npm ci`), which
    installs what `package.json` and the lock file say, is fine.

    Differences from hadolint: the `npm i` and `npm add` spellings of `npm install`
    are checked too; the value of options such as `--registry URL`, `--prefix DIR`
    or `--loglevel LEVEL` is not taken for a package; `ONBUILD RUN` is checked.

    ## Why is this bad?
    Without a pin, every build installs whatever version is newest at the time, so
    two builds of the same Dockerfile can differ and break without any change to the
    Dockerfile. Pinning makes builds repeatable and upgrades deliberate.
    """

    code = "DL3016"
    name = "npm-version-not-pinned"
    summary = (
        "Pin versions in npm. Instead of `npm install <package>` use `npm install "
        "<package>@<version>`"
    )
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset({"npm"})
    bad = "FROM node:20-slim\nRUN npm install -g typescript\n"
    good = "FROM node:20-slim\nRUN npm install -g typescript@5.4.5\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            if command.command != "npm":
                continue
            words = operands(command, _WITH_VALUE)
            if not words or words[0].value not in _INSTALL:
                continue
            unpinned = [word.value for word in words[1:] if not _pinned(word.value)]
            if unpinned:
                listed = ", ".join(f"`{value}`" for value in unpinned)
                yield self.violation(
                    command_span(command),
                    f"`npm install` without a version pin for {listed}: use `<package>@<version>`",
                )
