"""Stages and the per-stage state (ARG, ENV, SHELL, WORKDIR, USER) before each instruction."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from dfopt.semantics.expand import expand
from dfopt.syntax.document import Document
from dfopt.syntax.lexing import shell_words
from dfopt.syntax.nodes import Form, Instruction

DEFAULT_SHELL: tuple[str, ...] = ("/bin/sh", "-c")
# ARGs the builder defines for every FROM line.
PLATFORM_ARGS: Mapping[str, str] = MappingProxyType(
    {
        "BUILDPLATFORM": "linux/amd64",
        "BUILDOS": "linux",
        "BUILDARCH": "amd64",
        "BUILDVARIANT": "",
        "TARGETPLATFORM": "linux/amd64",
        "TARGETOS": "linux",
        "TARGETARCH": "amd64",
        "TARGETVARIANT": "",
    }
)
_EMPTY: Mapping[str, str] = MappingProxyType({})


def _empty() -> Mapping[str, str]:
    return _EMPTY


@dataclass(frozen=True)
class State:
    """What is in force before an instruction runs. Shared between instructions until it changes."""

    args: Mapping[str, str] = field(default_factory=_empty)
    env: Mapping[str, str] = field(default_factory=_empty)
    shell: tuple[str, ...] = DEFAULT_SHELL
    workdir: str | None = None
    """The absolute working directory, or None while it is the base image's (unknown)."""
    user: str | None = None
    """The last USER of the stage or its parent stages, or None (the base image's)."""

    @property
    def variables(self) -> Mapping[str, str]:
        """ARG and ENV values as seen by expansion (ENV wins)."""
        if not self.args:
            return self.env
        merged = dict(self.args)
        merged.update(self.env)
        return merged

    @property
    def shell_is_posix(self) -> bool:
        """True when RUN bodies go to a POSIX-like shell (not PowerShell or cmd)."""
        if not self.shell:
            return True
        program = self.shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        return program in ("sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "mksh")


@dataclass
class Stage:
    """One build stage, from its FROM to the next."""

    index: int
    from_instruction: Instruction | None
    """None for instructions before the first FROM (the global scope)."""
    name: str | None
    """The stage alias, lower-cased as the builder does."""
    base: str
    """The base image after ARG expansion with defaults."""
    base_raw: str
    parent: Stage | None
    """The earlier stage this one builds on (``FROM builder``), if any."""
    instructions: list[Instruction] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    """``states[i]`` is what is in force before ``instructions[i]``."""
    final_state: State = field(default_factory=State)

    @property
    def is_scratch(self) -> bool:
        return self.base.lower() == "scratch"

    def state_before(self, instruction: Instruction) -> State:
        for index, candidate in enumerate(self.instructions):
            if candidate is instruction:
                return self.states[index]
        raise ValueError("instruction not in stage")


@dataclass
class Semantics:
    """Stages of a document and the state before each instruction."""

    document: Document
    global_args: dict[str, str]
    global_instructions: list[Instruction]
    stages: list[Stage]
    _owner: dict[int, tuple[Stage | None, State]]

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_of(self, instruction: Instruction) -> Stage | None:
        entry = self._owner.get(id(instruction))
        return entry[0] if entry else None

    def state_of(self, instruction: Instruction) -> State:
        entry = self._owner.get(id(instruction))
        return entry[1] if entry else State()

    def stage_named(self, name: str) -> Stage | None:
        lowered = name.lower()
        for stage in self.stages:
            if stage.name == lowered:
                return stage
        if lowered.isdigit() and int(lowered) < len(self.stages):
            return self.stages[int(lowered)]
        return None

    def is_final(self, stage: Stage) -> bool:
        return bool(self.stages) and stage is self.stages[-1]

    def descendants_used(self) -> set[int]:
        """Indexes of stages used by a later ``FROM <stage>`` or ``COPY --from=<stage>``."""
        used: set[int] = set()
        for stage in self.stages:
            if stage.parent is not None:
                used.add(stage.parent.index)
            for instruction in stage.instructions:
                target = instruction.effective
                if target.keyword in ("COPY", "ADD"):
                    source = target.flag("from")
                    if source and source.value:
                        state = stage.state_before(instruction)
                        ref = self.stage_named(expand(source.value, state.variables))
                        if ref is not None:
                            used.add(ref.index)
        return used


def parse_assignments(text: str, legacy: bool) -> list[tuple[str, str | None]]:
    """Parse ``key=value`` pairs of ARG/ENV/LABEL (quotes removed).

    With ``legacy`` a single ``key value`` pair (the old ENV form) is accepted.
    """
    words = shell_words(text, raw=False)
    if words is None:
        words = text.split()
    if legacy and words and "=" not in words[0]:
        raw = text.split(None, 1)
        value = raw[1] if len(raw) > 1 else ""
        cooked = shell_words(value, raw=False)
        return [(words[0], " ".join(cooked) if cooked is not None else value)]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        pairs.append((key, value if sep else None))
    return pairs


def analyze(document: Document) -> Semantics:
    """Work out stages and per-instruction state for ``document``."""
    global_args: dict[str, str] = {}
    declared_global: set[str] = set()
    global_instructions: list[Instruction] = []
    stages: list[Stage] = []
    owner: dict[int, tuple[Stage | None, State]] = {}
    stage: Stage | None = None
    state = State()
    for instruction in document.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            if stage is not None:
                stage.final_state = state
            stage = _new_stage(instruction, len(stages), stages, global_args)
            stages.append(stage)
            parent = stage.parent
            base_state = parent.final_state if parent is not None else State()
            state = replace(base_state, args=_EMPTY)
            stage.instructions.append(instruction)
            stage.states.append(state)
            owner[id(instruction)] = (stage, state)
            continue
        if stage is None:
            global_instructions.append(instruction)
            owner[id(instruction)] = (None, State(args=MappingProxyType(dict(global_args))))
            if keyword == "ARG":
                for key, value in parse_assignments(instruction.args_text, legacy=False):
                    declared_global.add(key)
                    resolved = expand(value, global_args) if value is not None else ""
                    global_args[key] = _unquote(resolved)
            continue
        stage.instructions.append(instruction)
        stage.states.append(state)
        owner[id(instruction)] = (stage, state)
        state = _apply(instruction, state, global_args, declared_global)
    if stage is not None:
        stage.final_state = state
    return Semantics(document, global_args, global_instructions, stages, owner)


def _new_stage(
    instruction: Instruction, index: int, stages: list[Stage], global_args: dict[str, str]
) -> Stage:
    words = [word.value for word in instruction.words]
    base_raw = words[0] if words else ""
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    variables = dict(PLATFORM_ARGS)
    variables.update(global_args)
    base = expand(base_raw, variables)
    parent = None
    lowered = base.lower()
    for earlier in stages:
        if earlier.name is not None and earlier.name == lowered:
            parent = earlier
    return Stage(index, instruction, name, base, base_raw, parent)


def _apply(
    instruction: Instruction, state: State, global_args: Mapping[str, str], declared: set[str]
) -> State:
    keyword = instruction.keyword
    if keyword == "ARG":
        args = dict(state.args)
        variables = state.variables
        for key, value in parse_assignments(instruction.args_text, legacy=False):
            if value is not None:
                args[key] = _unquote(expand(value, variables))
            elif key in global_args:
                args[key] = global_args[key]
            elif key in PLATFORM_ARGS:
                args[key] = PLATFORM_ARGS[key]
            else:
                args[key] = ""
        return replace(state, args=MappingProxyType(args))
    if keyword == "ENV":
        env = dict(state.env)
        variables = state.variables
        for key, value in parse_assignments(instruction.args_text, legacy=True):
            env[key] = expand(value or "", variables)
        return replace(state, env=MappingProxyType(env))
    if keyword == "SHELL" and instruction.form is Form.EXEC:
        return replace(state, shell=tuple(word.value for word in instruction.exec_args))
    if keyword == "WORKDIR":
        path = expand(instruction.args_text, state.variables).strip("\"'")
        if path.startswith("/"):
            return replace(state, workdir=posixpath.normpath(path))
        if state.workdir is not None:
            return replace(state, workdir=posixpath.normpath(posixpath.join(state.workdir, path)))
        return state
    if keyword == "USER":
        return replace(state, user=expand(instruction.args_text, state.variables))
    return state


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
