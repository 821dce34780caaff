"""DL3042: `pip install` without `--no-cache-dir`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Span,
    Violation,
    mounts_of,
)
from dfopt_rules._commands import script_text

_TRUTHY = frozenset({"1", "true", "on", "yes"})
_NO_CACHE = "PIP_NO_CACHE_DIR"


def pip_install_word(command: SimpleCommand) -> ShellWord | None:
    """The `install` word of a `pip install` (or `python -m pip install`), else None.

    Mirrors hadolint: the program name starts with `pip` (not `pipx` or `pipenv`) and an
    argument is `install`, or it starts with `python` and runs `-m pip install`.
    """
    name = command.command
    if name is None:
        return None
    args = command.args
    if name.startswith("pip"):
        if "pipx" in name or "pipenv" in name:
            return None
        return next((arg for arg in args if arg.value == "install"), None)
    if name.startswith("python"):
        values = [arg.value for arg in args]
        for index in range(len(values) - 2):
            if values[index : index + 3] == ["-m", "pip", "install"]:
                return args[index + 2]
    return None


def _add_no_cache_dir(install: ShellWord) -> Callable[[], Fix]:
    """The fix inserting `` --no-cache-dir`` after ``install``, planned when first read."""

    def plan() -> Fix:
        return Fix.safe("Add `--no-cache-dir`", [Edit.insert(install.span.end, " --no-cache-dir")])

    return plan


def _truthy(value: str) -> bool:
    return value.strip().strip("\"'").strip().lower() in _TRUTHY


def _assigned(assignments: tuple[str, ...] | list[str], name: str) -> str | None:
    found = None
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if sep and key == name:
            found = value
    return found


def _uses_no_cache_dir(command: SimpleCommand) -> bool:
    return any(
        arg.value == "--no-cache-dir" or arg.value.startswith("--no-cache-dir=")
        for arg in command.args
    )


class PipCacheKept(Rule):
    """## What it does
    Flags `pip install` (also `pip3`, `pip3.12`, `python -m pip install`,
    `python3 -m pip install`) without `--no-cache-dir`, in `RUN` and `ONBUILD RUN`.

    As in hadolint, the command is accepted when pip's cache is turned off by a truthy
    `PIP_NO_CACHE_DIR` (`1`, `true`, `on`, `yes`): set by `ENV` in the stage or a stage it
    builds on, as a prefix of the command (`PIP_NO_CACHE_DIR=1 pip install ...`) or by an
    `export` earlier in the same `RUN`. `pipx` and `pipenv` are not pip and are ignored.

    dfopt improvement: the command is also accepted when a cache or tmpfs mount covers
    pip's cache directory (`RUN --mount=type=cache,target=/root/.cache/pip`, a mount of
    `/root/.cache`, any `.../.cache` or `.../.cache/pip` mount for another user, or the
    directory named by `PIP_CACHE_DIR`). The cache then never reaches the image, and
    keeping it is the point of the mount; hadolint still reports this case
    (hadolint#497, hadolint#983).

    ## Why is this bad?
    pip keeps every downloaded archive and built wheel in `~/.cache/pip`. In an image
    that cache is never used again, yet it stays in the layer and can add many
    megabytes.

    ## Fix safety
    Safe: ` --no-cache-dir` is inserted right after `install` of each offending
    command. Only pip's cache stops being written; the installed packages are the
    same.
    """

    code = "DL3042"
    name = "pip-cache-kept"
    summary = "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    fix_availability = FixAvailability.ALWAYS
    fix_class = "safe"
    bad = "FROM python:3.12-slim\nRUN pip install flask==3.0.3\n"
    good = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        text = script_text(ctx, instruction)
        if "pip" not in text and "python" not in text:
            return  # the usual case: no command `pip_install_word` accepts (see `script_text`)
        commands = ctx.commands(instruction)
        env = self._environment(instruction, ctx)
        if _truthy(env.get(_NO_CACHE, "")):
            return
        if self._cache_mounted(instruction, ctx, env):
            return
        for command in commands:
            install = pip_install_word(command)
            if install is None or _uses_no_cache_dir(command):
                continue
            if self._disabled_in_script(command, commands):
                continue
            own = _assigned(command.assignments, "PIP_CACHE_DIR")
            if own is not None and ctx.cache_mounted(instruction, own.strip("\"'")):
                continue
            start = command.name.span.start if command.name else command.span.start
            yield self.violation(
                Span(start, command.span.end),
                "`pip install` without `--no-cache-dir` keeps pip's cache in the image",
                _add_no_cache_dir(install),
            )

    @staticmethod
    def _environment(instruction: Instruction, ctx: Context) -> Mapping[str, str]:
        if ctx.onbuild:
            # Triggers run in the child build, after every ENV of this stage.
            stage = ctx.stage(instruction)
            if stage is not None:
                return stage.final_state.env
        return ctx.state(instruction).env

    @staticmethod
    def _cache_mounted(instruction: Instruction, ctx: Context, env: Mapping[str, str]) -> bool:
        paths = ["/root/.cache/pip"]
        if env.get("PIP_CACHE_DIR"):
            paths.append(env["PIP_CACHE_DIR"])
        if env.get("XDG_CACHE_HOME"):
            paths.append(env["XDG_CACHE_HOME"].rstrip("/") + "/pip")
        if ctx.cache_mounted(instruction, *paths):
            return True
        for mount in mounts_of(instruction):
            if not mount.is_cache_like or not mount.target:
                continue
            target = mount.target.rstrip("/")
            if target.endswith(("/.cache", "/.cache/pip")):
                return True
        return False

    @staticmethod
    def _disabled_in_script(command: SimpleCommand, commands: Sequence[SimpleCommand]) -> bool:
        value = _assigned(command.assignments, _NO_CACHE)
        if value is not None:
            return _truthy(value)
        latest = None
        for other in commands:
            if other.command != "export" or other.span.start >= command.span.start:
                continue
            exported = _assigned([arg.value for arg in other.args], _NO_CACHE)
            if exported is not None:
                latest = exported
        return latest is not None and _truthy(latest)
