"""DF001: a suppression comment that hides nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from dfopt.rules_api import Context, FixAvailability, Review, Rule, Severity, Violation
from dfopt_rules._unused_suppressions import unused_suppression_violations


class UnusedSuppression(Rule):
    """## What it does
    Flags each code of a suppression comment (`# dfopt: ignore=`, `# hadolint ignore=`,
    and their `global` and `stage` forms) that hid no finding in this run. Only codes
    of rules that ran are reported: a code of a rule that is switched off, a ShellCheck
    code (`SC2086`) or a code dfopt does not know may still matter to another tool or
    configuration. BuildKit's `# check=skip=` directive is not checked.

    The engine computes this rule's findings after suppression, since no rule can see
    the findings of the others; `check` and `finish` report nothing.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line, and tells readers
    that something is wrong when nothing is.

    ## Fix safety
    Safe: the comment only affects linting. The unused codes are removed from the list;
    when none stays, the whole comment line is deleted. Only codes that name no rule
    with a fix are removed (`DL3008`, `DL3007`...); a code that names a rule with a fix
    (`DL3059`, `DF101`, `DL3009`, a prefix or `ALL`) is reported without a fix and stays
    until a human removes it. Such a suppression also keeps that rule's fix out, and
    whether it is needed can change while `dfopt fix` rewrites the file: an earlier fix
    may make a `# hadolint ignore=DL3059` look unused (the `RUN` before it becomes a
    `SHELL`), and removing it would let the next pass merge the `RUN`s the comment kept
    apart. A `# hadolint ignore=` comment may still matter to hadolint itself where its
    rule reports cases that dfopt deliberately leaves out (for example `FROM ${BASE}`
    for DL3006); keep such codes with `extend-ignore` of DF001 or a
    `# dfopt: ignore=DF001` comment.
    """

    code = "DF001"
    name = "unused-suppression"
    summary = "A suppression comment hides nothing"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM debian:12.7\n# hadolint ignore=DL3008\nRUN echo hello\n"
    good = "FROM debian:12.7\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n"
    example_settings: ClassVar[dict[str, Any] | None] = {"extend-select": ["DL3008"]}

    def review(self, review: Review, ctx: Context) -> Iterable[Violation]:
        return unused_suppression_violations(review, type(self), selected=review.selected)
