"""What DF103 knows about package-manager caches.

One :class:`CacheKind` per cache: which commands write it, where it lives, what cleans it
or keeps it from being written, and how a fix removes it. Private to the pack: the module
name starts with an underscore, so no rule is loaded from it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Mapping, Sequence

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    Instruction,
    ShellWord,
    SimpleCommand,
    append_to_chain,
    mounts_of,
    plain_chain,
    record,
    set_field,
)
from dfopt_rules._packages import (
    APK_OPTIONS,
    APT_GET_OPTIONS,
    RPM_TOOL_OPTIONS,
    ZYPPER_OPTIONS,
    Cleanup,
    OptionSyntax,
    can_edit,
    has_word,
    long_option,
    runs_as_root,
    split_arguments,
)
from dfopt_rules.dl3032_yum_clean_missing import YUM
from dfopt_rules.dl3036_zypper_clean_missing import ZYPPER
from dfopt_rules.dl3040_dnf_clean_missing import MANAGERS as DNF_MANAGERS

_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
_HOME_PREFIXES = ("${HOME}", "$HOME")


@record()
class Site:
    """Where one command runs: the variables in force and whether HOME is ``/root``."""

    __slots__ = ("env", "root")

    env: Mapping[str, str]
    root: bool

    def __init__(self, env: Mapping[str, str], root: bool) -> None:
        set_field(self, "env", env)
        set_field(self, "root", root)

    def get(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            return None
        value = value.strip().strip("\"'")
        return value or None

    def truthy(self, name: str) -> bool:
        value = self.get(name)
        return value is not None and value.lower() in _TRUTHY


# -- paths ----------------------------------------------------------------------------------


def home_path(value: str, site: Site) -> str | None:
    """A path with ``$HOME``/``/root`` spelled ``~`` (for root), normalised; None when the
    value holds another expansion or is relative."""
    value = value.strip().strip("\"'")
    for prefix in _HOME_PREFIXES:
        if value == prefix or value.startswith(prefix + "/"):
            value = "~" + value[len(prefix) :]
    if site.root and (value == "/root" or value.startswith("/root/")):
        value = "~" + value[len("/root") :]
    if "$" in value or "`" in value or not value.startswith(("/", "~")):
        return None
    while value.endswith(("/*", "/")) and len(value) > 1:
        value = value[:-2] if value.endswith("/*") else value[:-1]
    return posixpath.normpath(value) if value != "~" else value


def _absolute(path: str, site: Site) -> str | None:
    """``~/x`` as ``/root/x`` for a mount check (None when HOME is not known)."""
    if path == "~" or path.startswith("~/"):
        return "/root" + path[1:] if site.root else None
    return path


def _related(removed: str, root: str) -> bool:
    """Removing ``removed`` (maybe a glob) removes ``root`` or a part of it."""
    if removed == root or root.startswith(removed.rstrip("/") + "/"):
        return True
    if removed.startswith(root + "/"):
        return True
    if root.startswith("~/") and not removed.startswith("~"):
        # Another user's home directory: `/home/node/.npm` for `~/.npm`.
        tail = root[1:]
        if removed.endswith(tail) or tail + "/" in removed:
            return True
    if "*" in removed or "?" in removed:
        from fnmatch import fnmatchcase

        parent = root
        while parent not in ("", "/", "~", "."):
            if fnmatchcase(parent, removed):
                return True
            parent = posixpath.dirname(parent)
    return False


def removes_any(command: SimpleCommand, roots: Sequence[str], site: Site) -> bool:
    """An ``rm`` (or ``find ... -delete``) of one of ``roots``, a parent or a part of it."""
    if command.command not in ("rm", "find"):
        return False
    if command.command == "find" and "-delete" not in command.arg_values:
        return False
    for word in command.args:
        if word.value.startswith("-"):
            continue
        value = _expanded(word, site)
        if value is None:
            continue
        removed = home_path(value, site)
        if removed is None or removed in ("/", "~"):
            continue
        if any(_related(removed, root) for root in roots):
            return True
    return False


_REFERENCE = r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"
"""Compiled on first use (by ``re``): most runs never need it."""


def _expanded(word: ShellWord, site: Site) -> str | None:
    """The word's value with known variables expanded; ``$HOME`` is kept as written."""
    value = word.value
    if "$(" in value or "`" in value:
        return None

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "HOME":
            return match.group(0)
        known = site.get(name)
        return known if known is not None else match.group(0)

    return re.sub(_REFERENCE, replace, value)


