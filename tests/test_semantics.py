"""Per-stage facts: stages, base images, ARG/ENV/SHELL/WORKDIR/USER, expansion, mounts."""

from __future__ import annotations

import pytest

from dfopt.semantics import (
    PLATFORM_ARGS,
    Semantics,
    analyze,
    cache_mounted,
    expand,
    mounts_of,
    parse_assignments,
    parse_mount,
    process_word,
    raw_assignments,
    references,
)
from dfopt.syntax import Instruction, parse


def analyse(text: str) -> Semantics:
    return analyze(parse(text))


def instruction(semantics: Semantics, keyword: str, index: int = 0) -> Instruction:
    found = [node for node in semantics.document.instructions if node.keyword == keyword]
    return found[index]


# -- stages ------------------------------------------------------------------------------


MULTI_STAGE = """\
# syntax=docker/dockerfile:1
ARG BASE=alpine
ARG TAG
ARG GO_VERSION=1.22
ARG GO_IMAGE=golang:${GO_VERSION}
FROM ${BASE}:${TAG:-3.19} AS Base
FROM --platform=$BUILDPLATFORM ${GO_IMAGE}-bookworm AS Build
FROM base AS final
FROM build
FROM scratch
"""


def test_stages_aliases_bases_and_parents() -> None:
    semantics = analyse(MULTI_STAGE)
    stages = semantics.stages
    assert [stage.name for stage in stages] == ["base", "build", "final", None, None]
    assert [stage.base for stage in stages] == [
        "alpine:3.19",
        "golang:1.22-bookworm",
        "base",
        "build",
        "scratch",
    ]
    assert stages[0].base_raw == "${BASE}:${TAG:-3.19}"
    assert stages[2].parent is stages[0]
    assert stages[3].parent is stages[1]
    assert stages[0].parent is None and stages[4].parent is None
    assert stages[4].is_scratch
    assert semantics.final_stage is stages[4]
    assert semantics.is_final(stages[4]) and not semantics.is_final(stages[0])
    assert semantics.stage_named("BUILD") is stages[1]
    assert semantics.stage_named("2") is stages[2]
    assert semantics.stage_named("missing") is None
    assert semantics.global_args == {
        "BASE": "alpine",
        "TAG": "",
        "GO_VERSION": "1.22",
        "GO_IMAGE": "golang:1.22",
    }


def test_global_instructions_and_stage_of() -> None:
    semantics = analyse(MULTI_STAGE)
    assert [node.keyword for node in semantics.global_instructions] == ["ARG"] * 4
    first_arg = semantics.global_instructions[0]
    assert semantics.stage_of(first_arg) is None
    assert semantics.state_of(semantics.global_instructions[1]).args == {"BASE": "alpine"}
    from_build = instruction(semantics, "FROM", 1)
    assert semantics.stage_of(from_build) is semantics.stages[1]


def test_platform_args_in_from_and_global_defaults() -> None:
    semantics = analyse(
        "ARG ARCH_IMAGE=$TARGETARCH/alpine\nFROM --platform=$BUILDPLATFORM ${ARCH_IMAGE}\n"
        "FROM ${TARGETOS}-base:${BUILDARCH}\n"
    )
    assert semantics.stages[0].base == f"{PLATFORM_ARGS['TARGETARCH']}/alpine"
    assert semantics.stages[1].base == "linux-base:amd64"


def test_quoted_from_image_is_unquoted() -> None:
    semantics = analyse('ARG V=3.20\nFROM "alpine:${V}"\n')
    assert semantics.stages[0].base == "alpine:3.20"


def test_descendants_used_by_from_and_copy_from() -> None:
    semantics = analyse(
        "FROM alpine AS a\nFROM alpine AS b\nFROM alpine AS c\n"
        "ARG SRC=b\nCOPY --from=${SRC} /x /x\nFROM a\nCOPY --from=0 /y /y\n"
    )
    assert semantics.descendants_used() == {0, 1}


# -- per-stage state -------------------------------------------------------------------


def test_arg_env_shell_workdir_user_per_stage_and_inherited() -> None:
    text = """\
ARG VERSION=1.2
FROM alpine AS build
ARG VERSION
ARG LOCAL=x${VERSION}
ENV APP_HOME=/opt/app PATH=/opt/app/bin:$PATH
WORKDIR $APP_HOME
WORKDIR src
USER builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN make
FROM build AS test
RUN make test
FROM alpine
RUN true
"""
    semantics = analyse(text)
    build, test, last = semantics.stages
    make = instruction(semantics, "RUN", 0)
    state = semantics.state_of(make)
    assert state.args == {"VERSION": "1.2", "LOCAL": "x1.2"}
    assert state.env == {"APP_HOME": "/opt/app", "PATH": "/opt/app/bin:"}
    assert state.workdir == "/opt/app/src"
    assert state.user == "builder"
    assert state.shell == ("/bin/bash", "-o", "pipefail", "-c")
    assert state.variables["LOCAL"] == "x1.2"
    # FROM <stage>: ENV, SHELL, WORKDIR and USER carry over; ARGs do not.
    inherited = semantics.state_of(instruction(semantics, "RUN", 1))
    assert inherited.args == {}
    assert inherited.env == state.env
    assert inherited.workdir == "/opt/app/src"
    assert inherited.user == "builder"
    assert inherited.shell == state.shell
    assert test.parent is build
    fresh = semantics.state_of(instruction(semantics, "RUN", 2))
    assert fresh.env == {} and fresh.workdir is None and fresh.user is None
    assert fresh.shell == ("/bin/sh", "-c")
    assert last.final_state.shell_is_posix


