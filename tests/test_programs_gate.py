"""``Rule.programs``: a RUN rule about some programs only sees the RUNs that run them."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

from dfopt.engine.linter import lint_document
from dfopt.engine.registry import build_registry
from dfopt.engine.selection import select_rules
from dfopt.rules_api import Context, Instruction, Rule, Violation
from dfopt.syntax import parse

SEEN: list[str] = []


class AptOnly(Rule):
    """Test rule: records every RUN it is shown and reports each one."""

    code = "XP001"
    name = "apt-only"
    summary = "Test rule"
    targets = frozenset({"RUN", "COPY"})
    programs = frozenset({"apt-get", "apt"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        SEEN.append(ctx.slice(instruction.span).strip())
        yield self.violation(instruction.keyword_span, "Seen")


class EveryRun(Rule):
    """Test rule without programs: sees every RUN."""

    code = "XP002"
    name = "every-run"
    summary = "Test rule"
    targets = frozenset({"RUN"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        yield self.violation(instruction.keyword_span, "Seen")


REGISTRY = build_registry([("test", types.SimpleNamespace(RULES=[AptOnly, EveryRun]))])


def _seen(text: str) -> tuple[list[str], list[str]]:
    SEEN.clear()
    result = lint_document(parse(text), select_rules(REGISTRY, select=["XP"]))
    return list(SEEN), [violation.code for violation in result.violations]


@pytest.mark.parametrize(
    "line",
    [
        "RUN apt-get update",
        "RUN /usr/bin/apt-get update",
        "RUN set -e; echo start && apt install -y curl",
        "RUN echo $(apt-get --version)",
        "RUN if true; then apt-get update; fi",
        "RUN <<EOF\napt-get update\nEOF",
        "ONBUILD RUN apt-get update",
        'RUN ["/usr/bin/apt-get", "update"]',  # the program an exec-form RUN starts
    ],
)
def test_a_run_of_one_of_the_programs_is_shown_to_the_rule(line: str) -> None:
    seen, codes = _seen(f"FROM debian:12\n{line}\n")
    assert seen == [line]
    assert codes.count("XP001") == 1


@pytest.mark.parametrize(
    "line",
    [
        "RUN echo apt-get",  # an argument, not the command
        'RUN ["sh", "-c", "apt-get update"]',  # exec form: only the program it starts
        "RUN make install",
        "ONBUILD RUN make",
    ],
)
def test_other_runs_are_not_shown_to_the_rule(line: str) -> None:
    seen, codes = _seen(f"FROM debian:12\n{line}\n")
    assert seen == []
    assert "XP001" not in codes
    if "ONBUILD" not in line:
        assert codes.count("XP002") == 1  # rules without programs see every RUN


def test_other_targets_are_not_gated() -> None:
    seen, _ = _seen("FROM debian:12\nCOPY a b\nRUN make\n")
    assert seen == ["COPY a b"]


def test_a_non_posix_shell_runs_no_programs_the_rule_knows() -> None:
    seen, _ = _seen('FROM mcr.microsoft.com/windows\nSHELL ["powershell", "-c"]\nRUN apt-get x\n')
    assert seen == []
