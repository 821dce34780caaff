"""What the lossless model says about each construct (directives to heredocs)."""

from __future__ import annotations

import pytest

from dfopt.syntax import (
    Blank,
    Comment,
    Directive,
    Document,
    Form,
    Instruction,
    Opaque,
    Position,
    parse,
)
from dfopt.syntax.lexing import heredocs_in_line, parse_json_array
from tests.conftest import FIXTURES

PARSE = FIXTURES / "parse"


def load(name: str) -> Document:
    return parse((PARSE / name).read_bytes().decode("utf-8", "surrogateescape"))


def kinds(document: Document) -> list[str]:
    return [node.kind for node in document.nodes]


def source(document: Document, span: object) -> str:
    return document.text[span.start : span.end]  # type: ignore[attr-defined]


# -- directives ---------------------------------------------------------------------------


def test_directives_at_the_top_set_the_escape() -> None:
    document = load("directives-syntax-escape.Dockerfile")
    assert kinds(document)[:3] == ["directive", "directive", "blank"]
    assert document.directives["syntax"].value == "docker/dockerfile:1"
    assert document.escape == "`"
    run = document.instructions[1]
    assert run.logical.text == (
        "RUN powershell -Command     Write-Host 'C:\\temp\\' ;     Write-Host done"
    )


def test_directive_spacing_case_and_stop_at_unknown_name() -> None:
    document = load("directive-spacing.Dockerfile")
    directives = [node for node in document.nodes if isinstance(node, Directive)]
    assert [(node.name, node.value) for node in directives] == [
        ("syntax", "docker/dockerfile:1.7"),
        ("escape", "\\"),
    ]
    # `# not=directive` ends the directives: the later escape line is a comment.
    assert isinstance(document.nodes[2], Comment)
    assert isinstance(document.nodes[3], Comment)
    assert document.escape == "\\"


@pytest.mark.parametrize(
    "name", ["directive-after-comment.Dockerfile", "directive-after-blank.Dockerfile"]
)
def test_directive_after_comment_or_blank_is_a_comment(name: str) -> None:
    document = load(name)
    assert document.directives == {}
    assert document.escape == "\\"
    assert document.instructions[1].logical.text.endswith("    b") or (
        document.instructions[1].logical.text.endswith("    two")
    )


def test_check_directive_is_a_directive() -> None:
    document = load("directive-check.Dockerfile")
    assert set(document.directives) == {"check", "escape"}
    assert document.escape == "`"
    assert len(document.instructions) == 2


def test_duplicate_and_invalid_directives_are_problems() -> None:
    assert [problem.message for problem in load("directive-duplicate.Dockerfile").problems] == [
        "only one escape parser directive can be used"
    ]
    invalid = load("directive-invalid-escape.Dockerfile")
    assert invalid.escape == "\\"
    assert "invalid escape token" in invalid.problems[0].message


def test_directive_white_space_is_ascii_only() -> None:
    # A no-break space after `#` is not the builder's `\s`: this is a comment.
    assert parse("#\u00a0escape=`\nFROM a\n").escape == "\\"
    assert parse("# escape = `  \nFROM a\n").escape == "`"
    assert parse("# escape=`\u00a0\nFROM a\n").problems


# -- continuations ------------------------------------------------------------------------


def test_trailing_blanks_after_the_escape_still_continue() -> None:
    document = load("continuation-trailing-blanks.Dockerfile")
    run, env = document.instructions[1:]
    assert run.logical.text == "RUN apk add --no-cache         curl         git"
    assert document.position(run.span.end - 1) == Position(4, 12)
    assert env.logical.text == "ENV A=1     B=2"


def test_escaped_escape_is_not_a_continuation() -> None:
    document = load("escaped-escape.Dockerfile")
    keywords = [getattr(node, "keyword", None) for node in document.nodes]
    assert keywords == ["FROM", "RUN", "RUN", "still-run", "RUN", "USER"]
    assert document.instructions[1].args_text == "echo C:\\\\"
    assert isinstance(document.nodes[3], Opaque)


