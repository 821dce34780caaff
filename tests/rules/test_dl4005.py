"""DL4005: a RUN that only links /bin/sh becomes SHELL (unsafe); otherwise a suggestion."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability, apply_edits

RULE = "DL4005"


def test_a_run_that_only_links_becomes_a_shell_instruction() -> None:
    text = "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\nRUN echo $0\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is not None
    assert violation.fix.applicability is Applicability.UNSAFE
    assert fix(text, select=[RULE]).text == text
    fixed = fix(text, select=[RULE], unsafe=True).text
    assert fixed == 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN echo $0\n'


def test_suggestion_inserts_a_shell_instruction_but_is_never_applied() -> None:
    text = "FROM debian:12\nRUN apt-get update && ln -sf /bin/bash /bin/sh\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is not None
    assert violation.fix.applicability is Applicability.DISPLAY_ONLY
    suggested = apply_edits(text, violation.fix.edits)
    assert suggested == 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\n' + text.split("\n", 1)[1]
    assert fix(text, select=[RULE], unsafe=True).text == text


def test_no_suggestion_when_the_link_target_is_not_a_shell() -> None:
    text = "FROM debian:12\nRUN ln -sf /usr/local/bin/myinit /bin/sh\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is None
