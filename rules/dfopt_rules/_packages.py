"""Shared helpers of the package-manager rules (apt-get, apk, yum, dnf, zypper).

Not a rule module (the leading underscore keeps the pack loader away). It splits a
package manager's arguments into options and operands, finds the words a fix edits,
and builds the two fixes these rules share: inserting a flag after a word, and
appending a cleanup command at the end of a `RUN` whose script is a plain `&&` chain.
"""

from __future__ import annotations

from collections.abc import Iterable

from dfopt.rules_api import (
    Chain,
    Context,
    Edit,
    Fix,
    Form,
    Instruction,
    ShellWord,
    SimpleCommand,
    Span,
    append_to_chain,
    record,
    set_field,
)
from dfopt.rules_api import (
    plain_chain as shared_plain_chain,
)

_ROOT_USERS = frozenset({"root", "0"})


# -- arguments ---------------------------------------------------------------------------


@record()
class OptionSyntax:
    """Which options of a program take a value (``-t VALUE``, ``--virtual VALUE``).

    Knowing them keeps an option's value from being read as a package name.
    """

    __slots__ = ("long", "short")

    short: frozenset[str]
    """Single letters whose option takes a value (``t`` for ``-t``)."""
    long: frozenset[str]
    """Long option names, without the dashes, that take a value."""

    def __init__(
        self, short: frozenset[str] = frozenset(), long: frozenset[str] = frozenset()
    ) -> None:
        set_field(self, "short", short)
        set_field(self, "long", long)


APT_GET_OPTIONS = OptionSyntax(
    short=frozenset("otc"),
    long=frozenset({"option", "target-release", "default-release", "config-file"}),
)
APK_OPTIONS = OptionSyntax(
    short=frozenset("tXp"),
    long=frozenset(
        {
            "virtual",
            "repository",
            "root",
            "arch",
            "keys-dir",
            "repositories-file",
            "cache-dir",
            "cache-max-age",
            "progress-fd",
            "wait",
            "timeout",
        }
    ),
)
RPM_TOOL_OPTIONS = OptionSyntax(
    short=frozenset("cdexR"),
    long=frozenset(
        {
            "config",
            "installroot",
            "enablerepo",
            "disablerepo",
            "repo",
            "repoid",
            "repofrompath",
            "exclude",
            "excludepkgs",
            "setopt",
            "releasever",
            "debuglevel",
            "errorlevel",
            "rpmverbosity",
            "downloaddir",
            "destdir",
            "disableplugin",
            "enableplugin",
            "forcearch",
            "color",
        }
    ),
)
"""yum, dnf and microdnf share these options that take a value."""
ZYPPER_OPTIONS = OptionSyntax(
    short=frozenset("tRDCcpr"),
    long=frozenset(
        {"type", "repo", "from", "root", "reposd-dir", "cache-dir", "config", "plus-repo"}
    ),
)


def split_arguments(
    command: SimpleCommand, syntax: OptionSyntax
) -> tuple[list[ShellWord], list[ShellWord]]:
    """The command's option words and operand words, in order.

    A value given as a separate word after an option that takes one belongs to the
    options; after ``--`` everything is an operand.
    """
    options: list[ShellWord] = []
    operands: list[ShellWord] = []
    args = command.args
    index = 0
    only_operands = False
    while index < len(args):
        word = args[index]
        value = word.value
        index += 1
        if only_operands or not value.startswith("-") or value == "-":
            operands.append(word)
            continue
        if value == "--":
            only_operands = True
            continue
        options.append(word)
        if _takes_separate_value(value, syntax) and index < len(args):
            options.append(args[index])
            index += 1
    return options, operands


def _takes_separate_value(option: str, syntax: OptionSyntax) -> bool:
    if option.startswith("--"):
        return "=" not in option and option[2:] in syntax.long
    letters = option[1:]
    for position, letter in enumerate(letters):
        if letter in syntax.short:
            # `-tNAME` carries its value; `-qt NAME` takes the next word.
            return position == len(letters) - 1
    return False


def operands(
    command: SimpleCommand, syntax: OptionSyntax, skip: Iterable[str] = ()
) -> list[ShellWord]:
    """The operands of ``command`` other than the words in ``skip`` (subcommand names)."""
    skipped = frozenset(skip)
    return [word for word in split_arguments(command, syntax)[1] if word.value not in skipped]