def test_state_before_each_instruction() -> None:
    semantics = analyse("FROM alpine\nENV A=1\nENV A=2 B=$A\nRUN true\n")
    stage = semantics.stages[0]
    assert [dict(state.env) for state in stage.states] == [{}, {}, {"A": "1"}, {"A": "2", "B": "1"}]
    assert stage.state_before(stage.instructions[3]).env == {"A": "2", "B": "1"}


def test_global_arg_redeclared_in_stage() -> None:
    text = (
        "ARG VERSION=1.0\nARG EMPTY\nFROM alpine\nRUN echo\nARG VERSION\nARG EMPTY\n"
        "ARG OTHER=${VERSION}-x\nARG VERSION=2.0\nRUN echo\n"
    )
    semantics = analyse(text)
    before = semantics.state_of(instruction(semantics, "RUN", 0))
    assert "VERSION" not in before.args  # not declared in the stage yet
    after = semantics.state_of(instruction(semantics, "RUN", 1))
    assert after.args == {"VERSION": "2.0", "EMPTY": "", "OTHER": "1.0-x"}


def test_platform_arg_declared_in_stage() -> None:
    semantics = analyse("FROM alpine\nARG TARGETARCH\nARG TARGETOS\nRUN echo\n")
    state = semantics.state_of(instruction(semantics, "RUN"))
    assert state.args == {"TARGETARCH": "amd64", "TARGETOS": "linux"}


def test_env_legacy_form_and_quotes() -> None:
    text = (
        'FROM alpine\nARG V=9\nENV LEGACY value with  spaces\nENV QUOTED "a b"  c\n'
        "ENV S='$V' D=\"$V\" E=\\$V F=a\\ b G=${V:-x}\nRUN echo\n"
    )
    semantics = analyse(text)
    env = semantics.state_of(instruction(semantics, "RUN")).env
    assert env == {
        "LEGACY": "value with  spaces",
        "QUOTED": "a b  c",
        "S": "$V",
        "D": "9",
        "E": "$V",
        "F": "a b",
        "G": "9",
    }


def test_env_with_backtick_escape() -> None:
    semantics = analyse("# escape=`\nFROM alpine\nENV P=C:\\app A=x` y B=`$HOME\nRUN echo\n")
    env = semantics.state_of(instruction(semantics, "RUN")).env
    assert env == {"P": "C:\\app", "A": "x y", "B": "$HOME"}


def test_workdir_relative_without_base_and_with_variables() -> None:
    semantics = analyse(
        "FROM alpine\nWORKDIR app\nRUN a\nWORKDIR /srv\nENV SUB=data\n"
        'WORKDIR "$SUB/../logs"\nUSER "${NAME:-nobody}"\nRUN b\n'
    )
    assert semantics.state_of(instruction(semantics, "RUN", 0)).workdir is None
    state = semantics.state_of(instruction(semantics, "RUN", 1))
    assert state.workdir == "/srv/logs"
    assert state.user == "nobody"


@pytest.mark.parametrize(
    ("shell", "posix"),
    [
        ('["/bin/bash", "-c"]', True),
        ('["/bin/busybox", "sh", "-c"]', True),
        ('["cmd", "/S", "/C"]', False),
        ('["powershell", "-Command"]', False),
        ('["C:\\\\Program Files\\\\PowerShell\\\\pwsh.exe", "-c"]', False),
    ],
)
def test_shell_is_posix(shell: str, posix: bool) -> None:
    semantics = analyse(f"FROM alpine\nSHELL {shell}\nRUN echo\n")
    assert semantics.state_of(instruction(semantics, "RUN")).shell_is_posix is posix


def test_onbuild_triggers_do_not_change_the_state() -> None:
    semantics = analyse("FROM alpine\nONBUILD ENV A=1\nONBUILD USER app\nRUN echo\n")
    state = semantics.state_of(instruction(semantics, "RUN"))
    assert state.env == {} and state.user is None


# -- assignments -------------------------------------------------------------------------


def test_parse_assignments() -> None:
    assert parse_assignments("A=1 B=\"x y\" C='$D' E=a\\ b F", legacy=False) == [
        ("A", "1"),
        ("B", "x y"),
        ("C", "$D"),
        ("E", "a b"),
        ("F", None),
    ]
    assert parse_assignments('KEY "x y"  z', legacy=True) == [("KEY", "x y  z")]
    assert parse_assignments('"spaced key"=v', legacy=False) == [("spaced key", "v")]
    assert parse_assignments("A=`$B", legacy=False, escape="`") == [("A", "$B")]
    assert raw_assignments('A="x y" B', legacy=False) == [("A", '"x y"'), ("B", None)]


