"""DL4005: the suggestion is display-only and names the shell the link pointed to."""

from __future__ import annotations

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability, apply_edits

RULE = "DL4005"


def test_suggestion_inserts_a_shell_instruction_but_is_never_applied() -> None:
    text = "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is not None
    assert violation.fix.applicability is Applicability.DISPLAY_ONLY
    suggested = apply_edits(text, violation.fix.edits)
    assert suggested == 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN ln -sf /bin/bash /bin/sh\n'
    assert fix(text, select=[RULE], unsafe=True).text == text


def test_no_suggestion_when_the_link_target_is_not_a_shell() -> None:
    text = "FROM debian:12\nRUN ln -sf /usr/local/bin/myinit /bin/sh\n"
    (violation,) = lint(text, select=[RULE]).violations
    assert violation.fix is None
