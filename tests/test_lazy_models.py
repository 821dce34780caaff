"""Lazily planned fixes, light records and per-instruction caches.

These pin down behaviour the speed work relies on: a fix given as a function is planned
on first read and only once, merge fixes are planned only when read, the records behave
like the frozen dataclasses they replace, and parsed shell scripts die with their
instruction.
"""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import weakref
from dataclasses import FrozenInstanceError

import pytest

from dfopt import run_merge
from dfopt.api import lint
from dfopt.fixes import Applicability, Edit, Fix
from dfopt.rules_api import Violation
from dfopt.severity import Severity
from dfopt.shell import parse_script, scripts_of
from dfopt.syntax import Comment, Instruction, Span, Word, parse

MERGEABLE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN echo done\n"


def _fix(title: str = "t") -> Fix:
    return Fix.safe(title, [Edit.replace(Span(0, 1), "x")])


def test_a_fix_given_as_a_function_is_planned_once_on_first_read() -> None:
    calls: list[int] = []

    def plan() -> Fix:
        calls.append(1)
        return _fix()

    violation = Violation("DL3000", "m", Span(0, 1), plan)
    labelled = violation.labelled(Severity.ERROR, "name")
    assert calls == []  # labelling keeps the plan for later
    assert labelled.fix == _fix()
    assert labelled.fix == _fix()
    assert calls == [1]
    assert (labelled.severity, labelled.name) == (Severity.ERROR, "name")


def test_a_planned_fix_may_turn_out_to_be_none() -> None:
    violation = Violation("DL3000", "m", Span(0, 1), lambda: None)
    assert violation.fix is None


def test_violations_compare_hash_and_pickle_by_their_planned_fix() -> None:
    lazy = Violation("DL3000", "m", Span(0, 1), _fix)
    eager = Violation("DL3000", "m", Span(0, 1), _fix())
    assert lazy == eager and hash(lazy) == hash(eager)
    assert pickle.loads(pickle.dumps(lazy)) == eager
    assert Violation("DL3000", "m", Span(0, 1), None) != eager
    assert "Fix(title='t'" in repr(lazy)
    with pytest.raises(FrozenInstanceError):
        lazy.code = "DL3001"  # type: ignore[misc]


def test_merge_fixes_are_planned_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    planned: list[int] = []
    real = run_merge._merge_edits

    def counting(*args: object) -> object:
        planned.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(run_merge, "_merge_edits", counting)
    (violation,) = lint(MERGEABLE, select=["DF101"]).violations
    assert planned == []
    fix = violation.fix
    assert planned == [1]
    assert fix is not None and fix.applicability is Applicability.SAFE
    assert fix.edits == (Edit.replace(Span(60, 65), " \\\n    && "),)


def test_a_deferred_merge_fix_reads_like_a_fix() -> None:
    document = parse(MERGEABLE)
    from dfopt.rules_api import Context
    from dfopt.semantics import analyze

    ctx = Context(document, analyze(document))
    first, second = document.instructions[1:]
    deferred = run_merge.merge_fix(ctx, first, second, "Merge")
    assert isinstance(deferred, Fix)
    assert deferred.title == "Merge"
    assert deferred.applicability is Applicability.SAFE
    assert len(deferred.edits) == 1 and deferred.files == ()
    assert run_merge.merge_fix(ctx, second, first, "Merge") is None  # refused at once


def test_records_behave_like_frozen_dataclasses() -> None:
    assert Span(1, 2) == Span(1, 2) and hash(Span(1, 2)) == hash((1, 2))
    assert sorted([Span(3, 4), Span(1, 5), Span(1, 2)]) == [Span(1, 2), Span(1, 5), Span(3, 4)]
    assert repr(Word("a", Span(0, 1))) == "Word(value='a', span=Span(start=0, end=1))"
    assert Word("a", Span(0, 1)) != Word("b", Span(0, 1))
    assert pickle.loads(pickle.dumps(Word("a", Span(0, 1)))) == Word("a", Span(0, 1))
    with pytest.raises(ValueError):
        Span(2, 1)
    with pytest.raises(FrozenInstanceError):
        Span(0, 1).start = 3  # type: ignore[misc]
    match Comment(Span(0, 4), "hi"):
        case Comment(span, text):
            assert (span, text) == (Span(0, 4), "hi")
    first, second = parse("RUN a\n").instructions[0], parse("RUN a\n").instructions[0]
    assert first != second  # instructions compare by identity
    assert first.kind == "instruction" and first.words == (Word("a", Span(4, 5)),)


def test_command_spans_are_mapped_on_first_read() -> None:
    script = parse_script("apt-get update && echo ok", lambda offset: offset + 10)
    update, echo = script.commands
    assert (update.span, echo.span) == (Span(10, 24), Span(28, 35))
    assert pickle.loads(pickle.dumps(update)) == update


def test_parsed_scripts_live_and_die_with_their_instruction() -> None:
    document = parse("FROM alpine\nRUN echo hi && echo there\n")
    run = document.instructions[1]
    assert scripts_of(run) is scripts_of(run)
    assert [command.command for command in scripts_of(run)[0].script.commands] == [
        "echo",
        "echo",
    ]
    alive: weakref.ref[Instruction] = weakref.ref(run)
    del document, run
    gc.collect()
    assert alive() is None


def test_the_shell_parser_skips_the_grammar_packages_query_files() -> None:
    code = (
        "import sys\n"
        "from dfopt.shell import parse_script\n"
        "script = parse_script('a | b', lambda offset: offset)\n"
        "print(len(script.commands), 'importlib.resources' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "False"]


def test_lazy_property_computes_once_and_stores_the_value() -> None:
    from dfopt.syntax._record import lazy_property

    calls: list[int] = []

    class Thing:
        @lazy_property
        def value(self) -> int:
            """The answer."""
            calls.append(1)
            return 42

    thing = Thing()
    assert thing.value == 42 and thing.value == 42
    assert calls == [1]
    assert thing.__dict__["value"] == 42
    assert isinstance(Thing.value, lazy_property)
    assert Thing.value.__doc__ == "The answer."


def test_commands_inside_substitutions_are_found_with_or_without_them_in_words() -> None:
    from dfopt.shell import parse_script

    plain = parse_script("apt-get update && echo done", lambda offset: offset)
    assert [command.command for command in plain.commands] == ["apt-get", "echo"]
    nested = parse_script('echo "$(id -u)" `whoami` > "$(mktemp)"', lambda offset: offset)
    assert sorted(command.command or "" for command in nested.commands) == [
        "echo",
        "id",
        "mktemp",
        "whoami",
    ]
