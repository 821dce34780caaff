"""``dfopt format``: what the formatter normalises, what it never touches, its meaning check."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfopt import api
from dfopt.config import DefaultSettings, Settings
from dfopt.format import FormatOptions, format_range, format_text, options_from
from dfopt.format import document as format_document_module
from dfopt.format.meaning import document_difference
from dfopt.syntax import parse


def fmt(text: str, **options: object) -> str:
    result = format_text(text, {key.replace("_", "-"): value for key, value in options.items()})
    assert result.reason is None, result.reason
    again = format_text(result.text, options_from(result_options(options)))
    assert again.text == result.text, "formatting twice changed the text"
    sort = bool(options.get("sort_packages"))
    assert document_difference(parse(text), result.text, sort) is None
    return result.text


def result_options(options: dict[str, object]) -> dict[str, object]:
    return {key.replace("_", "-"): value for key, value in options.items()}


# -- keywords and flags -------------------------------------------------------------------


def test_keywords_upper_case_with_one_space_and_matching_as() -> None:
    text = "from   alpine:3.20   as   base\nrun  --mount=type=cache,target=/x   apk add curl\n"
    assert fmt(text) == (
        "FROM alpine:3.20 AS base\nRUN --mount=type=cache,target=/x apk add curl\n"
    )


def test_keyword_case_lower() -> None:
    assert fmt("FROM a AS b\nRUN x\n", keyword_case="lower") == "from a as b\nrun x\n"


def test_onbuild_and_healthcheck_keywords() -> None:
    text = "FROM a\nonbuild   run x\nhealthcheck --interval=5s   cmd\tcurl localhost\n"
    assert fmt(text) == ("FROM a\nONBUILD RUN x\nHEALTHCHECK --interval=5s CMD curl localhost\n")


def test_flags_on_their_own_lines_keep_order_and_get_one_indentation_level() -> None:
    text = (
        "FROM a\nRUN   --mount=type=cache,target=/x \\\n        --mount=type=secret,id=a   \\\n"
        "   apt-get update\n"
    )
    assert fmt(text) == (
        "FROM a\nRUN --mount=type=cache,target=/x \\\n    --mount=type=secret,id=a \\\n"
        "    apt-get update\n"
    )


def test_literal_arguments_keep_their_inner_white_space() -> None:
    # WORKDIR takes the rest of the line as one path.
    assert fmt("FROM a\nworkdir   /a   b\n") == "FROM a\nWORKDIR /a   b\n"


# -- RUN bodies ------------------------------------------------------------------------


def test_and_operators_move_to_the_start_of_continued_lines() -> None:
    text = "FROM a\nRUN apt-get update && \\\n  apt-get install -y curl && \\\n  rm -rf /x   \n"
    assert fmt(text) == (
        "FROM a\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /x\n"
    )


def test_and_operators_at_the_end_by_option() -> None:
    text = "FROM a\nRUN apt-get update \\\n && apt-get install -y curl\n"
    assert fmt(text, operator_position="end") == (
        "FROM a\nRUN apt-get update && \\\n    apt-get install -y curl\n"
    )


def test_long_chains_get_one_command_per_line() -> None:
    text = (
        "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl git"
        " && rm -rf /var/lib/apt/lists/*\n"
    )
    assert fmt(text) == (
        "FROM a\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl git"
        " \\\n    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert fmt(text, line_width=200) == text
    assert fmt(text, split_chains=False) == text


def test_only_top_level_chains_are_split() -> None:
    text = "FROM a\nRUN (cd /src && make && make install) && echo " + "x" * 70 + "\n"
    assert fmt(text) == (
        "FROM a\nRUN (cd /src && make && make install) \\\n    && echo " + "x" * 70 + "\n"
    )
    compound = "FROM a\nRUN if true; then a && b; fi && echo " + "y" * 70 + "\n"
    assert fmt(compound) == compound


def test_short_chains_stay_on_one_line() -> None:
    text = "FROM a\nRUN cd /x && make\n"
    assert fmt(text) == text


def test_continuation_lines_keep_their_relative_indentation() -> None:
    text = "FROM a\nRUN set -e; \\\n\tif [ -f x ]; then \\\n\t\techo yes; \\\n\tfi\n"
    assert fmt(text) == (
        "FROM a\nRUN set -e; \\\n    if [ -f x ]; then \\\n        echo yes; \\\n    fi\n"
    )


def test_inner_comments_are_kept_and_empty_continuation_lines_dropped() -> None:
    text = (
        "FROM a\nRUN apt-get update && \\\n# install   \n\n  apt-get install -y x && \\\n"
        "  \\\n  echo done\n"
    )
    assert fmt(text) == (
        "FROM a\nRUN apt-get update \\\n    # install\n    && apt-get install -y x \\\n"
        "    && echo done\n"
    )


def test_white_space_inside_quotes_is_kept() -> None:
    text = 'FROM a\nrun echo "a \\\n   b" && \\\n   echo c\n'
    assert fmt(text) == 'FROM a\nRUN echo "a \\\n   b" \\\n    && echo c\n'


def test_a_word_split_over_lines_is_kept() -> None:
    text = "FROM a\nRUN echo ab\\\ncd && \\\n  x\n"
    assert fmt(text) == "FROM a\nRUN echo ab\\\ncd \\\n    && x\n"


def test_a_shell_comment_runs_to_the_end_and_is_kept_as_written() -> None:
    # The shell sees one line: everything after `#` is the comment, continuations included.
    text = "from a\nRUN echo a # note && \\\n  echo b\n"
    assert fmt(text) == "FROM a\nRUN echo a # note && \\\n  echo b\n"


# -- exec form, ENV and LABEL ---------------------------------------------------------------


def test_exec_form_is_compact_json() -> None:
    text = 'FROM a\nCMD [ "a" ,"b"]\nENTRYPOINT [ "x",\\\n  "y\\u0041" ]\nSHELL ["sh","-c"]\n'
    assert fmt(text) == (
        'FROM a\nCMD ["a", "b"]\nENTRYPOINT ["x", "y\\u0041"]\nSHELL ["sh", "-c"]\n'
    )
    assert fmt(text, exec_form=False).startswith('FROM a\nCMD [ "a" ,"b"]\n')


def test_exec_form_followed_by_text_is_kept() -> None:
    text = 'FROM a\nCMD ["a"] ignored\n'
    assert fmt(text) == text


def test_env_and_label_in_key_value_form() -> None:
    text = (
        "FROM a\nENV A b\nENV B two words\nENV C 'it s'\nLABEL maintainer me\n"
        'ENV D "q" r\nENV E=1   F=2\n'
    )
    assert fmt(text) == (
        "FROM a\nENV A=b\nENV B=\"two words\"\nENV C='it s'\nLABEL maintainer=me\n"
        'ENV D "q" r\nENV E=1 F=2\n'
    )
    assert fmt("FROM a\nENV A b\n", env_label_form=False) == "FROM a\nENV A b\n"


def test_multi_line_env_values_keep_their_layout() -> None:
    text = "FROM a\nENV URLS \\\n# first\n\thttps://a/ \\\n\thttps://b/\n"
    result = format_text(text)
    assert result.reason is None
    assert "# first" in result.text
    assert "ENV URLS=" not in result.text


# -- package lists ------------------------------------------------------------------------------


def test_package_lists_sorted_one_per_line_when_asked() -> None:
    text = (
        "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends git curl"
        " ca-certificates && rm -rf /var/lib/apt/lists/*\n"
        "RUN apk add --no-cache --virtual .deps zlib bash\n"
    )
    assert fmt(text, sort_packages=True) == (
        "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "        ca-certificates \\\n        curl \\\n        git \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "RUN apk add --no-cache --virtual .deps \\\n        bash \\\n        zlib\n"
    )
    # Off by default.
    assert "git curl" in fmt(text)


def test_package_lists_with_the_operators_at_the_end() -> None:
    text = "FROM a\nRUN dnf install -y b a && dnf clean all\n"
    assert fmt(text, sort_packages=True, operator_position="end") == (
        "FROM a\nRUN dnf install -y \\\n        a \\\n        b && \\\n    dnf clean all\n"
    )


@pytest.mark.parametrize(
    "run",
    [
        'apt-get install -y "$PKG" b a',
        "apt-get install -y b a --no-install-recommends",
        "set -e; apt-get install -y b a; true",
        "pip install b a",
    ],
)
def test_package_lists_that_are_left_alone(run: str) -> None:
    text = f"FROM x\nRUN {run}\n"
    assert fmt(text, sort_packages=True) == text


def test_the_meaning_check_allows_sorted_packages_only_when_asked() -> None:
    before = parse("FROM a\nRUN apk add b a\n")
    after = "FROM a\nRUN apk add a b\n"
    assert document_difference(before, after, sort_packages=True) is None
    assert document_difference(before, after) is not None
    assert document_difference(parse("FROM a\nRUN echo b a\n"), "FROM a\nRUN echo a b\n", True)


# -- blank lines, line ends, BOM -------------------------------------------------------------


def test_blank_lines_and_final_newline() -> None:
    text = "\n\nFROM a\n\n\n\nRUN x   \nFROM b\n# about c\nFROM c\n\n\n"
    assert fmt(text) == "FROM a\n\nRUN x\n\nFROM b\n\n# about c\nFROM c\n"
    assert fmt("FROM a\nRUN x") == "FROM a\nRUN x\n"
    assert fmt("FROM a\n\n\nRUN x\n", max_blank_lines=0) == "FROM a\nRUN x\n"


def test_a_blank_line_before_a_directive_like_comment_stays() -> None:
    text = "\n# syntax=docker/dockerfile:1\nFROM a\n"
    assert fmt(text) == text


def test_crlf_and_bom_are_kept() -> None:
    text = "\ufeffFROM a\r\nrun x && \\\r\n  y\r\n"
    assert fmt(text) == "\ufeffFROM a\r\nRUN x \\\r\n    && y\r\n"


# -- what is never touched -------------------------------------------------------------------


def test_heredoc_bodies_are_never_touched() -> None:
    text = "FROM a\nrun   <<EOF   \n  body   \n\n\nEOF\nCOPY <<-X /a\n\tkeep  \n\tX\n"
    assert fmt(text) == "FROM a\nRUN <<EOF\n  body   \n\n\nEOF\nCOPY <<-X /a\n\tkeep  \n\tX\n"


def test_comment_text_and_directives_are_never_touched() -> None:
    text = "# syntax=docker/dockerfile:1   \n#   odd   spacing\nFROM a\n"
    assert fmt(text) == "# syntax=docker/dockerfile:1   \n#   odd   spacing\nFROM a\n"


def test_format_off_regions_are_kept() -> None:
    text = (
        "FROM a\n# dfopt: format off\nrun   x &&\\\n y\n\n\n# dfopt: format on\nrun   x &&\\\n y\n"
    )
    assert fmt(text) == (
        "FROM a\n# dfopt: format off\nrun   x &&\\\n y\n\n\n# dfopt: format on\n"
        "RUN x \\\n    && y\n"
    )


def test_opaque_instructions_are_kept() -> None:
    text = "FROM a\nFROBNICATE   x  \nrun x\n"
    assert format_text(text).text == "FROM a\nFROBNICATE   x  \nRUN x\n"


def test_escape_backtick_is_honoured() -> None:
    text = "# escape=`\nfrom a\nRUN cmd /S /C `\n  echo hello `\n  && dir C:\\\nworkdir C:\\app\n"
    # The shell is not a POSIX shell: the command keeps its exact white space.
    assert fmt(text) == (
        "# escape=`\nFROM a\nRUN cmd /S /C `\n  echo hello `\n  && dir C:\\\nWORKDIR C:\\app\n"
    )


def test_non_posix_shell_keeps_command_white_space() -> None:
    text = 'FROM a\nSHELL ["powershell", "-Command"]\nRUN Write-Host  a && \\\n  Write-Host b\n'
    assert fmt(text) == text


# -- the meaning check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('FROM a\nRUN echo "a  b"\n', 'FROM a\nRUN echo "a b"\n'),
        ("FROM a\nRUN a && b\n", "FROM a\nRUN a || b\n"),
        ("FROM a\nENV A b c\n", "FROM a\nENV A=b c\n"),
        ("FROM a\nWORKDIR /a  b\n", "FROM a\nWORKDIR /a b\n"),
        ("FROM a\n# note\nRUN x\n", "FROM a\nRUN x\n"),
        ("FROM a\nRUN x \\\n  # note\n  y\n", "FROM a\nRUN x \\\n  y\n"),
        ("FROM a\nRUN <<EOF\nx\nEOF\n", "FROM a\nRUN <<EOF\nx \nEOF\n"),
        ("FROM a\nRUN x\nRUN y\n", "FROM a\nRUN x \\\nRUN y\n"),
        ('FROM a\nCMD ["a"]\n', 'FROM a\nCMD ["a "]\n'),
        ("\n# escape=`\nFROM a\n", "# escape=`\nFROM a\n"),
    ],
)
def test_meaning_check_sees_changes(before: str, after: str) -> None:
    assert document_difference(parse(before), after) is not None


def test_meaning_check_allows_white_space_between_words() -> None:
    before = "FROM a\nRUN a   &&  b 'x  y'\nENV A b\nCOPY  x   y\n"
    after = "FROM a\nRUN a \\\n    && b 'x  y'\nENV A=b\nCOPY x y\n"
    assert document_difference(parse(before), after) is None


def test_a_layout_that_would_change_the_meaning_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "from a\nrun echo 'a  b'\n"
    real = format_document_module._layout

    def broken(*args: object) -> str:
        return real(*args).replace("a  b", "a b")  # type: ignore[arg-type]

    monkeypatch.setattr(format_document_module, "_layout", broken)
    # Each instruction falls back to its own text; the keyword of FROM is still fixed.
    assert format_text(text).text == "FROM a\nrun echo 'a  b'\n"


def test_a_document_that_would_change_is_left_with_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "from a\n# note\nrun x\n"
    monkeypatch.setattr(format_document_module, "_blank_lines", lambda items, *_: items.pop(1))
    result = format_text(text)
    assert result.text == text
    assert result.reason == "a comment line would be lost or changed"


# -- options, range, API -------------------------------------------------------------------


def test_options_come_from_settings_and_mappings() -> None:
    assert options_from(None) == FormatOptions()
    assert options_from(DefaultSettings()) == FormatOptions()
    assert options_from(Settings.model_validate({"format": {"indent": 2}})).indent == 2
    assert options_from({"line-width": 120}).line_width == 120
    with pytest.raises(ValueError):
        options_from({"line-widht": 120})


def test_configuration_section_is_validated() -> None:
    settings = Settings.model_validate({"format": {"operator-position": "end", "enabled": True}})
    assert settings.format.operator_position == "end"
    assert settings.format.enabled
    with pytest.raises(ValueError):
        Settings.model_validate({"format": {"operator-position": "middle"}})
    with pytest.raises(ValueError):
        Settings.model_validate({"format": {"indent": 0}})


def test_range_formatting_touches_only_the_range() -> None:
    text = "from a\nrun x &&\\\n y\nrun   z\n"
    assert format_range(text, 2, 2).text == "from a\nRUN x \\\n    && y\nrun   z\n"
    assert api.format_range(text, 4, 4).text == "from a\nrun x &&\\\n y\nRUN z\n"


def test_api_format_text() -> None:
    result = api.format_text("from a\n", {"keyword-case": "lower"})
    assert (result.text, result.reason) == ("from a\n", None)
    assert api.format_text("from a\n").text == "FROM a\n"


# -- generated documents -----------------------------------------------------------------------

_LINES = st.sampled_from(
    [
        "from alpine:3.20 as build",
        "RUN apt-get update && \\",
        "  apt-get install -y curl \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "run echo 'a  b' \"c  d\" && echo e",
        "  # comment in a continuation",
        "",
        "   ",
        "ENV A b c",
        "LABEL x=1   y=2",
        'CMD [ "a",  "b" ]',
        "RUN <<EOF",
        "heredoc body  ",
        "EOF",
        "# a comment   ",
        "COPY  a   b",
        "RUN x \\",
        "WORKDIR /a  b",
        "RUN if true; then \\",
        "\techo yes; \\",
        "fi",
        "healthcheck cmd curl x",
        "onbuild run a && \\",
        "FROM scratch",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, min_size=1, max_size=12), st.booleans())
def test_generated_documents_keep_their_meaning_and_are_stable(
    lines: list[str], crlf: bool
) -> None:
    newline = "\r\n" if crlf else "\n"
    text = newline.join(lines) + newline
    result = format_text(text)
    if result.reason is None and result.text != text:
        assert document_difference(parse(text), result.text) is None
    assert format_text(result.text).text == result.text


def test_an_extending_configuration_merges_the_format_section() -> None:
    from dfopt.config import merge_settings

    base = Settings.model_validate({"format": {"indent": 2, "keyword-case": "lower"}})
    override = Settings.model_validate({"format": {"indent": 8}})
    merged = merge_settings(base, override).format
    assert (merged.indent, merged.keyword_case) == (8, "lower")


def test_a_layout_a_second_run_would_change_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = format_document_module._blank_lines

    def growing(items: list, options: FormatOptions, newline: str) -> None:  # type: ignore[type-arg]
        real(items, options, newline)
        items.insert(1, format_document_module._Item("comment", "# again" + newline))

    monkeypatch.setattr(format_document_module, "_blank_lines", growing)
    monkeypatch.setattr(format_document_module, "document_difference", lambda *_: None)
    result = format_text("from a\n")
    assert (result.text, result.reason) == (
        "from a\n",
        "a second run would change the layout again",
    )
