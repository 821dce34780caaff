"""DL3032 (and the cleanup appending shared with DL3036 and DL3040): line endings, the
escape character and the user the cleanup would run as."""

from __future__ import annotations

from dfopt.api import fix, lint

RULE = "DL3032"


def _has_fix(text: str) -> bool:
    violations = [v for v in lint(text, select=[RULE]).violations if v.code == RULE]
    assert len(violations) == 1
    return violations[0].fix is not None


def test_crlf_and_backtick_escape_are_kept() -> None:
    text = "# escape=`\r\nFROM centos:7\r\nRUN yum install -y httpd-2.4.6 `\r\n    && echo done\r\n"
    assert fix(text, select=[RULE]).text == (
        "# escape=`\r\n"
        "FROM centos:7\r\n"
        "RUN yum install -y httpd-2.4.6 `\r\n"
        "    && echo done `\r\n"
        "    && yum clean all\r\n"
    )


def test_no_fix_for_a_non_root_user() -> None:
    assert not _has_fix("FROM centos:7\nUSER app:app\nRUN yum install -y httpd-2.4.6\n")
    assert _has_fix("FROM centos:7\nUSER 0:0\nRUN yum install -y httpd-2.4.6\n")


def test_trigger_runs_as_the_user_the_stage_ends_with() -> None:
    trigger = "ONBUILD RUN yum install -y httpd-2.4.6\n"
    assert not _has_fix("FROM centos:7\n" + trigger + "USER app\n")
    assert _has_fix("FROM centos:7\nUSER app\n" + trigger + "USER root\n")


def test_user_of_a_parent_stage_counts() -> None:
    text = "FROM centos:7 AS base\nUSER app\nFROM base\nRUN yum install -y httpd-2.4.6\n"
    assert not _has_fix(text)