def test_comments_and_blank_lines_inside_continuations() -> None:
    document = load("continuation-comments-blanks.Dockerfile")
    run = document.instructions[1]
    assert run.logical.text == "RUN apk add --no-cache     curl     git     bash"
    assert [document.position(span.start).line for span in run.inner_comments] == [3, 7]
    assert [document.position(span.start).line for span in run.empty_continuation_lines] == [5, 8]
    # A comment line cannot end a continuation: USER is part of the second RUN.
    second = document.instructions[2]
    assert second.logical.text == "RUN echo USER app"
    assert isinstance(document.nodes[2], Comment)


def test_continuation_at_end_of_file() -> None:
    document = load("continuation-at-eof.Dockerfile")
    run = document.instructions[-1]
    assert run.logical.text == "RUN echo one     two "
    assert run.args_text == "echo one     two"
    assert run.span.end == len(document.text)


def test_lone_escape_line_opens_the_next_instruction() -> None:
    document = load("lone-escape-line.Dockerfile")
    run = document.instructions[1]
    assert run.keyword == "RUN"
    assert document.position(run.span.start).line == 2
    assert document.position(run.keyword_span.start) == Position(3, 1)
    user = document.instructions[2]
    assert document.position(user.span.start).line == 4
    assert len(user.empty_continuation_lines) == 1


def test_logical_line_maps_back_and_forth() -> None:
    text = "RUN a \\\n  # c\n  bc \\\n\n d\n"
    run = parse(text).instructions[0]
    logical = run.logical
    assert logical.text == "RUN a   bc  d"
    for index, char in enumerate(logical.text):
        assert text[logical.to_source(index)] == char
        assert logical.from_source(logical.to_source(index)) == index
    assert logical.from_source(text.index("#")) is None
    bc = run.words[1]
    assert bc.value == "bc"
    assert source(parse(text), bc.span) == "bc"


# -- keywords, flags and arguments -------------------------------------------------------


def test_lower_case_keywords_and_alias() -> None:
    document = load("lowercase-keywords.Dockerfile")
    assert [node.keyword for node in document.instructions] == [
        "FROM",
        "RUN",
        "COPY",
        "ENV",
        "ONBUILD",
        "CMD",
    ]
    assert document.instructions[4].trigger is not None
    assert document.instructions[4].effective.keyword == "RUN"
    assert source(document, document.instructions[2].keyword_span) == "Copy"


def test_keyword_is_split_off_at_ascii_blanks_only() -> None:
    document = parse("RUN\u00a0echo\nUSER app\u00a0\n")
    assert isinstance(document.nodes[0], Opaque)
    assert document.nodes[0].keyword == "RUN\u00a0echo"
    # Trailing Unicode space is trimmed from the line before the keyword is read.
    assert parse("USER\u00a0\n").nodes[0].keyword == "USER"  # type: ignore[attr-defined]
    assert document.instructions[0].args_text == "app"


def test_flags_with_quotes_escapes_and_terminator() -> None:
    document = load("flags-quotes.Dockerfile")
    from_, run, copy, copy_from, run_net, copy_upper, run_odd = document.instructions
    assert [flag.text for flag in from_.flags] == ["--platform=$BUILDPLATFORM"]
    assert [flag.value for flag in run.flags] == [
        "type=bind,source=a b,target=/src",
        "type=cache,target=/root/.cache/go-build",
    ]
    assert [flag.text for flag in copy.flags] == [
        "--chown=app user:staff",
        "--chmod=0755",
        "--link",
    ]
    assert copy.flag("link") is not None and copy.flag("link").value is None  # type: ignore[union-attr]
    # `--` ends the flags: what follows is an argument even if it looks like a flag.
    assert [flag.name for flag in copy_from.flags] == ["from"]
    assert [word.value for word in copy_from.words] == ["--weird-name", "/dst/"]
    assert [flag.name for flag in run_net.flags] == ["network", "security", "mount"]
    assert run_net.args_text == "npm ci"
    assert [flag.text for flag in copy_upper.flags] == ["--from=Build", "--chown=app"]
    assert [flag.text for flag in run_odd.flags] == ["--x=a b", "--empty=", "--bare"]
    for instruction in document.instructions:
        for flag in instruction.flags:
            assert source(document, flag.span).startswith("--")


