"""Reading builder output: which build steps came from the cache, and history rows.

Buildah and podman print ``STEP 3/7: RUN ...`` (``[1/2] STEP 3/7: ...`` in multi-stage
builds) and ``--> Using cache <id>`` under a step they did not run. BuildKit's plain
progress prints ``#7 [2/4] RUN ...`` and later ``#7 CACHED`` for such a step. Image
history rows record the instruction in ``CreatedBy`` in each builder's own spelling;
:func:`instruction_of` turns them back into Dockerfile instructions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dfopt.measure.builders import StepOutcome

__all__ = ["StepTracker", "buildah_steps", "buildkit_steps", "instruction_of"]

_BUILDAH_STEP = re.compile(r"^(?:\[[^\]]*\]\s+)?STEP \d+(?:/\d+)?: (?P<instruction>.*)$")
_BUILDAH_CACHE = re.compile(r"^--> Using cache\b")
_BUILDKIT_STEP = re.compile(r"^#(?P<id>\d+) \[(?:[^\]\s]+ )?\d+/\d+\] (?P<instruction>.*)$")
_BUILDKIT_CACHED = re.compile(r"^#(?P<id>\d+) CACHED\s*$")
_SHELL_PREFIX = re.compile(r"^(?:\|\d+(?: \S+=\S*)* )?/bin/sh -c ")
_NOP = re.compile(r"^(?:\|\d+(?: \S+=\S*)* )?/bin/sh -c #\(nop\)\s*")
_BUILDKIT_SUFFIX = " # buildkit"


class StepTracker:
    """Follows a build's output line by line; ``current`` is the step being built."""

    def __init__(self) -> None:
        self.current: str | None = None

    def feed(self, line: str) -> str | None:
        """Take one output line; return the instruction when the line starts a step."""
        for pattern in (_BUILDAH_STEP, _BUILDKIT_STEP):
            match = pattern.match(line.strip())
            if match:
                instruction = match.group("instruction").strip()
                self.current = instruction
                return instruction
        return None


def buildah_steps(lines: Iterable[str]) -> list[StepOutcome]:
    """The steps of a buildah or podman build and whether each was cached."""
    steps: list[list[object]] = []
    for raw in lines:
        line = raw.strip()
        match = _BUILDAH_STEP.match(line)
        if match:
            steps.append([match.group("instruction").strip(), False])
        elif _BUILDAH_CACHE.match(line) and steps:
            steps[-1][1] = True
    return [StepOutcome(str(instruction), bool(cached)) for instruction, cached in steps]


def buildkit_steps(lines: Iterable[str]) -> list[StepOutcome]:
    """The steps of a BuildKit build (``--progress=plain``) and whether each was cached."""
    order: list[str] = []
    instructions: dict[str, str] = {}
    cached: set[str] = set()
    for raw in lines:
        line = raw.strip()
        match = _BUILDKIT_STEP.match(line)
        if match:
            step_id = match.group("id")
            if step_id not in instructions:
                order.append(step_id)
            instructions[step_id] = match.group("instruction").strip()
            continue
        match = _BUILDKIT_CACHED.match(line)
        if match:
            cached.add(match.group("id"))
    return [StepOutcome(instructions[step_id], step_id in cached) for step_id in order]


def instruction_of(created_by: str) -> str:
    """The Dockerfile instruction an image history row records, in Dockerfile spelling.

    ``/bin/sh -c #(nop) CMD ["x"]`` gives ``CMD ["x"]``, ``/bin/sh -c make`` gives
    ``RUN make`` and BuildKit's ``RUN /bin/sh -c make # buildkit`` gives ``RUN make``.
    """
    text = created_by.strip()
    if text.endswith(_BUILDKIT_SUFFIX):
        text = text[: -len(_BUILDKIT_SUFFIX)].rstrip()
    nop = _NOP.match(text)
    if nop:
        return text[nop.end() :].strip()
    if text.startswith("RUN "):
        body = text[4:]
        shell = _SHELL_PREFIX.match(body)
        return "RUN " + (body[shell.end() :] if shell else body).strip()
    shell = _SHELL_PREFIX.match(text)
    if shell:
        return "RUN " + text[shell.end() :].strip()
    return text
