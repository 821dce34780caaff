"""DL3019: `apk add` without `--no-cache`."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Chain,
    Context,
    Edit,
    Fix,
    FixAvailability,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Span,
    Violation,
    apk_needs_index_first,
    later_runs_may,
    run_invocations,
)
from dfopt_rules._packages import (
    command_span,
    delete_statement,
    first_word,
    has_word,
    long_option,
    plain_chain,
    run_commands,
)

CACHES = ("/var/cache/apk", "/etc/apk/cache")
_UPDATE_FLAGS = frozenset({"-U", "--update"})
_CLEANED = frozenset({"/var/cache/apk/*"})
# apk subcommands that write the index cache unless --no-cache is given.
_WRITES_CACHE = ("add", "update", "upgrade", "fix", "fetch", "cache")


def _no_cache(command: SimpleCommand) -> bool:
    return long_option(command, "no-cache") is not None


def _lacks_no_cache(command: SimpleCommand) -> bool:
    return command.command == "apk" and has_word(command, "add") and not _no_cache(command)


def _fetches_index(
    command: SimpleCommand, commands: list[SimpleCommand], chain: Chain | None
) -> bool:
    """The `apk add` reads an index fetched in its own RUN: it has `--update`/`-U`, or an
    `apk update` is an earlier statement of the same plain `&&` chain (so it surely ran).
    Otherwise it reads whatever index an earlier step left, and fails when there is none,
    where `--no-cache` would fetch one and succeed."""
    if any(word.value in _UPDATE_FLAGS or word.value == "--update-cache" for word in command.args):
        return True
    if chain is None:
        return False
    for other in commands:
        if other is command:
            return False
        if (
            other.command == "apk"
            and other.subcommand == "update"
            and chain.statement_index(other) is not None
        ):
            return True
    return False


def _wrapped_apk(ctx: Context, instruction: Instruction) -> bool:
    """The RUN also runs apk through a wrapper (`sudo apk add`, `sh -c "apk add"`) or runs
    code dfopt cannot see: that apk may read the index this one leaves."""
    found = run_invocations(ctx, instruction)
    if found is None:
        return True
    return any(
        invocation.opaque or (invocation.program == "apk" and invocation.via)
        for invocation in found
    )


def _removes_cache(command: SimpleCommand) -> bool:
    """`rm -rf /var/cache/apk/*`: an `rm` of the apk cache's contents and nothing else."""
    if command.command != "rm" or command.assignments or command.redirects:
        return False
    targets = [word for word in command.args if not word.value.startswith("-")]
    return bool(targets) and all(word.literal and word.value in _CLEANED for word in targets)


