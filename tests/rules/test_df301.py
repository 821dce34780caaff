"""DF301: the display-only suggestion, applied by hand, gives a Dockerfile that passes."""

from __future__ import annotations

import pytest

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability, Fix, apply_edits
from dfopt.syntax import parse

RULE = "DF301"


def _suggestion(text: str) -> Fix:
    result = lint(text, select=[RULE])
    assert not result.problems, result.problems
    (violation,) = result.violations
    assert violation.fix is not None
    assert violation.fix.applicability is Applicability.DISPLAY_ONLY
    return violation.fix


def _apply(text: str) -> str:
    suggested = apply_edits(text, _suggestion(text).edits)
    assert not parse(suggested).problems
    assert lint(suggested, select=[RULE]).violations == []
    return suggested


def test_debian_user_goes_before_cmd_and_its_comment() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "COPY app.py /srv/\n"
        "# start the server\n"
        'CMD ["python", "/srv/app.py"]\n'
    )
    assert _apply(text) == (
        "FROM python:3.12-slim\n"
        "COPY app.py /srv/\n"
        "RUN groupadd --system app && useradd --system --gid app --no-create-home app\n"
        "USER app\n"
        "# start the server\n"
        'CMD ["python", "/srv/app.py"]\n'
    )
    assert "before `CMD`" in _suggestion(text).title


@pytest.mark.parametrize("base", ["alpine:3.20", "node:22-alpine", "busybox:1.36"])
def test_alpine_and_busybox_use_adduser(base: str) -> None:
    text = f'FROM {base}\nRUN true\nENTRYPOINT ["app"]\nCMD ["serve"]\n'
    assert _apply(text) == (
        f"FROM {base}\n"
        "RUN true\n"
        "RUN addgroup -S app && adduser -S -G app app\n"
        "USER app\n"
        'ENTRYPOINT ["app"]\n'
        'CMD ["serve"]\n'
    )


def test_after_the_last_root_user_at_the_end_of_the_stage() -> None:
    text = 'from alpine:3.20 as base\r\nrun make\r\nfrom base\r\ncmd ["app"]\r\nuser root'
    assert _apply(text) == (
        'from alpine:3.20 as base\r\nrun make\r\nfrom base\r\ncmd ["app"]\r\nuser root'
        "\r\nrun addgroup -S app && adduser -S -G app app\r\nuser app"
    )
    assert "end of the stage" in _suggestion(text).title


def test_distroless_switches_to_its_nonroot_user() -> None:
    text = 'FROM gcr.io/distroless/base-debian12\nCOPY app /app\nCMD ["/app"]\n'
    assert _apply(text) == (
        'FROM gcr.io/distroless/base-debian12\nCOPY app /app\nUSER 65532:65532\nCMD ["/app"]\n'
    )


def test_fix_never_applies_the_suggestion() -> None:
    text = "FROM debian:12\nUSER root\n"
    assert fix(text, select=[RULE], unsafe=True).text == text
