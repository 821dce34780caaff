"""DL3044: an ENV value refers to a variable set by the same ENV."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Span,
    Violation,
)
from dfopt_rules._instructions import NameValue, Reference, name_values, references


class EnvSameInstructionReference(Rule):
    """## What it does
    Flags an `ENV` in which one value refers to a variable that the same `ENV` sets
    (`ENV APP_HOME=/srv/app APP_BIN=$APP_HOME/bin`), as hadolint's DL3044 does. A value
    that refers to its own name (`ENV PATH=/opt/bin:$PATH`) is fine, and so is a reference
    to a variable already set before the instruction, in the stage or the stage it builds
    on (then the author may well want the earlier value).

    dfopt reads the references as the builder does, so it also catches `${APP_HOME:-/srv}`
    and ignores `'$APP_HOME'` (single quotes) and `\\$APP_HOME` (escaped), where hadolint
    does the opposite. "Set before" follows the stage's scope: a variable set in an
    unrelated earlier stage, or a global `ARG` not declared again in the stage, is empty
    here, so referring to it is reported (hadolint counts any earlier `ARG` or `ENV` of the
    file). `ONBUILD ENV` is checked too, counting only `ENV` variables as set before.

    ## Why is this bad?
    The builder expands every value of an `ENV` with the variables as they were *before*
    the instruction. In the example above `APP_BIN` becomes `/bin`, not `/srv/app/bin`,
    which is rarely what the author meant.

    ## Fix safety
    When the reference comes after the assignment it refers to, the fix splits the `ENV`
    in two just before the referring assignment
    (`ENV APP_HOME=/srv/app` then `ENV APP_BIN=$APP_HOME/bin`), so the reference sees the
    new value, as its author most likely intended. This is unsafe because it changes the
    result: the variable gets a different value than the original instruction gave it
    (`/srv/app/bin` instead of `/bin`), and every later instruction sees that value. When
    the reference comes before the assignment (`ENV A=$B B=1`) no fix is offered: only the
    author knows which value was meant. No fix either when a comment line sits where the
    split would go.
    """

    code = "DL3044"
    name = "env-same-instruction-reference"
    summary = "Do not refer to an environment variable within the same ENV statement"
    severity = Severity.ERROR
    targets = frozenset({"ENV"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = "FROM alpine:3.20\nENV APP_HOME=/srv/app APP_BIN=$APP_HOME/bin\n"
    good = "FROM alpine:3.20\nENV APP_HOME=/srv/app\nENV APP_BIN=$APP_HOME/bin\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        pairs = name_values(target, ctx.escape)
        if len(pairs) < 2 or pairs[0].value is None:
            return
        state = ctx.state(instruction)
        known = set(state.env) if ctx.onbuild else set(state.variables)
        defined: dict[str, list[int]] = {}
        for index, pair in enumerate(pairs):
            defined.setdefault(pair.key, []).append(index)
        # (index of the referring pair, index of the defining pair, the reference)
        conflicts: list[tuple[int, int, Reference]] = []
        for index, pair in enumerate(pairs):
            if pair.value is None:
                continue
            for reference in references(pair.value, ctx.escape):
                if reference.name in known:
                    continue
                for other in defined.get(reference.name, ()):
                    if other != index:
                        conflicts.append((index, other, reference))
        if not conflicts:
            return
        referring, _defining, reference = min(
            conflicts, key=lambda item: (max(item[0], item[1]), item[1] > item[0])
        )
        pair = pairs[referring]
        start = target.logical.to_source(pair.value_offset + reference.start)
        end = target.logical.to_source(pair.value_offset + reference.end - 1) + 1
        # Split before the first assignment that reads a value set earlier in the ENV.
        backward = [item[0] for item in conflicts if item[1] < item[0]]
        fix = self._split(instruction, pairs, min(backward), ctx) if backward else None
        yield self.violation(
            Span(start, end),
            f"`{pair.key}` refers to `{reference.name}`, which the same `ENV` sets; it gets "
            "the value from before the instruction",
            fix,
        )

    @staticmethod
    def _split(
        instruction: Instruction, pairs: list[NameValue], index: int, ctx: Context
    ) -> Fix | None:
        gap = Span(pairs[index - 1].span.end, pairs[index].span.start)
        target = instruction.effective
        if any(gap.start < line.end and line.start < gap.end for line in target.inner_comments):
            return None
        prefix = ctx.slice(target.keyword_span)
        if instruction is not target:
            prefix = f"{ctx.slice(instruction.keyword_span)} {prefix}"
        newline = ctx.newline_of(instruction)
        return Fix.unsafe(
            f"Split the `ENV` before `{pairs[index].key}` so it sees the new value",
            [Edit.replace(gap, f"{newline}{prefix} ")],
        )