def mounted(
    instruction: Instruction,
    ctx: Context,
    paths: Sequence[str],
    site: Site,
    suffixes: Sequence[str] = (),
) -> bool:
    """A cache or tmpfs mount covers one of ``paths`` (or ends with one of ``suffixes``)."""
    absolute = [found for path in paths if (found := _absolute(path, site)) is not None]
    if absolute and ctx.cache_mounted(instruction, *absolute):
        return True
    if not suffixes:
        return False
    for mount in mounts_of(instruction):
        if mount.is_cache_like and mount.target:
            target = mount.target.rstrip("/")
            if target.endswith(tuple(suffixes)):
                return True
    return False


# -- subcommands ------------------------------------------------------------------------------


def operand_words(command: SimpleCommand, syntax: OptionSyntax) -> list[ShellWord]:
    return split_arguments(command, syntax)[1]


def disabled_by_flag(command: SimpleCommand, *flags: str) -> bool:
    return any(command.flag_word(flag) is not None for flag in flags)


# -- cache kinds --------------------------------------------------------------------------------


Writer = Callable[[SimpleCommand], ShellWord | None]


def _never(command: SimpleCommand, site: Site) -> bool:
    return False


def _no_fix(
    instruction: Instruction, ctx: Context, command: SimpleCommand, word: ShellWord, site: Site
) -> Fix | None:
    return None


@record()
class CacheKind:
    """One package manager's cache."""

    __slots__ = (
        "cleans",
        "disabled",
        "fix",
        "key",
        "message",
        "program_prefix",
        "programs",
        "roots",
        "suffixes",
        "writer",
    )

    key: str
    message: str
    """The finding's message; ``{command}`` stands for the offending command."""
    writer: Writer
    """The word that makes a command write the cache (its subcommand), or None."""
    cleans: Callable[[SimpleCommand, Site], bool]
    roots: Callable[[Site], tuple[str, ...]]
    """The cache directories (``~`` for the home directory)."""
    programs: frozenset[str]
    """The command names ``writer`` can return a word for."""
    program_prefix: str | None
    """``writer`` may also return a word for a command whose name starts with this."""
    suffixes: tuple[str, ...]
    """Mount targets ending with one of these hold the cache for any user."""
    disabled: Callable[[SimpleCommand, Site], bool]
    fix: Callable[[Instruction, Context, SimpleCommand, ShellWord, Site], Fix | None]

    def __init__(
        self,
        key: str,
        message: str,
        writer: Writer,
        cleans: Callable[[SimpleCommand, Site], bool],
        roots: Callable[[Site], tuple[str, ...]],
        programs: frozenset[str],
        program_prefix: str | None = None,
        suffixes: tuple[str, ...] = (),
        disabled: Callable[[SimpleCommand, Site], bool] = _never,
        fix: Callable[[Instruction, Context, SimpleCommand, ShellWord, Site], Fix | None] = _no_fix,
    ) -> None:
        set_field(self, "key", key)
        set_field(self, "message", message)
        set_field(self, "writer", writer)
        set_field(self, "cleans", cleans)
        set_field(self, "roots", roots)
        set_field(self, "programs", programs)
        set_field(self, "program_prefix", program_prefix)
        set_field(self, "suffixes", suffixes)
        set_field(self, "disabled", disabled)
        set_field(self, "fix", fix)

    def may_write(self, names: Collection[str]) -> bool:
        """Whether a command called one of ``names`` may write the cache (else no command
        of a `RUN` running only ``names`` can: ``writer`` returns None for all of them)."""
        if not self.programs.isdisjoint(names):
            return True
        prefix = self.program_prefix
        return prefix is not None and any(name.startswith(prefix) for name in names)


