"""DF106: what the YAML cases cannot show: line endings, the escape character, stage
names already taken, a RUN merged by other fixes, and fixes held back without --unsafe."""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability
from dfopt.semantics import analyze
from dfopt.syntax import parse

try:
    import dockerfile as buildkit
except ImportError:  # no wheel for this platform: the BuildKit checks are skipped
    buildkit = None

RULE = "DF106"
SPLIT = (
    "FROM alpine:3.20\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN apk add --no-cache go \\\n"
    "    && go build -o /app/server . \\\n"
    "    && apk add --no-cache curl\n"
    'CMD ["/app/server"]\n'
)
SPLIT_FIXED = (
    "FROM alpine:3.20 AS build\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN apk add --no-cache go \\\n"
    "    && go build -o /app/server .\n"
    "\n"
    "FROM alpine:3.20\n"
    "WORKDIR /app\n"
    "RUN apk add --no-cache curl\n"
    "COPY --from=build /app/server /app/server\n"
    'CMD ["/app/server"]\n'
)


def _parses(text: str) -> None:
    assert not parse(text).problems
    if buildkit is not None:
        buildkit.parse_string(text)


def test_fix_is_unsafe_and_held_back_by_default() -> None:
    violations = lint(SPLIT, select=[RULE]).violations
    assert [v.code for v in violations] == [RULE]
    assert violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.UNSAFE
    result = fix(SPLIT, select=[RULE])
    assert result.text == SPLIT
    assert result.held_back == 1


def test_a_run_that_goes_on_after_the_build_is_split() -> None:
    result = fix(SPLIT, select=[RULE], unsafe=True)
    assert result.text == SPLIT_FIXED
    _parses(result.text)
    assert fix(result.text, select=[RULE], unsafe=True).text == result.text


def test_crlf_line_endings_are_kept() -> None:
    text = SPLIT.replace("\n", "\r\n")
    result = fix(text, select=[RULE], unsafe=True)
    assert result.text == SPLIT_FIXED.replace("\n", "\r\n")
    _parses(result.text)


def test_the_escape_character_is_kept() -> None:
    text = "# escape=`\n" + SPLIT.replace("\\\n", "`\n")
    result = fix(text, select=[RULE], unsafe=True)
    assert result.text == "# escape=`\n" + SPLIT_FIXED.replace("\\\n", "`\n")
    _parses(result.text)


def test_the_build_stage_gets_a_name_no_other_stage_uses() -> None:
    text = (
        "FROM alpine:3.20 AS build\n"
        "RUN echo assets > /assets.txt\n"
        "FROM golang:1.22-alpine3.20\n"
        "WORKDIR /src\n"
        "COPY --from=build /assets.txt .\n"
        "COPY . .\n"
        "RUN go build -o /bin/app .\n"
        'CMD ["/bin/app"]\n'
    )
    fixed = fix(text, select=[RULE], unsafe=True).text
    stages = analyze(parse(fixed)).stages
    assert [stage.name for stage in stages] == ["build", "builder", None]
    assert stages[-1].base == "alpine:3.20"
    assert "COPY --from=builder /bin/app /bin/app\n" in fixed
    assert "COPY --from=build /assets.txt .\n" in fixed
    _parses(fixed)


def test_display_only_when_the_container_starts_a_script_from_the_sources() -> None:
    text = (
        "FROM maven:3.9-eclipse-temurin-17\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN mvn -B package\n"
        'CMD ["bin/start.sh"]\n'
    )
    violations = lint(text, select=[RULE]).violations
    assert len(violations) == 1 and violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.DISPLAY_ONLY
    assert fix(text, select=[RULE], unsafe=True).text == text


@pytest.mark.parametrize(
    "tail",
    [
        "    && ./server --self-test \\\n    && apk add --no-cache curl\n",
        "    && rm -rf /root/go \\\n    && apk add --no-cache curl\n",
    ],
)
def test_no_fix_when_the_run_mixes_build_and_run_time_work_after_the_build(tail: str) -> None:
    text = (
        "FROM alpine:3.20\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN apk add --no-cache go \\\n"
        "    && go build -o /app/server . \\\n" + tail + 'CMD ["/app/server"]\n'
    )
    violations = lint(text, select=[RULE]).violations
    assert len(violations) == 1 and violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.DISPLAY_ONLY


def test_a_toolchain_image_without_a_build_is_fine() -> None:
    text = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCMD ["go", "test", "./..."]\n'
    assert lint(text, select=[RULE]).violations == []


def test_pip_install_of_named_tools_is_not_a_build() -> None:
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y gcc make python3-pip\n"
        "RUN pip install cpplint\n"
    )
    assert lint(text, select=[RULE]).violations == []
