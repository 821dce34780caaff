"""DF108: the fix is safe, names every archive once, keeps CRLF line ends."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

RULE = "DF108"


def test_fix_is_safe_and_applies_without_unsafe_fixes() -> None:
    text = (
        "FROM debian:12\n"
        "RUN curl -o /tmp/a.tgz https://example.com/a.tgz && tar -xzf /tmp/a.tgz -C /opt\n"
    )
    violations = lint(text, select=[RULE]).violations
    assert [violation.code for violation in violations] == [RULE]
    found = violations[0].fix
    assert found is not None and found.applicability is Applicability.SAFE
    assert fix(text, select=[RULE]).text.endswith(" && rm -f /tmp/a.tgz\n")


def test_two_archives_are_removed_by_one_rm() -> None:
    text = (
        "FROM debian:12\n"
        "RUN curl -o /tmp/a.tgz https://example.com/a.tgz && tar -xzf /tmp/a.tgz \\\n"
        "    && wget -O /tmp/b.zip https://example.com/b.zip && unzip /tmp/b.zip\n"
    )
    assert len(lint(text, select=[RULE]).violations) == 2
    fixed = fix(text, select=[RULE]).text
    assert fixed.endswith("unzip /tmp/b.zip \\\n    && rm -f /tmp/a.tgz /tmp/b.zip\n")
    assert lint(fixed, select=[RULE]).violations == []


def test_crlf_line_ends_are_kept() -> None:
    text = (
        "FROM debian:12\r\n"
        "RUN curl -o /tmp/a.tgz https://example.com/a.tgz \\\r\n"
        "    && tar -xzf /tmp/a.tgz\r\n"
    )
    fixed = fix(text, select=[RULE]).text
    assert fixed.endswith("tar -xzf /tmp/a.tgz \\\r\n    && rm -f /tmp/a.tgz\r\n")


def test_paths_with_spaces_are_quoted() -> None:
    text = (
        "FROM debian:12\n"
        "RUN curl -o '/tmp/my file.zip' https://example.com/a.zip && unzip '/tmp/my file.zip'\n"
    )
    assert fix(text, select=[RULE]).text.endswith("&& rm -f '/tmp/my file.zip'\n")


def test_commands_named_by_path_count() -> None:
    text = (
        "FROM debian:12\n"
        "RUN /usr/bin/curl -o /tmp/a.tgz https://example.com/a.tgz"
        " && /bin/tar -xzf /tmp/a.tgz -C /opt\n"
    )
    assert fix(text, select=[RULE]).text.endswith(" && rm -f /tmp/a.tgz\n")


def test_a_download_that_is_not_unpacked_is_not_reported() -> None:
    text = "FROM debian:12\nRUN curl -o /tmp/a.tgz https://example.com/a.tgz && ls /tmp\n"
    assert lint(text, select=[RULE]).violations == []


def test_an_archive_unpacked_before_it_is_downloaded_is_not_reported() -> None:
    text = (
        "FROM debian:12\n"
        "RUN tar -xzf /tmp/a.tgz -C /opt && curl -o /tmp/a.tgz https://example.com/a.tgz\n"
    )
    assert lint(text, select=[RULE]).violations == []
