"""DL3042: safe fix per command, ONBUILD sees the stage's final ENV, mounts for other users."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability

RULE = "DL3042"


def test_every_offending_command_gets_its_own_safe_fix() -> None:
    text = (
        "FROM python:3.12\n"
        "RUN pip install a==1 && pip3 install b==2 && pip install --no-cache-dir c==3\n"
    )
    violations = lint(text, select=[RULE]).violations
    assert len(violations) == 2
    assert all(v.fix is not None and v.fix.applicability is Applicability.SAFE for v in violations)
    result = fix(text, select=[RULE])
    assert result.failure is None
    assert result.text == (
        "FROM python:3.12\nRUN pip install --no-cache-dir a==1 && pip3 install --no-cache-dir b==2"
        " && pip install --no-cache-dir c==3\n"
    )


def test_onbuild_trigger_sees_env_set_after_it() -> None:
    text = "FROM python:3.12\nONBUILD RUN pip install -r requirements.txt\nENV PIP_NO_CACHE_DIR=1\n"
    assert lint(text, select=[RULE]).violations == []
    plain = text.replace("ONBUILD RUN", "RUN")
    assert [v.code for v in lint(plain, select=[RULE]).violations] == [RULE]


def test_xdg_cache_home_mount() -> None:
    text = (
        "FROM python:3.12\n"
        "ENV XDG_CACHE_HOME=/cache\n"
        "RUN --mount=type=cache,target=/cache pip install flask==3.0.3\n"
    )
    assert lint(text, select=[RULE]).violations == []


def test_bind_mount_is_not_a_cache() -> None:
    text = (
        "FROM python:3.12\nRUN --mount=type=bind,target=/root/.cache/pip pip install flask==3.0.3\n"
    )
    assert [v.code for v in lint(text, select=[RULE]).violations] == [RULE]