def _append(text: str, title: str, root_only: bool = False) -> Callable[..., Fix | None]:
    def build(
        instruction: Instruction, ctx: Context, command: SimpleCommand, word: ShellWord, site: Site
    ) -> Fix | None:
        chain = plain_chain(ctx, instruction)
        if chain is None:
            return None
        if root_only and not runs_as_root(instruction, ctx):
            return None
        return Fix.safe(title, [append_to_chain(ctx, chain, text)])

    return build


def _insert(flag: str, title: str) -> Callable[..., Fix | None]:
    def build(
        instruction: Instruction, ctx: Context, command: SimpleCommand, word: ShellWord, site: Site
    ) -> Fix | None:
        if not can_edit(instruction, ctx, command):
            return None
        return Fix.safe(title, [Edit.insert(word.span.end, f" {flag}")])

    return build


def _subcommand_cleans(program: str | frozenset[str], *subcommands: str) -> Callable[..., bool]:
    programs = frozenset({program}) if isinstance(program, str) else program

    def cleans(command: SimpleCommand, site: Site) -> bool:
        return command.command in programs and command.subcommand in subcommands

    return cleans


def _or_removes(
    clean: Callable[[SimpleCommand, Site], bool], roots: Callable[[Site], tuple[str, ...]]
) -> Callable[[SimpleCommand, Site], bool]:
    def cleans(command: SimpleCommand, site: Site) -> bool:
        return clean(command, site) or removes_any(command, roots(site), site)

    return cleans


def _user_dir(variable: str, xdg_name: str, default: str) -> Callable[[Site], tuple[str, ...]]:
    """A cache directory set by ``variable``, else ``$XDG_CACHE_HOME/xdg_name``, else
    ``default``."""

    def roots(site: Site) -> tuple[str, ...]:
        value = site.get(variable)
        if value is not None:
            path = home_path(value, site)
            return (path,) if path is not None else ()
        xdg = site.get("XDG_CACHE_HOME")
        if xdg is not None:
            path = home_path(xdg.rstrip("/") + "/" + xdg_name, site)
            return (path,) if path is not None else ()
        return (default,)

    return roots


# npm --------------------------------------------------------------------------------------

NPM_OPTIONS = OptionSyntax(
    short=frozenset("Cw"),
    long=frozenset(
        {
            "prefix",
            "cache",
            "registry",
            "userconfig",
            "globalconfig",
            "loglevel",
            "workspace",
            "omit",
            "include",
            "tag",
            "install-strategy",
        }
    ),
)
_NPM_INSTALLS = frozenset(
    {
        "install",
        "i",
        "in",
        "ins",
        "inst",
        "insta",
        "instal",
        "isnt",
        "isnta",
        "isntal",
        "isntall",
        "add",
        "ci",
        "clean-install",
        "ic",
        "install-clean",
        "isntall-clean",
        "install-test",
        "it",
        "install-ci-test",
        "cit",
        "update",
        "up",
        "upgrade",
        "udpate",
    }
)


def _first_operand(syntax: OptionSyntax, subcommands: frozenset[str]) -> Writer:
    def writer(command: SimpleCommand) -> ShellWord | None:
        words = operand_words(command, syntax)
        if words and words[0].value in subcommands:
            return words[0]
        return None

    return writer


def _npm_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "npm":
        return None
    return _first_operand(NPM_OPTIONS, _NPM_INSTALLS)(command)


def _npm_roots(site: Site) -> tuple[str, ...]:
    for name in ("npm_config_cache", "NPM_CONFIG_CACHE"):
        value = site.get(name)
        if value is not None:
            path = home_path(value, site)
            return (path,) if path is not None else ()
    return ("~/.npm",)


NPM = CacheKind(
    key="npm",
    message="`{command}` without `npm cache clean --force` in the same `RUN` leaves npm's cache "
    "in the image",
    writer=_npm_writer,
    programs=frozenset({"npm"}),
    cleans=_or_removes(_subcommand_cleans("npm", "cache"), _npm_roots),
    roots=_npm_roots,
    suffixes=("/.npm", "/.npm/_cacache"),
    fix=_append("npm cache clean --force", "Append `npm cache clean --force`"),
)


# composer ---------------------------------------------------------------------------------

