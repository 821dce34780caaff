"""The build fingerprint: what a SAFE fix must leave unchanged.

Per stage, the ordered list of instructions with normalised arguments. RUN bodies are
flattened into their simple commands, so merging RUNs (or wrapping a body in a subshell)
keeps the fingerprint, while adding, dropping or changing a command does not. Comments,
whitespace, keyword case and line continuations are ignored. Operations that only affect
caches or logs (package index and cache cleanup, no-cache flags, progress options,
removing files the stage downloaded with curl or wget) are left out, since SAFE fixes may
add them; so are ``ADD``/``COPY`` and
``MAINTAINER``/authors-label spellings of the same thing.
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from dfopt.programs.cache_only import cache_only_stripped
from dfopt.semantics import Semantics, analyze, parse_assignments
from dfopt.shell import SimpleCommand, scripts_of
from dfopt.syntax import Document, Flag, Form, Instruction

Item = tuple[str, ...]

# Instructions of which only the last one in a stage takes effect.
_LAST_WINS = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"})


@dataclass(frozen=True)
class Fingerprint:
    stages: tuple[tuple[Item, ...], ...]

    def diff(self, other: Fingerprint) -> str | None:
        """A short description of the first difference, or None when equal."""
        if len(self.stages) != len(other.stages):
            return f"stage count {len(self.stages)} != {len(other.stages)}"
        for index, (mine, theirs) in enumerate(zip(self.stages, other.stages, strict=True)):
            if mine != theirs:
                for position, (a, b) in enumerate(zip(mine, theirs, strict=False)):
                    if a != b:
                        return f"stage {index}, item {position}: {a!r} != {b!r}"
                return f"stage {index}: {len(mine)} items != {len(theirs)} items"
        return None


def fingerprint(document: Document) -> Fingerprint:
    """Compute the build fingerprint of ``document``."""
    semantics = analyze(document)
    stage_names = frozenset(stage.name for stage in semantics.stages if stage.name)
    groups: list[list[Instruction]] = [list(semantics.global_instructions)]
    groups.extend(stage.instructions for stage in semantics.stages)
    stages = []
    for instructions in groups:
        items: list[Item] = []
        downloads: set[str] = set()
        last = {
            instruction.keyword: index
            for index, instruction in enumerate(instructions)
            if instruction.keyword in _LAST_WINS
        }
        for index, instruction in enumerate(instructions):
            if instruction.keyword in _LAST_WINS and last[instruction.keyword] != index:
                continue
            if instruction.keyword == "WORKDIR":
                state = semantics.state_of(instruction)
                resolved = _workdir_after(instruction, semantics)
                if resolved is not None and (state.workdir is not None or resolved.startswith("/")):
                    items.append(("WORKDIR", resolved))
                    continue
            workdir = semantics.state_of(instruction).workdir or ""
            items.extend(
                instruction_items(instruction, stage_names, downloads, document.escape, workdir)
            )
        stages.append(tuple(items))
    return Fingerprint(tuple(stages))


def instruction_items(
    instruction: Instruction,
    stage_names: frozenset[str] = frozenset(),
    downloads: set[str] | None = None,
    escape: str = "\\",
    workdir: str = "",
) -> list[Item]:
    """The fingerprint items of one instruction; ``downloads`` collects the files the
    stage's RUNs downloaded so far (removing them later is not a change to the image)."""
    if downloads is None:
        downloads = set()
    keyword = instruction.keyword
    flags = tuple(sorted(_flag_text(flag, stage_names) for flag in instruction.flags))
    prefix = ("ONBUILD",) if instruction.trigger is not None else ()
    target = instruction.effective
    keyword = target.keyword
    if keyword == "RUN" and target.form is Form.SHELL:
        scripts = scripts_of(instruction)
        if scripts and not any(source.script.has_errors for source in scripts):
            items: list[Item] = []
            for source in scripts:
                downloads.update(_downloads(source.script.commands, workdir))
                cwd = workdir
                for command in source.script.commands:
                    if command.command == "cd" and len(command.args) == 1:
                        cwd = _resolve(cwd, command.args[0].value)
                    if command.command == "rm" and _removes_only(
                        command, frozenset(downloads), cwd
                    ):
                        continue
                    words = _command_words(command.command, [a.value for a in command.args])
                    if words is None:
                        continue
                    items.append((*prefix, "RUN", *flags, *command.assignments, *words))
            return items
    if keyword == "ADD":
        keyword = "COPY"
    if keyword == "MAINTAINER":
        return [(*prefix, "LABEL", f"org.opencontainers.image.authors={target.args_text}")]
    if keyword in ("LABEL", "ENV", "ARG"):
        pairs = parse_assignments(target.args_text, legacy=keyword != "ARG", escape=escape)
        return [
            (*prefix, keyword, key if value is None else f"{key}={value}") for key, value in pairs
        ]
    if target.form is Form.EXEC and target.exec_args:
        args = tuple(word.value for word in target.exec_args)
        if keyword == "COPY":
            args = _copy_destination(args)
        return [(*prefix, keyword, *flags, "exec", *args)]
    words = tuple(word.value for word in target.words)
    if keyword == "FROM":
        words = tuple(word.lower() if word.lower() == "as" else word for word in words)
        if len(words) >= 3 and words[1] == "as":
            words = (words[0], "as", words[2].lower(), *words[3:])
        if words and words[0].lower() in stage_names:
            words = (words[0].lower(), *words[1:])
        flags = tuple(flag for flag in flags if flag not in _REDUNDANT_PLATFORM)
    if keyword == "EXPOSE":
        words = tuple(_container_port(word) for word in words)
    if keyword == "COPY":
        words = _copy_destination(words)
    heredocs = tuple(heredoc.content for heredoc in instruction.heredocs)
    return [(*prefix, keyword, *flags, *words, *heredocs)]


