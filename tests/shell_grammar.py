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

from collections.abc import Callable

from hypothesis import strategies as st

Draw = Callable[..., object]

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
    "options",
    "files",
)


def _simple(draw: Draw) -> str:
    """A simple command with a visible effect on ``/out`` (or a plain success/failure)."""
    f = draw(st.sampled_from(FILES))
    d = draw(st.sampled_from(DIRS))
    word = draw(st.sampled_from(("x", "y")))
    return draw(
        st.sampled_from(
            (
                f"echo {word} > /out/{f}",
                f"echo {word} >> /out/log",
                f"touch /out/{f}",
                f"mkdir -p /out/{d}",
                f"rm -f /out/{f}",
                f"rm -rf /out/{d}",
                f"test -e /out/{f}",
                f"[ -d /out/{d} ]",
                f"echo {word} > {f}.rel",
                f"mkdir -p {d}",
                "pwd >> /out/log",
                "ls /out > /out/ls",
                "true",
                "false",
                ":",
                f"cat /out/{f} >> /out/log",
                f"cp /out/log /out/{f}",
                f"ln -sf /out/{f} /out/link",
                f"chmod 600 /out/{f}",
            )
        )
    )


def _themed(draw: Draw, theme: str, env: dict[str, bool]) -> str:
    """A command of ``theme``: one that sets state or one that depends on it."""
    f = draw(st.sampled_from(FILES))
    d = draw(st.sampled_from(DIRS))
    pkg = draw(st.sampled_from(PACKAGES))
    choices: tuple[str, ...]
    if theme == "errexit":
        choices = (
            "set -e",
            "set +e",
            "set -eu",
            "set -o errexit",
            "false",
            f"false; echo after >> /out/{f}",
            "false || true",
            "! true",
            f"f() {{ set -e; false; echo in-f >> /out/{f}; }}; f",
            f"f() {{ false; echo in-f >> /out/{f}; }}",
            "f",
            "f || echo f-failed >> /out/log",
            f"f && echo f-ok >> /out/{f}",
        )
    elif theme == "cd":
        spellings = ["cd", "\\cd", 'c"d"', "command cd"]
        if env.get("cd"):
            spellings.append("$CD")
        if env.get("bash"):
            spellings.append("time cd")
        cd = draw(st.sampled_from(spellings))
        choices = (
            f"{cd} /tmp",
            f"{cd} /out",
            f"mkdir -p /out/{d} && {cd} /out/{d}",
            f"{cd} /out/{d}",
            f"{cd} ..",
            f"echo here > {f}.rel",
            "pwd >> /out/log",
            f"touch {f}.rel",
        )
    elif theme == "vars":
        choices = (
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
        )
    elif theme == "functions":
        choices = (
            f"f() {{ echo f >> /out/{f}; }}",
            "f() { return 3; }",
            "f",
            "f || true",
            "g() { cd /tmp; }",
            "g",
            'g && echo "$PWD" >> /out/log',
            "unset -f f",
        )
    elif theme == "traps":
        choices = (
            "trap 'echo trap >> /out/log' EXIT",
            f"trap 'rm -f /out/{f}' EXIT",
            "trap - EXIT",
            f"touch /out/{f}",
            "trap 'echo int >> /out/log' INT",
        )
    elif theme == "exit":
        choices = (
            "exit 0",
            "exit 1",
            "exit",
            "exec >> /out/elog 2>&1",
            "echo to-stdout",
            "exec sh -c 'echo exec >> /out/log'",
            f"exec touch /out/{f}",
            f"[ -e /out/{f} ] && exit 0",
            f"[ -e /out/{f} ] || exit 0",
        )
    elif theme == "compound":
        inner = " && ".join(_simple(draw) for _ in range(draw(st.integers(1, 2))))
        other = _simple(draw)
        choices = (
            f"( {inner} )",
            f"{{ {inner}; }}",
            f"if {_simple(draw)}; then {inner}; else {other}; fi",
            f"if {_simple(draw)}; then {inner}; fi",
            f"{other} | {_simple(draw)}",
            f"true | {other}",
            f"false | {other}",
            f"{other} | false",
            f"while false; do {other}; done",
            f"for i in 1 2; do {inner}; done",
            f"case x in x) {inner};; esac",
            f"( cd /tmp && {inner} )",
            f"{{ cd /tmp; {inner}; }}",
        )
    elif theme == "shell":
        choices = (
            "ln -sf /bin/bash /bin/sh",
            "ln -sf dash /bin/sh",
            "[[ -d /out ]] && echo bash >> /out/log",
            'echo "${BASH_VERSION:+bash}" >> /out/log',
            "sh -c '[[ -d /out ]]' && echo sh-is-bash >> /out/log",
            "readlink /bin/sh >> /out/log",
            "echo {a,b} >> /out/log",
        )
    elif theme == "path":
        choices = (
            "greet >> /out/log",
            "printf '#!/bin/sh\\necho new\\n' > /usr/local/bin/greet"
            " && chmod +x /usr/local/bin/greet",
            "mkdir -p /opt/bin && printf '#!/bin/sh\\necho opt\\n' > /opt/bin/greet"
            " && chmod +x /opt/bin/greet",
            "export PATH=/opt/bin:$PATH",
            "hash -r",
            "command -v greet >> /out/log",
            "rm -f /usr/local/bin/greet",
        )
    elif theme == "profile":
        choices = (
            "echo 'export PV=profile' >> /etc/profile.d/pv.sh",
            "echo 'nvmx() { echo nvm >> /out/log; }' > /etc/profile.d/nvm.sh",
            "echo 'export PV=home' >> /root/.profile",
            "echo 'export BE=bash-env' > /etc/bash_env",
            'echo "${PV:-none} ${BE:-none}" >> /out/log',
            "nvmx",
            ". /etc/profile.d/nvm.sh && nvmx",
            "rm -f /etc/profile.d/pv.sh",
        )
    elif theme == "tmpfs":
        choices = (
            f"touch /cache/{f}",
            "ls /cache >> /out/log",
            f"test ! -e /cache/{f}",
            f"cp /cache/{f} /out/{f}",
            f"echo c > /cache/{f} && cp /cache/{f} /out/{f}",
        )
    elif theme == "background":
        choices = (
            "{ echo bg >> /out/log; } & wait",
            f"( sleep 0.01; touch /out/{f} ) & wait",
            "( while [ ! -e /tmp/go ]; do sleep 0.01; done; echo late >> /out/log ) &",
            "touch /tmp/go && sleep 0.2 && wait",
            "true &",
        )
    elif theme == "apt":
        install = f"apt-get install -y {pkg}"
        choices = (
            "apt-get update",
            f"apt-get update && {install}",
            f"apt-get update && apt-get install -y --no-install-recommends {pkg}",
            install,
            f"sudo {install}",
            f"sudo -E {install}",
            f"env DEBIAN_FRONTEND=noninteractive {install}",
            f"DEBIAN_FRONTEND=noninteractive {install}",
            f"timeout 60 {install}",
            f"nice -n 5 {install}",
            f"command {install}",
            f"eatmydata {install}",
            f"echo {pkg} | xargs apt-get install -y",
            f'sh -c "{install}"',
            f"bash -c '{install}'",
            f"printf '#!/bin/sh\\n{install}\\n' > /usr/local/bin/inst"
            " && chmod +x /usr/local/bin/inst",
            "inst",
            "rm -rf /var/lib/apt/lists/*",
            "apt-get clean",
            f"apt install -y {pkg}",
            f"apt-get update && apt-get upgrade -y && {install}",
        )
    elif theme == "apk":
        choices = (
            f"apk add --update {pkg}",
            f"apk add -U {pkg}",
            "apk update",
            f"apk add {pkg}",
            f"apk add --no-cache {pkg}",
            f"sudo apk add {pkg}",
            f"apk update && apk add {pkg}",
            "rm -rf /var/cache/apk/*",
            f"apk del {pkg}",
        )
    elif theme == "pip":
        choices = (
            f"pip install {pkg}",
            f"pip3 install {pkg}",
            f"pip install --no-cache-dir {pkg}",
            f"pip install --no-index --find-links /out/wheels {pkg}",
            f"mkdir -p /out/wheels && echo {pkg} > /out/wheels/{pkg}.whl",
            "pip cache purge",
            f"sudo pip install {pkg}",
        )
    elif theme == "npm":
        choices = (
            f"npm install {pkg}",
            f"npm install -g {pkg}",
            f"npm install --offline {pkg}",
            f"npm ci --offline {pkg}",
            "npm cache clean --force",
            f"sudo npm install -g --offline {pkg}",
        )
    elif theme == "options":
        choices = (
            "set -u",
            'echo "$NOPE" >> /out/log',
            "set -f",
            "ls /out/* > /out/ls",
            "set -C",
            f"echo z > /out/{f}",
            "umask 077",
            f"touch /out/{f}",
            f"mkdir -p /out/{d}",
            "set -x",
            "set -o pipefail",
            "false | true",
        )
    else:  # files
        return _simple(draw)
    return draw(st.sampled_from(choices))


