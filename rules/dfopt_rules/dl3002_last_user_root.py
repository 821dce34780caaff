"""DL3002: the last USER of the final stage is root."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Stage, Violation


def is_root_user(user: str) -> bool:
    """``root`` or UID ``0``, with or without a group (``root:root``, ``0:0``)."""
    value = user.strip().strip("\"'")
    return value in ("root", "0") or value.startswith(("root:", "0:"))


def last_user_instruction(stage: Stage) -> Instruction | None:
    """The USER that is in force at the end of ``stage``: its own last USER, else the
    last USER of the stage it is built ``FROM``, and so on."""
    current: Stage | None = stage
    seen: set[int] = set()
    while current is not None and current.index not in seen:
        seen.add(current.index)
        for instruction in reversed(current.instructions):
            if instruction.keyword == "USER":
                return instruction
        current = current.parent
    return None


class LastUserRoot(Rule):
    """## What it does
    Flags a final stage whose last `USER` is `root` or UID `0` (`root:root` and `0:0`
    too). The USER in force is followed through `FROM <stage>`: a final stage that sets
    no USER itself but is built on a stage that switched to root is reported at that
    stage's `USER` line. A final stage that never sets a USER is left to DF301.

    hadolint checks the last USER of every stage; dfopt checks the final stage only,
    because builder stages often need root to install packages and never become the
    image (hadolint issues #405 and #1068).

    ## Why is this bad?
    The last USER is the user the container runs as. A process running as root in the
    container can change anything in its filesystem and is much closer to root on the
    host after a container escape. Switch back to an unprivileged user after the steps
    that need root.
    """

    code = "DL3002"
    name = "last-user-root"
    summary = "Last USER should not be root"
    severity = Severity.WARNING
    bad = "FROM alpine:3.20\nUSER app\nRUN make install\nUSER root\n"
    good = "FROM alpine:3.20\nUSER root\nRUN make install\nUSER app\n"

    def finish(self, ctx: Context) -> Iterator[Violation]:
        final = ctx.semantics.final_stage
        if final is None:
            return
        user = final.final_state.user
        if user is None or not is_root_user(user):
            return
        instruction = last_user_instruction(final)
        if instruction is None:
            return
        yield self.violation(
            instruction.args_span,
            f"The final stage runs as `{instruction.args_text}`: switch to an unprivileged user",
        )
