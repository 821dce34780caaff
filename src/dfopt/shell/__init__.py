"""RUN bodies as shell scripts: tree-sitter-bash parse with offsets mapped to the source."""

from dfopt.shell.model import (
    Operator,
    Redirect,
    ShellScript,
    ShellWord,
    SimpleCommand,
    parse_script,
)
from dfopt.shell.scripts import ScriptSource, scripts_of

__all__ = [
    "Operator",
    "Redirect",
    "ScriptSource",
    "ShellScript",
    "ShellWord",
    "SimpleCommand",
    "parse_script",
    "scripts_of",
]
