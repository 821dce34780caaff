"""DF102: a RUN cleans up files that an earlier RUN of the same stage created."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from dfopt.rules_api import (
    Context,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Stage,
    Violation,
    merge_chain_fix,
    record,
    set_field,
)
from dfopt_rules._commands import script_text

_APT = frozenset({"apt-get", "apt"})
_APT_FETCH = frozenset(
    {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall", "update"}
)
_PIP = frozenset({"pip", "pip3", "pip2"})
_UNKNOWN_WORKDIR = "<workdir>"


def _sub(command: SimpleCommand, names: frozenset[str], subcommands: set[str]) -> bool:
    return command.command in names and command.subcommand in subcommands


def _apt_lists(command: SimpleCommand) -> bool:
    return _sub(command, _APT, {"update"})


def _apt_archives(command: SimpleCommand) -> bool:
    return command.command in _APT and command.subcommand in _APT_FETCH


def _apk(command: SimpleCommand) -> bool:
    if command.command != "apk":
        return False
    if command.subcommand == "update":
        return True
    return command.subcommand in ("add", "upgrade") and not command.has_flag("--no-cache")


def _pip(command: SimpleCommand) -> bool:
    if command.has_flag("--no-cache-dir"):
        return False
    if command.command in _PIP or (command.command or "").startswith("pip3."):
        return command.subcommand == "install"
    values = command.arg_values
    if (command.command or "").startswith("python") and values[:2] == ["-m", "pip"]:
        return "install" in values[2:]
    return False


def _npm(command: SimpleCommand) -> bool:
    return _sub(command, frozenset({"npm"}), {"install", "i", "ci", "add", "update"})


def _yarn(command: SimpleCommand) -> bool:
    if command.command != "yarn":
        return False
    return command.subcommand in (None, "install", "add", "global")


_Cleaner = tuple[str, tuple[str, ...]]
"""A command name and the subcommands of it that clean a cache."""


def _cleaner(name: str, *subcommands: str) -> _Cleaner:
    return (name, subcommands)


@record(eq=False)
class _Cache:
    """Files a package manager leaves behind, who creates them and what cleans them."""

    __slots__ = ("cleans", "creates", "label", "roots")

    label: str
    roots: tuple[str, ...]
    creates: Callable[[SimpleCommand], bool]
    cleans: tuple[_Cleaner, ...]

    def __init__(
        self,
        label: str,
        roots: tuple[str, ...],
        creates: Callable[[SimpleCommand], bool],
        cleans: tuple[_Cleaner, ...] = (),
    ) -> None:
        set_field(self, "label", label)
        set_field(self, "roots", roots)
        set_field(self, "creates", creates)
        set_field(self, "cleans", cleans)

    def cleaned_by(self, command: SimpleCommand) -> bool:
        """The command is one of the cache's own clean commands (``apt-get clean``)."""
        name = command.command
        return any(
            name == cleaner and command.subcommand in subcommands
            for cleaner, subcommands in self.cleans
        )


_YUM_FETCH = {"install", "update", "upgrade", "makecache", "groupinstall", "reinstall"}
_ZYPPER_FETCH = {"install", "in", "refresh", "ref", "update", "up", "dist-upgrade", "dup"}

_CACHES = (
    _Cache("the apt package lists", ("/var/lib/apt/lists",), _apt_lists),
    _Cache(
        "the apt package cache",
        ("/var/cache/apt",),
        _apt_archives,
        (_cleaner("apt-get", "clean", "autoclean"), _cleaner("apt", "clean", "autoclean")),
    ),
    _Cache(
        "the apk cache",
        ("/var/cache/apk", "/etc/apk/cache"),
        _apk,
        (_cleaner("apk", "cache"),),
    ),
    _Cache("the pip cache", ("~/.cache/pip",), _pip, tuple(_cleaner(n, "cache") for n in _PIP)),
    _Cache("the npm cache", ("~/.npm",), _npm, (_cleaner("npm", "cache"),)),
    _Cache(
        "the yarn cache",
        ("/usr/local/share/.cache/yarn", "~/.cache/yarn"),
        _yarn,
        (_cleaner("yarn", "cache"),),
    ),
    _Cache(
        "the yum cache",
        ("/var/cache/yum",),
        lambda c: c.command == "yum" and c.subcommand in _YUM_FETCH,
        (_cleaner("yum", "clean"),),
    ),
    _Cache(
        "the dnf cache",
        ("/var/cache/dnf", "/var/cache/libdnf5"),
        lambda c: c.command == "dnf" and c.subcommand in _YUM_FETCH,
        (_cleaner("dnf", "clean"),),
    ),
    _Cache(
        "the zypper cache",
        ("/var/cache/zypp",),
        lambda c: c.command == "zypper" and c.subcommand in _ZYPPER_FETCH,
        (_cleaner("zypper", "clean", "cc"),),
    ),
)