COMPOSER_OPTIONS = OptionSyntax(short=frozenset("d"), long=frozenset({"working-dir"}))
_COMPOSER_WRITES = frozenset(
    {"install", "i", "require", "r", "update", "u", "upgrade", "create-project", "reinstall"}
)
_COMPOSER_CLEANS = frozenset({"clear-cache", "clearcache", "cc"})


def _composer_words(command: SimpleCommand) -> list[ShellWord]:
    """The operands of a composer call (``composer``, ``composer.phar``, ``php composer.phar``)."""
    name = command.command or ""
    if name in ("composer", "composer.phar"):
        return operand_words(command, COMPOSER_OPTIONS)
    if name.startswith("php"):
        words = operand_words(command, COMPOSER_OPTIONS)
        if words and words[0].value.rsplit("/", 1)[-1] in ("composer", "composer.phar"):
            return words[1:]
    return []


def _composer_writer(command: SimpleCommand) -> ShellWord | None:
    words = _composer_words(command)
    if words and words[0].value == "global":
        words = words[1:]
    if words and words[0].value in _COMPOSER_WRITES:
        return words[0]
    return None


def _composer_roots(site: Site) -> tuple[str, ...]:
    value = site.get("COMPOSER_CACHE_DIR")
    if value is not None:
        path = home_path(value, site)
        return (path,) if path is not None else ()
    home = site.get("COMPOSER_HOME")
    if home is not None:
        path = home_path(home.rstrip("/") + "/cache", site)
        return (path,) if path is not None else ()
    xdg = site.get("XDG_CACHE_HOME")
    if xdg is not None:
        path = home_path(xdg.rstrip("/") + "/composer", site)
        return ("~/.composer/cache", path) if path is not None else ("~/.composer/cache",)
    return ("~/.composer/cache", "~/.cache/composer")


def _composer_cleans(command: SimpleCommand, site: Site) -> bool:
    words = _composer_words(command)
    if words and words[0].value in _COMPOSER_CLEANS:
        return True
    return removes_any(command, _composer_roots(site), site)


def _composer_disabled(command: SimpleCommand, site: Site) -> bool:
    if long_option(command, "no-cache") is not None:
        return True
    return site.get("COMPOSER_CACHE_DIR") == "/dev/null"


def _composer_fix(
    instruction: Instruction, ctx: Context, command: SimpleCommand, word: ShellWord, site: Site
) -> Fix | None:
    if command.command != "composer":
        return None
    return _append("composer clear-cache", "Append `composer clear-cache`")(
        instruction, ctx, command, word, site
    )


COMPOSER = CacheKind(
    key="composer",
    message="`{command}` without `--no-cache` or `composer clear-cache` in the same `RUN` leaves "
    "Composer's cache in the image",
    writer=_composer_writer,
    programs=frozenset({"composer", "composer.phar"}),
    program_prefix="php",
    cleans=_composer_cleans,
    roots=_composer_roots,
    suffixes=("/.composer", "/.composer/cache", "/.cache/composer", "/composer/cache"),
    disabled=_composer_disabled,
    fix=_composer_fix,
)


# gem documentation ------------------------------------------------------------------------

GEM_OPTIONS = OptionSyntax(
    short=frozenset("vsinP"),
    long=frozenset({"version", "source", "install-dir", "bindir", "platform", "trust-policy"}),
)
_DOC_FLAGS = ("--no-document", "--no-doc", "--no-ri", "--no-rdoc", "--document", "--doc")


def _gem_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "gem":
        return None
    return _first_operand(GEM_OPTIONS, frozenset({"install", "i", "update"}))(command)


def _gem_disabled(command: SimpleCommand, site: Site) -> bool:
    for word in command.args:
        value = word.value
        if value == "--":
            break
        if value.startswith(_DOC_FLAGS):
            return True
        if value.startswith("-") and not value.startswith("--") and "N" in value[1:]:
            return True
    return False


def _gem_cleans(command: SimpleCommand, site: Site) -> bool:
    """An ``rm`` of a gem ``doc`` directory."""
    if command.command != "rm":
        return False
    return any(
        not word.value.startswith("-") and "/doc" in word.value and "gem" in word.value
        for word in command.args
    )


