"""DL3013: `pip install` of packages without version pins."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Violation,
)
from dfopt_rules._commands import command_span, has_option, operands

# pip options whose value is a separate word (so it is not a package).
_WITH_VALUE = frozenset(
    {
        "abi",
        "b",
        "build",
        "e",
        "editable",
        "extra-index-url",
        "f",
        "find-links",
        "i",
        "index-url",
        "implementation",
        "no-binary",
        "only-binary",
        "platform",
        "prefix",
        "progress-bar",
        "proxy",
        "python-version",
        "root",
        "src",
        "t",
        "target",
        "trusted-host",
        "upgrade-strategy",
        "cache-dir",
        "log",
        "retries",
        "timeout",
        "exists-action",
        "cert",
        "client-cert",
        "config-settings",
        "global-option",
        "install-option",
        "report",
    }
)
_VERSION_SYMBOLS = ("==", ">=", "<=", ">", "<", "!=", "~=", "===")
_VCS_SCHEMES = (
    "git+file",
    "git+https",
    "git+ssh",
    "git+http",
    "git+git",
    "git",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+svn",
    "svn+http",
    "svn+https",
    "svn+ssh",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
)
_LOCAL_ARCHIVES = (".whl", ".tar.gz")


def pip_install_word(command: SimpleCommand) -> ShellWord | None:
    """The `install` word of `pip* install` or `python* -m pip install`, else None."""
    name = command.command
    if name is None:
        return None
    if name.startswith("pip"):
        return next((arg for arg in command.args if arg.value == "install"), None)
    if name.startswith("python"):
        args = command.args
        values = [arg.value for arg in args]
        for index in range(len(values) - 2):
            if values[index : index + 3] == ["-m", "pip", "install"]:
                return args[index + 2]
    return None


def _installs_requirements(command: SimpleCommand) -> bool:
    for arg in command.args:
        value = arg.value
        if value in ("-r", "--requirement", ".") or value.startswith("--requirement="):
            return True
        if value.startswith("-r") and not value.startswith("--"):
            return True
    return False


def _pinned(package: str) -> bool:
    if any(symbol in package for symbol in _VERSION_SYMBOLS):
        return True
    if package.startswith(_VCS_SCHEMES):
        return "@" in package
    if package.endswith(_LOCAL_ARCHIVES) or "/" in package:
        return True
    # A local project: `.`, `..`, `.[extras]`.
    return package.startswith(".")


class PipVersionNotPinned(Rule):
    """## What it does
    Flags `pip install` (also `pip3`, `pipx`, `python -m pip install`, in `RUN`,
    `ONBUILD RUN` and heredoc scripts) naming a package without a version:
    `pip install flask` instead of `pip install flask==3.0.3`.

    As in hadolint, a package counts as pinned when it carries a version specifier
    (`==`, `>=`, `<=`, `>`, `<`, `!=`, `~=`, `===`), is a VCS URL with `@ref`
    (`git+https://...@v1.2`), a wheel or `.tar.gz` file, or any other path or URL
    (it holds a `/`). The command is accepted as a whole when it installs from a
    requirements file (`-r`, `--requirement`), the current project (`.`) or uses a
    constraints file (`-c`, `--constraint`), since those pin versions elsewhere. The
    values of options such as `-i URL`, `--extra-index-url URL`, `-t DIR` or
    `--prefix DIR` are not taken for packages.

    Differences from hadolint: an option written with `=` (`--index-url=URL`) does
    not hide the package after it; `.[extras]` and `..` count as local projects; and
    a command given with its directory (`/usr/local/bin/pip`) is recognised.

    ## Why is this bad?
    Without a pin, every build installs whatever version is newest at the time, so
    two builds of the same Dockerfile can differ and break without any change to the
    Dockerfile. Pinning makes builds repeatable and upgrades deliberate.
    """

    code = "DL3013"
    name = "pip-version-not-pinned"
    summary = (
        "Pin versions in pip. Instead of `pip install <package>` use `pip install "
        "<package>==<version>` or `pip install --requirement <requirements file>`"
    )
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    bad = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n"
    good = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        for command in ctx.commands(instruction):
            install = pip_install_word(command)
            if install is None or _installs_requirements(command):
                continue
            if has_option(command, "c", "constraint"):
                continue
            unpinned = [
                word.value
                for word in operands(command, _WITH_VALUE)
                if word.start > install.start and word.value != "install"
                if not _pinned(word.value)
            ]
            if unpinned:
                listed = ", ".join(f"`{value}`" for value in unpinned)
                yield self.violation(
                    command_span(command),
                    f"`pip install` without a version pin for {listed}: use `<package>==<version>`",
                )
