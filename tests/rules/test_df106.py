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


# -- Python packages ---------------------------------------------------------------------

PYTHON_APT = (
    "FROM python:3.12-slim\n"
    "ENV PYTHONUNBUFFERED=1\n"
    "WORKDIR /app\n"
    "# psycopg2 and lxml build against these\n"
    "RUN apt-get update \\\n"
    "    && apt-get install -y --no-install-recommends gcc libpq-dev libxml2-dev curl \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "COPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n"
    "RUN useradd --create-home app && chown -R app /app\n"
    "USER app\n"
    "EXPOSE 8000\n"
    'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n'
)
PYTHON_APK = (
    "FROM python:3.12-alpine3.20\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN apk add --no-cache gcc musl-dev mariadb-dev libffi-dev \\\n"
    "    && pip3 install --no-cache-dir -r requirements.txt\n"
    'CMD ["python", "app.py"]\n'
)


def _final_stage(text: str) -> str:
    stages = analyze(parse(text)).stages
    return "".join(text[item.span.start : item.span.end] for item in stages[-1].instructions)


@pytest.mark.parametrize("codes", [[RULE], None], ids=["DF106", "all rules"])
@pytest.mark.parametrize("text", [PYTHON_APT, PYTHON_APK], ids=["apt", "apk"])
def test_the_python_fix_passes_the_verify_checks(text: str, codes: list[str] | None) -> None:
    from dfopt.config import DefaultSettings
    from dfopt.engine.session import Overrides, Session
    from dfopt.verify import verify_output

    session = Session(DefaultSettings(), None, Overrides(select=codes, unsafe_fixes=True))
    result = session.fix(text)
    assert result.failure is None
    assert RULE in {applied.code for applied in result.applied}
    assert verify_output(text, result, session, None) is None
    _parses(result.text)
    assert [v.code for v in lint(result.text, select=[RULE]).violations] == []


def test_the_python_final_stage_has_the_libraries_and_the_sources_but_no_compiler() -> None:
    fixed = fix(PYTHON_APT, select=[RULE], unsafe=True).text
    stages = analyze(parse(fixed)).stages
    assert [stage.base for stage in stages] == ["python:3.12-slim", "python:3.12-slim"]
    assert "RUN pip install --prefix=/install --no-cache-dir -r requirements.txt\n" in fixed
    final = _final_stage(fixed)
    assert "gcc" not in final and "-dev" not in final and "pip install" not in final
    assert "--no-install-recommends libpq5 libxml2 curl &&" in final
    # Packages, then the installed Python packages, then the sources and what uses them.
    order = ["libpq5", "COPY --from=build /install /usr/local\n", "COPY . .\n", "useradd", "USER"]
    positions = [final.index(part) for part in order]
    assert positions == sorted(positions)
    # The requirements file is only needed for the install.
    assert "requirements.txt" not in final


def test_application_files_copied_before_the_install_are_copied_again_after_it() -> None:
    fixed = fix(PYTHON_APK, select=[RULE], unsafe=True).text
    final = _final_stage(fixed)
    assert final == (
        "FROM python:3.12-alpine3.20\n"
        "WORKDIR /app\n"
        "RUN apk add --no-cache libgcc mariadb-connector-c\n"
        "COPY --from=build /install /usr/local\n"
        "COPY . .\n"
        'CMD ["python", "app.py"]\n'
    )
    # The build stage keeps what the install reads.
    assert fixed.startswith("FROM python:3.12-alpine3.20 AS build\nWORKDIR /app\nCOPY . .\n")


def test_every_pip_install_of_the_stage_goes_to_the_prefix() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y build-essential libpq-dev\n"
        "RUN pip install --upgrade pip setuptools\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "RUN python3 -m pip install gunicorn==22.0.0\n"
        "COPY . .\n"
        'CMD ["gunicorn", "app:app"]\n'
    )
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert "RUN pip install --upgrade pip setuptools\n" in fixed
    assert "RUN pip install --prefix=/install -r requirements.txt\n" in fixed
    assert "RUN python3 -m pip install --prefix=/install gunicorn==22.0.0\n" in fixed
    assert "gunicorn==22.0.0" not in _final_stage(fixed)
    _parses(fixed)


def test_the_python_fix_keeps_crlf_line_endings() -> None:
    text = PYTHON_APK.replace("\n", "\r\n")
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed == fix(PYTHON_APK, select=[RULE], unsafe=True).text.replace("\n", "\r\n")


