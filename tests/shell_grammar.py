"""Hypothesis strategies for Dockerfiles whose RUN steps exercise shell and build state.

The Dockerfiles run in the throwaway root of ``exec_oracle`` (its fake ``apt-get``,
``apk``, ``pip``, ``npm``, ``sudo``, ``eatmydata`` and an old ``greet`` in ``/usr/bin``; a
world-writable ``/out`` for results). Each file picks one or two *themes* (errexit, ``cd``,
variables, functions, traps, ``exit``/``exec``, subshells and groups, ``/bin/sh`` swaps,
PATH shadowing, login profiles and ``BASH_ENV``, tmpfs mounts, background jobs, package
caches and their later users, shell options) and draws most of its commands from them,
so that one RUN sets state and a later RUN depends on it; plain ``&&`` chains of simple
commands are common too, as controls. 2 to 5 RUNs follow each other (so the merge and
cache rules fire), sometimes with an ENV, WORKDIR or USER between them, and some files
have a second stage built on the first.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

Draw = st.DrawFn

FILES = ("a", "b", "c")
DIRS = ("d1", "d2")
PACKAGES = ("curl", "git", "jq")

ERREXIT = (
    "set -e; ",
    "set -eu; ",
    "set -eux; ",
    "set -ex; ",
    "set -o errexit; ",
    "set -euo pipefail; ",
    "set -e && ",
    "set -eux && ",
)

SHELLS = (
    '["/bin/bash", "-c"]',
    '["/bin/bash", "-e", "-c"]',
    '["/bin/bash", "-o", "pipefail", "-c"]',
    '["/bin/bash", "-eo", "pipefail", "-c"]',
    '["/bin/bash", "-euxo", "pipefail", "-c"]',
    '["/bin/bash", "--login", "-c"]',
    '["/bin/bash", "-lc"]',
    '["/bin/bash", "-l", "-e", "-c"]',
    '["/bin/sh", "-e", "-c"]',
    '["/bin/dash", "-c"]',
)

BASES = ("debian:bookworm", "ubuntu:22.04", "alpine:3.20", "python:3.12-slim", "node:20-slim")

THEMES = (
    "errexit",
    "cd",
    "vars",
    "functions",
    "traps",
    "exit",
    "compound",
    "shell",
    "path",
    "profile",
    "tmpfs",
    "background",
    "apt",
    "apk",
    "pip",
    "npm",
    "archives",
    "options",
    "files",
)


SIMPLE = (
    "true",
    "false",
    ":",
    "echo @W > /out/@F",
    "echo @W >> /out/log",
    "touch /out/@F",
    "mkdir -p /out/@D",
    "rm -f /out/@F",
    "rm -rf /out/@D",
    "test -e /out/@F",
    "[ -d /out/@D ]",
    "echo @W > @F.rel",
    "mkdir -p @D",
    "pwd >> /out/log",
    "ls /out > /out/ls",
    "cat /out/@F >> /out/log",
    "cp /out/log /out/@F",
    "ln -sf /out/@F /out/link",
    "chmod 600 /out/@F",
)
"""Simple commands with a visible effect on ``/out`` (or a plain success or failure)."""

INSTALL = "apt-get install -y @P"

TEMPLATES: dict[str, tuple[str, ...]] = {
    "errexit": (
        "set -e",
        "set +e",
        "set -eu",
        "set -o errexit",
        "false",
        "false; echo after >> /out/@F",
        "false || true",
        "! true",
        "f() { set -e; false; echo in-f >> /out/@F; }; f",
        "f() { false; echo in-f >> /out/@F; }",
        "f",
        "f || echo f-failed >> /out/log",
        "f && echo f-ok >> /out/@F",
    ),
    "cd": (
        "@C /tmp",
        "@C /out",
        "mkdir -p /out/@D && @C /out/@D",
        "@C /out/@D",
        "@C ..",
        "echo here > @F.rel",
        "pwd >> /out/log",
        "touch @F.rel",
    ),
    "vars": (
        "V=1",
        "export V=2",
        "unset V",
        'echo "${V:-none}" >> /out/log',
        "readonly R=1",
        "R=2",
        'echo "${R:-none} ${ARGV:-none}" >> /out/log',
        "export PATH=/opt/bin:$PATH",
        'echo "$PATH" >> /out/log',
        "IFS=:",
        "set -- one two",
        'echo "$#" >> /out/log',
    ),
    "functions": (
        "f() { echo f >> /out/@F; }",
        "f() { return 3; }",
        "f",
        "f || true",
        "g() { cd /tmp; }",
        "g",
        'g && echo "$PWD" >> /out/log',
        "unset -f f",
    ),
    "traps": (
        "trap 'echo trap >> /out/log' EXIT",
        "trap 'rm -f /out/@F' EXIT",
        "trap - EXIT",
        "touch /out/@F",
        "trap 'echo int >> /out/log' INT",
    ),
    "exit": (
        "exit 0",
        "exit 1",
        "exit",
        "exec >> /out/elog 2>&1",
        "echo to-stdout",
        "exec sh -c 'echo exec >> /out/log'",
        "exec touch /out/@F",
        "[ -e /out/@F ] && exit 0",
        "[ -e /out/@F ] || exit 0",
    ),
    "compound": (
        "( @L )",
        "{ @L; }",
        "if @S; then @L; else @S; fi",
        "if @S; then @L; fi",
        "echo piped | @S",  # not `@S | @S`: two file commands side by side race
        "true | @S",
        "false | @S",
        "@S | false",
        "while false; do @S; done",
        "for i in 1 2; do @L; done",
        "case x in x) @L;; esac",
        "( cd /tmp && @L )",
        "{ cd /tmp; @L; }",
    ),
    "shell": (
        "ln -sf /bin/bash /bin/sh",
        "ln -sf dash /bin/sh",
        "[[ -d /out ]] && echo bash >> /out/log",
        'echo "${BASH_VERSION:+bash}" >> /out/log',
        "sh -c '[[ -d /out ]]' && echo sh-is-bash >> /out/log",
        "readlink /bin/sh >> /out/log",
        "echo {a,b} >> /out/log",
    ),
    "path": (
        "greet >> /out/log",
        "printf '#!/bin/sh\\necho new\\n' > /usr/local/bin/greet && chmod +x /usr/local/bin/greet",
        "mkdir -p /opt/bin && printf '#!/bin/sh\\necho opt\\n' > /opt/bin/greet"
        " && chmod +x /opt/bin/greet",
        "export PATH=/opt/bin:$PATH",
        "hash -r",
        "command -v greet >> /out/log",
        "rm -f /usr/local/bin/greet",
    ),
    "profile": (
        "echo 'export PV=profile' >> /etc/profile.d/pv.sh",
        "echo 'nvmx() { echo nvm >> /out/log; }' > /etc/profile.d/nvm.sh",
        "echo 'export PV=home' >> /root/.profile",
        "echo 'export BE=bash-env' > /etc/bash_env",
        'echo "${PV:-none} ${BE:-none}" >> /out/log',
        "nvmx",
        ". /etc/profile.d/nvm.sh && nvmx",
        "rm -f /etc/profile.d/pv.sh",
    ),
    "tmpfs": (
        "touch /cache/@F",
        "ls /cache >> /out/log",
        "test ! -e /cache/@F",
        "cp /cache/@F /out/@F",
        "echo c > /cache/@F && cp /cache/@F /out/@F",
    ),
    "background": (
        "{ echo bg >> /out/log; } & wait",
        "( sleep 0.01; touch /out/@F ) & wait",
        # waits for a later `touch /tmp/go` (in a merged RUN it lives on and writes)
        "( [ -e /tmp/go ] || { while [ ! -e /tmp/go ]; do sleep 0.01; done;"
        " echo late >> /out/log; } ) &",
        "touch /tmp/go && sleep 0.2 && wait",
        "true &",
    ),
    "apt": (
        "apt-get update",
        f"apt-get update && {INSTALL}",
        "apt-get update && apt-get install -y --no-install-recommends @P",
        INSTALL,
        f"sudo {INSTALL}",
        f"sudo -E {INSTALL}",
        f"env DEBIAN_FRONTEND=noninteractive {INSTALL}",
        f"DEBIAN_FRONTEND=noninteractive {INSTALL}",
        f"timeout 60 {INSTALL}",
        f"nice -n 5 {INSTALL}",
        f"command {INSTALL}",
        f"eatmydata {INSTALL}",
        "echo @P | xargs apt-get install -y",
        f'sh -c "{INSTALL}"',
        f"bash -c '{INSTALL}'",
        f"printf '#!/bin/sh\\n{INSTALL}\\n' > /usr/local/bin/inst && chmod +x /usr/local/bin/inst",
        "inst",
        "rm -rf /var/lib/apt/lists/*",
        "apt-get clean",
        "apt install -y @P",
        f"apt-get update && apt-get upgrade -y && {INSTALL}",
    ),
    "apk": (
        "apk add --update @P",
        "apk add -U @P",
        "apk update",
        "apk add @P",
        "apk add --no-cache @P",
        "sudo apk add @P",
        "apk update && apk add @P",
        "rm -rf /var/cache/apk/*",
        "apk del @P",
    ),
    "pip": (
        "pip install @P",
        "pip3 install @P",
        "pip install --no-cache-dir @P",
        "pip install --no-index --find-links /out/wheels @P",
        "mkdir -p /out/wheels && echo @P > /out/wheels/@P.whl",
        "pip cache purge",
        "sudo pip install @P",
    ),
    "npm": (
        "npm install @P",
        "npm install -g @P",
        "npm install --offline @P",
        "npm ci --offline @P",
        "npm cache clean --force",
        "sudo npm install -g --offline @P",
    ),
    "archives": (
        "curl -fsSLo /tmp/tool-1.0.tar.gz https://example.com/tool-1.0.tar.gz"
        " && tar -xzf /tmp/tool-1.0.tar.gz -C /opt",
        "cd /tmp && wget -q https://example.com/tool-1.0.tar.gz"
        " && tar -xzf tool-1.0.tar.gz -C /opt",
        "curl -fsSL -o tool-1.0.tar.gz https://example.com/tool-1.0.tar.gz"
        " && tar -xzf tool-1.0.tar.gz && rm -rf tool",
        "wget -qO /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt",
        "sha256sum /tmp/tool-*.tar.gz > /out/sum",
        "cd /tmp && curl -fsSLO https://example.com/SHA256SUMS && sha256sum -c SHA256SUMS",
        "sha256sum tool-1.0.tar.gz >> /out/log",
        "ls /tmp > /out/ls",
        "rm -f /tmp/tool-1.0.tar.gz",
        "/opt/tool/bin/tool >> /out/log",
        "tar -tzf /tmp/tool.tgz >> /out/log",
    ),
    "options": (
        "set -u",
        'echo "$NOPE" >> /out/log',
        "set -f",
        "ls /out/* > /out/ls",
        "set -C",
        "echo z > /out/@F",
        "umask 077",
        "touch /out/@F",
        "mkdir -p /out/@D",
        "set -x",
        "set -o pipefail",
        "false | true",
    ),
    "files": SIMPLE,
}
"""Per theme, commands that set some state and commands that depend on it.