def test_flag_after_unicode_space_is_an_argument() -> None:
    run = parse("RUN \u00a0--network=none echo\n").instructions[0]
    assert run.flags == ()
    assert run.args_text == "--network=none echo"


def test_healthcheck_forms() -> None:
    document = load("healthcheck.Dockerfile")
    none, shell, exec_, lower, bare = document.instructions[1:]
    assert none.command_text is None and none.form is Form.SHELL
    assert [flag.text for flag in shell.flags] == ["--interval=30s", "--timeout=3s"]
    assert shell.command_text == "curl -f http://localhost/ || exit 1"
    assert source(document, shell.command_span).startswith("curl -f")
    assert exec_.form is Form.EXEC
    assert [word.value for word in exec_.exec_args] == ["curl", "-f", "http://localhost/"]
    assert lower.command_text == "curl localhost"
    assert bare.command_text is None


def test_healthcheck_reads_json_after_any_type_word() -> None:
    document = parse('HEALTHCHECK NONE ["x"]\nHEALTHCHECK NONE [1]\n')
    assert document.instructions[0].form is Form.EXEC
    assert document.instructions[0].command_text is None
    assert isinstance(document.nodes[1], Opaque)


def test_exec_form_values_and_spans() -> None:
    document = load("json-escapes.Dockerfile")
    cmd, entrypoint, shell, volume, empty = document.instructions[1:]
    assert [word.value for word in cmd.exec_args] == [
        "echo",
        'a "quoted" word',
        "été",
        "tab\there",
        "back\\slash",
        "😀",
    ]
    assert source(document, cmd.exec_args[1].span) == '"a \\"quoted\\" word"'
    assert cmd.command_text is not None and cmd.command_text.startswith("[")
    assert [word.value for word in entrypoint.exec_args] == ["/bin/sh", "-c"]
    assert shell.form is Form.EXEC
    assert [word.value for word in volume.exec_args] == ["/data", "/logs"]
    assert empty.form is Form.EXEC and empty.exec_args == ()


def test_json_that_the_builder_does_not_decode_is_shell_form() -> None:
    document = load("json-followed-by-text.Dockerfile")
    cmd, trailing_comma, nan, huge, open_array, unicode = document.instructions[1:]
    assert cmd.form is Form.EXEC  # text after the array is ignored
    assert [word.value for word in cmd.exec_args] == ["echo", "hi"]
    for instruction in (trailing_comma, nan, huge, open_array):
        assert instruction.form is Form.SHELL
    assert unicode.exec_args[0].value == "café"
    assert not document.problems


def test_parse_json_array_rules() -> None:
    assert parse_json_array('["a", NaN]', 0) is None
    assert parse_json_array("[Infinity]", 0) is None
    assert parse_json_array("[1e999]", 0) is None
    assert parse_json_array('  ["a"]x', 0) == [("a", 3, 6)]
    assert parse_json_array('["\\ud800"]', 0) == [("\ufffd", 1, 9)]


def test_json_over_continuation_lines() -> None:
    document = load("json-multiline.Dockerfile")
    cmd = document.instructions[1]
    assert [word.value for word in cmd.exec_args] == ["python3", "-m", "http.server"]
    assert document.position(cmd.exec_args[2].span.start) == Position(5, 6)


def test_env_and_label_argument_errors_are_problems() -> None:
    for text, message in [
        ("ENV ONLY\n", "ENV must have two arguments"),
        ("LABEL x\n", "LABEL must have two arguments"),
        ("LABEL a=b c\n", "can't find = in `c`; it must be of the form name=value"),
        ("ONBUILD ENV x\n", "ENV must have two arguments"),
    ]:
        document = parse("FROM alpine\n" + text)
        assert [problem.message for problem in document.problems] == [message]
        assert isinstance(document.nodes[1], Opaque)
    assert not parse('FROM a\nENV A b\nENV A="x y" B=\\ \nLABEL "a b"=c\nENV\n').problems