GEM_DOCS = CacheKind(
    key="gem",
    message="`{command}` without `--no-document` installs the gems' documentation into the image",
    writer=_gem_writer,
    programs=frozenset({"gem"}),
    cleans=_gem_cleans,
    roots=lambda site: (),
    disabled=_gem_disabled,
    fix=_insert("--no-document", "Add `--no-document`"),
)


# bundler ----------------------------------------------------------------------------------

BUNDLE_OPTIONS = OptionSyntax(
    short=frozenset("j"),
    long=frozenset({"gemfile", "path", "jobs", "retry", "with", "without", "binstubs"}),
)


def _bundle_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command not in ("bundle", "bundler"):
        return None
    words = [
        word
        for word in operand_words(command, BUNDLE_OPTIONS)
        if not (word.value.startswith("_") and word.value.endswith("_"))
    ]
    if words:
        return words[0] if words[0].value == "install" else None
    if long_option(command, "local") is not None or any(
        value in ("-v", "--version", "-h", "--help") for value in command.arg_values
    ):
        return None
    return command.name


def _bundle_cleans(command: SimpleCommand, site: Site) -> bool:
    """An ``rm`` of a ``.../cache`` directory (``$BUNDLE_PATH/ruby/*/cache``, ...)."""
    if command.command != "rm":
        return False
    for word in command.args:
        value = word.value.rstrip("/")
        if value.startswith("-"):
            continue
        if "/cache" in value or value.endswith(".gem") or value.endswith("/.bundle"):
            return True
    return False


def _bundle_roots(site: Site) -> tuple[str, ...]:
    roots = []
    for name in ("BUNDLE_PATH", "GEM_HOME"):
        value = site.get(name)
        if value is not None and (path := home_path(value, site)) is not None:
            roots.append(path)
    return tuple(roots) or ("/usr/local/bundle",)


BUNDLE = CacheKind(
    key="bundle",
    message="`{command}` leaves the downloaded `.gem` files in the image: remove the gem "
    "`cache` directory in the same `RUN`",
    writer=_bundle_writer,
    programs=frozenset({"bundle", "bundler"}),
    cleans=_bundle_cleans,
    roots=_bundle_roots,
    suffixes=("/cache",),
    disabled=lambda command, site: long_option(command, "local") is not None,
)


# uv -----------------------------------------------------------------------------------------

UV_OPTIONS = OptionSyntax(
    short=frozenset("p"),
    long=frozenset({"cache-dir", "directory", "project", "config-file", "color", "python"}),
)


def _uv_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "uv":
        return None
    words = operand_words(command, UV_OPTIONS)
    values = [word.value for word in words[:2]]
    if values[:1] in (["sync"], ["add"]):
        return words[0]
    if values in (["pip", "install"], ["pip", "sync"], ["tool", "install"]):
        return words[1]
    return None


def _uv_disabled(command: SimpleCommand, site: Site) -> bool:
    if disabled_by_flag(command, "--no-cache"):
        return True
    if any(value == "-n" for value in command.arg_values):
        return True
    return site.truthy("UV_NO_CACHE")


_UV_ROOTS = _user_dir("UV_CACHE_DIR", "uv", "~/.cache/uv")

UV = CacheKind(
    key="uv",
    message="`{command}` without `--no-cache` (or `UV_NO_CACHE`) leaves uv's cache in the image",
    writer=_uv_writer,
    programs=frozenset({"uv"}),
    cleans=_or_removes(_subcommand_cleans("uv", "cache", "clean"), _UV_ROOTS),
    roots=_UV_ROOTS,
    suffixes=("/.cache", "/.cache/uv"),
    disabled=_uv_disabled,
    fix=_insert("--no-cache", "Add `--no-cache`"),
)


# pipenv -------------------------------------------------------------------------------------

PIPENV_OPTIONS = OptionSyntax(long=frozenset({"python", "pypi-mirror", "categories"}))
_PIPENV_ROOTS = _user_dir("PIPENV_CACHE_DIR", "pipenv", "~/.cache/pipenv")


def _pipenv_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "pipenv":
        return None
    return _first_operand(PIPENV_OPTIONS, frozenset({"install", "sync"}))(command)