Placeholders: ``@F`` a file name, ``@D`` a folder, ``@P`` a package, ``@W`` a word,
``@C`` a spelling of ``cd``, ``@S`` a simple command, ``@L`` one or two of them.
"""


@functools.cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _pick(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


_BOOL = st.booleans()


def _fill(draw: Draw, template: str, env: dict[str, bool]) -> str:
    if "@" not in template:
        return template
    if "@S" in template or "@L" in template:
        parts = template.split("@S")
        template = parts[0] + "".join(_simple(draw) + part for part in parts[1:])
        if "@L" in template:
            chain = " && ".join(_simple(draw) for _ in range(draw(_ints(1, 2))))
            template = template.replace("@L", chain)
    if "@C" in template:
        spellings = ["cd", "\\cd", 'c"d"', "command cd"]
        if env.get("cd"):
            spellings.append("$CD")
        if env.get("bash"):
            spellings.append("time cd")
        template = template.replace("@C", draw(_pick(tuple(spellings))))
    if "@F" in template or "@D" in template or "@P" in template or "@W" in template:
        f, d, pkg, word = draw(_PARAMETERS)
        template = template.replace("@F", f).replace("@D", d).replace("@P", pkg).replace("@W", word)
    return template


_PARAMETERS = st.sampled_from(
    [(f, d, p, w) for f in FILES for d in DIRS for p in PACKAGES for w in ("x", "y")]
)


def _simple(draw: Draw) -> str:
    """A simple command with a visible effect on ``/out`` (or a plain success/failure)."""
    return _fill(draw, draw(_SIMPLE), {})


def _themed(draw: Draw, theme: str, env: dict[str, bool]) -> str:
    """A command of ``theme``: one that sets state or one that depends on it."""
    return _fill(draw, draw(_THEMED[theme]), env)


_SIMPLE = st.sampled_from(SIMPLE)
_THEMED = {theme: st.sampled_from(templates) for theme, templates in TEMPLATES.items()}


def _body(draw: Draw, themes: list[str], env: dict[str, bool]) -> str:
    """A RUN body: a plain ``&&`` chain (a control) or themed commands and separators."""
    count = draw(_ints(1, 4))
    if draw(_ints(0, 9)) < 3:
        return " && ".join(_simple(draw) for _ in range(count))
    prefix = draw(_pick(ERREXIT)) if draw(_ints(0, 9)) < 3 else ""
    parts: list[str] = []
    for index in range(count):
        if draw(_ints(0, 9)) < 7:
            part = _themed(draw, draw(_pick(tuple(themes))), env)
        else:
            part = _simple(draw)
        if index and parts[-1].endswith("&"):
            parts.append(" ")  # `&` ends the list already: `a & b`
        elif index and part.endswith("&"):
            # `a && b &` would run `a` in the background too, racing the end of the RUN
            parts.append("; ")
        elif index:
            parts.append(draw(_pick((" && ", " && ", " && ", "; ", "; ", " || "))))
        parts.append(part)
    return prefix + "".join(parts)


def _exec_form(draw: Draw, themes: list[str]) -> str:
    pkg = draw(_pick(PACKAGES))
    choices = [
        '["sh", "-c", "echo exec-form >> /out/log"]',
        '["/bin/bash", "-c", "echo \\"${BASH_VERSION:+bash}\\" >> /out/log"]',
        '["touch", "/out/a"]',
        '["false"]',
    ]
    if "apt" in themes:
        choices += [
            f'["apt-get", "install", "-y", "{pkg}"]',
            f'["sh", "-c", "apt-get install -y {pkg}"]',
            '["apt-get", "update"]',
        ]
    if "apk" in themes:
        choices.append(f'["apk", "add", "{pkg}"]')
    if "npm" in themes:
        choices.append(f'["npm", "install", "--offline", "{pkg}"]')
    return draw(_pick(tuple(choices)))


def _stage(draw: Draw, index: int, names: list[str], themes: list[str], users: bool) -> list[str]:
    lines: list[str] = []
    if index and draw(_BOOL):
        lines.append(f"FROM {names[0]}")
    else:
        base = draw(_pick(BASES))
        lines.append(f"FROM {base} AS build" if index == 0 else f"FROM {base}")
    env: dict[str, bool] = {}
    if "cd" in themes and draw(_BOOL):
        lines.append("ENV CD=cd")
        env["cd"] = True
    if "vars" in themes and draw(_BOOL):
        lines.append("ARG ARGV=from-arg")
    if "profile" in themes and draw(_BOOL):
        lines.append("ENV BASH_ENV=/etc/bash_env")
    if draw(_ints(0, 9)) < 4:
        shell = draw(_pick(SHELLS))
        lines.append(f"SHELL {shell}")
        env["bash"] = "bash" in shell
    if "path" in themes and draw(_BOOL):
        lines.append("ENV PATH=/opt/bin:$PATH")
    if draw(_ints(0, 9)) < 2:
        lines.append(draw(_pick(("WORKDIR /w", "WORKDIR app", "WORKDIR /out"))))
    if users and draw(_ints(0, 19)) == 0:
        lines.append(draw(_pick(("USER 1000", "USER 1000:1000", "USER nobody"))))
    mount = ""
    for run in range(draw(_ints(2, 5))):
        if run and draw(_ints(0, 11)) == 0:
            lines.append(
                draw(_pick(("ENV X=1", "WORKDIR /tmp", "USER root", "ARG LATE=1", "LABEL a=b")))
            )
        if "tmpfs" in themes:
            keep = mount and draw(_ints(0, 3)) > 0
            if not keep:
                mount = draw(
                    _pick(("--mount=type=tmpfs,target=/cache ", "", "")),
                )
        if draw(_ints(0, 19)) == 0:
            lines.append(f"RUN {mount}{_exec_form(draw, themes)}")
        else:
            lines.append(f"RUN {mount}{_body(draw, themes, env)}")
    return lines


@st.composite
def dockerfiles(draw: Draw, users: bool = True) -> str:
    """A Dockerfile of one or two stages; ``users``: may switch to non-root users."""
    themes = draw(st.lists(st.sampled_from(THEMES), min_size=1, max_size=2, unique=True))
    lines: list[str] = []
    stages = 2 if draw(_ints(0, 5)) == 0 else 1
    for index in range(stages):
        lines += _stage(draw, index, ["build"], themes, users)
    return "\n".join(lines) + "\n"
