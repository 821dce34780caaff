"""DL3009: fix safety depends on later RUNs; line endings are kept."""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

RULE = "DL3009"


def _applicability(text: str) -> Applicability | None:
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    found = violations[0].fix
    return found.applicability if found is not None else None


def test_fix_is_safe_when_nothing_later_uses_the_lists() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        'RUN ["/usr/bin/curl", "--version"]\n'
    )
    assert _applicability(text) is Applicability.SAFE


def test_exec_form_run_that_may_call_apt_withholds_the_fix() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        'RUN ["apt-get", "install", "-y", "git"]\n'
    )
    assert _applicability(text) is None


def test_apt_cache_later_in_a_child_stage_withholds_the_fix() -> None:
    text = (
        "FROM debian:12 AS base\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        "FROM base\n"
        "RUN apt-cache policy curl\n"
    )
    assert _applicability(text) is None


def test_later_run_with_its_own_lists_cache_does_not_matter() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y git\n"
    )
    assert _applicability(text) is Applicability.SAFE


def test_onbuild_fix_only_looks_at_later_triggers() -> None:
    trigger = "ONBUILD RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    later_trigger = "FROM debian:12\n" + trigger + "ONBUILD RUN apt-get install -y make\n"
    assert _applicability(later_trigger) is None
    # The parent's own RUNs run before any trigger does.
    later_run = "FROM debian:12\n" + trigger + "RUN apt-get install -y make\n"
    assert _applicability(later_run) is Applicability.SAFE


def test_crlf_continuation_is_kept() -> None:
    text = (
        "FROM debian:12\r\n"
        "RUN apt-get update \\\r\n"
        "    && apt-get install -y --no-install-recommends curl\r\n"
    )
    result = fix(text, select=[RULE])
    assert result.failure is None
    assert result.text == (
        "FROM debian:12\r\n"
        "RUN apt-get update \\\r\n"
        "    && apt-get install -y --no-install-recommends curl \\\r\n"
        "    && rm -rf /var/lib/apt/lists/*\r\n"
    )


def test_heredoc_run_is_reported_without_a_fix() -> None:
    text = (
        "FROM debian:12\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "apt-get install -y --no-install-recommends curl\n"
        "EOF\n"
    )
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    assert violations[0].fix is None


@pytest.mark.parametrize(
    "later",
    [
        "RUN sudo apt-get install -y curl",
        "RUN sudo -E apt-get install -y curl",
        "RUN env DEBIAN_FRONTEND=noninteractive apt-get install -y curl",
        "RUN timeout 600 apt-get install -y curl",
        "RUN nice -n 10 apt-get install -y curl",
        "RUN command apt-get install -y curl",
        "RUN eatmydata apt-get install -y curl",
        "RUN echo curl | xargs apt-get install -y",
        'RUN sh -c "apt-get install -y curl"',
        "RUN bash -ec 'apt-get install -y curl'",
        "RUN ./install-deps.sh",
        "RUN /opt/setup",
        "RUN make deps",
        "RUN curl -fsSL https://example.com/setup | bash",
        'RUN ["apt-get", "install", "-y", "curl"]',
        'RUN ["sudo", "apt-get", "install", "-y", "curl"]',
        'RUN ["/usr/local/bin/install-deps"]',
        "RUN $INSTALL curl",
    ],
)
def test_no_cleanup_while_a_later_run_may_still_need_the_lists(later: str) -> None:
    text = f"FROM debian:12\nRUN apt-get update && apt-get install -y sudo\n{later}\n"
    result = fix(text, select=["DL3009"])
    assert "rm -rf /var/lib/apt/lists" not in result.text


@pytest.mark.parametrize(
    "later",
    [
        "RUN sudo apt-get update && sudo apt-get install -y curl",
        'RUN sh -c "apt-get update && apt-get install -y curl"',
        "RUN echo done",
        'RUN ["echo", "done"]',
    ],
)
def test_the_cleanup_is_appended_when_no_later_run_needs_the_lists(later: str) -> None:
    text = f"FROM debian:12\nRUN apt-get update && apt-get install -y sudo\n{later}\n"
    result = fix(text, select=["DL3009"])
    assert "apt-get install -y sudo && rm -rf /var/lib/apt/lists/*" in result.text


@pytest.mark.parametrize(
    "later",
    ["RUN apk add curl", "RUN sudo apk add curl", "RUN sh -c 'apk add curl'", "RUN ./setup.sh"],
)
def test_apk_update_is_kept_while_a_later_run_installs_from_the_index(later: str) -> None:
    text = f"FROM alpine:3.20\nRUN apk add --update git\n{later}\n"
    [first] = [v for v in lint(text, select=["DL3019"]).violations if v.span.start < 40]
    assert first.fix is None
    alone = "FROM alpine:3.20\nRUN apk add --update git\nRUN apk add --no-cache curl\n"
    assert "apk add --no-cache git" in fix(alone, select=["DL3019"]).text
