"""DL3027: `apt upgrade` becomes `apt-get upgrade --with-new-pkgs` (an unsafe fix).

Checked here rather than in the case file: the build fingerprint reads `apt upgrade` as
plain `apt-get upgrade`, which holds back the new dependencies `apt upgrade` installs.
"""

from __future__ import annotations

from dfopt.api import fix, lint

RULE = "DL3027"


def test_upgrade_keeps_installing_new_dependencies() -> None:
    text = "FROM debian:12\nRUN apt update && apt upgrade -y\n"
    assert fix(text, select=[RULE]).text == (
        "FROM debian:12\nRUN apt-get update && apt upgrade -y\n"
    )
    assert fix(text, select=[RULE], unsafe=True).text == (
        "FROM debian:12\nRUN apt-get update && apt-get upgrade --with-new-pkgs -y\n"
    )


def test_upgrade_with_new_packages_already_given_is_only_renamed() -> None:
    text = "FROM debian:12\nRUN apt -y upgrade --with-new-pkgs\n"
    assert fix(text, select=[RULE]).text == (
        "FROM debian:12\nRUN apt-get -y upgrade --with-new-pkgs\n"
    )


def test_fixed_upgrade_is_clean() -> None:
    fixed = fix("FROM debian:12\nRUN apt upgrade -y\n", select=[RULE], unsafe=True).text
    assert [v.code for v in lint(fixed, select=[RULE]).violations] == []
