"""``dfopt fix --verify``: each check refuses the misbehaving fix it exists for.

The misbehaving fixes come from a small pack of test rules; every test also shows that a
well-behaved variant passes, so a check that refuses everything would fail too.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from dfopt import cli, verify
from dfopt.config import DefaultSettings, clear_config_cache
from dfopt.engine import registry as registry_module
from dfopt.engine.registry import Registry, build_registry
from dfopt.engine.rewriter import AppliedFix, FixResult
from dfopt.engine.session import Overrides, Session
from dfopt.fixes import Applicability
from dfopt.rules_api import Context, Edit, Fix, Instruction, Rule, Span, Violation
from dfopt.syntax import Comment


class Drifter(Rule):
    """Wants `LABEL gen=<generation>`; the generation is state outside the text."""

    code = "XV001"
    name = "drifter"
    summary = "Test rule"
    targets = frozenset({"LABEL"})
    generation: ClassVar[int] = 1

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        wanted = f"gen={Drifter.generation}"
        if instruction.args_text != wanted:
            fix = Fix.unsafe("Update", [Edit.replace(instruction.args_span, wanted)])
            yield self.violation(instruction.args_span, "Stale `gen`", fix)


class SayBye(Rule):
    """Rewrites `echo hi` to `echo bye`: changes what the build does."""

    code = "XV002"
    name = "say-bye"
    summary = "Test rule"
    targets = frozenset({"RUN"})
    applicability: ClassVar[Applicability] = Applicability.SAFE

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        index = ctx.slice(instruction.args_span).find("hi")
        if index >= 0:
            span = Span(
                instruction.args_span.start + index, instruction.args_span.start + index + 2
            )
            fix = Fix("Say bye", (Edit.replace(span, "bye"),), type(self).applicability)
            yield self.violation(span, "Say `bye`", fix)


class UnsafeSayBye(SayBye):
    code = "XV003"
    name = "unsafe-say-bye"
    applicability: ClassVar[Applicability] = Applicability.UNSAFE


class DropInnerComment(Rule):
    """Deletes the comment lines inside a RUN, though it reports the RUN keyword."""

    code = "XV004"
    name = "drop-inner-comment"
    summary = "Test rule"
    targets = frozenset({"RUN"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if instruction.inner_comments:
            edits = [Edit.delete(span) for span in instruction.inner_comments]
            yield self.violation(instruction.keyword_span, "Comment", Fix.safe("Drop", edits))


class DoneTodo(Rule):
    """Reports `# TODO` comments and turns them into `# DONE`: it edits the comment on purpose."""

    code = "XV005"
    name = "done-todo"
    summary = "Test rule"
    targets = frozenset()

    def finish(self, ctx: Context) -> Iterable[Violation]:
        for node in ctx.document.nodes:
            index = ctx.slice(node.span).find("TODO")
            if isinstance(node, Comment) and index >= 0:
                span = Span(node.span.start + index, node.span.start + index + 4)
                yield self.violation(span, "TODO", Fix.safe("Done", [Edit.replace(span, "DONE")]))


class UpperRun(Rule):
    """Upper-cases a `run` keyword (a harmless, safe fix)."""

    code = "XV006"
    name = "upper-run"
    summary = "Test rule"
    targets = frozenset({"RUN"})

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        if ctx.slice(instruction.keyword_span) != "RUN":
            fix = Fix.safe("Upper-case", [Edit.replace(instruction.keyword_span, "RUN")])
            yield self.violation(instruction.keyword_span, "Lower-case `run`", fix)


RULES = [Drifter, SayBye, UnsafeSayBye, DropInnerComment, DoneTodo, UpperRun]
REGISTRY = build_registry([("verify-tests", types.SimpleNamespace(RULES=RULES))])


def make_session(*codes: str, unsafe: bool = False) -> Session:
    overrides = Overrides(select=list(codes), unsafe_fixes=unsafe)
    return Session(DefaultSettings(), None, overrides, registry=REGISTRY)


def check(text: str, *codes: str, unsafe: bool = False) -> tuple[FixResult, str | None]:
    """Fix ``text`` with ``codes`` and run every ``--verify`` check on the result."""
    session = make_session(*codes, unsafe=unsafe)
    result = session.fix(text)
    assert result.failure is None
    assert result.changed
    return result, verify.verify_output(text, result, session, None)


@pytest.fixture(autouse=True)
def _real_buildkit() -> Iterator[None]:
    verify._buildkit.cache_clear()
    yield
    verify._buildkit.cache_clear()


def test_the_registry_is_sound() -> None:
    assert not REGISTRY.problems


# -- each check -------------------------------------------------------------------------


def test_a_fix_that_does_not_parse_is_refused() -> None:
    session = make_session("XV006")
    original = "FROM alpine:3.20\nrun echo hi\n"
    broken = FixResult(
        original,
        "FROM alpine:3.20\nRUNN echo hi\n",
        [AppliedFix("XV006", "Upper-case", Applicability.SAFE)],
    )
    reason = verify.verify_output(original, broken, session, None)
    assert reason is not None
    assert reason.startswith("the fixed text does not parse (line 2:")


def test_a_fix_that_is_not_stable_is_refused() -> None:
    text = "FROM alpine:3.20\nLABEL gen=0\n"
    session = make_session("XV001", unsafe=True)
    try:
        result = session.fix(text)
        assert result.text == "FROM alpine:3.20\nLABEL gen=1\n"
        assert verify.verify_output(text, result, session, None) is None
        Drifter.generation = 2  # the rule now wants something else
        reason = verify.verify_output(text, result, session, None)
    finally:
        Drifter.generation = 1
    assert reason == "not stable: fixing the result again changes it (XV001)"


def test_a_safe_fix_that_changes_the_build_is_refused() -> None:
    text = "FROM alpine:3.20\nRUN echo hi\n"
    result, reason = check(text, "XV002")
    assert result.text == "FROM alpine:3.20\nRUN echo bye\n"
    assert reason is not None
    assert reason.startswith("build changed: safe fixes changed the build fingerprint (")
    assert "'hi'" in reason and "'bye'" in reason
    # The same change by an unsafe fix is allowed: unsafe fixes may change the build.
    result, reason = check(text, "XV003", unsafe=True)
    assert result.text == "FROM alpine:3.20\nRUN echo bye\n"
    assert reason is None


def test_a_fix_that_drops_a_comment_is_refused() -> None:
    text = "FROM alpine:3.20\nRUN echo a \\\n  # keep me\n  && echo b\n"
    result, reason = check(text, "XV004")
    assert "keep me" not in result.text
    assert reason == "comment lost: `# keep me` (line 3 of the input)"


def test_moving_a_comment_or_editing_the_reported_one_is_fine() -> None:
    text = "# TODO: pin\nFROM alpine:3.20\n# TODO: pin\nrun echo hi\n"
    result, reason = check(text, "XV005", "XV006")
    assert result.text == "# DONE: pin\nFROM alpine:3.20\n# DONE: pin\nRUN echo hi\n"
    assert reason is None


def test_comments_are_compared_as_a_multiset() -> None:
    text = "FROM alpine:3.20\n# same\nRUN echo a \\\n  # same\n  && echo b\n"
    _, reason = check(text, "XV004")
    assert reason == "comment lost: `# same` (line 4 of the input)"


def test_text_changed_outside_every_edit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "FROM alpine:3.20   \nrun echo hi\n"
    result, reason = check(text, "XV006")
    assert (result.text, reason) == ("FROM alpine:3.20   \nRUN echo hi\n", None)

    from dfopt.fixes import apply_edits as apply

    def sloppy(source: str, edits: Iterable[Edit]) -> str:
        """Applies the edits and strips trailing blanks everywhere (a rewriter bug)."""
        fixed = apply(source, edits)
        return "".join(line.rstrip(" ") + "\n" for line in fixed.splitlines())

    monkeypatch.setattr("dfopt.engine.rewriter.apply_edits", sloppy)
    result, reason = check(text, "XV006")
    assert result.text == "FROM alpine:3.20\nRUN echo hi\n"
    assert reason == "diff not minimal: line 1 of the input changed, but no fix edits it"


def test_buildkit_must_accept_what_it_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    class GoParseError(Exception):
        pass

    def parse_string(text: str) -> None:
        if "\nRUN " in text:
            raise GoParseError("line 2: this parser hates upper-case RUN\nmore detail")

    fake = types.SimpleNamespace(GoParseError=GoParseError, parse_string=parse_string)
    monkeypatch.setitem(sys.modules, "dockerfile", fake)
    verify._buildkit.cache_clear()
    _, reason = check("FROM alpine:3.20\nrun echo hi\n", "XV006")
    assert reason == "BuildKit rejects the output (line 2: this parser hates upper-case RUN)"
    # An input BuildKit already rejected is no regression.
    _, reason = check("FROM alpine:3.20\nRUN echo a\nrun echo hi\n", "XV006")
    assert reason is None


def test_without_the_buildkit_package_that_check_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "dockerfile", None)  # makes the import fail
    verify._buildkit.cache_clear()
    assert verify.buildkit_accepts("FROM alpine:3.20\n") is None
    assert verify.buildkit_regression("FROM a\n", "FROM a\nRUN <<EOF\n") is None


def test_the_real_buildkit_parser_is_consulted() -> None:
    pytest.importorskip("dockerfile")
    assert verify.buildkit_accepts("FROM alpine:3.20\nRUN echo hi\n") is True
    assert verify.buildkit_accepts("FROM alpine:3.20\nLABEL a\n") is False
    reason = verify.buildkit_regression("FROM a\nLABEL a=b\n", "FROM a\nLABEL a\n")
    assert reason is not None and reason.startswith("BuildKit rejects the output (")


# -- the glob match of kept text --------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "spans", "expected"),
    [
        ("abc\n", "abc\n", [], None),
        ("abc\n", "abd\n", [], 2),
        ("a\na\na\nb\n", "a\na\nb\n", [Span(4, 6)], None),  # one of equal lines deleted
        ("x\ny\nz\n", "x\nNEW\ny\nz\n", [Span(2, 2)], None),  # an insertion
        ("x\ny\nz\n", "x\nY\nz\n", [Span(2, 3)], None),
        ("x\ny\nz\n", "X\nY\nz\n", [Span(2, 3)], 0),
        ("x\ny\nz\n", "x\nY\nZ\n", [Span(2, 3)], 4),
        ("x\ny\nz\nw\n", "x\nY\nz\nW\n", [Span(2, 3), Span(6, 7)], None),
        ("x\ny\nz\nw\n", "x\nY\nq\nW\n", [Span(2, 3), Span(6, 7)], 3),
    ],
)
def test_changed_outside(before: str, after: str, spans: list[Span], expected: int | None) -> None:
    assert verify.changed_outside(before, after, spans) == expected


# -- through the command line -----------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(registry_module, "default_registry", lambda: REGISTRY)
    monkeypatch.setattr(registry_module, "deferred_registry", lambda: REGISTRY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".no-config"))
    clear_config_cache()
    yield tmp_path
    clear_config_cache()


def _registry_in_use() -> Registry:
    return registry_module.default_registry()


def test_fix_verify_leaves_the_file_untouched_and_exits_2(project: Path) -> None:
    bad = project / "bad.Dockerfile"
    good = project / "good.Dockerfile"
    bad.write_text("FROM alpine:3.20\nRUN echo hi\n")
    good.write_text("FROM alpine:3.20\nrun echo ho\n")
    args = ["fix", "--verify", "--select", "XV002,XV006", "bad.Dockerfile", "good.Dockerfile"]
    result = CliRunner().invoke(cli.app, args)
    assert _registry_in_use() is REGISTRY
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("dfopt: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(
        "dfopt: error: bad.Dockerfile: fix not written: build changed: safe fixes changed "
        "the build fingerprint ("
    )
    assert bad.read_text() == "FROM alpine:3.20\nRUN echo hi\n"
    assert good.read_text() == "FROM alpine:3.20\nRUN echo ho\n"
    # Without --verify the (bad) fix is written.
    plain = CliRunner().invoke(cli.app, ["fix", "--select", "XV002", "bad.Dockerfile"])
    assert plain.exit_code == 0
    assert bad.read_text() == "FROM alpine:3.20\nRUN echo bye\n"


def test_fix_verify_from_the_configuration(project: Path) -> None:
    path = project / "Dockerfile"
    path.write_text("FROM alpine:3.20\nRUN echo a \\\n  # keep me\n  && echo b\n")
    (project / ".dfopt.yaml").write_text("select: [XV004]\nfix:\n  verify: true\n")
    result = CliRunner().invoke(cli.app, ["fix", "Dockerfile"])
    assert result.exit_code == 2
    assert "fix not written: comment lost: `# keep me` (line 3 of the input)" in result.stderr
    assert "keep me" in path.read_text()
    assert CliRunner().invoke(cli.app, ["fix", "--no-verify", "Dockerfile"]).exit_code == 0
    assert "keep me" not in path.read_text()


# -- shell context --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "fixed"),
    [
        (
            "FROM a\nRUN set -eu; mkdir /out; false; touch /out/a\nRUN touch /out/b\n",
            "FROM a\nRUN ( set -eu; mkdir /out; false; touch /out/a ) \\\n    && touch /out/b\n",
        ),
        (
            "FROM a\nRUN ln -sf /bin/bash /bin/sh\nRUN [[ -n x ]]\n",
            "FROM a\nRUN ln -sf /bin/bash /bin/sh \\\n    && [[ -n x ]]\n",
        ),
        (
            "FROM a\nRUN sleep 100 &\nRUN true\n",
            "FROM a\nRUN ( sleep 100 & ) \\\n    && true\n",
        ),
        (
            'FROM a\nSHELL ["/bin/bash", "-lc"]\nRUN a\nRUN b\n',
            'FROM a\nSHELL ["/bin/bash", "-lc"]\nRUN a \\\n    && b\n',
        ),
        (
            'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN a && { b; false; }\n',
            'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN a && { b; false; } && apt-get clean\n',
        ),
    ],
)
def test_verify_refuses_runs_that_now_share_a_shell_they_must_not(
    original: str, fixed: str
) -> None:
    from dfopt.verify import shell_change

    reason = shell_change(original, fixed)
    assert reason is not None and reason.startswith("shell changed")


@pytest.mark.parametrize(
    ("original", "fixed"),
    [
        (
            "FROM a\nRUN apt-get update\nRUN apt-get install -y curl\n",
            "FROM a\nRUN apt-get update \\\n    && apt-get install -y curl\n",
        ),
        (
            'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN { false; touch /x; }\nRUN touch /y\n',
            'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN ( { false; touch /x; } ); \\\n'
            "    touch /y\n",
        ),
        (
            "FROM a\nRUN apt-get update && apt-get install -y x\n",
            "FROM a\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
        ),
    ],
)
def test_verify_accepts_exact_merges_and_appends(original: str, fixed: str) -> None:
    from dfopt.verify import shell_change

    assert shell_change(original, fixed) is None


@pytest.mark.parametrize(
    ("original", "fixed"),
    [
        (
            "FROM a\nRUN apt-get update && apt-get install -y x\nRUN sudo apt-get install -y y\n",
            "FROM a\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"
            "RUN sudo apt-get install -y y\n",
        ),
        (
            "FROM a\nRUN apk add --update x\nRUN sh -c 'apk add y'\n",
            "FROM a\nRUN apk add --no-cache x\nRUN sh -c 'apk add y'\n",
        ),
    ],
)
def test_verify_refuses_an_index_removed_before_a_later_user(original: str, fixed: str) -> None:
    from dfopt.verify import shell_change

    reason = shell_change(original, fixed)
    assert reason is not None and reason.startswith("cache removed")
    alone = "\n".join(original.splitlines()[:2]) + "\n"
    assert shell_change(alone, "\n".join(fixed.splitlines()[:2]) + "\n") is None
