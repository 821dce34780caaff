"""Hypothesis strategies that build Dockerfile-like text from a grammar of fragments.

The fragments cover what the lossless model must survive: parser directives, instructions
in any letter case, builder flags (quoted, escaped, ``--``), line continuations with both
escape characters (with trailing blanks, escaped escapes, comment and blank lines inside),
CRLF line ends, here-documents (``<<EOF``, ``<<-EOF`` with tab-indented terminators, quoted
delimiters, several per line, missing terminators), JSON arrays (valid, with escapes, with
non-strings, followed by text) and random garbage, unicode included.
"""

from __future__ import annotations

from hypothesis import strategies as st

KEYWORDS = (
    "FROM",
    "RUN",
    "CMD",
    "ENTRYPOINT",
    "SHELL",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "LABEL",
    "WORKDIR",
    "USER",
    "EXPOSE",
    "VOLUME",
    "HEALTHCHECK",
    "ONBUILD",
    "STOPSIGNAL",
    "MAINTAINER",
)
UNKNOWN_KEYWORDS = ("FOO", "COPYX", "RUNS", "-", "[x]")

newlines = st.sampled_from(["\n", "\n", "\n", "\r\n"])
escapes = st.sampled_from(["\\", "\\", "`"])
blanks = st.sampled_from(["", " ", "  ", "\t", " \t "])


@st.composite
def keywords(draw: st.DrawFn) -> str:
    """A known keyword in random letter case, sometimes an unknown word."""
    word = draw(st.sampled_from(KEYWORDS + UNKNOWN_KEYWORDS))
    style = draw(st.sampled_from(["upper", "upper", "lower", "mixed"]))
    if style == "lower":
        return word.lower()
    if style == "mixed":
        return "".join(
            char.lower() if index % 2 else char.upper() for index, char in enumerate(word)
        )
    return word


FLAGS = (
    "--mount=type=cache,target=/root/.cache",
    '--mount=type=bind,source="a b",target=/src',
    "--mount=type=secret,id=npmrc,target=/root/.npmrc",
    "--from=build",
    "--FROM=Build",
    "--chown=app:app",
    '--chown="app user"',
    "--chmod=0755",
    "--link",
    "--link=false",
    "--platform=$BUILDPLATFORM",
    "--network=none",
    "--interval=30s",
    "--x=a\\ b",
    "--empty=",
    "--q='single quoted'",
    "--",
    "--é=ü",
)

ARG_PIECES = (
    "alpine:3.19",
    "AS",
    "build",
    "echo",
    "hello",
    "&&",
    "||",
    ";",
    "|",
    "apt-get",
    "install",
    "-y",
    "curl",
    "$HOME",
    "${VAR:-default}",
    "${TAG}",
    "'single quoted'",
    '"double \\" quoted"',
    "a=b",
    'K="v w"',
    "/app",
    ".",
    "8080/tcp",
    "CMD",
    "NONE",
    "RUN",
    "#notacomment",
    "é",
    "日本",
    "\u00a0",
    "\x85",
    "\\$",
    "x\\\\",
    '"unterminated',
    "'open",
    "${",
    "${}",
    "$",
    "a\\ b",
    "<<EOF",
    "<<-'END'",
    "2<<E_2",
    "k=v",
    "k=",
    '"k=v"',
    "`",
    "``",
    "--not-a-flag",
)

JSON_ARRAYS = (
    '["echo", "hello"]',
    '[ "/bin/sh" , "-c" ]',
    "[]",
    '["a\\nb", "\\u00e9", "\\"q\\""]',
    '["日本", "é"]',
    '["a"] trailing text',
    '["a",]',
    "[1, 2]",
    '["a", 1]',
    '["a", null]',
    '["a", NaN]',
    "[1e999]",
    "[not json",
    '{"a": "b"}',
)


@st.composite
def flag_lists(draw: st.DrawFn) -> str:
    flags = draw(st.lists(st.sampled_from(FLAGS), max_size=3))
    return "".join(flag + draw(st.sampled_from([" ", "  ", "\t"])) for flag in flags)


@st.composite
def continuations(draw: st.DrawFn) -> str:
    """An escape character ending a line (maybe escaped itself), then the line end.

    Sometimes comment lines or blank lines follow inside the continuation.
    """
    escape = draw(escapes)
    trailing = draw(st.sampled_from(["", "", " ", "  \t"]))
    doubled = draw(st.sampled_from(["", "", "", escape]))
    text = doubled + escape + trailing + draw(newlines)
    extra = draw(
        st.lists(
            st.sampled_from(["# inner comment", "  # indented comment", "", "   ", "#"]),
            max_size=2,
        )
    )
    for line in extra:
        text += line + draw(newlines)
    return text