class ApkCacheKept(Rule):
    """## What it does
    Flags `apk add` commands without `--no-cache`, in `RUN`, `ONBUILD RUN` and
    here-document scripts.

    As in hadolint, a `RUN` whose `/var/cache/apk` is a BuildKit cache mount is not
    reported, because the index never reaches the layer. dfopt goes further: a tmpfs
    mount, a mount on a parent directory (`/var/cache`) or on `/etc/apk/cache` (apk's
    cache directory when it exists, which then also holds the index) silences it too;
    and `apk` called by its path (`/sbin/apk`) is checked. Like hadolint, a later
    `rm -rf /var/cache/apk/*` does not make up for the missing flag (the fix removes it).

    An exec-form `RUN` (`RUN ["apk", ...]`) is checked as well, as hadolint does.

    ## Why is this bad?
    Without `--no-cache`, apk stores the package index in `/var/cache/apk`, and it stays
    in the layer. `--no-cache` fetches a fresh index and keeps nothing, which also makes
    `--update` and a later `rm -rf /var/cache/apk/*` unnecessary.

    ## Fix safety
    Safe: every `apk add` of the `RUN` that lacks it gets `--no-cache` (a `--update` or
    `-U` flag is replaced by it and further ones are dropped, since `--no-cache` always
    reads a fresh index; other spellings such as `--update-cache` or `-Uq` are left as
    they are, harmless next to `--no-cache`). When the `RUN` is a plain `&&` chain and no
    other apk command in it writes the cache (`apk update`, `apk upgrade`, ... without
    `--no-cache`), a statement `rm -rf /var/cache/apk/*` of that chain is deleted together
    with its `&&`: it has nothing left to remove. Only the package cache changes.

    The fix is unsafe, and says so, when an `apk add` fetches no index itself (no
    `--update`/`-U` and no `apk update` before it in the `RUN`): it then reads an index an
    earlier step left, or fails when there is none (a fresh Alpine image has none), while
    `--no-cache` fetches one, so a build that failed would succeed.

    An exec-form `RUN`, or a script with a syntax error, is reported without a fix. No
    fix is offered either while a later `RUN` (of the stage, a stage built on it, or a
    later trigger), or the same `RUN` through a wrapper (`sudo apk add`, `sh -c`), runs
    an apk command that reads the index without fetching its own (`apk add` without
    `--no-cache`/`--update`), or runs code dfopt cannot see: with `--no-cache` here, that
    command would find no index and fail.
    """

    code = "DL3019"
    name = "apk-cache-kept"
    summary = "Use the `--no-cache` switch with `apk add`"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    programs = frozenset({"apk"})
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "safe"
    bad = "FROM alpine:3.20\nRUN apk add --update curl=8.9.1-r0 && rm -rf /var/cache/apk/*\n"
    good = "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        found = run_commands(instruction, ctx)
        if "apk" not in found.by_name or ctx.cache_mounted(instruction, *CACHES):
            return
        groups = [
            (list(commands), [command for command in commands if _lacks_no_cache(command)])
            for commands in found.groups
        ]
        offending = [command for _, found in groups for command in found]
        if not offending:
            return
        editable = all(found.can_edit(command) for command in offending)
        if editable and (
            _wrapped_apk(ctx, instruction)
            or later_runs_may(ctx, instruction, apk_needs_index_first)
        ):
            editable = False  # another apk command still needs the index this one keeps
        fix = self._fix(instruction, ctx, groups) if editable else None
        for command in offending:
            yield self.violation(
                command_span(command),
                "`apk add` without `--no-cache` keeps the package index in the image",
                fix,
            )

    # -- the fix ----------------------------------------------------------------------

    def _fix(
        self,
        instruction: Instruction,
        ctx: Context,
        groups: list[tuple[list[SimpleCommand], list[SimpleCommand]]],
    ) -> Fix:
        edits: list[Edit] = []
        for commands, offending in groups:
            for command in offending:
                edits.extend(self._flag_edits(command, instruction))
            if offending:
                edits.extend(self._cleanup_edits(instruction, ctx, commands, offending))
        chain = plain_chain(instruction, ctx)
        if all(
            _fetches_index(command, commands, chain)
            for commands, found in groups
            for command in found
        ):
            return Fix.safe("Use `apk add --no-cache`", edits)
        return Fix.unsafe(
            "Use `apk add --no-cache` (this `apk add` fetches no index itself: `--no-cache`"
            " fetches one, so a build that found none no longer fails)",
            edits,
        )

    @staticmethod
    def _flag_edits(command: SimpleCommand, instruction: Instruction) -> list[Edit]:
        updates = [word for word in command.args if word.value in _UPDATE_FLAGS]
        edits: list[Edit] = []
        if updates:
            edits.append(Edit.replace(updates[0].span, "--no-cache"))
            words = [command.name, *command.args]
            for word in updates[1:]:
                previous = words[words.index(word) - 1]
                edits.append(_delete_word(word, previous, instruction))
        else:
            add = first_word(command, "add")
            assert add is not None
            edits.append(Edit.insert(add.span.end, " --no-cache"))
        return edits

    @staticmethod
    def _cleanup_edits(
        instruction: Instruction,
        ctx: Context,
        commands: list[SimpleCommand],
        offending: list[SimpleCommand],
    ) -> list[Edit]:
        fixed = {id(command) for command in offending}
        for command in commands:
            if id(command) in fixed or command.command != "apk" or _no_cache(command):
                continue
            if has_word(command, *_WRITES_CACHE):
                return []
        chain = plain_chain(instruction, ctx)
        if chain is None:
            return []
        for command in commands:
            if not _removes_cache(command):
                continue
            index = chain.statement_index(command)
            if index is None:
                continue
            edit = delete_statement(chain, index)
            return [edit] if edit is not None else []
        return []


def _delete_word(word: ShellWord, previous: ShellWord | None, instruction: Instruction) -> Edit:
    if previous is None:
        return Edit.delete(word.span)
    span = Span(previous.span.end, word.span.end)
    comments = (*instruction.inner_comments, *instruction.effective.inner_comments)
    if any(c.start < span.end and span.start < c.end for c in comments):
        return Edit.delete(word.span)
    return Edit.delete(span)