def _pipenv_cleans(command: SimpleCommand, site: Site) -> bool:
    if command.command == "pipenv" and "--clear" in command.arg_values:
        return True
    return removes_any(command, _PIPENV_ROOTS(site), site)


PIPENV = CacheKind(
    key="pipenv",
    message="`{command}` without `pipenv --clear` in the same `RUN` leaves Pipenv's cache in "
    "the image",
    writer=_pipenv_writer,
    programs=frozenset({"pipenv"}),
    cleans=_pipenv_cleans,
    roots=_PIPENV_ROOTS,
    suffixes=("/.cache", "/.cache/pipenv"),
    fix=_append("pipenv --clear", "Append `pipenv --clear`"),
)


# poetry -------------------------------------------------------------------------------------

POETRY_OPTIONS = OptionSyntax(
    short=frozenset("CPE"),
    long=frozenset({"directory", "project", "with", "without", "only", "extras"}),
)
_POETRY_ROOTS = _user_dir("POETRY_CACHE_DIR", "pypoetry", "~/.cache/pypoetry")
POETRY_CLEANUP = "rm -rf ~/.cache/pypoetry/artifacts ~/.cache/pypoetry/cache"


def _poetry_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "poetry":
        return None
    return _first_operand(POETRY_OPTIONS, frozenset({"install", "add", "update", "sync"}))(command)


def _poetry_cleans(command: SimpleCommand, site: Site) -> bool:
    if command.command == "poetry" and command.arg_values[:2] == ["cache", "clear"]:
        return True
    return removes_any(command, _POETRY_ROOTS(site), site)


def _poetry_fix(
    instruction: Instruction, ctx: Context, command: SimpleCommand, word: ShellWord, site: Site
) -> Fix | None:
    if site.get("POETRY_CACHE_DIR") is not None or site.get("XDG_CACHE_HOME") is not None:
        return None
    return _append(POETRY_CLEANUP, "Remove Poetry's caches at the end of the `RUN`")(
        instruction, ctx, command, word, site
    )


POETRY = CacheKind(
    key="poetry",
    message="`{command}` without `--no-cache` or removing Poetry's cache in the same `RUN` "
    "leaves the cache in the image",
    writer=_poetry_writer,
    programs=frozenset({"poetry"}),
    cleans=_poetry_cleans,
    roots=_POETRY_ROOTS,
    suffixes=("/.cache", "/.cache/pypoetry"),
    disabled=lambda command, site: long_option(command, "no-cache") is not None,
    fix=_poetry_fix,
)


# apk ----------------------------------------------------------------------------------------

APK_CACHES = ("/var/cache/apk", "/etc/apk/cache")


def _apk_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command != "apk" or long_option(command, "no-cache") is not None:
        return None
    words = operand_words(command, APK_OPTIONS)
    if words and words[0].value in ("update", "upgrade", "fix"):
        return words[0]
    return None


def _apk_cleans(command: SimpleCommand, site: Site) -> bool:
    if command.command == "apk" and has_word(command, "cache"):
        return True
    return removes_any(command, ("/var/cache/apk",), site)


APK = CacheKind(
    key="apk",
    message="`{command}` without `rm -rf /var/cache/apk/*` in the same `RUN` leaves the apk "
    "index in the image",
    writer=_apk_writer,
    programs=frozenset({"apk"}),
    cleans=_apk_cleans,
    roots=lambda site: APK_CACHES,
    fix=_append("rm -rf /var/cache/apk/*", "Append `rm -rf /var/cache/apk/*`", root_only=True),
)


def apk_reported_by_dl3019(commands: Sequence[SimpleCommand]) -> bool:
    """DL3019 reports `apk add` without `--no-cache`: the same cache, reported there."""
    return any(
        command.command == "apk"
        and has_word(command, "add")
        and long_option(command, "no-cache") is None
        for command in commands
    )


# apt archives ---------------------------------------------------------------------------

APT_ARCHIVES = ("/var/cache/apt",)
_APT_WRITES = frozenset(
    {"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall", "build-dep"}
)


_APT_PROGRAMS = frozenset({"apt-get", "apt", "aptitude"})


