"""DF303: names and settings however they are quoted or spelled."""

from __future__ import annotations

from dfopt.api import lint

RULE = "DF303"


def _messages(text: str) -> list[str]:
    return [violation.message for violation in lint(text, select=[RULE]).violations]


def test_quoted_and_escaped_variable_names_are_read_as_the_builder_reads_them() -> None:
    text = (
        "FROM python:3.12-slim\n"
        'ENV "PIP_TRUSTED_HOST"=pypi.org\n'
        "ARG PYTHON\\HTTPSVERIFY=0\n"
        "ENV PATH=/opt/bin:$PATH\n"
    )
    assert _messages(text) == [
        "`PIP_TRUSTED_HOST=pypi.org` disables TLS certificate verification for pip",
        "`PYTHONHTTPSVERIFY=0` disables TLS certificate verification for Python",
    ]


def test_npm_variable_name_in_any_case() -> None:
    text = "FROM node:20-slim\nENV npm_config_strict_ssl=false\n"
    assert _messages(text) == [
        "`npm_config_strict_ssl=false` disables TLS certificate verification for npm"
    ]


def test_settings_split_by_quotes_in_a_run() -> None:
    text = (
        "FROM fedora:40\n"
        "RUN echo \"gpg\"'check=0' >> /etc/dnf/dnf.conf\n"
        "RUN echo 'Acquire::https::Verify-Peer \"false\";' > /etc/apt/apt.conf.d/90insecure\n"
    )
    assert _messages(text) == [
        "`gpgcheck=0` disables package signature verification",
        '`Acquire::https::Verify-Peer "false` disables TLS certificate verification',
    ]


def test_setting_matched_case_insensitively() -> None:
    text = "FROM fedora:40\nRUN echo SSLVerify=False >> /etc/yum.repos.d/x.repo\n"
    assert _messages(text) == ["`SSLVerify=False` disables TLS certificate verification"]


def test_options_and_exports_in_one_run() -> None:
    text = (
        "FROM debian:12\n"
        "RUN export GIT_SSL_NO_VERIFY=1 && sudo curl -fsSLk https://example.com/a"
        " && env wget --no-check-certificate https://example.com/b\n"
    )
    assert _messages(text) == [
        "`GIT_SSL_NO_VERIFY=1` disables TLS certificate verification for git (any value counts)",
        "`curl -k` disables TLS certificate verification",
        "`wget --no-check-certificate` disables TLS certificate verification",
    ]
