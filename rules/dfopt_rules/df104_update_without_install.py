"""DF104: a package index update alone in a RUN, without an install in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Violation,
    merge_fix,
)

# Package manager family -> (commands, index update subcommands, install subcommands).
_MANAGERS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "apt": (
        frozenset({"apt-get", "apt"}),
        frozenset({"update"}),
        frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall"}),
    ),
    "apk": (
        frozenset({"apk"}),
        frozenset({"update"}),
        frozenset({"add", "upgrade", "fix"}),
    ),
    "yum": (
        frozenset({"yum"}),
        frozenset({"makecache"}),
        frozenset({"install", "update", "upgrade", "groupinstall", "localinstall", "reinstall"}),
    ),
    "dnf": (
        frozenset({"dnf"}),
        frozenset({"makecache"}),
        frozenset({"install", "update", "upgrade", "group", "groupinstall", "reinstall"}),
    ),
    "zypper": (
        frozenset({"zypper"}),
        frozenset({"refresh", "ref"}),
        frozenset({"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "si"}),
    ),
}


_FAMILIES = {name: family for family, (names, _, _) in _MANAGERS.items() for name in names}
"""Package manager command -> its family."""


def _is_update(command: SimpleCommand) -> str | None:
    family = _FAMILIES.get(command.command or "")
    if family is not None and command.subcommand in _MANAGERS[family][1]:
        return family
    return None


def _installs(ctx: Context, instruction: Instruction, family: str) -> bool:
    names, _updates, installs = _MANAGERS[family]
    return any(
        command.command in names and command.subcommand in installs
        for command in ctx.commands(instruction)
    )


class UpdateWithoutInstall(Rule):
    """## What it does
    Flags a package index update that runs in a `RUN` without any install of the same
    package manager: `apt-get update` / `apt update`, `apk update`, `yum makecache`,
    `dnf makecache` and `zypper refresh`. The update command itself is reported.

    ## Why is this bad?
    The builder caches each `RUN` by its text. A `RUN apt-get update` on its own is
    therefore reused from the cache for as long as its line does not change, while the
    `RUN apt-get install ...` after it is rebuilt whenever its package list changes: the
    install then runs against an index that can be weeks old, which fails with
    "404 Not Found" for package versions that are gone from the mirror, or quietly installs
    outdated packages. The index also stays in its own layer even if a later `RUN`
    deletes it. Update and install belong in one `RUN`.

    ## Fix safety
    Safe, when the next instruction of the stage is a `RUN` that installs with the same
    package manager: the update `RUN` and that `RUN` are merged into one with `&&`, as
    DF101 and DL3059 do (same edit, same formatting rules). A first body that changes
    shell state is wrapped in `( ... )`, and a second body with a top-level `||`, `;` or
    `&` is wrapped too. Comment lines between the two `RUN`s move inside the merged `RUN`,
    which makes the fix unsafe. There is no fix when the next instruction is not such a
    `RUN`, when the two cannot be merged (different flags, exec form, here-documents,
    `ONBUILD`, a non-POSIX `SHELL`, a pragma between them, a shell comment at the end of
    the update `RUN`), or for `ONBUILD RUN`.

    Where sharing one shell would change what the bodies do (errexit, login shells,
    `BASH_ENV`, per-`RUN` mounts, background jobs, a replaced shell, Windows), the merge
    is refused or joined as DL3059's documentation describes.
    """

    code = "DF104"
    name = "update-without-install"
    summary = "Package index update without an install in the same `RUN`"
    severity = Severity.WARNING
    targets = frozenset({"RUN"})
    programs = frozenset(_FAMILIES)
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = (
        "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n"
    )
    good = (
        "FROM debian:12\n"
        "RUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends curl\n"
    )

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        reported: set[str] = set()
        for command in ctx.commands(instruction):
            family = _is_update(command)
            if family is None or family in reported or _installs(ctx, instruction, family):
                continue
            reported.add(family)
            fix = None if ctx.onbuild else self._fix(instruction, ctx, family)
            text = " ".join(
                part for part in (command.command, command.subcommand) if part is not None
            )
            yield self.violation(
                command.span,
                f"`{text}` runs without an install in the same `RUN`; a later install "
                "may use a stale package index",
                fix,
            )

    @staticmethod
    def _fix(instruction: Instruction, ctx: Context, family: str) -> Fix | None:
        following = ctx.next_instruction(instruction)
        if following is None or following.keyword != "RUN":
            return None
        if not _installs(ctx, following, family):
            return None
        return merge_fix(ctx, instruction, following, "Merge the update with the next install")