@st.composite
def argument_text(draw: st.DrawFn) -> str:
    """Arguments: words, JSON arrays and continuations."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(JSON_ARRAYS))
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            parts.append(draw(continuations()))
        elif choice == 1:
            parts.append(draw(st.text(max_size=4)))
        else:
            parts.append(draw(st.sampled_from(ARG_PIECES)))
        parts.append(draw(st.sampled_from([" ", " ", "\t", ""])))
    return "".join(parts)


@st.composite
def heredoc_markers(draw: st.DrawFn) -> tuple[str, str, bool]:
    """A here-document marker word: returns (marker, name, chomp)."""
    name = draw(st.sampled_from(["EOF", "END", "eof", "E_2", "PY"]))
    chomp = draw(st.booleans())
    quote = draw(st.sampled_from(["", "", "'", '"']))
    fd = draw(st.sampled_from(["", "", "", "3"]))
    marker = f"{fd}<<{'-' if chomp else ''}{quote}{name}{quote}"
    return marker, name, chomp


@st.composite
def heredoc_instructions(draw: st.DrawFn) -> str:
    """RUN/COPY/ADD (maybe under ONBUILD) with one or more here-documents and their bodies."""
    keyword = draw(st.sampled_from(["RUN", "run", "COPY", "ADD", "ONBUILD RUN", "ONBUILD COPY"]))
    markers = draw(st.lists(heredoc_markers(), min_size=1, max_size=3))
    newline = draw(newlines)
    head = keyword + " " + draw(flag_lists())
    if keyword.upper().endswith("RUN"):
        head += " ".join(
            draw(st.sampled_from(["", "cat", "python3", "sh -c"])) + " " + marker
            for marker, _, _ in markers
        )
    else:
        head += " ".join(marker for marker, _, _ in markers) + " /dest/"
    if draw(st.integers(0, 5)) == 0:
        head += draw(continuations()) + "  && echo after"
    text = head + newline
    for index, (_, name, chomp) in enumerate(markers):
        body_lines = draw(
            st.lists(
                st.sampled_from(
                    [
                        "echo hi",
                        "\techo tabbed",
                        "set -e",
                        "#!/bin/sh",
                        "# a comment",
                        "",
                        "  ",
                        "$HOME ${X}",
                        "RUN not an instruction",
                        name + " ",
                        "\\",
                        "é 日本",
                    ]
                ),
                max_size=4,
            )
        )
        for line in body_lines:
            text += line + draw(newlines)
        terminated = draw(st.integers(0, 12)) != 0 or index < len(markers) - 1
        if terminated:
            indent = "\t\t" if chomp and draw(st.booleans()) else ""
            ending = draw(st.sampled_from([newline, newline, "\r\n", ""]))
            text += indent + name + ending
    return text


@st.composite
def instructions(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(["", "", "  ", "\t"]))
    keyword = draw(keywords())
    separator = draw(st.sampled_from([" ", " ", "\t", "  "]))
    body = draw(flag_lists()) + draw(argument_text())
    if keyword.upper() == "ONBUILD":
        body = draw(keywords()) + " " + body
    if keyword.upper() == "HEALTHCHECK":
        body = draw(flag_lists()) + draw(st.sampled_from(["CMD ", "NONE", "cmd\t", ""])) + body
    ending = draw(st.sampled_from(["", "", "", " ", "\\", "`"]))
    return indent + keyword + separator + body + ending + draw(newlines)


DIRECTIVES = (
    "# syntax=docker/dockerfile:1",
    "#syntax = docker/dockerfile:1.7",
    "# escape=`",
    "# escape=\\",
    "# ESCAPE = `",
    "# escape=x",
    "# check=skip=all",
    "# unknown=directive",
    "#",
    "#\xa0escape=`",
    "# escape=`\xa0",
    "  # escape = `  ",
    "#escape\v=`",
    "# syntax=",
)


@st.composite
def other_lines(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 6))
    if choice == 0:
        return draw(st.sampled_from(["", " ", "\t", "  \t "])) + draw(newlines)
    if choice == 1:
        comment = draw(st.sampled_from(["# comment", "  # indented", "#", "# é 日本"]))
        return comment + draw(newlines)
    if choice == 2:
        return draw(st.sampled_from(["\\", "`", " \\ ", "\\\\"])) + draw(newlines)
    if choice == 3:
        return draw(st.text(max_size=12)) + draw(newlines)
    return draw(instructions())


@st.composite
def dockerfiles(draw: st.DrawFn, garbage: bool = True) -> str:
    """A whole Dockerfile-like text: directives, then a mix of fragments."""
    text = ""
    if draw(st.integers(0, 6)) == 0:
        text += "\ufeff"
    for directive in draw(st.lists(st.sampled_from(DIRECTIVES), max_size=2)):
        text += directive + draw(newlines)
    fragments = [
        instructions(),
        instructions(),
        instructions(),
        heredoc_instructions(),
        other_lines(),
    ]
    for fragment in draw(st.lists(st.one_of(fragments), max_size=8)):
        text += fragment
    if garbage and draw(st.integers(0, 4)) == 0:
        text += draw(st.text(max_size=20))
    if draw(st.integers(0, 3)) == 0:
        text = text.rstrip("\r\n")
    return text


@st.composite
def oracle_friendly_dockerfiles(draw: st.DrawFn) -> str:
    """Like :func:`dockerfiles` but without what the oracle deliberately reads differently.

    The ``check`` directive is newer than the oracle, and flags with non-ASCII characters
    are garbled by it (see fixtures/parse/DISAGREEMENTS.yaml), so neither is generated.
    """
    text = draw(dockerfiles(garbage=True))
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not line.lower().lstrip("\ufeff").startswith("# check")]
    return "".join(kept).replace("--é=ü", "--e=u")