def test_the_trixie_names_of_the_t64_libraries() -> None:
    text = (
        "FROM python:3.13-slim-trixie\n"
        "RUN apt-get update && apt-get install -y gcc libpng-dev libjpeg-dev\n"
        "RUN pip install -r requirements.txt\n"
    )
    final = _final_stage(fix(text, select=[RULE], unsafe=True).text)
    assert "--no-install-recommends libpng16-16t64 libjpeg62-turbo &&" in final


@pytest.mark.parametrize(
    "text",
    [
        # A user install, a target folder and an editable install are not under /install.
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install --user -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -t /deps -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nCOPY . .\n"
        "RUN pip install -e .\n",
        # pip runs as another user, or is told to install elsewhere.
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nUSER app\n"
        "RUN pip install -r requirements.txt\n",
        "FROM python:3.12-slim\nENV PIP_USER=1\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -r requirements.txt\n",
        # A virtualenv, and work whose result would stay in the build stage.
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN python -m venv /venv && pip install -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -r requirements.txt && python -m compileall /app\n",
        # A RUN left in the build stage after sources that moved to the final stage.
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -r requirements.txt\nCOPY . .\nRUN pip install -r extra.txt\n",
        # stretch: the MariaDB client library had another name.
        "FROM python:3.6-slim\n"
        "RUN apt-get update && apt-get install -y gcc default-libmysqlclient-dev\n"
        "RUN pip install -r requirements.txt\n",
    ],
)
def test_python_installs_the_fix_cannot_convert_are_display_only(text: str) -> None:
    violations = lint(text, select=[RULE]).violations
    assert len(violations) == 1 and violations[0].fix is not None
    assert violations[0].fix.applicability is Applicability.DISPLAY_ONLY
    assert fix(text, select=[RULE], unsafe=True).text == text


def test_named_packages_are_a_build_only_on_the_python_image() -> None:
    text = (
        "FROM {base}\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev python3-pip\n"
        "RUN pip install psycopg2\n"
    )
    assert len(lint(text.format(base="python:3.12-slim"), select=[RULE]).violations) == 1
    assert lint(text.format(base="debian:bookworm"), select=[RULE]).violations == []


def test_dev_packages_installed_after_the_build_get_their_libraries_too() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip install -r requirements.txt\n"
        "RUN apt-get update && apt-get install -y libjpeg-dev && pip install pillow\n"
        "COPY . .\n"
    )
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert "&& pip install --prefix=/install pillow\n" in fixed
    assert "--no-install-recommends libpq5 libjpeg62-turbo &&" in _final_stage(fixed)


@pytest.mark.parametrize("tools", ["--upgrade pip setuptools wheel", "pipenv", "poetry==1.8.3"])
def test_installing_packaging_tools_is_no_build(tools: str) -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y gcc\n"
        f"RUN pip install {tools}\n"
    )
    assert lint(text, select=[RULE]).violations == []


BUILD_LINES = [
    "go build -o /app .",
    "/usr/local/go/bin/go build .",
    "cargo build --release",
    "mvn -B package",
    "./mvnw install",
    "gradle bootJar",
    "./gradlew build",
    "npm run build",
    "yarn build",
    "pnpm run-script build",
    "python -m build",
    "python3 -m pip install -r requirements.txt",
    "pip wheel -w /wheels .",
    "pip3 install .",
    "pip3.12 install flask",
]
OTHER_LINES = [
    "apk add --no-cache go",
    "make -j4",
    "gcc -o app main.c",
    "node server.js",
    "npx vite build",
    "java -jar app.jar",
    "pipx install black",
    "echo go build",
    "true",
]


@pytest.mark.parametrize("line", BUILD_LINES + OTHER_LINES)
def test_the_quick_filter_keeps_every_build_command(line: str) -> None:
    """DF106 skips a RUN when no command passes `may_build`: no build may be lost."""
    from dfopt.rules_api import Context
    from dfopt_rules import _toolchains as tc

    document = parse(f"FROM python:3.12\nRUN {line}\n")
    ctx = Context(document, analyze(document))
    (command,) = ctx.commands(document.instructions[1])
    build = tc.build_of(command, ctx, "/src")
    assert (build is not None) == (line in BUILD_LINES)
    if build is not None:
        assert tc.may_build(command.command)
    elif command.command != "pipx":
        assert not tc.may_build(command.command)
