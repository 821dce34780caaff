"""DL3057: a stage has no HEALTHCHECK."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Rule, Severity, Stage, Violation
from dfopt_rules._stage_refs import parse_image


def _own_name(stage: Stage) -> str:
    """What later FROM lines call the stage: its alias, else its image name."""
    if stage.name is not None:
        return stage.name
    return parse_image(stage.base.lower()).path


def _has_healthcheck(stage: Stage) -> bool:
    return any(instruction.keyword == "HEALTHCHECK" for instruction in stage.instructions)


class MissingHealthcheck(Rule):
    """## What it does
    Flags each stage that has no `HEALTHCHECK` (a `HEALTHCHECK NONE` counts) and
    does not get one through the stages it is built on or that are built on it, as
    hadolint does: a stage built `FROM` a stage with a HEALTHCHECK inherits it, and a
    stage that a later stage with a HEALTHCHECK is built `FROM` counts as covered.
    Like hadolint, an unnamed stage is known by its image name (`FROM node:22` is
    `node`). Off by default.

    ## Why is this bad?
    Without a HEALTHCHECK the container runtime only knows whether the process is
    running, not whether it still answers; a hung server stays "up" and keeps receiving
    traffic. Orchestrators that use their own probes do not need it, hence off by
    default.
    """

    code = "DL3057"
    name = "missing-healthcheck"
    summary = "HEALTHCHECK instruction missing"
    severity = Severity.INFO
    enabled_by_default = False
    bad = "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n"
    good = (
        "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n"
        "HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1\n"
    )

    def finish(self, ctx: Context) -> Iterator[Violation]:
        own: dict[int, str] = {}
        source: dict[int, str] = {}
        good_names: set[str] = set()
        bad: list[Stage] = []
        for stage in ctx.stages:
            own[stage.index] = _own_name(stage)
            source[stage.index] = parse_image(stage.base.lower()).path
            checked = _has_healthcheck(stage)
            if not checked and source[stage.index] not in good_names:
                bad.append(stage)
                continue
            good_names.add(own[stage.index])
            if not checked:
                continue
            # The stages it is built on (named by its base, transitively) are covered too.
            wanted = {source[stage.index]}
            while wanted and bad:
                found = [other for other in bad if own[other.index] in wanted]
                for other in found:
                    bad.remove(other)
                    good_names.add(own[other.index])
                wanted = {source[other.index] for other in found}
        for stage in sorted(bad, key=lambda item: item.index):
            instruction = stage.from_instruction
            if instruction is None:
                continue
            label = f"`{stage.name}`" if stage.name else f"{stage.index} (`{stage.base_raw}`)"
            yield self.violation(instruction.keyword_span, f"Stage {label} has no `HEALTHCHECK`")
