"""What a shell body does to the shell process that runs it.

A fix that joins two ``RUN`` bodies into one shell (``first && second``) or appends a
command to a body changes the context the body runs in, and that is exact only when
nothing the body does depends on that context. This module reads the facts that decide
it off the tree-sitter-bash tree of one body:

- **state** left behind for later commands of the same shell: the working directory,
  variables, options, functions, traps, aliases, limits, a background job, an ``exec``
  or ``exit`` (:attr:`Effects.leaks`);
- **errexit**: POSIX shells ignore ``set -e`` in every command of an ``&&``/``||`` list
  but the last, in ``if``/``while`` conditions and after ``!``, and inside anything run
  from such a place, subshells included. A body that may run with errexit on behaves
  differently once it sits on the left of ``&&`` unless everything errexit could stop
  is a simple command (:attr:`Effects.may_set_errexit`, :attr:`Effects.neutral`,
  :attr:`Effects.last_neutral`);
- **processes** that outlive the body: background jobs and daemons
  (:attr:`Effects.background`);
- the **command hash**: the external commands the main shell looked up, which a later
  command of the same shell reuses even when a new program of that name was put earlier
  on ``PATH`` (:attr:`Effects.hashed`), and every command name the body runs
  (:attr:`Effects.names`).

The answers are conservative: a command whose name is not a literal, ``eval``, ``.`` and
``source`` may do anything.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dfopt.shell.model import _cook, _parser
from dfopt.syntax._record import record, set_field

__all__ = ["BUILTINS", "DAEMON_STARTERS", "Effects", "effects"]

# Commands that change the state of the running shell (directory, variables, options,
# traps, limits, aliases) or end it: after them a following body must not share the shell.
_STATEFUL = frozenset(
    {
        ".",
        "alias",
        "cd",
        "declare",
        "eval",
        "exec",
        "exit",
        "export",
        "getopts",
        "hash",
        "let",
        "local",
        "mapfile",
        "popd",
        "pushd",
        "read",
        "readarray",
        "readonly",
        "return",
        "set",
        "shift",
        "shopt",
        "source",
        "trap",
        "typeset",
        "ulimit",
        "umask",
        "unalias",
        "unset",
        "wait",
        "enable",
    }
)
# POSIX special built-ins: variable assignments in front of them persist in the shell.
_SPECIAL_BUILTINS = frozenset(
    {":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return"}
    | {"set", "shift", "times", "trap", "unset"}
)
BUILTINS = frozenset(
    _STATEFUL
    | _SPECIAL_BUILTINS
    | {"echo", "printf", "test", "[", "true", "false", "pwd", "kill", "type", "command"}
    | {"builtin", "times", "umask", "jobs", "fg", "bg", "wait", "getopts", "[["}
)
"""Commands that dash and bash run without a ``PATH`` look-up (nothing is hashed)."""
# Words that run the command named after them in the same shell.
_PREFIXES = frozenset({"command", "builtin", "time", "nohup"})
# Commands that may run any shell code in the current shell.
_ANYTHING = frozenset({"eval", ".", "source"})
DAEMON_STARTERS = frozenset(
    {
        "service",
        "systemctl",
        "rc-service",
        "openrc",
        "start-stop-daemon",
        "nohup",
        "setsid",
        "daemon",
        "daemonize",
        "invoke-rc.d",
        "supervisord",
    }
)
"""Programs that leave a process running after they return."""
_ARITHMETIC_ASSIGNMENTS = frozenset(
    {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "++", "--"}
)
# Node types whose commands run in a child process, so nothing inside them leaks.
_ISOLATED = frozenset({"subshell", "command_substitution", "process_substitution"})
_LEAKY_NODES = frozenset(
    {
        "function_definition",
        "for_statement",
        "c_style_for_statement",
        "declaration_command",
        "unset_command",
        "variable_assignments",
    }
)


@record()
class Effects:
    """What running one body does to its shell (see the module documentation)."""

    __slots__ = (
        "background",
        "compound",
        "hashed",
        "last_neutral",
        "leaks",
        "may_set_errexit",
        "names",
        "neutral",
        "open_end",
    )

    leaks: bool
    """A later command of the same shell could see changed state."""
    open_end: bool
    """The body ends with ``;`` or ``&``, so ``&&`` cannot follow it directly."""
    compound: bool
    """Top-level ``||``, ``;``, ``&`` or several statements."""
    may_set_errexit: bool
    """The body may turn errexit on (``set -e`` in any spelling, or code dfopt cannot see)."""
    neutral: bool
    """One ``&&`` list of simple commands and pipelines: errexit stops nothing inside it
    that being on the left of ``&&`` would let run on."""
    last_neutral: bool
    """The last element of the body's last top-level list is a simple command or pipeline,
    so appending ``&& more`` changes nothing errexit decides."""
    background: bool
    """The body starts a background job or a daemon that outlives it."""
    hashed: frozenset[str]
    """External commands the main shell looks up (subshells and pipelines left out)."""
    names: frozenset[str]
    """Every command name the body runs, nested ones included."""

    def __init__(
        self,
        leaks: bool,
        open_end: bool,
        compound: bool,
        may_set_errexit: bool,
        neutral: bool,
        last_neutral: bool,
        background: bool,
        hashed: frozenset[str],
        names: frozenset[str],
    ) -> None:
        set_field(self, "leaks", leaks)
        set_field(self, "open_end", open_end)
        set_field(self, "compound", compound)
        set_field(self, "may_set_errexit", may_set_errexit)
        set_field(self, "neutral", neutral)
        set_field(self, "last_neutral", last_neutral)
        set_field(self, "background", background)
        set_field(self, "hashed", hashed)
        set_field(self, "names", names)


@lru_cache(maxsize=1024)
def effects(text: str) -> Effects:
    """The effects of the shell body ``text`` (parsed with tree-sitter-bash)."""
    data = text.encode("utf-8", "surrogatepass")
    root = _parser().parse(data).root_node
    reader = _Reader(data)
    statements = [child for child in root.named_children if child.type != "comment"]
    separators = [child.type for child in root.children if not child.is_named]
    open_end = bool(root.children) and root.children[-1].type in (";", "&", ";;")
    compound = (
        len(statements) > 1
        or any(separator in (";", "&", ";;") for separator in separators)
        or any(_mixed_list(statement) for statement in statements)
    )
    reader.walk(root, main=True)
    functions = reader.functions
    neutral = len(statements) == 1 and not compound and reader.neutral_list(statements[0])
    last_neutral = bool(statements) and reader.neutral_element(
        _last_element(statements[-1]), functions
    )
    return Effects(
        leaks=reader.leaks,
        open_end=open_end,
        compound=compound,
        may_set_errexit=reader.errexit,
        neutral=neutral,
        last_neutral=last_neutral,
        background=reader.background,
        hashed=frozenset(reader.hashed - functions),
        names=frozenset(reader.names),
    )


def _mixed_list(node: Any) -> bool:
    """True for an and-or list that uses anything but ``&&`` at its top (tree-sitter-bash
    hangs a redirect of the last command on the whole list: ``a || b > f``)."""
    while node.type == "redirected_statement" and node.named_children:
        node = node.named_children[0]
    if node.type != "list":
        return False
    for child in node.children:
        if not child.is_named and child.type != "&&":
            return True
        if child.is_named and _mixed_list(child):
            return True
    return False


def _last_element(node: Any) -> Any:
    """The last command of an and-or list (the node itself for anything else)."""
    while True:
        if node.type == "redirected_statement" and node.named_children:
            inner = node.named_children[0]
            if inner.type != "list":
                return node
            node = inner
        elif node.type == "list" and node.named_children:
            node = node.named_children[-1]
        else:
            return node


class _Reader:
    """One walk over a body's tree, collecting the facts of :class:`Effects`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.text = data.decode("utf-8", "surrogatepass")
        self.leaks = False
        self.errexit = False
        self.background = False
        self.hashed: set[str] = set()
        self.names: set[str] = set()
        self.functions: set[str] = set()

    # -- words ------------------------------------------------------------------------

    def value(self, node: Any) -> tuple[str, bool]:
        """A word's value with quotes and escapes removed, and whether it is literal."""
        if self.data.isascii():
            return _cook(node, self.text, int)
        prefix = self.data
        return _cook(
            node, self.text, lambda offset: len(prefix[:offset].decode("utf-8", "replace"))
        )

    def command_words(self, node: Any) -> tuple[str | None, list[tuple[str, bool]], list[str]]:
        """The effective command name (after ``command``/``builtin``/``time``/``nohup``,
        ``\\`` and quotes removed; None when it is not a literal), its arguments and the
        prefix words skipped to reach it."""
        name: str | None = ""
        words: list[tuple[str, bool]] = []
        prefixes: list[str] = []
        for child in node.children:
            if child.type == "command_name":
                value, literal = self.value(
                    child.named_children[0] if child.named_children else child
                )
                name = value if literal else None
            elif child.is_named and child.type not in ("variable_assignment", "file_redirect"):
                if child.type.endswith("redirect") or child.type == "herestring_redirect":
                    continue
                words.append(self.value(child))
        while name in _PREFIXES and words:
            prefixes.append(name)
            options = 0
            while options < len(words) and words[options][0].startswith("-"):
                options += 1
            if options >= len(words):
                break
            value, literal = words[options]
            name = value if literal else None
            words = words[options + 1 :]
        return name, words, prefixes

    # -- the walk ---------------------------------------------------------------------

    def walk(self, node: Any, main: bool, arithmetic: bool = False) -> None:
        kind = node.type
        if kind in _ISOLATED:
            for child in node.children:
                self.walk(child, main=False)
            return
        if kind == "pipeline":
            for child in node.children:
                self.walk(child, main=False, arithmetic=arithmetic)
            return
        if not node.is_named:
            if kind == "&":
                self.background = True
                self.leaks = True
            elif arithmetic and kind in _ARITHMETIC_ASSIGNMENTS and main:
                self.leaks = True
            return
        if kind == "function_definition":
            for child in node.children:
                if child.type == "word":
                    self.functions.add(self.value(child)[0])
                    break
        if kind in _LEAKY_NODES and main:
            self.leaks = True
        if kind == "variable_assignment" and main:
            parent = node.parent
            if parent is None or parent.type != "command":
                self.leaks = True
        if kind == "command":
            self.command(node, main)
        if (
            kind == "expansion"
            and main
            and any(not child.is_named and child.type in (":=", "=") for child in node.children)
        ):
            self.leaks = True
        if kind == "arithmetic_expansion" or (
            kind == "compound_statement" and node.children and node.children[0].type == "(("
        ):
            arithmetic = True
        for child in node.children:
            self.walk(child, main, arithmetic)

    def command(self, node: Any, main: bool) -> None:
        name, words, prefixes = self.command_words(node)
        if "nohup" in prefixes:
            self.background = True
        if name is None:  # `$CMD args`: could be any builtin
            self.errexit = True
            if main:
                self.leaks = True
            return
        base = name.rsplit("/", 1)[-1] if "/" in name and name not in _ANYTHING else name
        if base:
            self.names.add(base)
        if base in DAEMON_STARTERS or base.startswith("/etc/init.d/"):
            self.background = True
        if "/etc/init.d/" in name:
            self.background = True
        if base in _ANYTHING:
            self.errexit = True
        if base == "set" and _sets_errexit(words):
            self.errexit = True
        if main:
            if base and base not in BUILTINS and "/" not in name:
                self.hashed.add(base)
            assigns = any(child.type == "variable_assignment" for child in node.children)
            if (
                base in _STATEFUL
                or (base == "printf" and any(value == "-v" for value, _ in words))
                or (base in _SPECIAL_BUILTINS and assigns)
            ):
                self.leaks = True

    # -- errexit-neutral shapes -------------------------------------------------------

    def neutral_list(self, node: Any) -> bool:
        """A ``&&`` list (or one element) of neutral elements."""
        if node.type == "list":
            return all(child.type == "&&" for child in node.children if not child.is_named) and all(
                self.neutral_list(child) for child in node.named_children
            )
        return self.neutral_element(node, self.functions)

    def neutral_element(self, node: Any, functions: set[str]) -> bool:
        """A simple command (not a function, ``eval`` or ``source``), a pipeline of them,
        a negated one, a test or a redirected one."""
        kind = node.type
        if kind in ("negated_command", "redirected_statement"):
            named = [child for child in node.named_children if not child.type.endswith("redirect")]
            if len(named) == 1 and named[0].type == "list" and kind == "redirected_statement":
                return self.neutral_list(named[0])
            return len(named) == 1 and self.neutral_element(named[0], functions)
        if kind == "pipeline":
            return all(
                self.neutral_element(child, functions)
                for child in node.named_children
                if child.type != "comment"
            )
        if kind == "test_command" or kind == "variable_assignment":
            return True
        if kind != "command":
            return False
        name, _, _ = self.command_words(node)
        if name is None:
            return False
        base = name.rsplit("/", 1)[-1]
        return base not in _ANYTHING and base not in functions


def _sets_errexit(words: list[tuple[str, bool]]) -> bool:
    """True when ``set`` with these arguments may turn errexit on."""
    previous = ""
    for value, literal in words:
        if not literal:
            return True
        if previous == "-o" and value in ("errexit", ""):
            return True
        if value.startswith("-") and not value.startswith("--") and "e" in value[1:]:
            return True
        if value == "--":
            break
        previous = value
    return False
