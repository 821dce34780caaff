"""DF103: a package-manager step leaves its cache in the layer (cases the DL rules leave out)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Stage,
    Violation,
    apk_needs_index_first,
    installs_offline,
    later_runs_may,
)
from dfopt_rules._caches import (
    APK,
    APT,
    GEM_DOCS,
    LANGUAGE_KINDS,
    RPM_KINDS,
    CacheKind,
    Site,
    apk_reported_by_dl3019,
    keeps_apt_archives,
    mounted,
)
from dfopt_rules._commands import (
    earlier_runs,
    ordered_commands,
    root_image,
    script_text,
    variables_for,
)
from dfopt_rules._packages import command_span, runs_as_root

_PROGRAMS = frozenset(
    {
        "npm",
        "composer",
        "composer.phar",
        "gem",
        "bundle",
        "bundler",
        "uv",
        "pipenv",
        "poetry",
        "apk",
        "apt-get",
        "apt",
        "aptitude",
        "yum",
        "dnf",
        "microdnf",
        "zypper",
    }
)
_APT_NAMES = frozenset({"apt-get", "apt", "aptitude"})
_REMOVERS = frozenset({"rm", "find"})
# Caches whose cleanup in a later `RUN` DF102 reports (with a merge fix).
_DF102_CACHES = frozenset({"npm", "apk", "apt", "yum", "dnf", "zypper"})
# Images whose RubyGems configuration already turns gem documentation off.
_NO_GEM_DOCS_IMAGES = frozenset({"ruby", "jruby"})


class PackageCacheLeft(Rule):
    """## What it does
    Flags a `RUN` (or `ONBUILD RUN`, or a here-document script) in which a package manager
    leaves its download cache in the layer, in the cases hadolint's rules do not cover:

    - `npm install` / `npm ci` / `npm update` (and their aliases) without
      `npm cache clean --force` (or an `rm` of `~/.npm`) afterwards;
    - `composer install` / `require` / `update` / `create-project` without `--no-cache`,
      `composer clear-cache` afterwards, or `COMPOSER_CACHE_DIR=/dev/null`;
    - `gem install` / `gem update` without `--no-document` (`-N`): the documentation is
      generated into the image;
    - `bundle install`, which keeps every downloaded `.gem` file in the gem directory's
      `cache`, without an `rm` of that `cache` afterwards;
    - `uv pip install`, `uv pip sync`, `uv sync`, `uv add` and `uv tool install` without
      `--no-cache` or a truthy `UV_NO_CACHE`;
    - `pipenv install` / `sync` without `pipenv --clear` afterwards;
    - `poetry install` / `add` / `update` / `sync` without `--no-cache` or a removal of
      Poetry's cache afterwards;
    - `apk update` / `apk upgrade` without `--no-cache` and without
      `rm -rf /var/cache/apk/*` afterwards, in a `RUN` that DL3019 does not report (its
      `apk add` commands all use `--no-cache`): the index `apk update` downloads stays
      (a `RUN` that only runs `apk update` is DF104's case);
    - `yum`, `dnf`, `microdnf` and `zypper` commands that download packages without
      installing (`update`, `upgrade`, `groupinstall`, `distro-sync`, `patch`, `dup`, ...)
      and no `... clean` afterwards, in a `RUN` that DL3032, DL3040 or DL3036 does not
      report;
    - `apt-get install` (and the other downloading apt commands) without `apt-get clean`
      afterwards, but only once the stage has turned off the automatic removal of `.deb`
      files that Debian and Ubuntu images ship (by deleting
      `/etc/apt/apt.conf.d/docker-clean` or setting `Keep-Downloaded-Packages`).

    hadolint's DL3009 (apt lists), DL3019 (`apk add`), DL3042 (`pip install`), DL3060
    (`yarn install`), DL3032 (`yum install`), DL3036 (`zypper install`) and DL3040
    (`dnf`/`microdnf install`) keep reporting their cases; this rule reports exactly the
    others, so one cache is never reported twice.

    Settings that keep the cache out are honoured: `ENV` or `ARG` values of the stage
    (`npm_config_cache`, `COMPOSER_CACHE_DIR`, `UV_NO_CACHE`, `UV_CACHE_DIR`,
    `PIPENV_CACHE_DIR`, `POETRY_CACHE_DIR`, `XDG_CACHE_HOME`), a `VAR=value` prefix of the
    command or an `export` earlier in the script. A `RUN` whose cache directory sits on a
    BuildKit cache or tmpfs mount (`--mount=type=cache,target=/root/.npm`) is not
    reported: the cache never reaches the layer. `gem install` is not reported on the
    official `ruby` images, whose `gemrc` already turns documentation off, nor once the
    stage writes or copies a `gemrc` of its own.

    A cache that a later `RUN` of the stage cleans (npm, apk, apt, yum, dnf and zypper
    caches) is left to DF102 (`cleanup-in-later-layer`), which reports that cleanup and
    merges it into this `RUN`.

    Only the stages whose files reach the image are checked: the final stage and the
    stages it is built `FROM`. A builder stage's cache costs build time only, and
    `COPY --from` rarely copies it. `ONBUILD RUN` is always checked, since it runs in the
    child image.

    Left out on purpose:

    - `pnpm install`: pnpm hard-links the packages of its store into `node_modules`, so in
      the same layer the store costs next to nothing, and `pnpm store prune` only drops
      packages no project uses (none, right after an install);
    - apt's `.deb` archives on a stock Debian or Ubuntu image: the image's `docker-clean`
      configuration already deletes them after each install, so reporting them would be
      noise.

    ## Why is this bad?
    Package managers keep a copy of everything they download so the next install is
    faster. In an image there is no next install: the cache is dead weight that every
    pull downloads, often as big as the installed packages themselves. A later `RUN`
    that deletes it cannot take the bytes back out of the earlier layer, so the cleanup
    (or the switch that avoids the cache) belongs in the same `RUN`.

    ## Fix safety
    Safe, and only the cache changes:

    - ` && npm cache clean --force`, ` && composer clear-cache`, ` && pipenv --clear`,
      ` && rm -rf /var/cache/apk/*`, ` && apt-get clean`, ` && yum clean all` (and the
      `dnf`, `microdnf`, `zypper` equivalents) or, for Poetry,
      ` && rm -rf ~/.cache/pypoetry/artifacts ~/.cache/pypoetry/cache` (its virtual
      environments, which live next to them, are kept) is appended to the end of the
      `RUN`, on a new continuation line indented like the others when the `RUN` spans
      several lines. This is offered only when the script is a plain `&&` chain, so the
      cleanup runs exactly when everything before it succeeded; the system package
      cleanups also need the `RUN` to run as root, and the Poetry one a default cache
      directory. The apk index is not removed while a later `RUN` (of the stage, a stage
      built on it, or a later trigger) runs an apk command that needs it without
      refreshing it (`apk add` without `--no-cache`, `--update` or an `apk update`,
      through any wrapper): that command would fail. No cache is cleaned while a later
      `RUN` installs offline from it (`--offline`, `--no-index`, `GOPROXY=off`); a later
      `RUN` that runs code dfopt cannot see (a script, `make`) counts as either.
    - `gem install --no-document` and `uv ... --no-cache` insert the flag right after
      the subcommand.

    `bundle install` has no fix: where the gem directory is depends on the image and
    the Bundler configuration.
    """

    code = "DF103"
    name = "package-cache-left"
    summary = "A package manager leaves its cache in the image layer"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n"
    good = (
        "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\n"
        "RUN npm ci --omit=dev && npm cache clean --force\n"
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._reaching: dict[int, bool] = {}
        """``id()`` of a stage to whether its files reach the image."""
        self._keeps: dict[int, bool] = {}
        """``id()`` of a `RUN` to whether it turns off the removal of `.deb` archives."""
        self._cleaning: dict[tuple[str, int], bool] = {}
        """A cache kind's key and the ``id()`` of a `RUN` to whether the `RUN` cleans it."""

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if not any(_interesting(command) for command in ctx.commands(instruction)):
            return
        if not ctx.onbuild and not self._reaches_image(ctx, instruction):
            return
        commands = ordered_commands(ctx, instruction)
        names = {command.command for command in commands if command.command is not None}
        # A kind whose programs the `RUN` does not run has no writer here: nothing to find.
        kinds: list[CacheKind] = [kind for kind in LANGUAGE_KINDS if kind.may_write(names)]
        if "apk" in names and not apk_reported_by_dl3019(commands):
            kinds.append(APK)
        for kind, checks in RPM_KINDS:
            if kind.may_write(names) and all(
                check.missing(instruction, ctx) is None for check in checks
            ):
                kinds.append(kind)
        if not _APT_NAMES.isdisjoint(names) and self._apt_archives_kept(ctx, instruction):
            kinds.append(APT)
        if not kinds:
            return
        sites = _Sites(commands, variables_for(ctx, instruction), runs_as_root(instruction, ctx))
        for kind in kinds:
            found = self._left(kind, instruction, ctx, commands, sites)
            if found is not None:
                yield found

    def _left(
        self,
        kind: CacheKind,
        instruction: Instruction,
        ctx: Context,
        commands: Sequence[SimpleCommand],
        sites: _Sites,
    ) -> Violation | None:
        last: tuple[SimpleCommand, ShellWord, Site] | None = None
        writer = kind.writer
        for index, command in enumerate(commands):
            word = writer(command)
            if word is not None:
                site = sites.at(index)
                if not kind.disabled(command, site):
                    last = (command, word, site)
            elif last is not None and kind.cleans(command, sites.at(index)):
                last = None
        if last is None:
            return None
        command, word, site = last
        if mounted(instruction, ctx, kind.roots(site), site, kind.suffixes):
            return None
        if kind is GEM_DOCS and _gem_docs_off(ctx, instruction, commands):
            return None
        if (
            kind.key in _DF102_CACHES
            and not ctx.onbuild
            and self._cleaned_later(kind, ctx, instruction)
        ):
            return None
        if (
            kind is APK
            and word.value == "update"
            and not any(
                other.command == "apk" and other.subcommand != "update" for other in commands
            )
        ):
            return None  # a lone `apk update` is DF104's case
        onbuild = ctx.onbuild

        def plan() -> Fix | None:
            # Planned when the fix is read, maybe after the engine moved on: the
            # helpers read `ctx.onbuild`, so it is set back to this check's value.
            saved = ctx.onbuild
            ctx.onbuild = onbuild
            try:
                fix = kind.fix(instruction, ctx, command, word, site)
                if kind is APK and fix is not None and _later_apk_use(ctx, instruction):
                    fix = None
                if fix is not None and later_runs_may(ctx, instruction, installs_offline):
                    fix = None  # a later offline install needs the cache
                return fix
            finally:
                ctx.onbuild = saved

        return self.violation(
            command_span(command), kind.message.format(command=_shown(command, word)), plan
        )

    def _cleaned_later(self, kind: CacheKind, ctx: Context, instruction: Instruction) -> bool:
        """A later `RUN` of the stage cleans the cache: DF102 reports that cleanup instead."""
        stage = ctx.stage(instruction)
        if stage is None:
            return False
        seen = False
        for candidate in stage.instructions:
            if candidate is instruction:
                seen = True
            elif seen and candidate.keyword == "RUN" and self._cleans(kind, ctx, candidate):
                return True
        return False

    def _cleans(self, kind: CacheKind, ctx: Context, run: Instruction) -> bool:
        """A command of ``run`` cleans the cache of ``kind`` (cached per kind and `RUN`)."""
        key = (kind.key, id(run))
        known = self._cleaning.get(key)
        if known is None:
            known = False
            commands = ordered_commands(ctx, run)
            if any(_may_clean(kind, command) for command in commands):
                sites = _Sites(commands, ctx.state(run).variables, runs_as_root(run, ctx))
                known = any(
                    _may_clean(kind, command) and kind.cleans(command, sites.at(index))
                    for index, command in enumerate(commands)
                )
            self._cleaning[key] = known
        return known

    def _reaches_image(self, ctx: Context, instruction: Instruction) -> bool:
        """The instruction's stage is the final stage or one the final stage is built on."""
        stage = ctx.stage(instruction)
        key = id(stage)
        known = self._reaching.get(key)
        if known is None:
            known = self._reaching[key] = _reaches_image(ctx, stage)
        return known

    def _apt_archives_kept(self, ctx: Context, instruction: Instruction) -> bool:
        """The stage turned off the automatic removal of downloaded `.deb` files."""
        if self._keeps_archives(ctx, instruction):
            return True
        return any(self._keeps_archives(ctx, run) for run in earlier_runs(ctx, instruction))

    def _keeps_archives(self, ctx: Context, run: Instruction) -> bool:
        """A command of ``run`` turns off the removal of `.deb` archives (cached per `RUN`)."""
        key = id(run)
        known = self._keeps.get(key)
        if known is None:
            text = script_text(ctx, run)
            # Both ways name the file or the setting: no need to read every word otherwise.
            known = self._keeps[key] = (
                "docker-clean" in text or "Keep-Downloaded-Packages" in text
            ) and any(keeps_apt_archives(command) for command in ctx.commands(run))
        return known


class _Sites:
    """The variables each command of a `RUN` sees: the stage's, then `export`s, then its own
    `VAR=value` prefix. Worked out up to a command when first asked for: most `RUN`s never
    need them."""

    __slots__ = ("_commands", "_env", "_root", "_sites")

    def __init__(
        self, commands: Sequence[SimpleCommand], base: Mapping[str, str], root: bool
    ) -> None:
        self._commands = commands
        self._env = base
        self._root = root
        self._sites: list[Site] = []

    def at(self, index: int) -> Site:
        sites = self._sites
        commands = self._commands
        while len(sites) <= index:
            command = commands[len(sites)]
            env = self._env
            own: dict[str, str] | None = None
            for assignment in command.assignments:
                key, sep, value = assignment.partition("=")
                if sep:
                    if own is None:
                        own = dict(env)
                    own[key] = value
            # Without a prefix the command sees `env` itself: shared, so never changed.
            sites.append(Site(env if own is None else own, self._root))
            if command.command == "export" and command.depth == 0:
                exported: dict[str, str] | None = None
                for arg in command.args:
                    key, sep, value = arg.value.partition("=")
                    if sep and arg.literal:
                        if exported is None:
                            exported = dict(env)
                        exported[key] = value
                if exported is not None:
                    self._env = exported
        return sites[index]


def _may_clean(kind: CacheKind, command: SimpleCommand) -> bool:
    """Whether ``kind.cleans`` may hold for the command: one of the kind's programs, or an
    `rm` or `find` (see :func:`dfopt_rules._caches.removes_any`)."""
    name = command.command
    if name is None:
        return False
    if name in kind.programs or name in _REMOVERS:
        return True
    prefix = kind.program_prefix
    return prefix is not None and name.startswith(prefix)


def _interesting(command: SimpleCommand) -> bool:
    name = command.command
    if name is None:
        return False
    return name in _PROGRAMS or (
        name.startswith("php") and "composer" in " ".join(command.arg_values)
    )


def _shown(command: SimpleCommand, word: ShellWord) -> str:
    """The command and its subcommand words, options left out (``uv pip install``)."""
    parts = [command.command or ""]
    if word is command.name:
        return parts[0]
    for arg in command.args:
        value = arg.value
        plain = not (value.startswith("-") or "/" in value or "=" in value)
        if arg is word or plain or value.endswith("composer.phar"):
            parts.append(value)
        if arg is word:
            break
    return " ".join(parts)


def _reaches_image(ctx: Context, stage: Stage | None) -> bool:
    """``stage`` is the final stage or one the final stage is built on."""
    current: Stage | None = ctx.semantics.final_stage
    while current is not None:
        if current is stage:
            return True
        current = current.parent
    return False


def _later_apk_use(ctx: Context, instruction: Instruction) -> bool:
    """A later `RUN` (of the stage, a stage built on it, or a later trigger) may run apk
    with the index this `RUN` leaves (through any wrapper, or code dfopt cannot see):
    deleting it would make that command fail."""
    return later_runs_may(ctx, instruction, apk_needs_index_first)


def _gem_docs_off(
    ctx: Context, instruction: Instruction, commands: Sequence[SimpleCommand]
) -> bool:
    """The base image or a `gemrc` the stage writes already turns gem documentation off."""
    stage = ctx.stage(instruction)
    if stage is not None:
        image = root_image(stage).lower().split("@", 1)[0]
        name = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
        if name.rsplit("/", 1)[-1] in _NO_GEM_DOCS_IMAGES:
            return True
        current: Stage | None = stage
        while current is not None:
            for candidate in current.instructions:
                target = candidate.effective
                if target.keyword in ("COPY", "ADD") and any(
                    "gemrc" in word.value for word in target.words
                ):
                    return True
            current = current.parent
    runs = [*earlier_runs(ctx, instruction)]
    scanned = [command for run in runs for command in ctx.commands(run)]
    return any(_mentions_gemrc(command) for command in [*scanned, *commands])


def _mentions_gemrc(command: SimpleCommand) -> bool:
    if any("gemrc" in redirect.target for redirect in command.redirects):
        return True
    return any("gemrc" in value for value in command.arg_values)
