"""DL3024: two stages share a name."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._stage_refs import from_line


class DuplicateStageName(Rule):
    """## What it does
    Flags a `FROM ... AS <name>` whose name an earlier stage already uses. Names are
    compared case-insensitively, because the builder lower-cases stage names
    (`AS Build` and `AS build` are the same stage to it); hadolint compares them as
    written.

    ## Why is this bad?
    The builder rejects a Dockerfile with two stages of the same name. Even where a
    tool accepts it, `COPY --from=<name>` and `FROM <name>` become ambiguous.
    """

    code = "DL3024"
    name = "duplicate-stage-name"
    summary = "FROM aliases (stage names) must be unique"
    severity = Severity.ERROR
    targets = frozenset({"FROM"})
    include_onbuild = False
    aliases = ("DuplicateStageName",)
    bad = "FROM node:22 AS build\nRUN npm ci\nFROM node:22 AS build\nRUN npm run build\n"
    good = "FROM node:22 AS deps\nRUN npm ci\nFROM node:22 AS build\nRUN npm run build\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        alias = from_line(instruction).alias
        stage = ctx.stage(instruction)
        if alias is None or stage is None or stage.name is None:
            return
        for earlier in ctx.stages[: stage.index]:
            if earlier.name == stage.name:
                yield self.violation(
                    alias.span, f"Stage name `{alias.value}` is already used by an earlier stage"
                )
                return