def _cleaning() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for cache in _CACHES:
        for name, subcommands in cache.cleans:
            found.setdefault(name, set()).update(subcommands)
    return {name: frozenset(subcommands) for name, subcommands in found.items()}


_CLEANING = _cleaning()
"""Command name -> every subcommand of it that cleans some cache."""
_CLEANER_NAMES = frozenset(_CLEANING)
"""Commands that may clean a cache themselves; with ``rm`` the only ones that clean."""


@lru_cache(maxsize=4096)
def _caches_under(removed: str) -> tuple[_Cache, ...]:
    """The caches whose files removing ``removed`` (a path, maybe a glob) takes away."""
    return tuple(cache for cache in _CACHES if any(_affects(removed, root) for root in cache.roots))


# Options that take a separate value, so the value is not a positional argument.
_GIT_CLONE_VALUES = frozenset(
    {"-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "-j", "--jobs"}
    | {"--reference", "--separate-git-dir", "-u", "--upload-pack", "--shallow-since"}
)


def _positionals(args: tuple[ShellWord, ...], valued: frozenset[str]) -> list[ShellWord]:
    found: list[ShellWord] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.value in valued:
            skip = True
            continue
        if not arg.value.startswith("-"):
            found.append(arg)
    return found


def _option_value(args: tuple[ShellWord, ...], *names: str) -> list[ShellWord]:
    """Values of ``-o FILE``, ``--output FILE``, ``--output=FILE`` and ``-oFILE``."""
    values: list[ShellWord] = []
    for index, arg in enumerate(args):
        for name in names:
            if arg.value == name and index + 1 < len(args):
                values.append(args[index + 1])
            elif name.startswith("--") and arg.value.startswith(name + "="):
                values.append(_strip(arg, len(name) + 1))
            elif len(name) == 2 and arg.value.startswith(name) and len(arg.value) > 2:
                values.append(_strip(arg, 2))
    return values


def _strip(word: ShellWord, prefix: int) -> ShellWord:
    return ShellWord(word.raw, word.value[prefix:], word.literal, word.span, word.start, word.end)


def _url_name(value: str) -> str | None:
    if "://" not in value:
        return None
    name = value.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name or None


class _Paths:
    """Turns the words of one RUN into absolute (or home-relative) paths."""

    def __init__(self, ctx: Context, instruction: Instruction) -> None:
        state = ctx.state(instruction)
        self.workdir = state.workdir or _UNKNOWN_WORKDIR
        self.root_home = state.user in (None, "root", "0") or (state.user or "").startswith(
            ("root:", "0:")
        )
        names = {command.command for command in ctx.commands(instruction)}
        self.moves = bool(names & {"cd", "pushd", "popd"})

    def of(self, word: ShellWord | str) -> str | None:
        if isinstance(word, str):
            value, literal = word, True
        else:
            value, literal = word.value, word.literal
        for home in ("${HOME}", "$HOME"):
            if value == home or value.startswith(home + "/"):
                value = "~" + value[len(home) :]
                literal = "$" not in value
        if not literal or not value or value == "-":
            return None
        if value == "~" or value.startswith("~/"):
            return posixpath.normpath(value)
        if not value.startswith("/"):
            if self.moves:
                return None
            value = posixpath.join(self.workdir, value)
        path = posixpath.normpath(value).replace("//", "/")
        if self.root_home and (path == "/root" or path.startswith("/root/")):
            path = "~" + path[len("/root") :]
        return path


def _created_paths(command: SimpleCommand, paths: _Paths) -> list[str]:
    """Paths a command writes (directories, downloads, clones, copies, redirects)."""
    name = command.command
    args = command.args
    words: list[ShellWord | str] = []
    if name == "mkdir" or name == "touch":
        words.extend(_positionals(args, frozenset({"-m", "--mode"})))
    elif name == "git" and command.subcommand == "clone":
        rest = _positionals(args, _GIT_CLONE_VALUES)[1:]
        if len(rest) >= 2:
            words.append(rest[1])
        elif rest:
            base = rest[0].value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            if base.endswith(".git"):
                base = base[: -len(".git")]
            if base and rest[0].literal:
                words.append(base)
    elif name == "curl":
        words.extend(_option_value(args, "-o", "--output"))
        if command.has_flag("-O", "--remote-name", "--remote-name-all"):
            words.extend(n for arg in args if (n := _url_name(arg.value)) is not None)
    elif name == "wget":
        outputs = _option_value(args, "-O", "--output-document")
        prefixes = _option_value(args, "-P", "--directory-prefix")
        words.extend(outputs)
        words.extend(prefixes)
        if not outputs and not prefixes:
            words.extend(n for arg in args if (n := _url_name(arg.value)) is not None)
    elif name == "unzip":
        words.extend(_option_value(args, "-d"))
    elif name == "tar":
        words.extend(_option_value(args, "-C", "--directory"))
    elif name in ("cp", "mv", "ln"):
        targets = _positionals(args, frozenset({"-t", "--target-directory", "-S"}))
        if len(targets) >= 2:
            words.append(targets[-1])
    words.extend(
        redirect.target for redirect in command.redirects if redirect.operator in (">", ">>")
    )
    found = [paths.of(word) for word in words]
    return [path for path in found if path is not None and path != _UNKNOWN_WORKDIR]


def _removed_paths(command: SimpleCommand, paths: _Paths) -> list[str]:
    if command.command != "rm":
        return []
    found = [paths.of(word) for word in command.positional()]
    return [path for path in found if path is not None and path not in ("/", "~")]


@lru_cache(maxsize=8192)
def _affects(pattern: str, path: str) -> bool:
    """True when removing ``pattern`` (a path, maybe a glob) removes bytes of ``path``."""
    matches = _matcher(pattern)
    if matches(path):
        return True
    parent = path
    while True:
        # posixpath.dirname, inlined: this loop runs for every pair of paths.
        head = parent[: parent.rfind("/") + 1]
        parent = head.rstrip("/") or head
        if parent in ("", "/", "~", _UNKNOWN_WORKDIR):
            break
        if matches(parent):
            return True
    base = pattern
    for char in "*?[":
        base = base.split(char, 1)[0]
    return base.startswith(path.rstrip("/") + "/")


@lru_cache(maxsize=1024)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """``fnmatchcase(name, pattern)`` as a function of ``name``, without compiling a
    regular expression for a pattern that has no wildcard or only ``*``."""
    if "?" in pattern or "[" in pattern:
        return lambda name: fnmatchcase(name, pattern)
    if "*" not in pattern:
        return pattern.__eq__
    parts = pattern.split("*")
    first, last, middle = parts[0], parts[-1], parts[1:-1]
    fixed = len(first) + len(last)

    def matches(name: str) -> bool:
        # `*` matches any text, `/` included: the fixed parts must occur in order.
        if len(name) < fixed or not name.startswith(first) or not name.endswith(last):
            return False
        position = len(first)
        end = len(name) - len(last)
        for part in middle:
            found = name.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True

    return matches


def _may_clean(ctx: Context, instruction: Instruction, commands: tuple[SimpleCommand, ...]) -> bool:
    """Some command of the RUN may clean something: an ``rm`` or a cache's own clean
    command (``apt-get clean``)."""
    text: str | None = None
    for command in commands:
        name = command.command
        if name == "rm":
            return True
        subcommands = _CLEANING.get(name or "")
        if subcommands is None:
            continue
        if text is None:
            text = script_text(ctx, instruction)
        # Reading the arguments costs more than looking for the subcommand in the text.
        if any(sub in text for sub in subcommands) and command.subcommand in subcommands:
            return True
    return False


def _mount_path(path: str) -> str:
    return "/root" + path[1:] if path.startswith("~") else path


@record()
class _Target:
    """What a cleanup command removes: a package-manager cache or a path."""

    __slots__ = ("cache", "path")

    cache: _Cache | None
    path: str | None

    def __init__(self, cache: _Cache | None, path: str | None) -> None:
        set_field(self, "cache", cache)
        set_field(self, "path", path)

    @property
    def key(self) -> object:
        """Identifies the target among the targets of one file."""
        return self.cache if self.cache is not None else self.path

    def describe(self) -> str:
        if self.cache is not None:
            return self.cache.label
        path = self.path or ""
        if path.startswith(_UNKNOWN_WORKDIR + "/"):
            path = path[len(_UNKNOWN_WORKDIR) + 1 :]
        return f"`{path}`"

    def cleaned_by(self, removed: list[str], command: SimpleCommand) -> bool:
        """``command``, which removes the paths ``removed``, cleans the target."""
        if self.cache is not None:
            if command.command in _CLEANER_NAMES and self.cache.cleaned_by(command):
                return True
            return any(_affects(q, root) for q in removed for root in self.cache.roots)
        assert self.path is not None
        return any(_affects(q, self.path) for q in removed)

    def mounted(self, ctx: Context, instruction: Instruction) -> bool:
        if not instruction.effective.flags:
            return False  # no mount at all
        roots = self.cache.roots if self.cache is not None else (self.path or "",)
        return ctx.cache_mounted(instruction, *(_mount_path(root) for root in roots))


class CleanupInLaterLayer(Rule):
    """## What it does
    Flags a command in a `RUN` that removes or cleans files that an earlier `RUN` of the
    same stage created, and that the earlier `RUN` left in its layer:

    - package-manager leftovers: apt lists (`rm -rf /var/lib/apt/lists/*` after an earlier
      `apt-get update`), the apt archive cache (`apt-get clean`), the apk cache, the pip
      cache (`pip cache purge`, `rm -rf ~/.cache/pip`), the npm and yarn caches
      (`npm cache clean`, `yarn cache clean`), yum, dnf and zypper caches;
    - files an earlier `RUN` wrote: downloads (`curl -o`, `curl -O`, `wget`), clones
      (`git clone ... /tmp/build`), directories (`mkdir`), copies, unpack targets
      (`tar -C`, `unzip -d`) and redirections.

    Only `RUN` instructions are considered. An earlier `RUN` that cleans up after itself,
    or whose files sit under a cache or tmpfs mount, does not count; nor do relative paths
    in a `RUN` that changes directory. The cleanup command is reported.

    ## Why is this bad?
    Image layers only ever add: deleting a file in a later layer hides it but does not
    take its bytes out of the layer that created it. The package lists, caches, archives
    and build directories are still downloaded by everyone who pulls the image, so the
    cleanup costs build time and saves nothing. The cleanup has to run in the same `RUN`
    that created the files.

    ## Fix safety
    Safe, when every instruction from the creating `RUN` to the cleanup `RUN` is a `RUN`
    that can be merged with its neighbour (same flags, shell form, no here-documents,
    no `ONBUILD`, a POSIX `SHELL`, no shell comment at the end of a body, no pragma
    between them): the chain is merged into one `RUN` with `&&`, exactly as DF101 and
    DL3059 merge a pair, keeping the file's escape character, line endings and
    continuation indentation. A body that changes shell state (`cd`, `export`, `set`,
    ...) is wrapped in `( ... )` before the next one, and a later body with a top-level
    `||`, `;` or `&` is wrapped so the `&&` chain cannot change what runs. Comment lines
    between the `RUN`s move inside the merged `RUN`, which makes the fix unsafe. Where
    sharing one shell would change what the bodies do (errexit, login shells,
    `BASH_ENV`, per-`RUN` mounts, background jobs, a replaced shell, Windows), the merge
    is refused or joined as DL3059's documentation describes. In every other case there
    is no fix.
    """

    code = "DF102"
    name = "cleanup-in-later-layer"
    summary = "Files are cleaned up in a later layer than the one that created them"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    include_onbuild = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        "RUN rm -rf /var/lib/apt/lists/*\n"
    )
    good = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._positions: dict[int, dict[int, int]] = {}
        self._paths: dict[int, _Paths] = {}
        self._removed: dict[int, list[str]] = {}
        self._created: dict[int, list[str]] = {}
        self._leaves: dict[tuple[int, object], bool] = {}

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        commands = ctx.commands(instruction)
        if not _may_clean(ctx, instruction, commands):
            return
        stage = ctx.stage(instruction)
        if stage is None:
            return
        runs = self._runs_before(stage, instruction)
        if not runs:
            return
        for command in commands:
            for target in self._targets(ctx, instruction, command):
                if target.mounted(ctx, instruction):
                    continue
                creator = self._creator(ctx, runs, target)
                if creator is None:
                    continue
                yield self._report(ctx, stage.instructions, creator, instruction, command, target)
                break

    def _runs_before(self, stage: Stage, instruction: Instruction) -> list[Instruction]:
        """The RUNs of the stage before ``instruction``."""
        items = stage.instructions
        positions = self._positions.get(id(stage))
        if positions is None:
            positions = self._positions[id(stage)] = {}
            for index, item in enumerate(items):
                positions.setdefault(id(item), index)
        end = positions.get(id(instruction), len(items))
        return [run for run in items[:end] if run.keyword == "RUN"]

    def _paths_of(self, ctx: Context, instruction: Instruction) -> _Paths:
        paths = self._paths.get(id(instruction))
        if paths is None:
            paths = self._paths[id(instruction)] = _Paths(ctx, instruction)
        return paths

    def _removed_by(self, ctx: Context, run: Instruction, command: SimpleCommand) -> list[str]:
        """What an ``rm`` of ``run`` removes (nothing for other commands)."""
        if command.command != "rm":
            return []
        removed = self._removed.get(id(command))
        if removed is None:
            removed = _removed_paths(command, self._paths_of(ctx, run))
            self._removed[id(command)] = removed
        return removed

    def _targets(
        self, ctx: Context, instruction: Instruction, command: SimpleCommand
    ) -> Iterator[_Target]:
        if command.command in _CLEANER_NAMES:
            for cache in _CACHES:
                if cache.cleaned_by(command):
                    yield _Target(cache, None)
        for removed in self._removed_by(ctx, instruction, command):
            caches = _caches_under(removed)
            for cache in caches:
                yield _Target(cache, None)
            if not caches:
                yield _Target(None, removed)

    def _creator(
        self, ctx: Context, runs: list[Instruction], target: _Target
    ) -> Instruction | None:
        """The latest earlier RUN that leaves the target's files in its layer."""
        for run in reversed(runs):
            key = (id(run), target.key)
            leaves = self._leaves.get(key)
            if leaves is None:
                leaves = self._leaves[key] = self._leaves_behind(ctx, run, target)
            if leaves:
                return run
        return None

    def _leaves_behind(self, ctx: Context, run: Instruction, target: _Target) -> bool:
        """``run`` creates the target's files and leaves them in its layer."""
        if target.mounted(ctx, run):
            return False
        commands = ctx.commands(run)
        if target.cache is not None:
            creates = any(target.cache.creates(command) for command in commands)
            if creates and target.cache.creates is _pip:
                creates = "PIP_NO_CACHE_DIR" not in ctx.state(run).env
        else:
            assert target.path is not None
            path = target.path
            creates = any(_affects(path, created) for created in self._created_by(ctx, run))
        return creates and not any(
            target.cleaned_by(self._removed_by(ctx, run, command), command) for command in commands
        )

    def _created_by(self, ctx: Context, run: Instruction) -> list[str]:
        created = self._created.get(id(run))
        if created is None:
            paths = self._paths_of(ctx, run)
            created = self._created[id(run)] = [
                path for command in ctx.commands(run) for path in _created_paths(command, paths)
            ]
        return created

    def _report(
        self,
        ctx: Context,
        instructions: list[Instruction],
        creator: Instruction,
        cleanup: Instruction,
        command: SimpleCommand,
        target: _Target,
    ) -> Violation:
        start = next(i for i, item in enumerate(instructions) if item is creator)
        end = next(i for i, item in enumerate(instructions) if item is cleanup)
        chain = instructions[start : end + 1]
        fix = merge_chain_fix(ctx, chain, "Merge the cleanup into the `RUN` that creates the files")
        line = ctx.document.position(creator.keyword_span.start).line
        shown = " ".join([command.command or "", *(arg.raw for arg in command.args)])
        return self.violation(
            command.span,
            f"`{shown.strip()}` removes {target.describe()} that the `RUN` on line {line} "
            "created; the bytes stay in that layer",
            fix,
        )
