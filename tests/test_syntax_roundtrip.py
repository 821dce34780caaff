"""The lossless model gives its input back, byte for byte, and every span is where it says.

Checked for every fixture Dockerfile, every ``dockerfile:`` case of the rule fixtures, every
file of the shared corpus, and for generated text (a grammar of Dockerfile fragments and
plain random text).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from dfopt.semantics import analyze
from dfopt.shell import scripts_of
from dfopt.syntax import (
    Blank,
    ByteOrderMark,
    Comment,
    Directive,
    Document,
    Form,
    Instruction,
    Opaque,
    Position,
    Span,
    parse,
    parse_bytes,
)
from tests.conftest import FIXTURES
from tests.strategies import dockerfiles

_DOCKERFILE_NAMES = ("Dockerfile", "Containerfile")


def _looks_like_dockerfile(path: Path) -> bool:
    name = path.name
    return path.is_file() and (
        any(marker in name for marker in _DOCKERFILE_NAMES) or name.endswith(".dockerfile")
    )


def fixture_dockerfiles() -> list[Path]:
    return sorted(path for path in FIXTURES.rglob("*") if _looks_like_dockerfile(path))


def rule_case_texts() -> list[tuple[str, str]]:
    """``(case id, text)`` for every ``dockerfile:`` string of fixtures/rules/*.yaml."""
    yaml = YAML(typ="safe")
    found: list[tuple[str, str]] = []
    for path in sorted((FIXTURES / "rules").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(data.get("cases") or []):
            if isinstance(case, dict) and isinstance(case.get("dockerfile"), str):
                found.append((f"{path.stem}:{index}", case["dockerfile"]))
    return found


def _naive_position(text: str, offset: int) -> Position:
    before = text[:offset]
    line = before.count("\n") + 1
    return Position(line, offset - (before.rfind("\n") + 1) + 1)


def check_spans(document: Document) -> None:
    """Assert the structural invariants of a document."""
    text = document.text
    assert document.joined() == text
    cursor = 0
    for node in document.nodes:
        assert node.span.start == cursor, f"gap or overlap before {node!r}"
        assert node.span.end > node.span.start or isinstance(node, ByteOrderMark)
        cursor = node.span.end
    assert cursor == len(text)
    for index, node in enumerate(document.nodes):
        if isinstance(node, ByteOrderMark):
            assert index == 0
            assert text[node.span.start : node.span.end] == "\ufeff"
            continue
        # Every node other than the BOM covers whole physical lines.
        assert node.span.start == 0 or text[node.span.start - 1] == "\n" or index == 1
        assert node.span.end == len(text) or text[node.span.end - 1] == "\n"
        if isinstance(node, Directive):
            assert node.span.contains(node.value_span)
            assert text[node.value_span.start : node.value_span.end] == node.value
        if isinstance(node, Comment):
            assert text[node.span.start : node.span.end].lstrip().startswith("#")
        if isinstance(node, Blank):
            assert not text[node.span.start : node.span.end].strip()
        if isinstance(node, Opaque) and node.keyword_span is not None:
            assert node.span.contains(node.keyword_span)
        if isinstance(node, Instruction):
            _check_instruction(document, node, node.span)
            if node.trigger is not None:
                assert node.trigger.span == node.span
                _check_instruction(document, node.trigger, node.span)


def _inside(outer: Span, inner: Span, what: str) -> None:
    assert outer.contains(inner), f"{what} {inner} is outside {outer}"


def _check_instruction(document: Document, instruction: Instruction, span: Span) -> None:
    text = document.text
    _inside(span, instruction.keyword_span, "keyword")
    keyword_text = text[instruction.keyword_span.start : instruction.keyword_span.end]
    if "\n" not in keyword_text:
        assert keyword_text.upper() == instruction.keyword
    _inside(span, instruction.args_span, "arguments")
    assert span.start <= instruction.header_end <= span.end
    logical = instruction.logical
    assert logical.text[
        instruction.args_offset : instruction.args_offset + len(instruction.args_text)
    ] == (instruction.args_text)
    for flag in instruction.flags:
        _inside(span, flag.span, "flag")
        assert text[flag.span.start : flag.span.end].startswith("--")
        assert flag.name == flag.name.lower()
    for word in instruction.words:
        _inside(span, word.span, "word")
        raw = text[word.span.start : word.span.end]
        if "\n" not in raw:
            assert raw == word.value
    for word in instruction.exec_args:
        _inside(span, word.span, "exec argument")
        raw = text[word.span.start : word.span.end]
        assert raw.startswith('"') and raw.endswith('"')
    if instruction.form is Form.EXEC:
        assert instruction.command_text is None or instruction.command_text.lstrip().startswith("[")
    if instruction.command_span is not None:
        _inside(span, instruction.command_span, "command")
        assert instruction.command_text is not None
        command = logical.text[
            instruction.command_offset : instruction.command_offset + len(instruction.command_text)
        ]
        assert command == instruction.command_text
    for comment in instruction.inner_comments:
        _inside(span, comment, "inner comment")
        assert text[comment.start : comment.end].lstrip().startswith("#")
    for blank in instruction.empty_continuation_lines:
        _inside(span, blank, "empty continuation line")
        assert not text[blank.start : blank.end].strip()
    previous_end = instruction.header_end
    for heredoc in instruction.heredocs:
        _inside(span, heredoc.marker, "heredoc marker")
        assert heredoc.marker.end <= instruction.header_end
        _inside(span, heredoc.body, "heredoc body")
        _inside(span, heredoc.terminator, "heredoc terminator")
        assert previous_end <= heredoc.body.start
        assert heredoc.body.end == heredoc.terminator.start
        assert text[heredoc.body.start : heredoc.body.end] == heredoc.content
        assert text[heredoc.terminator.start : heredoc.terminator.end] == heredoc.terminator_text
        terminator = heredoc.terminator_text.rstrip("\r\n")
        assert (terminator.lstrip("\t") if heredoc.chomp else terminator) == heredoc.name
        previous_end = heredoc.terminator.end
    if instruction.heredocs:
        assert instruction.heredocs[-1].terminator.end == span.end


def check_positions(document: Document) -> None:
    text = document.text
    for node in document.nodes:
        for offset in (node.span.start, max(node.span.end - 1, node.span.start)):
            assert document.position(offset) == _naive_position(text, offset)


# -- fixtures and rule cases ---------------------------------------------------------


def test_fixture_dockerfiles_are_found() -> None:
    assert len(fixture_dockerfiles()) >= 25


@pytest.mark.parametrize("path", fixture_dockerfiles(), ids=lambda path: path.name)
def test_fixture_round_trips(path: Path) -> None:
    data = path.read_bytes()
    document = parse_bytes(data)
    assert document.text.encode("utf-8", "surrogateescape") == data
    check_spans(document)
    check_positions(document)


_RULE_CASES = rule_case_texts()


@pytest.mark.parametrize(
    "text", [text for _, text in _RULE_CASES], ids=[key for key, _ in _RULE_CASES]
)
def test_rule_case_round_trips(text: str) -> None:
    document = parse(text)
    check_spans(document)


# -- the corpus ---------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_round_trips(corpus: list[Path]) -> None:
    for path in corpus:
        data = path.read_bytes()
        document = parse_bytes(data)
        assert document.text.encode("utf-8", "surrogateescape") == data, path.name
        check_spans(document)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_models_build_without_errors_in_reasonable_time(corpus: list[Path]) -> None:
    """Syntax, semantics and shell models over every corpus file: no exception, bounded time."""
    started = time.perf_counter()
    scripts = 0
    for path in corpus:
        document = parse_bytes(path.read_bytes())
        semantics = analyze(document)
        for instruction in document.instructions:
            semantics.state_of(instruction)
            for script in scripts_of(instruction):
                scripts += 1
                for command in script.script.commands:
                    assert command.span.end <= len(document.text)
    elapsed = time.perf_counter() - started
    assert scripts > 0
    # About 2,000 files take a few seconds: the bound is generous enough for a slow CI
    # machine and tight enough to catch a quadratic blow-up.
    assert elapsed < 60 * max(1.0, len(corpus) / 2000)


# -- line and column ------------------------------------------------------------------


def test_columns_count_characters_not_bytes() -> None:
    text = 'LABEL a="日本語" b="é"\nRUN echo 😀 done\n'
    document = parse(text)
    label, run = document.instructions
    b_word = label.words[1]
    assert document.position(b_word.span.start) == Position(1, 15)
    done = run.words[2]
    assert done.value == "done"
    assert document.position(done.span.start) == Position(2, 12)
    assert text[done.span.start : done.span.end] == "done"


def test_crlf_positions_and_spans() -> None:
    text = "FROM alpine\r\nRUN echo a \\\r\n    b\r\nUSER app\r\n"
    document = parse(text)
    check_spans(document)
    from_, run, user = document.instructions
    assert document.node_text(from_) == "FROM alpine\r\n"
    assert from_.args_text == "alpine"
    assert run.logical.text == "RUN echo a     b"
    assert document.position(run.span.start) == Position(2, 1)
    assert document.position(user.keyword_span.start) == Position(4, 1)
    b = run.words[-1]
    assert b.value == "b"
    assert document.position(b.span.start) == Position(3, 5)
    assert run.header_end == text.index("b\r\n") + 1


def test_bom_is_its_own_node_and_columns_start_after_it() -> None:
    text = "\ufeffFROM alpine\nUSER app\n"
    document = parse(text)
    assert isinstance(document.nodes[0], ByteOrderMark)
    first = document.instructions[0]
    assert first.keyword == "FROM"
    assert first.span.start == 1
    # The BOM is a character of line 1: FROM sits in column 2.
    assert document.position(first.keyword_span.start) == Position(1, 2)
    assert document.position(document.instructions[1].span.start) == Position(2, 1)
    check_spans(document)


def test_bom_file_fixture_keeps_directive_working() -> None:
    data = (FIXTURES / "parse" / "bom.Dockerfile").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    document = parse_bytes(data)
    assert document.escape == "`"
    assert "escape" in document.directives
    assert document.instructions[1].logical.text == "RUN echo one     two"


def test_multibyte_fixture_positions() -> None:
    data = (FIXTURES / "parse" / "multibyte.Dockerfile").read_bytes()
    document = parse_bytes(data)
    text = document.text
    label = document.instructions[1]
    maintainer = next(word for word in label.words if word.value.startswith("maintainer="))
    position = document.position(maintainer.span.start)
    assert position == Position(4, 7)
    assert text.splitlines()[3][position.column - 1 :].startswith("maintainer=")
    check_positions(document)


def test_crlf_fixture_keeps_line_ends_in_nodes() -> None:
    data = (FIXTURES / "parse" / "crlf.Dockerfile").read_bytes()
    assert b"\r\n" in data
    document = parse_bytes(data)
    for node in document.nodes:
        assert document.node_text(node).endswith("\r\n")
    run = document.instructions[1]
    assert run.logical.text == "RUN apk add --no-cache     curl     git"
    assert len(run.inner_comments) == 1
    assert document.position(run.inner_comments[0].start) == Position(4, 1)


def test_no_final_newline() -> None:
    text = "FROM alpine\nRUN echo end"
    document = parse(text)
    check_spans(document)
    run = document.instructions[-1]
    assert document.node_text(run) == "RUN echo end"
    assert run.header_end == len(text)
    assert document.position(len(text) - 1) == Position(2, 12)


def test_empty_and_blank_inputs() -> None:
    for text in ("", "\n", "   ", "\r\n\r\n", "\ufeff", "# c"):
        document = parse(text)
        check_spans(document)
        assert document.instructions == ()


def test_surrogate_escaped_bytes_survive() -> None:
    data = b"FROM alpine\nLABEL x=\xff\xfe\nRUN echo \xc3\n"
    document = parse_bytes(data)
    assert document.text.encode("utf-8", "surrogateescape") == data
    check_spans(document)
    assert document.instructions[2].words[-1].span.end == len(document.text) - 1


# -- generated text ---------------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_generated_dockerfiles_round_trip(text: str) -> None:
    document = parse(text)
    check_spans(document)
    check_positions(document)
    analyze(document)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_random_text_round_trips(text: str) -> None:
    document = parse(text)
    check_spans(document)
    check_positions(document)


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_random_bytes_round_trip(data: bytes) -> None:
    document = parse_bytes(data)
    assert document.text.encode("utf-8", "surrogateescape") == data
    check_spans(document)
