"""The proof that formatting kept a Dockerfile's meaning.

Two texts mean the same when dfopt's parser reads the same parser directives, the same
instructions (keyword, flags, arguments, heredoc bodies, ONBUILD triggers) and the same
opaque text from both. Arguments are compared the way the builder reads them:

- the shell command of ``RUN``/``CMD``/``ENTRYPOINT``/``HEALTHCHECK CMD`` as the sequence
  of shell words, operators and redirections tree-sitter-bash reads (so only the white
  space between shell words may differ), or character for character when the shell is
  not known to be a POSIX shell or the script does not parse;
- exec form by the decoded strings;
- ``ENV``/``LABEL`` by their ``key=value`` pairs with quotes and escapes resolved (the
  legacy ``KEY value`` form included);
- the other word lists both as the builder's quote-aware words and split on white space;
- anything else (``WORKDIR``, ``USER`` ...) character for character.

:func:`buildkit_difference` makes the same comparison with BuildKit's own parser (the
``dockerfile`` package), for the tests and the benchmark.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from dfopt.format.packages import sorted_package_args
from dfopt.semantics.stages import parse_assignments
from dfopt.shell import parse_script
from dfopt.syntax import Comment, Directive, Document, Form, Instruction, Opaque, parse
from dfopt.syntax.lexing import name_value_words, shell_words

__all__ = [
    "POSIX_SHELLS",
    "buildkit_difference",
    "comment_lines",
    "document_difference",
    "instruction_key",
    "posix_document",
    "shell_key",
]

#: Shells whose word splitting the shell model reads exactly.
POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_SHELL_COMMANDS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_WORD_LISTS = frozenset({"FROM", "COPY", "ADD", "ARG", "EXPOSE", "VOLUME"})


def posix_document(document: Document) -> bool:
    """Whether every shell command of ``document`` runs in a POSIX shell.

    The backslash must be the escape character (a backtick usually means Windows) and
    every ``SHELL`` instruction must name a POSIX shell.
    """
    if document.escape != "\\":
        return False
    for instruction in document.instructions:
        target = instruction.effective
        if target.keyword != "SHELL":
            continue
        if not target.exec_args:
            return False
        program = target.exec_args[0].value.rsplit("/", 1)[-1]
        if program not in POSIX_SHELLS:
            return False
    return True


@lru_cache(maxsize=4096)
def shell_key(script: str, sort_packages: bool = False) -> Hashable | None:
    """The shell words, operators and redirections of ``script``; None when it has errors.

    With ``sort_packages`` the package lists of install commands count in sorted order.
    """
    parsed = parse_script(script, _identity)
    if parsed.has_errors:
        return None
    commands = tuple(
        (
            command.name.raw if command.name is not None else None,
            sorted_package_args(command)
            if sort_packages
            else tuple(word.raw for word in command.args),
            command.assignments,
            tuple((redirect.operator, redirect.target) for redirect in command.redirects),
            command.depth,
            command.in_pipeline,
        )
        for command in parsed.commands
    )
    return (commands, tuple(parsed.operator_texts), parsed.constructs, parsed.has_comment)


def _identity(offset: int) -> int:
    return offset


def _command_key(
    text: str, posix: bool, sort_packages: bool = False, strict: bool = True
) -> Hashable:
    key = shell_key(text, sort_packages) if posix else None
    if key is None:
        return ("text", text)
    if not strict:
        return ("shell", key)
    # The builder's own word lexer too, which reads quotes independently of tree-sitter.
    words = shell_words(text, raw=True)
    if sort_packages and words is not None:
        words = sorted(words)
    return ("shell", key, None if words is None else tuple(words))


def instruction_key(
    instruction: Instruction, escape: str, posix: bool, sort_packages: bool = False
) -> Hashable:
    """What the builder reads from ``instruction``, white space between words left out.

    With ``sort_packages`` the order of the packages of install commands is left out too.
    """
    keyword = instruction.keyword
    flags = tuple((flag.name, flag.value) for flag in instruction.flags)
    heredocs = tuple(
        (heredoc.name, heredoc.chomp, heredoc.expand, heredoc.fd, heredoc.content)
        for heredoc in instruction.heredocs
    )
    arguments: Hashable
    if keyword == "ONBUILD":
        trigger = instruction.trigger
        arguments = None if trigger is None else instruction_key(trigger, escape, posix)
    elif instruction.form is Form.EXEC:
        arguments = ("exec", tuple(word.value for word in instruction.exec_args))
        if keyword == "HEALTHCHECK":
            arguments = (instruction.args_text.split(None, 1)[0].upper(), arguments)
    elif keyword in _SHELL_COMMANDS:
        if instruction.heredocs:
            arguments = ("text", instruction.args_text)
        else:
            arguments = _command_key(instruction.args_text, posix, sort_packages)
    elif keyword == "HEALTHCHECK":
        words = instruction.args_text.split(None, 1)
        kind = words[0].upper() if words else ""
        command = instruction.command_text
        arguments = (kind, None if command is None else _command_key(command, posix))
        if command is None:
            arguments = (kind, instruction.args_text.split())
    elif keyword in ("ENV", "LABEL"):
        arguments = tuple(parse_assignments(instruction.args_text, legacy=True, escape=escape))
    elif keyword in _WORD_LISTS:
        split = instruction.args_text.split()
        words = name_value_words(instruction.args_text, escape)
        if keyword == "FROM" and len(split) == 3 and split[1].lower() == "as":
            split[1] = "as"  # the builder reads AS in any case
            if len(words) == 3:
                words[1] = "as"
        arguments = (tuple(split), tuple(words))
    else:
        arguments = ("text", instruction.args_text)
    return (keyword, flags, instruction.form.value, arguments, heredocs)


def _document_keys(
    document: Document, posix: bool, sort_packages: bool
) -> list[tuple[str, Hashable]]:
    keys: list[tuple[str, Hashable]] = []
    escape = document.escape
    for node in document.nodes:
        if isinstance(node, Directive):
            keys.append(("directive", (node.name, node.value)))
        elif isinstance(node, Instruction):
            keys.append((node.keyword, instruction_key(node, escape, posix, sort_packages)))
        elif isinstance(node, Opaque):
            keys.append(("opaque", document.node_text(node).rstrip("\r\n")))
    return keys


def document_difference(before: Document, after: str, sort_packages: bool = False) -> str | None:
    """Why ``after`` does not mean what ``before`` means, or None when it does.

    With ``sort_packages`` the order of the packages of install commands may differ.
    """
    formatted = parse(after)
    if formatted.escape != before.escape:
        return "the escape character would change"
    posix = posix_document(before)
    if [problem.message for problem in formatted.problems] != [
        problem.message for problem in before.problems
    ]:
        return "the parser would report other problems"
    if comment_lines(formatted) != comment_lines(before):
        return "a comment line would be lost or changed"
    old = _document_keys(before, posix, sort_packages)
    new = _document_keys(formatted, posix, sort_packages)
    for index, (first, second) in enumerate(zip(old, new, strict=False)):
        if first != second:
            line = _line_of(before, index)
            return f"line {line}: the {first[0].lower()} would read differently"
    if len(old) != len(new):
        return f"there would be {len(new)} instructions and directives instead of {len(old)}"
    return None


def comment_lines(document: Document) -> list[str]:
    """Every comment line (inner ones included), stripped, in order."""
    lines: list[str] = []
    for node in document.nodes:
        if isinstance(node, Comment):
            lines.append(document.node_text(node).strip())
        elif isinstance(node, Instruction):
            lines.extend(document.source.slice(span).strip() for span in node.inner_comments)
    return lines


def _line_of(document: Document, index: int) -> int:
    count = -1
    for node in document.nodes:
        if isinstance(node, Directive | Instruction | Opaque):
            count += 1
            if count == index:
                return document.position(node.span.start).line
    return 1


# -- BuildKit's parser ----------------------------------------------------------------


def buildkit_difference(before: str, after: str, maintainer_as_label: bool = False) -> str | None:
    """Where BuildKit's parser reads ``after`` differently from ``before``, else None.

    Compared: every instruction's keyword, flags, arguments (shell commands as shell
    words, ``ENV``/``LABEL`` pairs with quotes resolved) and heredocs. With
    ``maintainer_as_label``, ``MAINTAINER x`` reads like ``LABEL
    org.opencontainers.image.authors=x`` (a rewrite other formatters make on purpose).
    Raises ImportError without the ``dockerfile`` package and ``dockerfile.GoParseError``
    when ``before`` does not parse.
    """
    import dockerfile

    old = dockerfile.parse_string(before)
    try:
        new = dockerfile.parse_string(after)
    except dockerfile.GoParseError as error:
        return f"BuildKit rejects the result: {error}"
    escape = parse(before).escape
    posix = posix_document(parse(before))
    if len(old) != len(new):
        return f"BuildKit reads {len(new)} instructions instead of {len(old)}"
    for first, second in zip(old, new, strict=True):
        if maintainer_as_label:
            first, second = _as_label(first), _as_label(second)
        if _buildkit_key(first, escape, posix) != _buildkit_key(second, escape, posix):
            return f"line {first.start_line}: BuildKit reads `{_short(second.original)}`"
    return None


def _as_label(command: Any) -> Any:
    if command.cmd.lower() != "maintainer" or not command.value:
        return command
    return SimpleNamespace(
        cmd="label",
        sub_cmd=None,
        json=False,
        flags=command.flags,
        value=("org.opencontainers.image.authors", _quoted(command.value[0])),
        heredocs=command.heredocs,
        start_line=command.start_line,
        original=command.original,
    )


def _quoted(value: str) -> str:
    """``value`` as a double-quoted word that reads back as ``value``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _buildkit_key(command: Any, escape: str, posix: bool) -> Hashable:
    name = command.cmd.lower()
    value: tuple[Any, ...] = tuple(command.value)
    if name == "healthcheck" and value:
        # The builder reads the type word (CMD, NONE) in any case.
        value = (value[0].upper(), *value[1:])
    if not command.json and name in ("run", "cmd", "entrypoint", "healthcheck"):
        # Shell words as tree-sitter reads them (``>>/x`` and ``>> /x`` are the same
        # redirection).
        value = tuple(_command_key(item, posix, strict=False) for item in value)
    elif name in ("env", "label"):
        value = tuple((key, item) for key, item in _pairs(value, escape))
    elif name == "from" and len(value) == 3 and value[1].lower() == "as":
        value = (value[0], "as", value[2])
    elif name == "onbuild" and command.sub_cmd:
        # The trigger, read like an instruction of its own.
        trigger = SimpleNamespace(
            cmd=command.sub_cmd,
            sub_cmd=None,
            json=command.json,
            flags=(),
            value=value,
            heredocs=command.heredocs,
        )
        value = (_buildkit_key(trigger, escape, posix),)
    heredocs = tuple((doc.name, doc.content) for doc in command.heredocs)
    sub = command.sub_cmd.lower() if command.sub_cmd else None
    return (name, sub, command.json, tuple(command.flags), value, heredocs)


def _pairs(value: tuple[str, ...], escape: str) -> list[tuple[str | None, str | None]]:
    from dfopt.semantics.expand import process_word

    pairs: list[tuple[str | None, str | None]] = []
    for index in range(0, len(value) - 1, 2):
        pairs.append(
            (
                process_word(value[index], {}, escape, keep_unset=True),
                process_word(value[index + 1], {}, escape, keep_unset=True),
            )
        )
    return pairs


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