def _apt_writer(command: SimpleCommand) -> ShellWord | None:
    if command.command not in _APT_PROGRAMS:
        return None
    return _first_operand(APT_GET_OPTIONS, _APT_WRITES)(command)


def _apt_cleans(command: SimpleCommand, site: Site) -> bool:
    if command.command in ("apt-get", "apt", "aptitude") and command.subcommand in (
        "clean",
        "autoclean",
    ):
        return True
    return removes_any(command, ("/var/cache/apt/archives",), site)


APT = CacheKind(
    key="apt",
    message="`{command}` without `apt-get clean` in the same `RUN` leaves the downloaded "
    "`.deb` files in the image",
    writer=_apt_writer,
    programs=_APT_PROGRAMS,
    cleans=_apt_cleans,
    roots=lambda site: ("/var/cache/apt/archives",),
    fix=_append("apt-get clean", "Append `apt-get clean`", root_only=True),
)


def keeps_apt_archives(command: SimpleCommand) -> bool:
    """A command that turns off the images' automatic removal of `.deb` archives: removing
    `/etc/apt/apt.conf.d/docker-clean` or setting `Keep-Downloaded-Packages` to true."""
    values = command.arg_values
    if command.command == "rm" and any(
        value.rstrip("/").endswith("apt.conf.d/docker-clean") for value in values
    ):
        return True
    return any("Keep-Downloaded-Packages" in value and "true" in value.lower() for value in values)


# yum, dnf, microdnf, zypper --------------------------------------------------------------


def _rpm_kind(
    program: str, writes: frozenset[str], cleanup: str, roots: tuple[str, ...]
) -> CacheKind:
    syntax = ZYPPER_OPTIONS if program == "zypper" else RPM_TOOL_OPTIONS

    def writer(command: SimpleCommand) -> ShellWord | None:
        if command.command != program:
            return None
        return _first_operand(syntax, writes)(command)

    cleans = frozenset({"clean", "cc"} if program == "zypper" else {"clean"})

    def cleaned(command: SimpleCommand, site: Site) -> bool:
        if command.command == program and has_word(command, *cleans):
            return True
        return removes_any(command, roots, site)

    return CacheKind(
        key=program,
        message=f"`{{command}}` without `{cleanup}` in the same `RUN` leaves {program}'s cache "
        "in the image",
        writer=writer,
        programs=frozenset({program}),
        cleans=cleaned,
        roots=lambda site: roots,
        fix=_append(cleanup, f"Append `{cleanup}`", root_only=True),
    )


_RPM_WRITES = frozenset(
    {
        "update",
        "upgrade",
        "groupinstall",
        "groupupdate",
        "localinstall",
        "reinstall",
        "distro-sync",
        "distrosync",
        "downgrade",
        "update-minimal",
        "upgrade-minimal",
    }
)
_ZYPPER_WRITES = frozenset(
    {
        "update",
        "up",
        "patch",
        "dist-upgrade",
        "dup",
        "install-new-recommends",
        "inr",
        "source-install",
        "si",
    }
)
_DNF_ROOTS = ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5")

RPM_KINDS: tuple[tuple[CacheKind, tuple[Cleanup, ...]], ...] = (
    (_rpm_kind("yum", _RPM_WRITES, "yum clean all", ("/var/cache/yum",)), (YUM,)),
    (
        _rpm_kind("dnf", _RPM_WRITES, "dnf clean all", _DNF_ROOTS),
        tuple(manager for manager in DNF_MANAGERS if manager.program == "dnf"),
    ),
    (
        _rpm_kind("microdnf", _RPM_WRITES, "microdnf clean all", _DNF_ROOTS),
        tuple(manager for manager in DNF_MANAGERS if manager.program == "microdnf"),
    ),
    (_rpm_kind("zypper", _ZYPPER_WRITES, "zypper clean", ("/var/cache/zypp",)), (ZYPPER,)),
)
"""Each non-install cache writer, with the DL rule's check of the same cache."""

LANGUAGE_KINDS = (NPM, COMPOSER, UV, PIPENV, POETRY, GEM_DOCS, BUNDLE)