def test_unknown_instructions_are_opaque_problems() -> None:
    document = load("unknown-instruction.Dockerfile")
    opaque = [node for node in document.nodes if isinstance(node, Opaque)]
    assert [node.keyword for node in opaque] == ["FOO", "RUNN", "ONBUILD"]
    assert [problem.message for problem in document.problems] == [
        "unknown instruction `FOO`",
        "unknown instruction `RUNN`",
        "unknown instruction `BAR` in ONBUILD",
    ]
    assert document.instructions[-1].keyword == "USER"


def test_long_lines_are_a_problem() -> None:
    fine = "FROM a\nRUN " + "x" * 65531 + "\n"
    assert not parse(fine).problems
    too_long = "FROM a\nRUN " + "x" * 65532 + "\n"
    assert [problem.message for problem in parse(too_long).problems] == [
        "line longer than the builder's maximum of 65535 bytes"
    ]
    # Bytes are counted, not characters.
    assert parse("FROM a\nRUN " + "é" * 32766 + "\n").problems


# -- heredocs ------------------------------------------------------------------------------


def test_several_heredocs_on_one_line() -> None:
    document = load("heredoc-several.Dockerfile")
    run = document.instructions[1]
    assert [(doc.name, doc.content) for doc in run.heredocs] == [
        ("SETUP", "import sys\nprint(sys.version)\n"),
        ("DATA", "some data\n"),
    ]
    assert [source(document, doc.marker) for doc in run.heredocs] == ["<<SETUP", "<<DATA"]
    assert run.header_end == document.text.index("\nimport")
    assert document.position(run.span.end - 1).line == 8
    assert document.instructions[2].args_text == "echo done"


def test_chomped_heredocs() -> None:
    document = load("heredoc-chomp.Dockerfile")
    first, second = document.instructions[1:]
    assert first.heredocs[0].chomp
    assert first.heredocs[0].content == "\techo tab indented\n\t\techo deeper\n"
    assert first.heredocs[0].terminator_text == "\tEOF\n"
    assert second.heredocs[0].name == "END"
    assert not second.heredocs[0].expand


def test_quoted_heredoc_names_turn_off_expansion() -> None:
    document = load("heredoc-quoted.Dockerfile")
    assert [(doc.name, doc.expand) for node in document.instructions for doc in node.heredocs] == [
        ("EOF", False),
        ("EOF", False),
        ("END", False),
    ]


def test_terminator_followed_by_instruction_or_comment() -> None:
    document = load("heredoc-terminator-then-instruction.Dockerfile")
    assert kinds(document) == [
        "instruction",
        "instruction",
        "instruction",
        "comment",
        "instruction",
        "instruction",
        "instruction",
    ]
    empty = document.instructions[4]
    assert empty.heredocs[0].content == ""
    assert empty.heredocs[0].body.start == empty.heredocs[0].body.end


def test_onbuild_heredocs_belong_to_the_trigger() -> None:
    document = load("heredoc-onbuild.Dockerfile")
    run, copy = document.instructions[1:3]
    assert run.trigger is not None
    assert run.trigger.heredocs == run.heredocs
    assert run.heredocs[0].content == "echo when used as a base\n"
    assert copy.effective.keyword == "COPY"
    assert copy.heredocs[0].name == "EOF"
    assert document.instructions[3].keyword == "USER"


def test_copy_and_add_heredocs() -> None:
    document = load("heredoc-copy.Dockerfile")
    copy, add = document.instructions[1:]
    assert copy.heredocs[0].content == "<html><body>hi</body></html>\n"
    assert [doc.name for doc in add.heredocs] == ["conf.ini", "other.txt"]
    assert add.flag("chmod").value == "0644"  # type: ignore[union-attr]


def test_heredoc_file_descriptors() -> None:
    document = load("heredoc-fd.Dockerfile")
    first, second = document.instructions[1:]
    assert [(doc.fd, doc.name) for doc in first.heredocs] == [(3, "EOF")]
    assert [(doc.fd, doc.name, doc.chomp) for doc in second.heredocs] == [
        (0, "PY", False),
        (4, "DATA", True),
    ]


