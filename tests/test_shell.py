"""The shell model of RUN bodies: offsets back to the Dockerfile, and the query API."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfopt.shell import ShellScript, ShellWord, SimpleCommand, parse_script, scripts_of
from dfopt.syntax import Document, Instruction, Position, parse
from tests.strategies import dockerfiles


def runs(document: Document) -> list[Instruction]:
    return [node for node in document.instructions if node.effective.keyword == "RUN"]


def only_script(text: str, index: int = 0) -> tuple[Document, ShellScript]:
    document = parse(text)
    sources = scripts_of(runs(document)[index])
    assert len(sources) == 1
    return document, sources[0].script


def words(command: SimpleCommand) -> list[ShellWord]:
    return ([command.name] if command.name is not None else []) + list(command.args)


def assert_words_map_to_source(document: Document) -> int:
    """Every command word and operator of every RUN lies on its characters in the source.

    Returns how many words were checked.
    """
    text = document.text
    checked = 0
    for instruction in runs(document):
        for source in scripts_of(instruction):
            script = source.script
            for command in script.commands:
                assert instruction.span.contains(command.span)
                for word in words(command):
                    raw = text[word.span.start : word.span.end]
                    assert instruction.span.contains(word.span)
                    assert script.text[word.start : word.end] == word.raw
                    if "\n" not in raw:
                        assert raw == word.raw, (raw, word.raw)
                        checked += 1
            for operator in script.operators:
                assert text[operator.span.start : operator.span.end] == operator.text
    return checked


MAPPING_CASES = {
    "continuations": (
        "FROM debian:12\n"
        "RUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends \\\n"
        "        curl ca-certificates \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ),
    "inner comments and blank lines": (
        "FROM debian:12\n"
        "RUN set -eux; \\\n"
        "    # fetch the tools\n"
        "    apt-get update; \\\n"
        "\n"
        "  # and install them\n"
        "    apt-get install -y git make; \\\n"
        "    make -C /src install\n"
    ),
    "crlf": (
        "FROM alpine:3.20\r\n"
        "RUN apk add --no-cache curl \\\r\n"
        "    # comment\r\n"
        "    && curl -fsS https://example.com -o /tmp/x \\\r\n"
        "    && rm /tmp/x\r\n"
    ),
    "backtick escape": (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN echo C:\\dir\\file `\n"
        "    && copy C:\\a\\b.txt D:\\c `\n"
        "    && echo finished\n"
    ),
    "multi-byte characters": (
        "FROM alpine:3.20\n"
        'LABEL note="日本語"\n'
        "RUN echo 'café' \"naïve\" 😀 \\\n"
        "    && printf '%s\\n' 日本 \\\n"
        "    && echo ☕ > /tmp/☕.txt\n"
    ),
    "flags before the command": (
        "FROM python:3.12\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    --mount=type=bind,source=requirements.txt,target=/r.txt \\\n"
        "    pip install -r /r.txt\n"
    ),
    "onbuild": ("FROM alpine:3.20\nONBUILD RUN apk add --no-cache git \\\n    && git --version\n"),
    "leading blanks and tabs": ("FROM alpine:3.20\n\t  RUN   \t echo  a\t\tb   \\\n\t\t&& ls\n"),
    "heredoc after the command line": (
        "FROM alpine:3.20\nRUN cat <<EOF > /etc/motd && chmod 0644 /etc/motd\nhello $USER\nEOF\n"
    ),
    "heredoc as the script": (
        "FROM alpine:3.20\n"
        "RUN <<EOF\n"
        "set -e\n"
        "apk add --no-cache curl jq\n"
        "echo 'done' | tee /tmp/log\n"
        "EOF\n"
    ),
}


@pytest.mark.parametrize("text", MAPPING_CASES.values(), ids=MAPPING_CASES.keys())
def test_every_word_maps_to_its_source_characters(text: str) -> None:
    document = parse(text)
    assert not document.problems
    assert assert_words_map_to_source(document) >= 3


def test_words_after_inner_comment_map_past_the_comment() -> None:
    document, script = only_script(MAPPING_CASES["inner comments and blank lines"])
    install = script.commands_named("apt-get", subcommand="install")[0]
    make = install.args[-1]
    assert make.value == "make"
    assert document.position(make.span.start) == Position(7, 28)
    assert document.position(script.commands[-1].span.start) == Position(8, 5)
    # The comment lines are not part of what the shell receives.
    assert "#" not in script.text


def test_crlf_offsets_skip_the_carriage_returns() -> None:
    document, script = only_script(MAPPING_CASES["crlf"])
    rm = script.commands_named("rm")[0]
    assert document.position(rm.span.start) == Position(5, 8)
    assert document.text[rm.args[0].span.start : rm.args[0].span.end] == "/tmp/x"
    assert "\r" not in script.text


def test_backtick_escape_keeps_backslashes_in_words() -> None:
    document, script = only_script(MAPPING_CASES["backtick escape"])
    copy = script.commands_named("copy")[0]
    assert [arg.raw for arg in copy.args] == ["C:\\a\\b.txt", "D:\\c"]
    assert document.position(copy.args[1].span.start) == Position(4, 24)
    # The backtick ended the line, so the next line continues the script.
    assert script.commands[-1].command == "echo"


def test_multibyte_columns_count_characters() -> None:
    document, script = only_script(MAPPING_CASES["multi-byte characters"])
    echo = script.commands[0]
    assert [arg.value for arg in echo.args] == ["café", "naïve", "😀"]
    assert document.position(echo.args[2].span.start) == Position(3, 25)
    redirect = script.commands[-1].redirects[0]
    assert redirect.target == "/tmp/☕.txt"
    assert document.text[redirect.span.start : redirect.span.end] == "> /tmp/☕.txt"


def test_word_crossing_a_continuation_spans_the_line_break() -> None:
    text = "FROM alpine:3.20\nRUN ec\\\nho hi\n"
    document, script = only_script(text)
    echo = script.commands[0]
    assert echo.command == "echo"
    assert document.text[echo.name.span.start : echo.name.span.end] == "ec\\\nho"


def test_heredoc_script_maps_to_body_lines() -> None:
    document, script = only_script(MAPPING_CASES["heredoc as the script"])
    assert [command.command for command in script.commands] == ["set", "apk", "echo", "tee"]
    apk = script.commands[1]
    assert document.position(apk.span.start) == Position(4, 1)
    jq = apk.args[-1]
    assert document.text[jq.span.start : jq.span.end] == "jq"
    assert document.position(jq.span.start) == Position(4, 25)
    assert script.commands[3].in_pipeline
    assert scripts_of(runs(document)[0])[0].kind == "heredoc"


def test_heredoc_with_non_shell_interpreter_is_not_parsed() -> None:
    text = "FROM python:3.12\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n"
    assert scripts_of(runs(parse(text))[0]) == ()
    text = "FROM alpine:3.20\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n"
    assert [c.command for c in scripts_of(runs(parse(text))[0])[0].script.commands] == ["echo"]


def test_heredoc_after_command_line_keeps_the_following_commands() -> None:
    document, script = only_script(MAPPING_CASES["heredoc after the command line"])
    assert [command.command for command in script.commands] == ["cat", "chmod"]
    cat = script.commands[0]
    assert [(redirect.operator, redirect.target) for redirect in cat.redirects] == [
        ("<<", "EOF"),
        (">", "/etc/motd"),
    ]
    assert script.operator_texts == ["&&"]
    assert not script.has_errors
    chmod = script.commands[1]
    assert document.position(chmod.span.start) == Position(2, 30)


def test_exec_form_and_other_instructions_have_no_script() -> None:
    document = parse('FROM alpine\nRUN ["echo", "hi"]\nCMD echo hi\n')
    assert all(scripts_of(node) == () for node in document.instructions)


# -- the query API ---------------------------------------------------------------------


def script_of(body: str) -> ShellScript:
    return parse_script(body, lambda offset: offset)


def test_commands_named_with_subcommand() -> None:
    script = script_of(
        "apt-get update && apt-get -y install curl && /usr/bin/apt-get purge x && apk add y"
    )
    assert len(script.commands_named("apt-get")) == 3
    installs = script.commands_named("apt-get", subcommand="install")
    assert [command.arg_values for command in installs] == [["-y", "install", "curl"]]
    assert script.commands_named("apt-get", subcommand="purge")[0].name.raw == "/usr/bin/apt-get"
    assert script.has_command("apk", "yum")
    assert not script.has_command("yum")


@pytest.mark.parametrize(
    ("body", "flags", "expected"),
    [
        ("apt-get install -y curl", ("-y",), True),
        ("apt-get install -qy curl", ("-y",), True),
        ("apt-get install -yq curl", ("-q",), True),
        ("apt-get install --yes curl", ("-y", "--yes"), True),
        ("apt-get install --assume-yes=true curl", ("--assume-yes",), True),
        ("apt-get install curl", ("-y", "--yes"), False),
        ("apt-get install -- -y", ("-y",), False),
        ("apt-get install --yesterday", ("--yes",), False),
        ("pip install --no-cache-dir x", ("--no-cache-dir",), True),
        ("apt-get install '-y' curl", ("-y",), True),
    ],
)
def test_has_flag(body: str, flags: tuple[str, ...], expected: bool) -> None:
    command = script_of(body).commands[0]
    assert command.has_flag(*flags) is expected


def test_subcommand_skips_options() -> None:
    command = script_of("apt-get -qq -y install curl").commands[0]
    assert command.subcommand == "install"
    assert [word.value for word in command.positional()] == ["install", "curl"]
    assert script_of("apt-get -y").commands[0].subcommand is None


def test_operators_and_top_level_statements() -> None:
    body = "a && b || c; d | e && (f && g) && h &"
    script = script_of(body)
    assert script.operator_texts == ["&&", "||", ";", "|", "&&", "&&", "&&", "&"]
    top = [body[start:end] for start, end in script.top_level]
    assert top == ["a && b || c", "d | e", "(f && g)", "h"]
    assert [command.depth for command in script.commands] == [0, 0, 0, 0, 0, 1, 1, 0]


def test_top_level_splits_an_and_chain_whose_last_command_redirects() -> None:
    body = "apt-get update && apt-get install -y curl > /dev/null 2>&1"
    script = script_of(body)
    assert [body[start:end] for start, end in script.top_level] == [
        "apt-get update",
        "apt-get install -y curl > /dev/null 2>&1",
    ]
    update, install = script.commands
    assert update.redirects == ()
    assert [(redirect.operator, redirect.target) for redirect in install.redirects] == [
        (">", "/dev/null"),
        (">&", "1"),
    ]


def test_pipelines_bind_tighter_than_and_lists() -> None:
    script = script_of("a && b > log | c && d")
    flags = {command.command: command.in_pipeline for command in script.commands}
    assert flags == {"a": False, "b": True, "c": True, "d": False}
    assert script.commands_named("b")[0].redirects[0].target == "log"


def test_redirects() -> None:
    script = script_of("curl -fsS url -o x 2>/dev/null >> log < input; cat <<< word")
    curl, cat = script.commands
    assert [(r.operator, r.target) for r in curl.redirects] == [
        (">", "/dev/null"),
        (">>", "log"),
        ("<", "input"),
    ]
    assert [(r.operator, r.target) for r in cat.redirects] == [("<<<", "word")]
    assert curl.arg_values == ["-fsS", "url", "-o", "x"]


def test_assignments_and_declaration_commands() -> None:
    script = script_of(
        "DEBIAN_FRONTEND=noninteractive LANG=C apt-get install -y x"
        " && export PATH=/opt/bin:$PATH A && unset B && readonly C=1"
    )
    apt, export, unset, readonly = script.commands
    assert apt.command == "apt-get"
    assert apt.assignments == ("DEBIAN_FRONTEND=noninteractive", "LANG=C")
    assert export.command == "export"
    assert [arg.raw for arg in export.args] == ["PATH=/opt/bin:$PATH", "A"]
    assert export.args[0].literal is False
    assert unset.command == "unset"
    assert unset.arg_values == ["B"]
    assert readonly.command == "readonly"


def test_word_values_quotes_and_literals() -> None:
    command = script_of('echo \'a b\' "c $HOME d" e\\ f "g\\"h" $\'x\' ${Y:-z} $(date)').commands[0]
    values = [(arg.value, arg.literal) for arg in command.args]
    assert values[:4] == [("a b", True), ("c $HOME d", False), ("e f", True), ('g"h', True)]
    assert values[4:6] == [("x", True), ("${Y:-z}", False)]
    assert values[6] == ("$(date)", False)
    nested = script_of('echo $(date) "$(id -u)" > $(mktemp) && A=$(pwd) make').commands
    assert [(command.command, command.depth) for command in nested] == [
        ("echo", 0),
        ("date", 1),
        ("id", 1),
        ("mktemp", 1),
        ("make", 0),
        ("pwd", 1),
    ]


def test_nesting_depth_and_constructs() -> None:
    script = script_of("if [ -f x ]; then (cd /a && make); fi; for i in 1 2; do echo $i; done")
    depths = {command.command: command.depth for command in script.commands}
    assert depths["cd"] == 2
    assert depths["echo"] == 1
    assert {"if_statement", "subshell", "for_statement"} <= script.constructs


def test_syntax_errors_mark_the_script_and_commands() -> None:
    script = script_of("apt-get install -y 'curl")
    assert script.has_errors
    # The parse dropped the unterminated word: the command is not to be trusted.
    assert [command.reliable for command in script.commands] == [False]
    script = script_of("a && b ) && c")
    assert script.has_errors
    assert [command.reliable for command in script.commands] == [False, False, True]
    assert all(command.reliable for command in script_of("a && b").commands)


def test_comment_at_the_end_is_seen() -> None:
    script = script_of("make install # build it")
    assert script.commands[0].arg_values == ["install"]
    assert script.has_comment


# -- editing through the map ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        MAPPING_CASES["continuations"],
        MAPPING_CASES["inner comments and blank lines"],
        MAPPING_CASES["crlf"],
        MAPPING_CASES["multi-byte characters"],
        MAPPING_CASES["backtick escape"],
    ],
    ids=["continuations", "inner comments", "crlf", "multi-byte", "backtick"],
)
def test_replacing_a_word_span_edits_that_word_of_the_logical_line(text: str) -> None:
    document = parse(text)
    run = runs(document)[0]
    script = scripts_of(run)[0].script
    target = [word for command in script.commands for word in words(command)][-2]
    replacement = "REPLACED"
    edited = document.text[: target.span.start] + replacement + document.text[target.span.end :]
    new_document = parse(edited)
    new_run = runs(new_document)[0]
    new_script = scripts_of(new_run)[0].script
    # Same position in the script, same position in the command list.
    assert new_script.text[target.start : target.start + len(replacement)] == replacement
    assert new_script.text[: target.start] == script.text[: target.start]
    assert new_script.text[target.start + len(replacement) :] == script.text[target.end :]
    new_words = [word for command in new_script.commands for word in words(command)]
    assert new_words[-2].raw == replacement
    assert new_words[-2].span.start == target.span.start
    # Everything outside the edit is unchanged.
    assert new_document.text.replace(replacement, target.raw, 1) == document.text


# -- robustness --------------------------------------------------------------------------

_SHELL_PIECES = (
    "a",
    "apt-get install -y x",
    "&&",
    "||",
    "|",
    ";",
    "&",
    "> f",
    "2>&1",
    "< in",
    "<<EOF",
    "<<-'END'",
    "<<< w",
    "(",
    ")",
    "{",
    "}",
    "$(",
    "`",
    "'",
    '"',
    "$X",
    "${Y:-z}",
    "\n",
    "EOF\n",
    "if",
    "then",
    "fi",
    "# c",
    "X=1",
    "export Y=2",
    "é",
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SHELL_PIECES), max_size=14).map(" ".join))
def test_any_script_builds_a_consistent_model(body: str) -> None:
    script = script_of(body)
    starts = [command.start for command in script.commands]
    assert starts == sorted(starts)
    for command in script.commands:
        assert 0 <= command.start <= command.end <= len(body)
        for word in words(command):
            assert body[word.start : word.end] == word.raw
    for operator in script.operators:
        assert body[operator.start : operator.end] == operator.text
    for start, end in script.top_level:
        assert 0 <= start <= end <= len(body)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_generated_dockerfiles_map_words_to_source(text: str) -> None:
    assert_words_map_to_source(parse(text))
