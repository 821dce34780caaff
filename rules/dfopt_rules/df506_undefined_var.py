"""DF506: a variable used before any ARG or ENV defines it."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Span, Violation
from dfopt_rules._buildkit import (
    NON_ENV_ARGS,
    inherited_arg_names,
    logical_span,
    root_stage,
    suggest,
    variable_references,
)

# Variables the builder always sets.
_ALWAYS_SET = ("PATH",)
# Flags whose values the builder expands.
_EXPANDED_FLAGS = frozenset({"chown", "chmod"})


class UndefinedVar(Rule):
    """## What it does
    Flags `$VAR` / `${VAR}` in instructions the builder expands (`ADD`, `COPY`, `ENV`,
    `ARG` defaults, `LABEL`, `EXPOSE`, `USER`, `VOLUME`, `WORKDIR`, `STOPSIGNAL`) when no
    `ARG` or `ENV` of the stage (or of the stages it builds on) defines it. When a defined
    name is close, the message suggests it: `$PAHT` (did you mean `$PATH`?). Shell-form
    `RUN`, `CMD` and `ENTRYPOINT` are not checked: their variables belong to the shell.
    This is BuildKit's `UndefinedVar` check.

    Offline, the base image's environment is unknown. When the stage builds on an
    external image (not `scratch`), a variable is therefore only reported when it looks
    like a typo of a defined one; on `scratch`, every undefined variable is reported.

    ## Why is this bad?
    An undefined variable expands to nothing without any error: `COPY $SRC_DIR /app`
    copies the whole context, and `ENV PATH=$PAHT:/app/bin` wipes the `PATH`. Declare
    the variable with `ARG` (or `ENV`) before using it, or fix the typo.
    """

    code = "DF506"
    name = "undefined-var"
    summary = "Variables should be defined before their use"
    severity = Severity.WARNING
    targets = frozenset(
        {"ADD", "COPY", "ENV", "ARG", "LABEL", "EXPOSE", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL"}
    )
    include_onbuild = False
    aliases = ("UndefinedVar",)
    bad = "FROM alpine:3.20\nENV PATH=$PAHT:/app/bin\n"
    good = "FROM alpine:3.20\nENV PATH=$PATH:/app/bin\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        # Only text with a `$` can refer to a variable: most instructions stop here.
        places: list[tuple[str, Span | None, int]] = []
        for flag in instruction.flags:
            if flag.name in _EXPANDED_FLAGS and flag.value and "$" in flag.value:
                places.append((ctx.slice(flag.span), None, flag.span.start))
        if "$" in instruction.args_text:
            places.append((instruction.args_text, Span(0, 0), 0))
        if not places:
            return
        stage = ctx.stage(instruction)
        if stage is None:
            return
        if instruction.keyword == "ARG" and not any("=" in w.value for w in instruction.words):
            return
        state = ctx.state(instruction)
        defined = list(state.variables)
        defined.extend(name for name in _ALWAYS_SET if name not in state.variables)
        defined.extend(sorted(inherited_arg_names(stage) - set(defined)))
        known = set(defined)
        typo_only = not root_stage(stage).is_scratch
        keys_at: list[tuple[int, str]] = []
        if instruction.keyword == "ARG":
            position = 0
            for word in instruction.words:
                key = word.value.split("=", 1)[0]
                position = instruction.args_text.find(key, position)
                keys_at.append((position, key))
        for text, logical, offset in places:
            for reference in variable_references(text, ctx.escape):
                name = reference.name
                if name in known or name in NON_ENV_ARGS:
                    continue
                if logical is not None and any(
                    key == name and at < reference.start for at, key in keys_at
                ):
                    continue
                near = suggest(name, defined)
                if near is None and typo_only:
                    continue
                message = f"Usage of undefined variable `${name}`"
                if near is not None:
                    message += f" (did you mean `${near}`?)"
                if logical is not None:
                    span = logical_span(instruction, reference.start, reference.end)
                else:
                    span = Span(offset + reference.start, offset + reference.end)
                yield self.violation(span, message)
