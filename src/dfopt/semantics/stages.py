"""Stages and the per-stage state (ARG, ENV, SHELL, WORKDIR, USER) before each instruction."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from dfopt.semantics.expand import expand, process_word
from dfopt.syntax._record import record, set_field
from dfopt.syntax.document import Document
from dfopt.syntax.lexing import name_value_words
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
# The builder splits the legacy `ENV key value` form at the first run of these blanks.
_TOKEN_SPLIT = re.compile(r"[\t\v\f\r ]+")


@record()
class State:
    """What is in force before an instruction runs. Shared between instructions until it changes."""

    __slots__ = ("args", "env", "shell", "user", "workdir")

    args: Mapping[str, str]
    env: Mapping[str, str]
    shell: tuple[str, ...]
    workdir: str | None
    """The absolute working directory, or None while it is the base image's (unknown)."""
    user: str | None
    """The last USER of the stage or its parent stages, or None (the base image's)."""

    def __init__(
        self,
        args: Mapping[str, str] = _EMPTY,
        env: Mapping[str, str] = _EMPTY,
        shell: tuple[str, ...] = DEFAULT_SHELL,
        workdir: str | None = None,
        user: str | None = None,
    ) -> None:
        set_field(self, "args", args)
        set_field(self, "env", env)
        set_field(self, "shell", shell)
        set_field(self, "workdir", workdir)
        set_field(self, "user", user)

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


_WINDOWS_MARKS = ("windows", "nanoserver", "servercore", "ltsc20")


class Stage:
    """One build stage, from its FROM to the next."""

    __slots__ = (
        "base",
        "base_raw",
        "final_state",
        "from_instruction",
        "index",
        "instructions",
        "name",
        "parent",
        "states",
    )

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
    instructions: list[Instruction]
    states: list[State]
    """``states[i]`` is what is in force before ``instructions[i]``."""
    final_state: State

    def __init__(
        self,
        index: int,
        from_instruction: Instruction | None,
        name: str | None,
        base: str,
        base_raw: str,
        parent: Stage | None,
        instructions: list[Instruction] | None = None,
        states: list[State] | None = None,
        final_state: State | None = None,
    ) -> None:
        self.index = index
        self.from_instruction = from_instruction
        self.name = name
        self.base = base
        self.base_raw = base_raw
        self.parent = parent
        self.instructions = [] if instructions is None else instructions
        self.states = [] if states is None else states
        self.final_state = State() if final_state is None else final_state

    @property
    def is_scratch(self) -> bool:
        return self.base.lower() == "scratch"

    @property
    def may_be_windows(self) -> bool:
        """The stage's image may be a Windows one (its root base names Windows, Nano
        Server or Server Core, or is not known after ARG expansion): RUN bodies then go
        to ``cmd``, where ``( )`` is no subshell."""
        stage: Stage = self
        while stage.parent is not None:
            stage = stage.parent
        base = stage.base.lower()
        return "$" in base or any(mark in base for mark in _WINDOWS_MARKS)

    def builds_on(self, ancestor: Stage) -> bool:
        """True when this stage is built on ``ancestor``, directly or through others."""
        parent = self.parent
        while parent is not None:
            if parent is ancestor:
                return True
            parent = parent.parent
        return False

    def state_before(self, instruction: Instruction) -> State:
        for index, candidate in enumerate(self.instructions):
            if candidate is instruction:
                return self.states[index]
        raise ValueError("instruction not in stage")


class Semantics:
    """Stages of a document and the state before each instruction."""

    __slots__ = ("_owner", "document", "global_args", "global_instructions", "stages")

    document: Document
    global_args: dict[str, str]
    global_instructions: list[Instruction]
    stages: list[Stage]
    _owner: dict[int, tuple[Stage | None, State]]

    def __init__(
        self,
        document: Document,
        global_args: dict[str, str],
        global_instructions: list[Instruction],
        stages: list[Stage],
        _owner: dict[int, tuple[Stage | None, State]],
    ) -> None:
        self.document = document
        self.global_args = global_args
        self.global_instructions = global_instructions
        self.stages = stages
        self._owner = _owner

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


def raw_assignments(text: str, legacy: bool, escape: str = "\\") -> list[tuple[str, str | None]]:
    """Split ARG/ENV/LABEL arguments into ``(key, value)`` pairs, quotes still in place.

    Words are split as the builder splits them (quotes and the escape character keep white
    space inside a word); each word is cut at its first ``=``. With ``legacy`` the old
    ``ENV key value with spaces`` form is accepted: the key is the first word and the value
    everything after it. A word without ``=`` gives a None value (``ARG NAME``).
    """
    words = name_value_words(text, escape)
    if legacy and words and "=" not in words[0]:
        parts = _TOKEN_SPLIT.split(text.strip(), maxsplit=1)
        return [(parts[0], parts[1] if len(parts) > 1 else "")]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        pairs.append((key, value if sep else None))
    return pairs