def first_word(command: SimpleCommand, *values: str) -> ShellWord | None:
    """The first argument whose value is one of ``values``."""
    return next((word for word in command.args if word.value in values), None)


def has_word(command: SimpleCommand, *values: str) -> bool:
    """True when an argument's value is one of ``values`` (hadolint's test for a subcommand)."""
    return first_word(command, *values) is not None


def short_letters(command: SimpleCommand, syntax: OptionSyntax | None = None) -> str:
    """Every letter given in a short option cluster (``-qy`` gives ``qy``), before ``--``.

    A letter that takes a value (per ``syntax``) ends its cluster: the rest is its value.
    """
    letters: list[str] = []
    value_letters = syntax.short if syntax is not None else frozenset()
    for word in command.args:
        value = word.value
        if value == "--":
            break
        if not value.startswith("-") or value.startswith("--"):
            continue
        for letter in value[1:]:
            if letter == "=":
                break
            letters.append(letter)
            if letter in value_letters:
                break
    return "".join(letters)


def long_option(command: SimpleCommand, *names: str) -> ShellWord | None:
    """The first ``--name`` or ``--name=value`` argument for one of ``names``."""
    for word in command.args:
        value = word.value
        if value == "--":
            return None
        if value.startswith("--") and value[2:].split("=", 1)[0] in names:
            return word
    return None


def describe(values: list[str], limit: int = 3) -> str:
    """```a`, `b` and 2 more`` for messages."""
    shown = ", ".join(f"`{value}`" for value in values[:limit])
    more = len(values) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def command_span(command: SimpleCommand) -> Span:
    """From the command's name to its end (leading ``VAR=value`` assignments left out)."""
    start = command.name.span.start if command.name is not None else command.span.start
    return Span(start, command.span.end)


def exec_command(instruction: Instruction) -> SimpleCommand | None:
    """The program an exec-form `RUN` starts, as a command (hadolint checks these too).

    Its words span the JSON strings, quotes included; ``start`` and ``end`` are -1 since
    there is no script.
    """
    target = instruction.effective
    if target.keyword != "RUN" or target.form is not Form.EXEC or not target.exec_args:
        return None
    words = tuple(
        ShellWord(word.value, word.value, True, word.span, -1, -1) for word in target.exec_args
    )
    span = Span(words[0].span.start, words[-1].span.end)
    return SimpleCommand(words[0], words[1:], (), (), span, -1, -1, True)


class RunCommands:
    """The commands one instruction runs, computed once and shared by the rules.

    Not to be changed once built (it is shared by every rule that reads the `RUN`).
    """

    __slots__ = ("_editable", "by_name", "clean", "groups")

    groups: tuple[tuple[SimpleCommand, ...], ...]
    """Per script (an exec-form `RUN` counts as one), its reliable commands in order."""
    by_name: dict[str, list[SimpleCommand]]
    """The commands by name, in order (shared: not to be changed)."""
    clean: tuple[bool, ...]
    """Per group, whether a fix may edit its commands: a script that parses cleanly."""
    _editable: frozenset[int] | None

    def __init__(
        self,
        groups: tuple[tuple[SimpleCommand, ...], ...],
        by_name: dict[str, list[SimpleCommand]],
        clean: tuple[bool, ...],
    ) -> None:
        self.groups = groups
        self.by_name = by_name
        self.clean = clean
        self._editable = None

    @property
    def editable(self) -> frozenset[int]:
        """``id()`` of the commands a fix may edit: those of scripts that parse cleanly."""
        editable = self._editable
        if editable is None:
            editable = self._editable = frozenset(
                id(item)
                for group, clean in zip(self.groups, self.clean, strict=True)
                if clean
                for item in group
            )
        return editable

    def can_edit(self, command: SimpleCommand) -> bool:
        return id(command) in self.editable

    def in_order(self, commands: Iterable[SimpleCommand]) -> list[SimpleCommand]:
        """Some of these commands sorted by where they stand in the source."""
        if len(self.groups) > 1:
            return in_order(commands)
        # One script: its commands are parsed in script order, which is source order.
        return sorted(commands, key=_script_start)


