"""DF301: the final image runs as root."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Comment,
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    Stage,
    Violation,
)

_ROOT_NAMES = frozenset({"root", "0"})
# Instructions that usually need root, so the switch to the new user goes after them.
_NEEDS_ROOT = frozenset({"RUN", "COPY", "ADD", "USER"})
_RUNTIME = frozenset({"CMD", "ENTRYPOINT"})
ALPINE_USER = "addgroup -S app && adduser -S -G app app"
DEBIAN_USER = "groupadd --system app && useradd --system --gid app --no-create-home app"
DISTROLESS_UID = "65532"


def is_root(user: str) -> bool:
    """True for ``root``, ``0``, ``0:0``, ``root:root`` (the group does not matter)."""
    name = user.strip().strip("\"'").split(":", 1)[0].strip()
    return name.lower() in _ROOT_NAMES


def root_stage(stage: Stage) -> Stage:
    """The first stage of the ``FROM <stage>`` chain, whose base is an image."""
    while stage.parent is not None:
        stage = stage.parent
    return stage


def image_tag(base: str) -> str:
    """The tag of an image reference (``python:3.12-alpine`` -> ``3.12-alpine``)."""
    last = base.rsplit("/", 1)[-1].split("@", 1)[0]
    return last.partition(":")[2]


def is_nonroot_image(base: str) -> bool:
    """Images published to run as an unprivileged user (``distroless/static:nonroot``)."""
    tag = image_tag(base).lower()
    return "nonroot" in tag or "non-root" in tag


def user_lines(base: str) -> list[tuple[str, str]]:
    """Instructions (keyword, arguments) that create and select a user on ``base``."""
    lowered = base.lower()
    if "distroless" in lowered:
        return [("USER", f"{DISTROLESS_UID}:{DISTROLESS_UID}")]
    if "alpine" in lowered or "busybox" in lowered:
        return [("RUN", ALPINE_USER), ("USER", "app")]
    return [("RUN", DEBIAN_USER), ("USER", "app")]


class MissingUser(Rule):
    """## What it does
    Flags a Dockerfile whose final stage runs as root: it sets no `USER` (neither itself
    nor through the stages it is built `FROM`), or its last `USER` is `root`, `0`,
    `0:0` or `root:root`. Final stages on `scratch`, and images published to run
    unprivileged (a `nonroot` tag), are left alone. The finding is at the final stage's
    `FROM`, or at its last `USER root`.

    ## Why is this bad?
    A process that runs as root inside the container is root on the container's
    filesystem and, after any escape from the container, much closer to root on the host.
    Running as an unprivileged user limits what a compromised process can do. Unlike
    hadolint's DL3002, which checks every stage, builder stages are exempt: they often
    need root to install packages and never run in production; only the final stage
    becomes the image.

    ## Fix safety
    Display only: picking a user is a decision for a human (files the process writes
    must be owned by that user). The suggestion inserts, before the final `CMD` or
    `ENTRYPOINT` (after the last `RUN`, `COPY`, `ADD` or `USER`), or at the end of the
    stage, a `RUN` that creates a system user `app` suited to the base image
    (`addgroup -S app && adduser -S -G app app` on Alpine and BusyBox,
    `groupadd --system app && useradd --system --gid app --no-create-home app`
    elsewhere) followed by `USER app`; on distroless images, which have no shell but ship
    a `nonroot` user, just `USER 65532:65532`.
    """

    code = "DF301"
    name = "missing-user"
    summary = "The final stage runs as root"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    fix_class = "display-only"
    bad = 'FROM python:3.12-slim\nCOPY app.py /srv/\nCMD ["python", "/srv/app.py"]\n'
    good = (
        "FROM python:3.12-slim\n"
        "COPY app.py /srv/\n"
        "RUN groupadd --system app && useradd --system --gid app --no-create-home app\n"
        "USER app\n"
        'CMD ["python", "/srv/app.py"]\n'
    )

    def finish(self, ctx: Context) -> Iterator[Violation]:
        stage = ctx.semantics.final_stage
        if stage is None or stage.from_instruction is None:
            return
        base = root_stage(stage)
        if base.is_scratch or is_nonroot_image(base.base):
            return
        user = stage.final_state.user
        own_users = [i for i in stage.instructions if i.keyword == "USER"]
        if user is None:
            where = stage.from_instruction
            message = "The final stage sets no `USER`, so the container runs as `root`"
        elif is_root(user):
            where = own_users[-1] if own_users else stage.from_instruction
            message = f"The final stage runs as `{user.strip()}`"
        else:
            return
        yield self.violation(
            where.keyword_span, message, lambda: self._suggestion(stage, base, ctx)
        )

    def _suggestion(self, stage: Stage, base: Stage, ctx: Context) -> Fix:
        from_instruction = stage.from_instruction
        assert from_instruction is not None
        newline = ctx.newline_of(from_instruction)
        lower = ctx.slice(from_instruction.keyword_span).islower()
        suggested = user_lines(base.base)
        action = (
            "Create an unprivileged user and switch to it"
            if len(suggested) > 1
            else "Switch to the image's unprivileged user"
        )
        lines = [
            f"{keyword.lower() if lower else keyword} {arguments}"
            for keyword, arguments in suggested
        ]
        before = insertion_target(stage)
        if before is not None:
            offset = attached_start(before, ctx)
            text = "".join(line + newline for line in lines)
            title = f"{action} before `{before.keyword}`"
        else:
            offset = stage.instructions[-1].span.end
            ends_line = ctx.text[offset - 1 : offset] == "\n"
            body = newline.join(lines)
            text = body + newline if ends_line else newline + body
            title = f"{action} at the end of the stage"
        return Fix.display_only(title, [Edit.insert(offset, text)])


def insertion_target(stage: Stage) -> Instruction | None:
    """The first CMD or ENTRYPOINT after the last instruction that likely needs root."""
    instructions = stage.instructions
    last_root = 0
    for index, instruction in enumerate(instructions):
        if instruction.keyword in _NEEDS_ROOT:
            last_root = index
    for instruction in instructions[last_root + 1 :]:
        if instruction.keyword in _RUNTIME:
            return instruction
    return None


def attached_start(instruction: Instruction, ctx: Context) -> int:
    """Start of ``instruction`` including the comment lines right above it."""
    nodes = ctx.document.nodes
    index = ctx.document.node_index(instruction)
    start = instruction.span.start
    while index > 0 and isinstance(nodes[index - 1], Comment):
        index -= 1
        start = nodes[index].span.start
    return start
