"""The command line of the shell that runs RUN bodies (``SHELL ["/bin/bash", "-e", "-c"]``).

What its options mean for a body: errexit on from the start (``-e``, ``-o errexit``,
``-ec``), and a login or interactive shell (``-l``, ``--login``, ``-i``, ``-lc``), which
reads profiles and start-up files before each body.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["login_shell", "shell_errexit", "shell_options"]


def shell_options(shell: Sequence[str]) -> tuple[frozenset[str], bool]:
    """The single-letter options a SHELL command line turns on (``-o errexit`` as ``e``)
    and whether it asks for a login shell (``--login``)."""
    letters: set[str] = set()
    login = False
    words = list(shell[1:])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--login":
            login = True
        elif word.startswith("--"):
            continue
        elif word in ("-o", "+o", "-O", "+O"):
            if index < len(words):
                name = words[index]
                index += 1
                if word == "-o" and name == "errexit":
                    letters.add("e")
                elif word == "+o" and name == "errexit":
                    letters.discard("e")
        elif word.startswith("-") and len(word) > 1:
            letters.update(word[1:])
            if word.endswith("o") and index < len(words):  # `-euo pipefail`
                if words[index] == "errexit":
                    letters.add("e")
                index += 1
        elif word.startswith("+") and len(word) > 1:
            letters.difference_update(word[1:])
        else:
            break  # the command string or a script: options end here
    return frozenset(letters), login


def shell_errexit(shell: Sequence[str]) -> bool:
    """The shell runs every body with errexit on (``set -e`` in force from the start)."""
    letters, _ = shell_options(shell)
    return "e" in letters


def login_shell(shell: Sequence[str]) -> bool:
    """The shell is a login or interactive one, which reads profiles before the body."""
    letters, login = shell_options(shell)
    return login or "l" in letters or "i" in letters