def _body(draw: Draw, themes: list[str], env: dict[str, bool]) -> str:
    """A RUN body: a plain ``&&`` chain (a control) or themed commands and separators."""
    count = draw(st.integers(1, 4))
    if draw(st.integers(0, 9)) < 3:
        return " && ".join(_simple(draw) for _ in range(count))
    prefix = draw(st.sampled_from(ERREXIT)) if draw(st.integers(0, 9)) < 3 else ""
    parts: list[str] = []
    for index in range(count):
        if draw(st.integers(0, 9)) < 7:
            part = _themed(draw, draw(st.sampled_from(themes)), env)
        else:
            part = _simple(draw)
        if index and parts[-1].endswith("&"):
            parts.append(" ")  # `&` ends the list already: `a & b`
        elif index and part.endswith("&"):
            # `a && b &` would run `a` in the background too, racing the end of the RUN
            parts.append("; ")
        elif index:
            parts.append(draw(st.sampled_from((" && ", " && ", " && ", "; ", "; ", " || "))))
        parts.append(part)
    return prefix + "".join(parts)


def _exec_form(draw: Draw, themes: list[str]) -> str:
    pkg = draw(st.sampled_from(PACKAGES))
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
    return draw(st.sampled_from(choices))


def _stage(draw: Draw, index: int, names: list[str], themes: list[str], users: bool) -> list[str]:
    lines: list[str] = []
    if index and draw(st.booleans()):
        lines.append(f"FROM {names[0]}")
    else:
        base = draw(st.sampled_from(BASES))
        lines.append(f"FROM {base} AS build" if index == 0 else f"FROM {base}")
    env: dict[str, bool] = {}
    if "cd" in themes and draw(st.booleans()):
        lines.append("ENV CD=cd")
        env["cd"] = True
    if "vars" in themes and draw(st.booleans()):
        lines.append("ARG ARGV=from-arg")
    if "profile" in themes and draw(st.booleans()):
        lines.append("ENV BASH_ENV=/etc/bash_env")
    if draw(st.integers(0, 9)) < 4:
        shell = draw(st.sampled_from(SHELLS))
        lines.append(f"SHELL {shell}")
        env["bash"] = "bash" in shell
    if "path" in themes and draw(st.booleans()):
        lines.append("ENV PATH=/opt/bin:$PATH")
    if draw(st.integers(0, 9)) < 2:
        lines.append(draw(st.sampled_from(("WORKDIR /w", "WORKDIR app", "WORKDIR /out"))))
    if users and draw(st.integers(0, 19)) == 0:
        lines.append(draw(st.sampled_from(("USER 1000", "USER 1000:1000", "USER nobody"))))
    mount = ""
    for run in range(draw(st.integers(2, 5))):
        if run and draw(st.integers(0, 11)) == 0:
            lines.append(
                draw(
                    st.sampled_from(
                        ("ENV X=1", "WORKDIR /tmp", "USER root", "ARG LATE=1", "LABEL a=b")
                    )
                )
            )
        if "tmpfs" in themes:
            keep = mount and draw(st.integers(0, 3)) > 0
            if not keep:
                mount = draw(
                    st.sampled_from(("--mount=type=tmpfs,target=/cache ", "", "")),
                )
        if draw(st.integers(0, 19)) == 0:
            lines.append(f"RUN {mount}{_exec_form(draw, themes)}")
        else:
            lines.append(f"RUN {mount}{_body(draw, themes, env)}")
    return lines


@st.composite
def dockerfiles(draw: Draw, users: bool = True) -> str:
    """A Dockerfile of one or two stages; ``users``: may switch to non-root users."""
    themes = draw(st.lists(st.sampled_from(THEMES), min_size=1, max_size=2, unique=True))
    lines: list[str] = []
    stages = 2 if draw(st.integers(0, 5)) == 0 else 1
    for index in range(stages):
        lines += _stage(draw, index, ["build"], themes, users)
    return "\n".join(lines) + "\n"