def _downloads(commands: Sequence[SimpleCommand], workdir: str = "") -> frozenset[str]:
    """Files curl or wget download in a script (temporary by nature), as paths resolved
    against the directory ``cd`` moved to (unknown directories stay relative)."""
    found: set[str] = set()
    cwd = workdir
    for command in commands:
        args = [arg.value for arg in command.args]
        urls = [arg.rsplit("/", 1)[-1] for arg in args if "://" in arg]
        if command.command == "cd" and len(args) == 1:
            cwd = _resolve(cwd, args[0])
        elif command.command == "curl":
            for option, value in itertools.pairwise(args):
                if option in ("-o", "--output"):
                    found.add(_resolve(cwd, value))
            short = "".join(arg[1:] for arg in args if arg.startswith("-") and arg[1:2] != "-")
            if "O" in short or "--remote-name" in args:
                found.update(_resolve(cwd, name) for name in urls)
        elif command.command == "wget":
            named = [value for option, value in itertools.pairwise(args) if option == "-O"]
            prefix = [value for option, value in itertools.pairwise(args) if option == "-P"]
            prefix += [
                arg.split("=", 1)[1] for arg in args if arg.startswith("--directory-prefix=")
            ]
            folder = _resolve(cwd, prefix[-1]) if prefix else cwd
            found.update(_resolve(cwd, name) for name in named)
            if not named:
                found.update(_resolve(folder, name) for name in urls)
    return frozenset(found)


def _resolve(cwd: str, path: str) -> str:
    if path.startswith(("/", "~", "$HOME")) or not cwd:
        return posixpath.normpath(path) if path else path
    return posixpath.normpath(posixpath.join(cwd, path))


def _removes_only(command: SimpleCommand, downloads: frozenset[str], cwd: str = "") -> bool:
    """True for an ``rm`` whose every operand is a file the same script downloaded."""
    targets = [arg.value for arg in command.args if not arg.value.startswith("-")]
    return bool(targets) and all(_resolve(cwd, target) in downloads for target in targets)


def _flag_text(flag: Flag, stage_names: frozenset[str]) -> str:
    """A flag's text, with references to stages in the case the builder compares them."""
    if flag.value is None:
        return flag.text
    if flag.name == "from" and flag.value.lower() in stage_names:
        return f"--from={flag.value.lower()}"
    if flag.name == "mount" and "from=" in flag.value.lower():
        parts = []
        for part in flag.value.split(","):
            key, sep, value = part.partition("=")
            if sep and key.strip().lower() == "from" and value.lower() in stage_names:
                part = f"{key}={value.lower()}"
            parts.append(part)
        return f"--mount={','.join(parts)}"
    return flag.text


def _container_port(word: str) -> str:
    """``[ip:][host:]port[/proto]`` as the image config records it: ``port/proto``."""
    if "$" in word:
        return word
    port, slash, protocol = word.partition("/")
    port = port.rsplit(":", 1)[-1]
    return f"{port}{slash}{protocol.lower()}"


def _command_words(name: str | None, args: list[str]) -> tuple[str, ...] | None:
    if name is None:
        return tuple(args)
    return cache_only_stripped(name, args)


_REDUNDANT_PLATFORM = frozenset({"--platform=$TARGETPLATFORM", "--platform=${TARGETPLATFORM}"})


def _copy_destination(words: tuple[str, ...]) -> tuple[str, ...]:
    """With several sources the destination is a directory: a trailing ``/`` is implied."""
    sources = words[:-1]
    if len(sources) < 2 or not words:
        return words
    destination = words[-1]
    if len(destination) >= 2 and destination[0] == destination[-1] and destination[0] in "\"'":
        destination = destination[1:-1]
    if destination.endswith("/") and destination != "/":
        destination = destination.rstrip("/")
    return (*words[:-1], destination)


def _workdir_after(instruction: Instruction, semantics: Semantics) -> str | None:
    """The absolute working directory after a WORKDIR, when it can be resolved."""
    stage = semantics.stage_of(instruction)
    if stage is None:
        return None
    items = stage.instructions
    index = next(i for i, candidate in enumerate(items) if candidate is instruction)
    after = stage.states[index + 1] if index + 1 < len(stage.states) else stage.final_state
    return after.workdir