def parse_assignments(text: str, legacy: bool, escape: str = "\\") -> list[tuple[str, str | None]]:
    """Parse ``key=value`` pairs of ARG/ENV/LABEL with quotes and escapes removed.

    Variables are not substituted (they are kept as written). With ``legacy`` a single
    ``key value`` pair (the old ENV form) is accepted.
    """
    return list(_parsed_assignments(text, legacy, escape))


@lru_cache(maxsize=1024)
def _parsed_assignments(text: str, legacy: bool, escape: str) -> tuple[tuple[str, str | None], ...]:
    return tuple(
        (
            process_word(key, _EMPTY, escape, keep_unset=True),
            None if value is None else process_word(value, _EMPTY, escape, keep_unset=True),
        )
        for key, value in raw_assignments(text, legacy, escape)
    )


def analyze(document: Document) -> Semantics:
    """Work out stages and per-instruction state for ``document``."""
    global_args: dict[str, str] = {}
    declared_global: set[str] = set()
    global_instructions: list[Instruction] = []
    stages: list[Stage] = []
    owner: dict[int, tuple[Stage | None, State]] = {}
    stage: Stage | None = None
    state = State()
    escape = document.escape
    for instruction in document.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            if stage is not None:
                stage.final_state = state
            stage = _new_stage(instruction, len(stages), stages, global_args, escape)
            stages.append(stage)
            parent = stage.parent
            base_state = parent.final_state if parent is not None else State()
            state = State(
                _EMPTY, base_state.env, base_state.shell, base_state.workdir, base_state.user
            )
            stage.instructions.append(instruction)
            stage.states.append(state)
            owner[id(instruction)] = (stage, state)
            continue
        if stage is None:
            global_instructions.append(instruction)
            owner[id(instruction)] = (None, State(args=MappingProxyType(dict(global_args))))
            if keyword == "ARG":
                # Defaults of global ARGs may use the platform ARGs and earlier global ARGs.
                variables = {**PLATFORM_ARGS, **global_args}
                for key, value in raw_assignments(instruction.args_text, False, escape):
                    declared_global.add(key)
                    resolved = "" if value is None else process_word(value, variables, escape)
                    global_args[key] = resolved
                    variables[key] = resolved
            continue
        stage.instructions.append(instruction)
        stage.states.append(state)
        owner[id(instruction)] = (stage, state)
        state = _apply(instruction, state, global_args, escape)
    if stage is not None:
        stage.final_state = state
    return Semantics(document, global_args, global_instructions, stages, owner)


def _new_stage(
    instruction: Instruction,
    index: int,
    stages: list[Stage],
    global_args: dict[str, str],
    escape: str,
) -> Stage:
    words = [word.value for word in instruction.words]
    base_raw = words[0] if words else ""
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    variables = dict(PLATFORM_ARGS)
    variables.update(global_args)
    base = process_word(base_raw, variables, escape)
    parent = None
    lowered = base.lower()
    for earlier in stages:
        if earlier.name is not None and earlier.name == lowered:
            parent = earlier
    return Stage(index, instruction, name, base, base_raw, parent)


def _apply(
    instruction: Instruction, state: State, global_args: Mapping[str, str], escape: str
) -> State:
    keyword = instruction.keyword
    if keyword == "ARG":
        args = dict(state.args)
        variables = state.variables
        for key, value in raw_assignments(instruction.args_text, False, escape):
            if value is not None:
                args[key] = process_word(value, variables, escape)
            elif key in global_args:
                args[key] = global_args[key]
            elif key in PLATFORM_ARGS:
                args[key] = PLATFORM_ARGS[key]
            else:
                args[key] = ""
        return State(MappingProxyType(args), state.env, state.shell, state.workdir, state.user)
    if keyword == "ENV":
        env = dict(state.env)
        # Every value of one ENV sees the variables as they were before it.
        variables = state.variables
        for key, value in raw_assignments(instruction.args_text, True, escape):
            name = process_word(key, variables, escape)
            env[name] = process_word(value or "", variables, escape)
        return State(state.args, MappingProxyType(env), state.shell, state.workdir, state.user)
    if keyword == "SHELL" and instruction.form is Form.EXEC:
        shell = tuple(word.value for word in instruction.exec_args)
        return State(state.args, state.env, shell, state.workdir, state.user)
    if keyword == "WORKDIR":
        path = process_word(instruction.args_text, state.variables, escape)
        if path.startswith("/"):
            workdir = posixpath.normpath(path)
        elif state.workdir is not None:
            workdir = posixpath.normpath(posixpath.join(state.workdir, path))
        else:
            return state
        return State(state.args, state.env, state.shell, workdir, state.user)
    if keyword == "USER":
        user = process_word(instruction.args_text, state.variables, escape)
        return State(state.args, state.env, state.shell, state.workdir, user)
    return state
