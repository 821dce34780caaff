"""DF103: behaviour the YAML cases cannot express.

The flag-inserting fixes (`gem --no-document`, `uv --no-cache`) and `pipenv --clear` are
checked here by text and build fingerprint, and DF103 is checked against the hadolint
rules it must never repeat: each cache is reported by exactly one rule.
"""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.engine.fingerprint import fingerprint
from dfopt.syntax import parse

RULE = "DF103"
CACHE_RULES = ["DF103", "DL3009", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042", "DL3060"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "FROM debian:12\nRUN gem install bundler:2.5.9\n",
            "FROM debian:12\nRUN gem install --no-document bundler:2.5.9\n",
        ),
        (
            "FROM python:3.12-slim\nRUN uv pip install --system -r requirements.txt\n",
            "FROM python:3.12-slim\nRUN uv pip install --no-cache --system -r requirements.txt\n",
        ),
        (
            "FROM python:3.12-slim\nRUN uv sync --frozen; uv run pytest\n",
            "FROM python:3.12-slim\nRUN uv sync --no-cache --frozen; uv run pytest\n",
        ),
        (
            "FROM python:3.12-slim\nRUN pipenv install --system --deploy\n",
            "FROM python:3.12-slim\nRUN pipenv install --system --deploy && pipenv --clear\n",
        ),
    ],
)
def test_flag_and_clear_fixes(before: str, after: str) -> None:
    assert fix(before, select=[RULE]).text == after
    assert lint(after, select=[RULE]).violations == []
    assert fingerprint(parse(before)).diff(fingerprint(parse(after))) is None


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine:3.20\nRUN apk update && apk add curl=8.9.1-r0\n",
        "FROM alpine:3.20\nRUN apk add --update curl=8.9.1-r0 && apk upgrade\n",
        "FROM rockylinux:9\nRUN yum -y update && yum -y install httpd-2.4.57\n",
        "FROM fedora:40\nRUN dnf -y upgrade && dnf -y install curl-8.6.0\n",
        "FROM fedora:40\nRUN microdnf -y upgrade && microdnf -y install curl-8.6.0\n",
        "FROM opensuse/leap:15.6\nRUN zypper -n up && zypper -n in curl-8.6.0\n",
        "FROM node:20-slim\nRUN yarn install --frozen-lockfile\n",
        "FROM python:3.12-slim\nRUN pip install flask==3.0.3\n",
        "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7\n",
    ],
)
def test_a_cache_a_hadolint_rule_reports_is_not_reported_again(text: str) -> None:
    codes = [violation.code for violation in lint(text, select=CACHE_RULES).violations]
    assert codes, "the hadolint rule should report this cache"
    assert RULE not in codes
    assert len(codes) == 1


def test_fixing_with_dl3019_converges_on_a_clean_run() -> None:
    text = "FROM alpine:3.20\nRUN apk update && apk add curl=8.9.1-r0\n"
    result = fix(text, select=["DL3019", RULE])
    assert result.text == (
        "FROM alpine:3.20\n"
        "RUN apk update && apk add --no-cache curl=8.9.1-r0 && rm -rf /var/cache/apk/*\n"
    )
    assert lint(result.text, select=CACHE_RULES).violations == []


def test_values_set_by_arg_and_export_count() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "ARG UV_NO_CACHE=1\n"
        "RUN uv sync --frozen\n"
        "FROM python:3.12-slim\n"
        "RUN export UV_NO_CACHE=1 && uv sync --frozen\n"
    )
    assert lint(text, select=[RULE]).violations == []


def test_only_stages_that_reach_the_image_are_checked() -> None:
    text = (
        "FROM node:20-slim AS deps\n"
        "RUN npm ci\n"
        "FROM deps AS build\n"
        "RUN npm install -g typescript@5.4.5\n"
        "FROM node:20-slim AS tools\n"
        "RUN npm install -g pm2@5.3.1\n"
        "FROM build\n"
        'CMD ["node", "server.js"]\n'
    )
    lines = [
        lint(text, select=[RULE]).document.position(violation.span.start).line
        for violation in lint(text, select=[RULE]).violations
    ]
    assert lines == [2, 4]


def test_an_export_counts_for_the_commands_after_it_only() -> None:
    exported_first = (
        "FROM node:20-slim\n"
        "RUN export npm_config_cache=/tmp/npm && npm install && rm -rf /tmp/npm\n"
    )
    assert lint(exported_first, select=[RULE]).violations == []
    # The `rm` runs before the export: it removes another directory than npm's cache.
    exported_last = (
        "FROM node:20-slim\n"
        "RUN npm install && rm -rf /tmp/npm && export npm_config_cache=/tmp/npm\n"
    )
    violations = lint(exported_last, select=[RULE]).violations
    assert [violation.span.start for violation in violations] == [
        exported_last.index("npm install")
    ]


def test_apt_archives_kept_by_a_setting_split_by_quotes() -> None:
    text = (
        "FROM debian:12\n"
        "RUN echo 'APT::Keep-Down''loaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl"
        " && rm -rf /var/lib/apt/lists/*\n"
    )
    violations = lint(text, select=[RULE]).violations
    assert [violation.message.split("`")[1] for violation in violations] == ["apt-get install"]


def test_onbuild_apk_fix_is_planned_for_the_trigger_even_when_read_later() -> None:
    # The parent's own RUNs run before the trigger: only later triggers need the index.
    text = "FROM alpine:3.20\nONBUILD RUN apk update && apk upgrade\nRUN apk add curl\n"
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    found = violations[0].fix  # planned now, after the lint has moved past the trigger
    assert found is not None
    assert fix(text, select=[RULE]).text == (
        "FROM alpine:3.20\n"
        "ONBUILD RUN apk update && apk upgrade && rm -rf /var/cache/apk/*\n"
        "RUN apk add curl\n"
    )
    later_trigger = "FROM alpine:3.20\nONBUILD RUN apk update && apk upgrade\n" + (
        "ONBUILD RUN apk add curl\n"
    )
    assert lint(later_trigger, select=[RULE]).violations[0].fix is None