# -- expansion -----------------------------------------------------------------------------

VARIABLES = {"SET": "value", "EMPTY": "", "FILE": "archive.tar.gz", "DIR": "/usr/local/bin"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$SET", "value"),
        ("${SET}", "value"),
        ("pre${SET}post", "prevaluepost"),
        ("$UNSET", ""),
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),
        ("${SET:-default}", "value"),
        ("${UNSET-default}", "default"),
        ("${EMPTY-default}", ""),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${UNSET:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${SET:-x}}", "value"),
        ("\\$SET", "$SET"),
        ("\\${SET}", "${SET}"),
        ("$", "$"),
        ("cost: $5", "cost: "),
        ("${FILE%.tar.gz}", "archive"),
        ("${FILE%%.*}", "archive"),
        ("${FILE#*.}", "tar.gz"),
        ("${FILE##*.}", "gz"),
        ("${DIR/local/opt}", "/usr/opt/bin"),
        ("${DIR//l/L}", "/usr/LocaL/bin"),
        ("${SET:?must be set}", "value"),
        ("${", "${"),
        ("a ${ b", "a ${ b"),
    ],
)
def test_expand_forms(text: str, expected: str) -> None:
    assert expand(text, VARIABLES) == expected


def test_expand_keeps_quotes_and_other_escapes() -> None:
    assert expand("'$SET' \"$SET\"", VARIABLES) == "'value' \"value\""
    assert expand("C:\\dir\\sub\\$SET", VARIABLES) == "C:\\dir\\sub$SET"
    assert expand("C:\\dir\\ $SET", VARIABLES) == "C:\\dir\\ value"
    assert expand("`$SET and \\$SET", VARIABLES, escape="`") == "$SET and \\value"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'$SET'", "$SET"),
        ('"$SET x"', "value x"),
        ('"a\\"b"', 'a"b'),
        ('"\\$SET"', "$SET"),
        ("a\\ b", "a b"),
        ("\\$SET", "$SET"),
        ("'unterminated", "'unterminated"),
        ("${UNSET:-'a b'}", "a b"),
    ],
)
def test_process_word(text: str, expected: str) -> None:
    assert process_word(text, VARIABLES) == expected


def test_process_word_can_keep_unknown_variables() -> None:
    assert process_word("$UNSET-${UNSET:-x}-$SET", VARIABLES, keep_unset=True) == (
        "$UNSET-${UNSET:-x}-value"
    )


def test_references() -> None:
    assert references("$A ${B:-$C} $1 ${D}x $$") == ["A", "B", "C", "D"]


# -- mounts ------------------------------------------------------------------------------


def test_parse_mount_csv() -> None:
    mount = parse_mount("type=cache,target=/root/.cache,id=pip,sharing=locked")
    assert mount.type == "cache" and mount.target == "/root/.cache"
    assert mount.options["sharing"] == "locked"
    assert mount.is_cache_like
    quoted = parse_mount('type=bind,"source=a,b",dst=/src,readonly')
    assert quoted.type == "bind"
    assert quoted.options["source"] == "a,b"
    assert quoted.target == "/src"
    assert quoted.options["readonly"] == "true"
    assert not quoted.is_cache_like
    assert parse_mount("target=/x").type == "bind"
    assert parse_mount("Type=TMPFS,Destination=/tmp").is_cache_like


def test_cache_mounted() -> None:
    semantics = analyse(
        "FROM debian\n"
        "RUN --mount=type=cache,target=/var/cache/apt --mount=type=tmpfs,target=/tmp/ "
        "--mount=type=bind,target=/src apt-get install -y x\n"
        "ONBUILD RUN --mount=type=cache,target=/root/.cache pip install x\n"
    )
    run = instruction(semantics, "RUN")
    assert len(mounts_of(run)) == 3
    assert cache_mounted(run, "/var/cache/apt")
    assert cache_mounted(run, "/var/cache/apt/archives/")
    assert cache_mounted(run, "/tmp/build")
    assert not cache_mounted(run, "/var/cache")
    assert not cache_mounted(run, "/var/cache/aptitude")
    assert not cache_mounted(run, "/src")
    onbuild = instruction(semantics, "ONBUILD")
    assert cache_mounted(onbuild, "/root/.cache/pip")


def test_a_stage_builds_on_the_stages_up_its_from_chain() -> None:
    semantics = analyze(
        parse(
            "FROM alpine AS base\nFROM base AS middle\nFROM middle AS top\nFROM alpine AS other\n"
        )
    )
    base, middle, top, other = semantics.stages
    assert top.builds_on(middle) and top.builds_on(base)
    assert middle.builds_on(base) and not middle.builds_on(top)
    assert not base.builds_on(base)
    assert not other.builds_on(base)