def run_commands(instruction: Instruction, ctx: Context) -> RunCommands:
    """The commands of ``instruction`` (cached per file and instruction: one lookup per rule)."""
    key = ("packages.run_commands", id(instruction))
    cached = ctx.memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    sources = ctx.scripts(instruction)
    groups: list[tuple[SimpleCommand, ...]]
    # A script's commands come in script order, and script offsets map to source offsets
    # in the same order: no sort needed (nor the source spans it would read).
    if len(sources) == 1:
        groups = [ctx.commands(instruction)]  # the reliable commands of that one script
    else:
        groups = [
            tuple(item for item in source.script.commands if item.reliable) for source in sources
        ]
    clean = [not source.script.has_errors for source in sources]
    command = exec_command(instruction)
    if command is not None:
        groups.append((command,))
        clean.append(False)
    by_name: dict[str, list[SimpleCommand]] = {}
    for group in groups:
        for item in group:
            name = item.command
            if name in by_name:
                by_name[name].append(item)
            elif name is not None:
                by_name[name] = [item]
    result = RunCommands(tuple(groups), by_name, tuple(clean))
    ctx.memo[key] = result
    return result


def commands_of(instruction: Instruction, ctx: Context, *names: str) -> list[SimpleCommand]:
    """The commands called one of ``names`` that the instruction runs, exec form included."""
    found = run_commands(instruction, ctx)
    by_name = found.by_name
    if len(names) == 1:
        return list(by_name.get(names[0], ()))
    return found.in_order(command for name in names for command in by_name.get(name, ()))


def in_order(commands: Iterable[SimpleCommand]) -> list[SimpleCommand]:
    """Commands sorted by where they stand in the source."""
    return sorted(commands, key=_source_start)


def _source_start(command: SimpleCommand) -> int:
    return command.span.start


def _script_start(command: SimpleCommand) -> int:
    return command.start


# -- fixes -------------------------------------------------------------------------------


def insert_flag(
    instruction: Instruction,
    ctx: Context,
    command: SimpleCommand,
    word: ShellWord,
    flag: str,
    title: str,
) -> Fix | None:
    """A safe fix that inserts `` flag`` right after ``word``, or None (see ``can_edit``)."""
    if not can_edit(instruction, ctx, command):
        return None
    return Fix.safe(title, [Edit.insert(word.span.end, f" {flag}")])


def can_edit(instruction: Instruction, ctx: Context, command: SimpleCommand) -> bool:
    """Whether a fix may edit ``command``.

    Not in an exec-form `RUN` (the build fingerprint compares its arguments verbatim) nor
    in a script with syntax errors elsewhere: no edit there could be checked as safe.
    """
    return run_commands(instruction, ctx).can_edit(command)


def plain_chain(instruction: Instruction, ctx: Context) -> Chain | None:
    """The instruction's plain ``&&`` chain (see :func:`dfopt.rules_api.plain_chain`)."""
    return shared_plain_chain(ctx, instruction)


def runs_as_root(instruction: Instruction, ctx: Context) -> bool:
    """False when a `USER` other than root is known to be in force for the instruction."""
    if ctx.onbuild:
        stage = ctx.stage(instruction)
        user = stage.final_state.user if stage is not None else None
    else:
        user = ctx.state(instruction).user
    if user is None:
        return True
    name = user.strip().split(":", 1)[0]
    return name in _ROOT_USERS


def append_command(instruction: Instruction, ctx: Context, command: str, title: str) -> Fix | None:
    """A safe fix that appends `` && command`` at the end of the `RUN`, or None.

    Offered only for a plain ``&&`` chain (so the command runs exactly when everything
    before it succeeded) run as root. On a `RUN` that spans several lines the command goes
    on a new continuation line, indented like the others and with the ``&&`` placed as the
    file already places it (leading or trailing).
    """
    chain = plain_chain(instruction, ctx)
    if chain is None or not runs_as_root(instruction, ctx):
        return None
    return Fix.safe(title, [append_to_chain(ctx, chain, command)])


