"""Helpers shared by the rules that inspect the commands a ``RUN`` runs.

Option parsing the way command-line tools read it, the plain ``&&`` chain a fix may
append to, and what the base image of a stage is known to ship (bash, GNU wget).
Private to the pack: the module name starts with an underscore, so no rule is loaded
from it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping

from dfopt.rules_api import (
    Context,
    Instruction,
    ShellWord,
    SimpleCommand,
    Span,
    Stage,
    expand,
)

# -- commands and options ------------------------------------------------------------


def command_span(command: SimpleCommand) -> Span:
    """From the command name (after any ``VAR=value`` prefix) to the end of the command."""
    start = command.name.span.start if command.name is not None else command.span.start
    return Span(start, command.span.end)


def option_names(command: SimpleCommand) -> set[str]:
    """Every option a command is given: ``-xzf`` gives ``x``, ``z`` and ``f``, ``--file=a``
    gives ``file``. ``-`` and ``--`` are not options."""
    names: set[str] = set()
    for arg in command.args:
        value = arg.value
        if value in ("-", "--") or not value.startswith("-"):
            continue
        if value.startswith("--"):
            names.add(value[2:].split("=", 1)[0])
        else:
            names.update(value[1:])
    return names


def has_option(command: SimpleCommand, *names: str) -> bool:
    """True when the command has one of the options ``names`` (``q``, ``quiet``)."""
    return not option_names(command).isdisjoint(names)


def is_option(word: ShellWord) -> bool:
    return word.value.startswith("-") and word.value not in ("-", "--")


def operands(
    command: SimpleCommand,
    with_value: Collection[str] = (),
) -> list[ShellWord]:
    """The arguments that are not options nor the value of an option in ``with_value``.

    ``with_value`` names options that take a separate value (``i``, ``index-url``): the
    word after ``-i`` or ``--index-url`` is skipped, ``--index-url=URL`` and ``-iURL``
    carry their value inside the word.
    """
    found: list[ShellWord] = []
    skip = False
    for arg in command.args:
        value = arg.value
        if skip:
            skip = False
            continue
        if not is_option(arg):
            found.append(arg)
            continue
        if value.startswith("--"):
            skip = "=" not in value and value[2:] in with_value
            continue
        letters = value[1:]
        for index, letter in enumerate(letters):
            if letter in with_value:
                skip = index == len(letters) - 1
                break
    return found


def option_value(command: SimpleCommand, short: str, long: str) -> ShellWord | str | None:
    """The value of option ``-s VALUE`` / ``-sVALUE`` / ``--long VALUE`` / ``--long=VALUE``.

    A word is returned when the value is a word of its own, the text when it is attached
    to the option; None when the option is not given. The last occurrence wins.
    """
    found: ShellWord | str | None = None
    args = command.args
    for index, arg in enumerate(args):
        value = arg.value
        following = args[index + 1] if index + 1 < len(args) else None
        if value == "--":
            break
        if value == f"--{long}":
            found = following
        elif value.startswith(f"--{long}="):
            found = value.split("=", 1)[1]
        elif value.startswith("-") and not value.startswith("--") and short in value[1:]:
            rest = value[value.index(short, 1) + 1 :]
            found = rest if rest else following
    return found


_REFERENCE = r"\$\{?([A-Za-z_][A-Za-z0-9_]*)"
"""Compiled on first use (by ``re``), like ``_NO_SHELL_MARKERS``: quicker start-up."""


def variables_for(ctx: Context, instruction: Instruction) -> Mapping[str, str]:
    """ARG and ENV values in force when the RUN runs (for a trigger: at the stage's end)."""
    if ctx.onbuild:
        stage = ctx.stage(instruction)
        if stage is not None:
            return stage.final_state.variables
    return ctx.state(instruction).variables


def resolve(word: ShellWord, variables: Mapping[str, str]) -> str | None:
    """The word's value with ARG/ENV references expanded, or None when it depends on
    anything else (an undefined variable, a command substitution)."""
    if word.literal:
        return word.value
    value = word.value
    if "$(" in value or "`" in value:
        return None
    names = re.findall(_REFERENCE, value)
    if not names or any(name not in variables for name in names):
        return None
    return expand(value, variables)


def commands_of(ctx: Context, instruction: Instruction) -> Iterator[SimpleCommand]:
    """The reliably parsed commands the instruction runs, in source order."""
    return iter(ordered_commands(ctx, instruction))


def ordered_commands(ctx: Context, instruction: Instruction) -> tuple[SimpleCommand, ...]:
    """The reliably parsed commands the instruction runs, in source order (cached per file).

    A script's commands are parsed in script order, and script offsets map to source
    offsets in the same order, so one script needs no sort (nor the source spans a sort
    by position would work out).
    """
    commands = ctx.commands(instruction)
    if len(commands) < 2 or len(ctx.scripts(instruction)) < 2:
        return commands
    key = ("commands.ordered", id(instruction))
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = tuple(sorted(commands, key=_source_start))
    return found  # type: ignore[return-value]


def _source_start(command: SimpleCommand) -> int:
    return command.span.start


def _unquoted(text: str) -> str:
    # Faster than str.translate for these few characters.
    return (
        text.replace('"', "").replace("'", "").replace("\\", "").replace("\n", "").replace("$", "")
    )


def script_text(ctx: Context, instruction: Instruction) -> str:
    """The text of the scripts the instruction runs without quotes, backslashes, newlines
    and ``$`` (cached per file).

    A command's name, argument values, assignments and redirect targets are pieces of its
    script with at most these characters taken out, so a text free of them that is not
    in this one is in none of them: a cheap test before reading the commands' words.
    """
    key = ("commands.script_text", id(instruction))
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = "\n".join(
            _unquoted(source.script.text) for source in ctx.scripts(instruction)
        )
    return found  # type: ignore[return-value]


# -- plain `&&` chains ------------------------------------------------------------------


def crosses_comment(instruction: Instruction, span: Span) -> bool:
    """True when a comment line inside the instruction's continuation lies in ``span``."""
    return any(
        span.start < comment.end and comment.start < span.end
        for comment in instruction.effective.inner_comments + instruction.inner_comments
    )


def line_indent(ctx: Context, instruction: Instruction) -> str:
    """The whitespace before the instruction's keyword on its first line."""
    return ctx.text[instruction.span.start : instruction.keyword_span.start]


# -- base images -----------------------------------------------------------------------

# Official images (and a few well-known others) built on Debian, Ubuntu or an RPM
# distribution: they ship bash, and their wget (when installed) is GNU wget. Tags with
# "alpine", "busybox" and the like are excluded below.
_GNU_IMAGES = frozenset(
    {
        "almalinux",
        "amazoncorretto",
        "amazonlinux",
        "buildpack-deps",
        "centos",
        "clojure",
        "debian",
        "eclipse-temurin",
        "elixir",
        "erlang",
        "fedora",
        "gcc",
        "golang",
        "gradle",
        "haskell",
        "httpd",
        "ibmjava",
        "jenkins/jenkins",
        "jruby",
        "julia",
        "maven",
        "mongo",
        "mysql",
        "nginx",
        "node",
        "openjdk",
        "oraclelinux",
        "perl",
        "php",
        "postgres",
        "pypy",
        "python",
        "r-base",
        "rakudo-star",
        "redis",
        "rockylinux",
        "ruby",
        "rust",
        "sapmachine",
        "swift",
        "tomcat",
        "ubuntu",
        "continuumio/miniconda3",
        "continuumio/anaconda3",
        "nvidia/cuda",
        "rocker/r-ver",
        "dotnet/sdk",
        "dotnet/aspnet",
        "dotnet/runtime",
        "dotnet/runtime-deps",
        "ubi8/ubi",
        "ubi9/ubi",
        "ubi8/ubi-minimal",
        "ubi9/ubi-minimal",
        "ubi8",
        "ubi9",
        "redhat/ubi8",
        "redhat/ubi9",
        "redhat/ubi8-minimal",
        "redhat/ubi9-minimal",
    }
)
_NO_SHELL_MARKERS = r"alpine|busybox|distroless|chiseled|nanoserver|servercore|windows"


def _image_name(reference: str) -> tuple[str, str]:
    """Repository path without registry host or ``library/``, and the tag (lower case)."""
    reference = reference.lower().split("@", 1)[0]
    parts = reference.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    path = "/".join(parts)
    name, _, tag = path.partition(":")
    return name, tag


def root_image(stage: Stage) -> str:
    """The image reference at the root of the stage's ``FROM <stage>`` chain."""
    while stage.parent is not None:
        stage = stage.parent
    return stage.base


def gnu_userland(stage: Stage | None) -> bool:
    """True when the stage's base image is known to be a Debian, Ubuntu or RPM-based
    image (bash present, GNU tools), not Alpine, BusyBox, distroless or Windows."""
    if stage is None:
        return False
    reference = root_image(stage)
    if "$" in reference or not reference:
        return False
    name, tag = _image_name(reference)
    if name not in _GNU_IMAGES:
        return False
    return not re.search(_NO_SHELL_MARKERS, f"{name}:{tag}")


_INSTALLERS = {
    "apt-get": "install",
    "apt": "install",
    "yum": "install",
    "dnf": "install",
    "microdnf": "install",
    "zypper": "install",
    "apk": "add",
}


def installs_package(command: SimpleCommand, package: str) -> bool:
    """True when the command installs ``package`` with a system package manager."""
    subcommand = _INSTALLERS.get(command.command or "")
    if subcommand is None or subcommand not in command.arg_values:
        return False
    return any(value == package or value.startswith(package + "=") for value in command.arg_values)


def earlier_runs(ctx: Context, instruction: Instruction) -> Iterable[Instruction]:
    """RUN instructions before ``instruction`` in its stage and the stages it builds on."""
    stage = ctx.stage(instruction)
    chain: list[Stage] = []
    while stage is not None:
        chain.append(stage)
        stage = stage.parent
    first = True
    for current in chain:
        for candidate in current.instructions:
            if first and candidate is instruction:
                break
            if candidate.effective.keyword == "RUN" and not candidate.is_onbuild:
                yield candidate
        first = False
