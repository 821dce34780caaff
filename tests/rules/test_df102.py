"""DF102: globs in a later `rm` match the created paths as the shell would, clean commands
are found however the subcommand is quoted."""

from __future__ import annotations

import pytest

from dfopt.api import lint

RULE = "DF102"
CREATED = "FROM debian:12\nRUN mkdir -p /opt/build/src\n"


@pytest.mark.parametrize(
    ("pattern", "reported"),
    [
        ("/opt/build", True),
        ("/opt/build/src", True),
        ("/opt/b*ld", True),
        ("/opt/*", True),
        ("/opt/*/src", True),
        ("/opt/*il*/src", True),
        ("/opt/build/s*c*", True),
        ("/opt/bu?ld", True),
        ("/opt/[ab]uild", True),
        ("/opt/x*", False),
        ("/opt/build/*c*s", False),
        ("/opt/*il*/x", False),
        ("/opt/buil", False),
        ("/opt/build/src/", True),
        ("/srv/*", False),
    ],
)
def test_removed_globs_match_like_the_shell(pattern: str, reported: bool) -> None:
    violations = lint(CREATED + f"RUN rm -rf {pattern}\n", select=[RULE]).violations
    assert bool(violations) is reported
    if reported:
        assert violations[0].message.startswith(f"`rm -rf {pattern}` removes")


@pytest.mark.parametrize("spelling", ["clean", '"clean"', "cl'ea'n", "c\\lean", "autoclean"])
def test_a_clean_subcommand_is_found_however_it_is_quoted(spelling: str) -> None:
    text = (
        f"FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get {spelling}\n"
    )
    violations = lint(text, select=[RULE]).violations
    assert [violation.message.split(" removes ")[1] for violation in violations] == [
        "the apt package cache that the `RUN` on line 2 created; the bytes stay in that layer"
    ]


def test_an_install_that_cleans_nothing_is_not_reported() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y curl\n"
        "RUN apt-get install -y git\n"
    )
    assert lint(text, select=[RULE]).violations == []