def delete_statement(chain: Chain, index: int) -> Edit | None:
    """An edit deleting top-level statement ``index`` of ``chain`` with one ``&&``.

    The statement goes together with the ``&&`` (and line break) that joins it to its
    neighbour. None when it is the only statement or when a comment line of the
    Dockerfile sits in the text that would go.
    """
    ranges = chain.ranges
    if len(ranges) < 2:
        return None
    here = chain.source_span(*ranges[index])
    if index > 0:
        span = Span(chain.source_span(*ranges[index - 1]).end, here.end)
    else:
        span = Span(here.start, chain.source_span(*ranges[index + 1]).start)
    comments = (*chain.target.inner_comments, *chain.instruction.inner_comments)
    if any(comment.start < span.end and span.start < comment.end for comment in comments):
        return None
    return Edit.delete(span)


# -- cache cleanup -----------------------------------------------------------------------


def removes_cache(command: SimpleCommand, *directories: str) -> bool:
    """An `rm` (any flags) of one of ``directories``, its contents or a path inside it."""
    if command.command != "rm":
        return False
    for word in command.args:
        value = word.value
        if value.startswith("-") or not word.literal:
            continue
        path = value.rstrip("*").rstrip("/")
        if any(path == root or path.startswith(root + "/") for root in directories):
            return True
    return False


@record()
class Cleanup:
    """How one package manager's cache is cleaned, for the `... clean` rules."""

    __slots__ = ("cleans", "directories", "installs", "program")

    program: str
    installs: frozenset[str]
    """Argument words that make a command an install (`install`, `in`)."""
    cleans: frozenset[str]
    """Argument words that make a command of the program a cleanup (`clean`)."""
    directories: tuple[str, ...]
    """Cache directories: an `rm` of one cleans, a cache or tmpfs mount on one silences."""

    def __init__(
        self,
        program: str,
        installs: frozenset[str],
        cleans: frozenset[str],
        directories: tuple[str, ...],
    ) -> None:
        set_field(self, "program", program)
        set_field(self, "installs", installs)
        set_field(self, "cleans", cleans)
        set_field(self, "directories", directories)

    def missing(self, instruction: Instruction, ctx: Context) -> SimpleCommand | None:
        """The last install of the `RUN` that no cleanup follows, or None.

        None as well when a cache or tmpfs mount covers one of the cache directories.
        """
        found = run_commands(instruction, ctx)
        if self.program not in found.by_name:
            return None
        commands = [command for group in found.groups for command in group]
        last: SimpleCommand | None = None
        for command in found.in_order(commands):
            if command.command == self.program:
                if has_word(command, *self.installs):
                    last = command
                elif last is not None and has_word(command, *self.cleans):
                    last = None
            elif last is not None and removes_cache(command, *self.directories):
                last = None
        if last is not None and ctx.cache_mounted(instruction, *self.directories):
            return None
        return last


# -- rpm package versions ----------------------------------------------------------------

_VERSION_PUNCTUATION = frozenset(".~^_:+")


def rpm_versioned(package: str) -> bool:
    """True when an rpm package argument names a version (`httpd-2.4.6`, `x.rpm`).

    As hadolint: something after the first `-` must look like a version, that is every
    `-`-separated part is made of letters, digits and ``.~^_:+``, and one part starts
    with a digit (so `python3-pip` is not versioned). An `.rpm` file with a `-` is.
    """
    parts = package.split("-")
    if len(parts) <= 1:
        return False
    if package.endswith(".rpm"):
        return True
    rest = parts[1:]
    return all(
        all(char.isascii() and (char.isalnum() or char in _VERSION_PUNCTUATION) for char in part)
        for part in rest
    ) and any(part[:1].isdigit() for part in rest)


# -- yum and dnf -------------------------------------------------------------------------

#: The install subcommands of yum and dnf.
RPM_INSTALLS = ("install", "groupinstall", "localinstall")


def rpm_assumes_yes(command: SimpleCommand) -> bool:
    """A yum/dnf command given ``-y`` (alone or in a cluster) or ``--assumeyes``."""
    return "y" in short_letters(command, RPM_TOOL_OPTIONS) or bool(
        long_option(command, "assumeyes")
    )


def rpm_unpinned(command: SimpleCommand) -> tuple[list[str], bool]:
    """The packages of a yum/dnf ``install`` without a version, and whether they are
    modules (``module install``: a module is pinned by its ``:stream``)."""
    packages = operands(command, RPM_TOOL_OPTIONS, ("install", "module"))
    if has_word(command, "module"):
        return [word.value for word in packages if ":" not in word.value], True
    return [word.value for word in packages if not rpm_versioned(word.value)], False