def test_crlf_heredoc_terminator() -> None:
    document = load("heredoc-crlf.Dockerfile")
    run = document.instructions[1]
    assert run.heredocs[0].content == "echo crlf body\r\n"
    assert run.heredocs[0].terminator_text == "EOF\r\n"


def test_heredoc_markers_in_quotes_json_or_after_continuations() -> None:
    document = load("heredoc-flags-continuation.Dockerfile")
    first, quoted, exec_form = document.instructions[1:]
    assert [doc.name for doc in first.heredocs] == ["EOF"]
    assert document.position(first.heredocs[0].marker.start) == Position(3, 5)
    assert quoted.heredocs == ()
    assert exec_form.heredocs == ()


def test_unterminated_heredoc_is_a_problem() -> None:
    document = load("reject-unterminated-heredoc.Dockerfile")
    assert [problem.message for problem in document.problems] == ["unterminated heredoc `EOF`"]
    assert isinstance(document.nodes[-1], Opaque)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("RUN cat <<EOF", ["EOF"]),
        ("RUN <<-'A' cat 3<<\"B\" <<C", ["A", "B", "C"]),
        ('RUN cat <<E"O"F', ["EOF"]),
        ("RUN echo '<<EOF' \"<<X\" \\<<Y", []),
        ("RUN cat <<EOF>file", ["EOF>file"]),
        ("RUN echo ${x:-a b}<<EOF", []),
        ('RUN echo ${x:-"a b"} <<EOF', ["EOF"]),
        ("RUN echo ${ <<EOF", []),
        ("RUN echo 'open <<EOF", []),
        ("RUN echo ${FILE%.gz} <<EOF", ["EOF"]),
        ("RUN cat <<", []),
    ],
)
def test_heredoc_detection_follows_the_builder_lexer(line: str, names: list[str]) -> None:
    assert [spec.name for spec in heredocs_in_line(line)] == names


# -- odd files -----------------------------------------------------------------------------


def test_trailing_whitespace_lines_and_no_final_newline() -> None:
    document = load("trailing-whitespace-lines.Dockerfile")
    assert kinds(document) == ["instruction", "blank", "blank", "instruction", "blank", "blank"]
    assert document.instructions[1].args_text == "echo hi"
    last = load("no-final-newline.Dockerfile")
    assert last.instructions[-1].args_text == "echo no newline at the end"
    assert not last.text.endswith("\n")


def test_unicode_white_space_in_arguments() -> None:
    document = load("whitespace-unicode.Dockerfile")
    run, expose, user, workdir = document.instructions[1:]
    assert run.args_text == "echo a\u00a0b"
    assert [word.value for word in expose.words] == ["80", "443"]
    assert user.args_text == "app"
    assert workdir.args_text == "/srv"


def test_bom_and_crlf_fixtures() -> None:
    bom = load("bom.Dockerfile")
    assert bom.nodes[0].kind == "bom"
    assert isinstance(bom.nodes[1], Directive)
    crlf = load("crlf.Dockerfile")
    assert [node.keyword for node in crlf.instructions] == ["FROM", "RUN", "USER", "CMD"]
    assert isinstance(crlf.nodes[2], Blank)


def test_instruction_fields_for_a_plain_run() -> None:
    text = "RUN --mount=type=cache,target=/root/.cache  pip install x  \n"
    run = parse(text).instructions[0]
    assert isinstance(run, Instruction)
    assert run.command_text == "pip install x"
    assert text[run.command_span.start : run.command_span.end] == "pip install x"  # type: ignore[union-attr]
    assert run.args_offset == run.command_offset
    # The logical line keeps the trailing blanks; header_end is right before the newline.
    assert run.header_end == text.index("\n")
    assert run.effective is run and not run.is_onbuild and not run.has_heredoc


def test_name_value_words_stops_after_the_limit() -> None:
    from dfopt.syntax.lexing import name_value_words

    text = 'a="b c" d\\ e f'
    assert name_value_words(text, "\\") == ['a="b c"', "d\\ e", "f"]
    assert name_value_words(text, "\\", limit=1) == ['a="b c"']
    assert name_value_words(text, "\\", limit=2) == ['a="b c"', "d\\ e"]
    assert name_value_words("   ", "\\", limit=1) == []
