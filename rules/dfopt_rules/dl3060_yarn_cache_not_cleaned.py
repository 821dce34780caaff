"""DL3060: `yarn install` without `yarn cache clean`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Violation,
    append_to_chain,
    installs_offline,
    later_runs_may,
    mounts_of,
    plain_chain,
)
from dfopt_rules._commands import (
    command_span,
    commands_of,
    earlier_runs,
    option_value,
    variables_for,
)

CLEAN = "yarn cache clean"
# Yarn's cache directories: v1 as root and as another user, Yarn 2+ global and local.
_CACHE_SUFFIXES = (
    "/.cache",
    "/.cache/yarn",
    "/share/.cache/yarn",
    "/.yarn",
    "/.yarn/cache",
    "/.yarn/berry",
    "/.yarn/berry/cache",
)
_DEFAULT_CACHE = "/usr/local/share/.cache/yarn"
# Signs of Yarn 2+ ("berry"), where the cache may hold the installed packages.
_BERRY_WORDS = frozenset({".yarnrc.yml", ".pnp.cjs", ".pnp.js", ".yarn"})
_BERRY_OPTIONS = frozenset({"--immutable", "--immutable-cache", "--check-cache"})
_NOT_INSTALL = frozenset({"-v", "--version", "-h", "--help"})


def _is_install(command: SimpleCommand) -> bool:
    if command.command != "yarn":
        return False
    values = command.arg_values
    if "install" in values:
        return True
    # A bare `yarn` (options only) installs too.
    return all(value.startswith("-") for value in values) and _NOT_INSTALL.isdisjoint(values)


def _is_clean(command: SimpleCommand) -> bool:
    if command.command != "yarn":
        return False
    values = command.arg_values
    return any(
        first == "cache" and second == "clean" for first, second in itertools.pairwise(values)
    )


class YarnCacheNotCleaned(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or a heredoc script) that runs `yarn install`
    (or a bare `yarn`, which installs) without a `yarn cache clean` after it in the
    same `RUN`. As in hadolint, only the stages that end up in an image are checked:
    the final stage and every stage a later `FROM` builds on (a builder stage whose
    files are copied out with `COPY --from` leaves its cache behind). `ONBUILD RUN` is
    always checked, since it runs in the child image.

    Differences from hadolint:

    - A `RUN` whose yarn cache sits on a BuildKit cache or tmpfs mount is not
      reported, since the cache never reaches the image: a mount on Yarn's cache
      directory (`/usr/local/share/.cache/yarn` for root, `~/.cache/yarn`, Yarn 2+'s
      `.yarn/cache` and `~/.yarn/berry/cache`), on a parent of it, or on the folder
      named by `YARN_CACHE_FOLDER` or `--cache-folder`.
    - The clean must be `yarn cache clean` after the last install; hadolint also
      accepts any `yarn` command with a `cache` or `clean` argument, such as
      `yarn clean` (which prunes `node_modules` and leaves the cache alone).
    - A bare `yarn` counts as an install.

    ## Why is this bad?
    Yarn keeps a copy of every package it downloads in its cache. In an image that
    cache is never used again, yet it stays in the layer and often weighs as much as
    `node_modules` itself.

    ## Fix safety
    Safe: ` && yarn cache clean` is appended to the end of the `RUN` (on a new
    continuation line, indented like the others, when the command spans several
    lines). Only Yarn's cache leaves the image.

    The fix is only offered when the script is a plain `&&` chain, so the clean runs
    exactly when everything before it succeeded, and when nothing points to Yarn 2
    or later, where the project's cache may be the package store itself (Plug'n'Play
    with zero-installs): no `.yarnrc.yml`, `.yarn` or `.pnp.cjs` in the Dockerfile or
    the build context, no `corepack`, `yarn set version` or `yarn dlx`, no
    `--immutable`. Nor while a later `RUN` (of the stage or a stage built on it)
    installs offline from the cache (`yarn install --offline`, `npm ci --offline`,
    `pip install --no-index`, `GOPROXY=off`, through any wrapper) or runs code dfopt
    cannot see (a script, `make`).
    """

    code = "DL3060"
    name = "yarn-cache-not-cleaned"
    summary = "`yarn cache clean` missing after `yarn install` was run"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = frozenset({"yarn"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM node:20-slim\nRUN yarn install --frozen-lockfile\n"
    good = "FROM node:20-slim\nRUN yarn install --frozen-lockfile && yarn cache clean\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        commands = list(commands_of(ctx, instruction))
        installs = [command for command in commands if _is_install(command)]
        if not installs:
            return
        last = installs[-1]
        if any(_is_clean(command) and command.start > last.start for command in commands):
            return
        if self._cache_mounted(instruction, ctx, installs):
            return
        if not ctx.onbuild and not _kept(ctx, instruction):
            return
        yield self.violation(
            command_span(last),
            "`yarn install` without `yarn cache clean` afterwards keeps Yarn's cache in the image",
            self._fix(instruction, ctx),
        )

    @staticmethod
    def _cache_mounted(
        instruction: Instruction, ctx: Context, installs: list[SimpleCommand]
    ) -> bool:
        variables: Mapping[str, str] = variables_for(ctx, instruction)
        paths = [_DEFAULT_CACHE]
        if variables.get("YARN_CACHE_FOLDER"):
            paths.append(variables["YARN_CACHE_FOLDER"])
        for command in installs:
            folder = option_value(command, "\0", "cache-folder")
            if folder is not None:
                paths.append(folder if isinstance(folder, str) else folder.value)
        if ctx.cache_mounted(instruction, *paths):
            return True
        for mount in mounts_of(instruction):
            if mount.is_cache_like and mount.target:
                target = mount.target.rstrip("/")
                if target.endswith(_CACHE_SUFFIXES) or target in (".yarn", ".yarn/cache"):
                    return True
        return False

    def _fix(self, instruction: Instruction, ctx: Context) -> Fix | None:
        chain = plain_chain(ctx, instruction)
        if chain is None or _berry(instruction, ctx):
            return None
        if later_runs_may(ctx, instruction, installs_offline):
            return None  # a later `yarn install --offline` installs from this cache
        return Fix.safe("Append `yarn cache clean`", [append_to_chain(ctx, chain, CLEAN)])


def _kept(ctx: Context, instruction: Instruction) -> bool:
    """The RUN's stage ends up in an image: it is the final stage or a `FROM` builds on it."""
    stage = ctx.stage(instruction)
    if stage is None:
        return False
    return ctx.is_final_stage(stage) or any(other.parent is stage for other in ctx.stages)


def _berry(instruction: Instruction, ctx: Context) -> bool:
    """Signs that the project uses Yarn 2 or later."""
    if ctx.read_context_head(".yarnrc.yml", 1) is not None:
        return True
    stage = ctx.stage(instruction)
    while stage is not None:
        for candidate in stage.instructions:
            target = candidate.effective
            if target.keyword in ("COPY", "ADD") and any(
                word.value.rstrip("/").rsplit("/", 1)[-1] in _BERRY_WORDS for word in target.words
            ):
                return True
        stage = stage.parent
    for run in [*earlier_runs(ctx, instruction), instruction]:
        for command in commands_of(ctx, run):
            name = command.command
            values = command.arg_values
            if name == "corepack":
                return True
            if name == "yarn" and (
                values[:2] == ["set", "version"]
                or values[:1] == ["dlx"]
                or not _BERRY_OPTIONS.isdisjoint(values)
            ):
                return True
    return False
