"""A fast differential executor for SAFE fixes: run a Dockerfile's RUN steps for real.

Each stage starts from the same small throwaway root (or from a copy of the earlier stage
it names in ``FROM``), built in a tmpfs inside a user and mount namespace: ``/usr/bin`` is a
writable directory of symlinks to the host's dash, bash and core tools (``/bin`` links to
it, ``/bin/sh`` is dash, as on Debian), the host's ``/usr`` is mounted read-only at
``/.host`` for the libraries, and small fake package managers (``apt-get``/``apt``,
``apk``, ``pip``, ``npm``) plus ``sudo`` and ``eatmydata`` shims make package indexes and
caches real: ``apt-get install`` fails with "Unable to locate package" while
``/var/lib/apt/lists`` is empty, ``apk add`` without an index or ``--update``/``--no-cache``
fails, and ``pip``/``npm`` offline installs need the cache an earlier install left.

Every RUN is a fresh process started the way a builder starts it: the stage's SHELL (or
the exec-form argv), the stage's ENV and ARG values, WORKDIR, USER (root or a numeric
uid, when the host lets the namespace map a uid range), a fresh tmpfs for every
``--mount=type=tmpfs``, and its own PID namespace, so background jobs die with the RUN
as they do in a container. A failing RUN stops the build.

:func:`compare` runs the original and the fixed text (both in parallel, one namespace
process each) and reports every difference: the outcome (both succeed or both fail), and
when both succeed, per stage, the final filesystem (type, mode, uid, gid, size, content
hash and link target of every path, minus :func:`dfopt.programs.is_cache_path` paths and
the executor's own ``/.host`` and ``/dev``) and the final ENV, WORKDIR, USER, SHELL, CMD
and ENTRYPOINT.

Run as a script (``python exec_oracle.py --serve BASE``) it is the namespace helper the
:class:`Executor` talks to over a pipe, one JSON line per batch of variants.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import posixpath
import select
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_SHELL = ("/bin/sh", "-c")
STEP_TIMEOUT = 20
"""Seconds a single RUN may take before it is killed (and counted as failed)."""

USERS: dict[str, tuple[int, int, str]] = {
    "root": (0, 0, "/root"),
    "user": (1000, 1000, "/home/user"),
    "nobody": (65534, 65534, "/nonexistent"),
}
"""The accounts of the throwaway root's ``/etc/passwd``: name -> (uid, gid, home)."""

HOST_TOOLS = [
    "dash",
    "bash",
    "cat",
    "chmod",
    "chown",
    "cp",
    "cut",
    "dd",
    "dirname",
    "basename",
    "echo",
    "env",
    "expr",
    "false",
    "true",
    "find",
    "grep",
    "head",
    "tail",
    "id",
    "ln",
    "ls",
    "mkdir",
    "mktemp",
    "mv",
    "nice",
    "printf",
    "pwd",
    "readlink",
    "realpath",
    "rm",
    "rmdir",
    "sed",
    "sha256sum",
    "sleep",
    "sort",
    "stat",
    "tar",
    "gzip",
    "tee",
    "test",
    "[",
    "timeout",
    "touch",
    "tr",
    "uniq",
    "wc",
    "xargs",
    "awk",
    "seq",
    "uname",
    "whoami",
    "which",
    "install",
    "du",
    "comm",
    "cmp",
    "nohup",
]
"""Host programs linked into the throwaway root's ``/usr/bin``."""

SCRATCH_TOP = (".host", "dev", ".exec")
"""Top-level entries of the root that belong to the executor, never compared.

``/.exec/downloads`` lists the files the fake ``curl`` and ``wget`` wrote: a SAFE fix may
remove a downloaded file (DF108 removes an unpacked archive), so those may vanish.
"""


MOUNTED_TOP = (".host", "dev")
"""Top-level entries of the root that hold mounts of the host's files."""


class Unsupported(ValueError):
    """The Dockerfile uses something the executor does not model."""


class ExecutorUnavailable(RuntimeError):
    """User and mount namespaces cannot be used here."""


# -- Dockerfile -> plan ------------------------------------------------------------------


@dataclass
class Step:
    """One process a builder starts: a RUN, or the ``mkdir`` of a WORKDIR."""

    argv: list[str]
    env: dict[str, str]
    workdir: str
    uid: int
    gid: int
    tmpfs: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class StagePlan:
    """What the executor does for one stage, and the stage's final image config."""

    name: str
    parent: int | None
    steps: list[Step]
    config: dict[str, Any]


def _user_ids(spec: str) -> tuple[int, int, str]:
    name, _, group = spec.partition(":")
    if name in USERS:
        uid, gid, home = USERS[name]
    elif name.isdigit():
        uid, gid, home = int(name), int(name), "/"
        for known_uid, known_gid, known_home in USERS.values():
            if known_uid == uid:
                gid, home = known_gid, known_home
    else:
        raise Unsupported(f"USER {spec!r}: only root, user, nobody or a numeric uid")
    if group:
        if group.isdigit():
            gid = int(group)
        elif group in USERS:
            gid = USERS[group][1]
        else:
            raise Unsupported(f"USER {spec!r}: unknown group")
    return uid, gid, home


def plan(text: str) -> list[StagePlan]:
    """The stages of ``text`` as the builder would run them (BuildKit's parser reads it)."""
    import dockerfile

    from dfopt.semantics.expand import process_word
    from dfopt.semantics.mounts import parse_mount

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        raise Unsupported(f"BuildKit's parser rejects the text: {error}") from error
    global_args: dict[str, str] = {}
    stages: list[StagePlan] = []
    aliases: dict[str, int] = {}
    stage: StagePlan | None = None
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    shell: list[str] = list(DEFAULT_SHELL)
    workdir = "/"
    user = "root"

    def variables() -> dict[str, str]:
        return {**args, **env}

    for command in commands:
        keyword = command.cmd.upper()
        values = list(command.value)
        if keyword == "FROM":
            words = [process_word(value, global_args) for value in values]
            base = words[0]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
            parent = aliases.get(base.lower())
            if parent is not None:
                config = stages[parent].config
                env = dict(config["Env"])
                shell = list(config["Shell"])
                workdir = config["WorkingDir"]
                user = config["User"]
            else:
                env, shell, workdir, user = {}, list(DEFAULT_SHELL), "/", "root"
            args = {}
            stage = StagePlan(name or str(len(stages)), parent, [], {})
            stages.append(stage)
            if name:
                aliases[name.lower()] = len(stages) - 1
            stage.config = _config(env, workdir, user, shell, None, None)
            continue
        if keyword == "ARG":
            for value in values:
                key, sep, default = value.partition("=")
                if stage is None:
                    if sep:
                        global_args[key] = process_word(default, global_args)
                    continue
                if sep:
                    args[key] = process_word(default, variables())
                elif key in global_args:
                    args[key] = global_args[key]
            continue
        if stage is None:
            raise Unsupported(f"{keyword} before the first FROM")
        if command.heredocs:
            raise Unsupported("here-documents")
        if keyword == "ENV":
            for key, value in zip(values[::2], values[1::2], strict=False):
                env[key] = process_word(value, variables())
        elif keyword == "WORKDIR":
            path = process_word(values[0], variables())
            workdir = posixpath.normpath(posixpath.join(workdir, path))
            stage.steps.append(
                Step(
                    ["/.host/bin/mkdir", "-p", "--", workdir], {}, "/", 0, 0, [], command.start_line
                )
            )
        elif keyword == "USER":
            user = process_word(values[0], variables())
            _user_ids(user)
        elif keyword == "SHELL":
            if not command.json:
                raise Unsupported("SHELL must be a JSON array")
            shell = values
        elif keyword == "RUN":
            tmpfs: list[str] = []
            for flag in command.flags:
                name, _, value = flag.lstrip("-").partition("=")
                if name != "mount":
                    continue
                mount = parse_mount(value)
                if mount.type != "tmpfs" or not mount.target:
                    raise Unsupported(f"RUN --mount of type {mount.type}")
                tmpfs.append(posixpath.normpath(posixpath.join(workdir, mount.target)))
            argv = values if command.json else [*shell, values[0]]
            uid, gid, home = _user_ids(user)
            run_env = {"PATH": DEFAULT_PATH, "HOME": home, **args, **env}
            stage.steps.append(Step(argv, run_env, workdir, uid, gid, tmpfs, command.start_line))
        elif keyword in ("CMD", "ENTRYPOINT"):
            stage.config[keyword.capitalize()] = values if command.json else [*shell, values[0]]
        elif keyword in ("LABEL", "EXPOSE", "STOPSIGNAL", "HEALTHCHECK", "VOLUME", "MAINTAINER"):
            stage.config.setdefault("Other", []).append(f"{keyword} {' '.join(values)}")
        else:
            raise Unsupported(f"the executor does not model {keyword}")
        stage.config = _config(
            env,
            workdir,
            user,
            shell,
            stage.config.get("Cmd"),
            stage.config.get("Entrypoint"),
            stage.config.get("Other"),
        )
    if not stages:
        raise Unsupported("no FROM")
    return stages


def _config(
    env: Mapping[str, str],
    workdir: str,
    user: str,
    shell: Sequence[str],
    cmd: list[str] | None,
    entrypoint: list[str] | None,
    other: list[str] | None = None,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Env": dict(env),
        "WorkingDir": workdir,
        "User": user,
        "Shell": list(shell),
        "Cmd": cmd,
        "Entrypoint": entrypoint,
    }
    if other:
        config["Other"] = list(other)
    return config


# -- results and comparison --------------------------------------------------------------


@dataclass
class Outcome:
    """What one build did: success, or the stage and line that failed; per-stage files."""

    ok: bool
    failed: dict[str, Any] | None
    manifests: list[dict[str, list[Any]]]
    log: str
    downloads: list[list[str]] = field(default_factory=list)
    """Per stage, the files the fake curl and wget wrote (a SAFE fix may remove them)."""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        if self.ok:
            return "succeeded"
        failed = self.failed or {}
        return (
            f"failed in stage {failed.get('stage')} at line {failed.get('line')} "
            f"(exit status {failed.get('status')})"
        )


def diff_outcomes(
    original: Outcome,
    fixed: Outcome,
    original_plan: Sequence[StagePlan],
    fixed_plan: Sequence[StagePlan],
) -> list[str]:
    """Every difference between two builds, one readable line each (empty: the same)."""
    if original.ok != fixed.ok:
        return [f"outcome: original {original.describe()}, fixed {fixed.describe()}"]
    if not original.ok:
        return []
    differences: list[str] = []
    if len(original_plan) != len(fixed_plan):
        differences.append(f"stages: {len(original_plan)} in the original, {len(fixed_plan)} fixed")
    for index, (before, after) in enumerate(zip(original_plan, fixed_plan, strict=False)):
        for key in sorted(set(before.config) | set(after.config)):
            if before.config.get(key) != after.config.get(key):
                differences.append(
                    f"stage {index} {key}: {before.config.get(key)!r} -> {after.config.get(key)!r}"
                )
    for index, (before_files, after_files) in enumerate(
        zip(original.manifests, fixed.manifests, strict=False)
    ):
        downloaded = set(original.downloads[index]) if index < len(original.downloads) else set()
        for path in sorted(set(before_files) | set(after_files)):
            old, new = before_files.get(path), after_files.get(path)
            if new is None and path in downloaded:
                continue  # a downloaded file may vanish; it may not change
            if old != new:
                differences.append(f"stage {index} {path}: {_entry(old)} -> {_entry(new)}")
    return differences


def _entry(entry: list[Any] | None) -> str:
    if entry is None:
        return "absent"
    kind, mode, uid, gid, size, extra = entry
    text = f"{kind} {mode:o} {uid}:{gid}"
    if kind == "f":
        text += f" {size}B {extra}"
    elif kind == "l":
        text += f" -> {extra}"
    return text


@dataclass
class Comparison:
    """The original and the fixed text, what each build did, and their differences."""

    original: str
    fixed: str
    differences: list[str]
    original_outcome: Outcome | None = None
    fixed_outcome: Outcome | None = None

    def report(self) -> str:
        import difflib

        lines = ["-- original --", self.original, "-- fixed --", self.fixed, "-- text diff --"]
        lines += difflib.unified_diff(
            self.original.splitlines(), self.fixed.splitlines(), "original", "fixed", lineterm=""
        )
        lines.append("-- differences --")
        lines += self.differences
        for label, outcome in (("original", self.original_outcome), ("fixed", self.fixed_outcome)):
            if outcome is not None:
                lines += [f"-- {label} build: {outcome.describe()}; output --", outcome.log[-1500:]]
        return "\n".join(lines)


# -- the executor (parent side) ----------------------------------------------------------


class Executor:
    """A namespace helper process that runs builds; one per test session."""

    def __init__(self) -> None:
        self.base = tempfile.mkdtemp(prefix="dfopt-exec-")
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve", self.base],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lock = threading.Lock()
        self.uid_range = False
        try:
            self._start()
        except BaseException:
            self.process.kill()
            self.close()
            raise

    def _start(self) -> None:
        ready = self._read_line()
        if ready != "unshared":
            raise ExecutorUnavailable(f"cannot create a user and mount namespace: {ready}")
        self.uid_range = _write_id_maps(self.process.pid)
        self._send({"maps": "range" if self.uid_range else "single"})
        ready = self._read_line()
        if ready != "ready":
            raise ExecutorUnavailable(f"the namespace helper did not start: {ready}")
        probe = plan("FROM scratch\nRUN echo ok > /out/probe && bash -c true\n")
        outcome = self.run([probe])[0]
        if not outcome.ok or "/out/probe" not in outcome.manifests[0]:
            raise ExecutorUnavailable(f"a trivial build fails in the throwaway root: {outcome.log}")

    def _read_line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            assert self.process.stderr is not None
            self.process.wait(10)
            return "helper exited: " + self.process.stderr.read().strip()[-2000:]
        return line.strip()

    def _send(self, message: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def run(self, plans: Sequence[Sequence[StagePlan]]) -> list[Outcome]:
        """Build every plan (in parallel); one outcome each, in order."""
        request = [[_stage_message(stage) for stage in stages] for stages in plans]
        with self.lock:
            self._send({"variants": request})
            line = self._read_line()
        try:
            results = json.loads(line)
        except json.JSONDecodeError as error:
            raise RuntimeError(f"the namespace helper failed: {line}") from error
        outcomes = [Outcome(**result) for result in results]
        for outcome in outcomes:
            if outcome.failed and "error" in outcome.failed:
                raise RuntimeError(f"the executor failed: {outcome.failed['error']}")
        return outcomes

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        with contextlib.suppress(OSError):
            os.rmdir(self.base)


def _stage_message(stage: StagePlan) -> dict[str, Any]:
    return {"parent": stage.parent, "steps": [asdict(step) for step in stage.steps]}


def _write_id_maps(pid: int) -> bool:
    """Map uids and gids 0-65535 of the helper's namespace (True), or only root (False)."""
    try:
        for kind in ("uid", "gid"):
            with open(f"/proc/{pid}/{kind}_map", "w") as handle:
                handle.write("0 100000 65536\n")
        return True
    except OSError:
        pass
    with open(f"/proc/{pid}/setgroups", "w") as handle:
        handle.write("deny")
    for kind, own in (("uid", os.geteuid()), ("gid", os.getegid())):
        with open(f"/proc/{pid}/{kind}_map", "w") as handle:
            handle.write(f"0 {own} 1\n")
    return False


_EXECUTOR: Executor | None = None
_EXECUTOR_ERROR: str | None = None


def executor() -> Executor:
    """The session's executor (started on first use); raises ExecutorUnavailable."""
    global _EXECUTOR, _EXECUTOR_ERROR
    if _EXECUTOR_ERROR is not None:
        raise ExecutorUnavailable(_EXECUTOR_ERROR)
    if _EXECUTOR is None:
        try:
            _EXECUTOR = Executor()
        except (ExecutorUnavailable, OSError) as error:
            _EXECUTOR_ERROR = str(error)
            raise ExecutorUnavailable(_EXECUTOR_ERROR) from error
        import atexit

        atexit.register(_EXECUTOR.close)
    return _EXECUTOR


def compare(original: str, fixed: str, runner: Executor | None = None) -> Comparison:
    """Build ``original`` and ``fixed`` and list how the results differ."""
    if original == fixed:
        return Comparison(original, fixed, [])
    original_plan = plan(original)
    fixed_plan = plan(fixed)
    outcomes = (runner or executor()).run([original_plan, fixed_plan])
    differences = diff_outcomes(outcomes[0], outcomes[1], original_plan, fixed_plan)
    return Comparison(original, fixed, differences, outcomes[0], outcomes[1])


def check_safe_fix(text: str, runner: Executor | None = None) -> Comparison:
    """Apply dfopt's SAFE fixes to ``text`` and compare both builds."""
    from dfopt import api

    return compare(text, api.fix(text).text, runner)


# -- the namespace helper (runs as its own process) --------------------------------------

_LIBC: Any = None


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.syscall.restype = ctypes.c_long
        _LIBC.mount.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
        ]
    return _LIBC


def _unshare(flags: int) -> None:
    if _libc().unshare(flags) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"unshare: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    result = _libc().mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        flags,
        data.encode() if data else None,
    )
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {target}: {os.strerror(error)}")


_SHIMS: dict[str, str] = {
    "apt-get": r"""#!/bin/dash
# A fake apt-get: an index in /var/lib/apt/lists after `update`, packages need it.
lists=/var/lib/apt/lists
cmd= pkgs= skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in
    -o|-c|-t) skip=1 ;;
    -*) ;;
    *) if [ -z "$cmd" ]; then cmd=$a; else pkgs="$pkgs ${a%%=*}"; fi ;;
  esac
done
if ! [ -w /var/lib/apt/lists ] && [ "$cmd" != "" ]; then
  echo "E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)" >&2
  exit 100
fi
case $cmd in
  update)
    mkdir -p $lists/partial /var/cache/apt
    echo "Package: fake" > $lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages
    : > $lists/lock; echo cache > /var/cache/apt/pkgcache.bin ;;
  install|reinstall)
    for p in $pkgs; do
      if ! [ -s $lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages ]; then
        echo "E: Unable to locate package $p" >&2; exit 100
      fi
    done
    for p in $pkgs; do
      mkdir -p /usr/share/doc/$p /var/cache/apt/archives /var/log/apt
      echo "$p 1.0" > /usr/share/doc/$p/copyright
      echo "$p" > /var/cache/apt/archives/${p}_1.0_amd64.deb
      echo "install $p" >> /var/log/dpkg.log
    done ;;
  remove|purge)
    for p in $pkgs; do rm -rf /usr/share/doc/$p; done ;;
  clean|autoclean)
    rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin ;;
  upgrade|dist-upgrade|autoremove|"") ;;
  *) echo "E: Invalid operation $cmd" >&2; exit 100 ;;
esac
""",
    "apk": r"""#!/bin/dash
# A fake apk: `add` needs an index (--update, or an earlier `apk update`) or --no-cache.
cmd= pkgs= update= nocache=
for a in "$@"; do
  case $a in
    -U|--update) update=1 ;;
    --no-cache) nocache=1 ;;
    -*) ;;
    *) if [ -z "$cmd" ]; then cmd=$a; else pkgs="$pkgs ${a%%=*}"; fi ;;
  esac
done
index=/var/cache/apk/APKINDEX.fake.tar.gz
fetch() { if [ -z "$nocache" ]; then mkdir -p /var/cache/apk; echo index > $index; fi; }
case $cmd in
  update) fetch ;;
  add)
    [ -n "$update" ] && fetch
    if [ -z "$nocache" ] && ! [ -s $index ]; then
      echo "ERROR: unable to select packages:" >&2
      for p in $pkgs; do echo "  $p (no such package)" >&2; done
      exit 1
    fi
    for p in $pkgs; do
      mkdir -p /etc/apk /usr/share/apk/$p
      echo "$p" >> /etc/apk/world; echo "$p" > /usr/share/apk/$p/files
    done ;;
  del) for p in $pkgs; do rm -rf /usr/share/apk/$p; done ;;
  cache) rm -rf /var/cache/apk/* ;;
  *) echo "apk: unknown command $cmd" >&2; exit 1 ;;
esac
""",
    "pip": r"""#!/bin/dash
# A fake pip: installs keep a wheel in ~/.cache/pip unless --no-cache-dir (an HTTP
# cache, never an index); --no-index installs need the wheel in a --find-links folder.
cmd= pkgs= nocache= noindex= skip= links=/nonexistent
for a in "$@"; do
  if [ -n "$skip" ]; then
    [ "$skip" = links ] && links=$a
    skip=; continue
  fi
  case $a in
    --no-cache-dir) nocache=1 ;;
    --no-index) noindex=1 ;;
    --find-links|-f) skip=links ;;
    --find-links=*) links=${a#*=} ;;
    -r|--target|-t) skip=1 ;;
    -*) ;;
    *) if [ -z "$cmd" ]; then cmd=$a; else pkgs="$pkgs ${a%%=*}"; fi ;;
  esac
done
cache=$HOME/.cache/pip/wheels
case $cmd in
  install)
    for p in $pkgs; do
      if [ -n "$noindex" ] && ! [ -e "$links/$p.whl" ]; then
        echo "ERROR: No matching distribution found for $p" >&2; exit 1
      fi
      [ -z "$nocache" ] && { mkdir -p $cache && echo "$p" > $cache/$p.whl; }
      mkdir -p /usr/local/lib/python3/site-packages/$p
      echo "$p" > /usr/local/lib/python3/site-packages/$p/__init__.py
    done ;;
  cache) rm -rf $HOME/.cache/pip ;;
  *) echo "ERROR: unknown command \"$cmd\"" >&2; exit 1 ;;
esac
""",
    "npm": r"""#!/bin/dash
# A fake npm: installs fill ~/.npm/_cacache; --offline installs need it.
cmd= pkgs= offline= global=
for a in "$@"; do
  case $a in
    --offline) offline=1 ;;
    -g|--global) global=1 ;;
    -*) ;;
    *) if [ -z "$cmd" ]; then cmd=$a; else pkgs="$pkgs ${a%@*}"; fi ;;
  esac
done
cache=$HOME/.npm/_cacache
case $cmd in
  install|i|ci)
    for p in $pkgs; do
      if [ -n "$offline" ] && ! [ -e $cache/$p ]; then
        echo "npm ERR! code ENOTCACHED" >&2; exit 1
      fi
      mkdir -p $cache; echo "$p" > $cache/$p
      if [ -n "$global" ]; then dir=/usr/local/lib/node_modules/$p; else dir=node_modules/$p; fi
      mkdir -p $dir && echo "$p" > $dir/package.json
    done ;;
  cache) rm -rf $cache ;;
  *) echo "npm ERR! unknown command $cmd" >&2; exit 1 ;;
esac
""",
    "sudo": r"""#!/bin/dash
# A fake sudo: drop sudo's options and run the command.
while [ $# -gt 0 ]; do
  case $1 in
    -u|-g|-C|-D|-h|-p|-r|-t|-U) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
""",
    "eatmydata": '#!/bin/dash\nexec "$@"\n',
    "curl": r"""#!/bin/dash
# A fake curl: -o FILE / -O (the URL's name) or standard output; see download.sh.
out= remote= url= next=
for a in "$@"; do
  case $next in
    out) out=$a; next=; continue ;;
    skip) next=; continue ;;
  esac
  case $a in
    -o|--output) next=out ;;
    -O|--remote-name) remote=1 ;;
    -H|-A|-u|-d|-X|-e|-m|--retry|--connect-timeout|--max-time|--header) next=skip ;;
    --*) ;;
    -*o) next=out ;;
    -*O*) remote=1 ;;
    -*) ;;
    *) url=$a ;;
  esac
done
[ -n "$remote" ] && out=${url##*/}
. /usr/share/download.sh
""",
    "wget": r"""#!/bin/dash
# A fake wget: -O FILE (- for standard output), -P DIR, or the URL's name; see _download.
out= dir=. url= next=
for a in "$@"; do
  case $next in
    out) out=$a; next=; continue ;;
    dir) dir=$a; next=; continue ;;
  esac
  case $a in
    -O|--output-document) next=out ;;
    -O*) out=${a#-O} ;;
    -P|--directory-prefix) next=dir ;;
    --output-document=*) out=${a#*=} ;;
    -*) ;;
    *) url=$a ;;
  esac
done
[ -z "$out" ] && out=$dir/${url##*/}
[ "$out" = - ] && out=
. /usr/share/download.sh
""",
    "greet": "#!/bin/dash\necho old\n",
}
_DOWNLOAD = r"""# Sourced by the fake curl and wget with $url and $out (empty: standard output).
# A *.tar.gz URL gets a small reproducible archive (tool/bin/tool), SHA256SUMS the sums
# of that archive, anything else one line naming the URL. Written files are recorded.
name=${url##*/}
archive() {
  d=$(mktemp -d)
  mkdir -p "$d/tool/bin" && printf '#!/bin/sh\necho tool\n' > "$d/tool/bin/tool"
  chmod 755 "$d/tool" "$d/tool/bin" "$d/tool/bin/tool"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf - tool | gzip -n
  rm -rf "$d"
}
case $url in
  http://*|https://*|ftp://*) ;;
  *) echo "curl: (3) URL rejected: $url" >&2; exit 3 ;;
esac
payload() {
  case $name in
    *.tar.gz|*.tgz) archive ;;
    SHA256SUMS|*.sha256) archive | sha256sum | sed "s|-\$|tool-1.0.tar.gz|" ;;
    *) echo "payload of $url" ;;
  esac
}
if [ -z "$out" ]; then payload; exit; fi
payload > "$out" || exit 23
case $out in /*) ;; *) out=$PWD/$out ;; esac
echo "$out" >> /.exec/downloads
"""

_SHIMS["apt"] = _SHIMS["apt-get"]
_SHIMS["pip3"] = _SHIMS["pip"]

_ETC: dict[str, str] = {
    "passwd": "".join(
        f"{name}:x:{uid}:{gid}:{name}:{home}:/bin/sh\n" for name, (uid, gid, home) in USERS.items()
    ),
    "group": "".join(f"{name}:x:{gid}:\n" for name, (_, gid, _) in USERS.items()),
    "profile": (
        'if [ "$(id -u)" -eq 0 ]; then\n'
        f'  PATH="{DEFAULT_PATH}"\n'
        "else\n"
        '  PATH="/usr/local/bin:/usr/bin:/bin"\n'
        "fi\n"
        "export PATH\n"
        "for i in /etc/profile.d/*.sh; do\n"
        '  [ -r "$i" ] && . "$i"\n'
        "done\n"
        "unset i\n"
    ),
}


def _skeleton() -> list[tuple[str, str, str, int, int]]:
    """(kind, path, data, mode, uid) of the throwaway root, in creation order."""
    entries: list[tuple[str, str, str, int, int]] = []
    for path in (
        "usr", "usr/bin", "usr/sbin", "usr/local", "usr/local/bin", "usr/local/sbin",
        "usr/share", "etc", "etc/profile.d", "var", "var/lib", "var/lib/apt",
        "var/lib/apt/lists", "var/cache", "var/cache/apt", "var/log", "root", "home",
        "opt", "srv", "dev", ".host",
    ):  # fmt: skip
        entries.append(("d", path, "", 0o700 if path == "root" else 0o755, 0))
    entries.append(("d", "home/user", "", 0o755, 1000))
    entries.append(("d", "tmp", "", 0o1777, 0))
    entries.append(("d", "out", "", 0o1777, 0))
    entries.append(("d", ".exec", "", 0o1777, 0))
    entries.append(("f", "usr/share/download.sh", _DOWNLOAD, 0o644, 0))
    for link, target in (
        ("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", ".host/lib"),
        ("lib64", ".host/lib64"), ("usr/lib", "../.host/lib"), ("usr/lib64", "../.host/lib64"),
    ):  # fmt: skip
        entries.append(("l", link, target, 0, 0))
    for tool in HOST_TOOLS:
        host = os.path.realpath(f"/usr/bin/{tool}")
        if os.path.exists(host) and host.startswith("/usr/"):
            entries.append(("l", f"usr/bin/{tool}", "/.host" + host[len("/usr") :], 0, 0))
    entries.append(("l", "usr/bin/sh", "dash", 0, 0))
    for name, text in _SHIMS.items():
        entries.append(("f", f"usr/bin/{name}", text, 0o755, 0))
    for name, text in _ETC.items():
        entries.append(("f", f"etc/{name}", text, 0o644, 0))
    return entries


def _make_root(root: str, skeleton: Sequence[tuple[str, str, str, int, int]]) -> None:
    os.mkdir(root, 0o755)
    for kind, path, data, mode, uid in skeleton:
        full = os.path.join(root, path)
        if kind == "d":
            os.mkdir(full)
            os.chmod(full, mode)
        elif kind == "l":
            os.symlink(data, full)
        else:
            with open(full, "w") as handle:
                handle.write(data)
            os.chmod(full, mode)
        if uid:
            with contextlib.suppress(OSError):  # only root is mapped: the home stays root's
                os.lchown(full, uid, uid)


def _copy_root(source: str, target: str) -> None:
    """Copy a stage's root (without the host mounts), owners and modes kept."""
    os.mkdir(target)
    for top in MOUNTED_TOP:
        os.mkdir(os.path.join(target, top), 0o755)

    def copy(src: str, dst: str, top: bool) -> None:
        for entry in os.scandir(src):
            if top and entry.name in MOUNTED_TOP:
                continue
            info = entry.stat(follow_symlinks=False)
            out = os.path.join(dst, entry.name)
            if stat.S_ISLNK(info.st_mode):
                os.symlink(os.readlink(entry.path), out)
            elif stat.S_ISDIR(info.st_mode):
                os.mkdir(out)
                copy(entry.path, out, False)
            elif stat.S_ISREG(info.st_mode):
                with open(entry.path, "rb") as handle, open(out, "wb") as written:
                    written.write(handle.read())
            elif stat.S_ISFIFO(info.st_mode):
                os.mkfifo(out)
            else:
                continue
            os.lchown(out, info.st_uid, info.st_gid)
            if not stat.S_ISLNK(info.st_mode):
                os.chmod(out, stat.S_IMODE(info.st_mode))

    copy(source, target, True)
    info = os.stat(source)
    os.chmod(target, stat.S_IMODE(info.st_mode))


def _attach_host(root: str) -> None:
    host = os.path.join(root, ".host")
    _mount("/usr", host, None, MS_BIND | MS_REC)
    _mount(None, host, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    for device in ("null", "zero", "urandom", "full"):
        path = os.path.join(root, "dev", device)
        with open(path, "w"):
            pass
        _mount(f"/dev/{device}", path, None, MS_BIND)


def _manifest(root: str) -> dict[str, list[Any]]:
    from dfopt.programs import is_cache_path

    files: dict[str, list[Any]] = {}

    def walk(directory: str, prefix: str) -> None:
        for entry in sorted(os.scandir(directory), key=lambda item: item.name):
            path = prefix + entry.name
            if prefix == "/" and entry.name in SCRATCH_TOP:
                continue
            if is_cache_path(path):
                continue
            info = entry.stat(follow_symlinks=False)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISDIR(info.st_mode):
                files[path] = ["d", mode, info.st_uid, info.st_gid, 0, ""]
                walk(entry.path, path + "/")
            elif stat.S_ISLNK(info.st_mode):
                files[path] = ["l", mode, info.st_uid, info.st_gid, 0, os.readlink(entry.path)]
            elif stat.S_ISREG(info.st_mode):
                with open(entry.path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()[:16]
                files[path] = ["f", mode, info.st_uid, info.st_gid, info.st_size, digest]
            else:
                files[path] = ["o", mode, info.st_uid, info.st_gid, 0, stat.S_IFMT(info.st_mode)]

    walk(root, "/")
    return files


def _clone(flags: int) -> int:
    """fork(2) into new namespaces (``clone`` with ``flags``); 0 in the child."""
    if _SYS_CLONE is None:
        raise OSError("clone is only wired up on x86_64")
    libc = _libc()
    pid = int(
        libc.syscall(_SYS_CLONE, ctypes.c_ulong(flags | signal.SIGCHLD), None, None, None, None)
    )
    if pid < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"clone: {os.strerror(error)}")
    return pid


_SYS_CLONE = 56 if os.uname().machine == "x86_64" else None


def _downloads(root: str) -> list[str]:
    try:
        with open(os.path.join(root, ".exec", "downloads"), encoding="utf-8") as handle:
            # `$PWD/name` in `/` is `//name`, which normpath keeps: strip to one slash.
            return sorted(
                {
                    "/" + posixpath.normpath(line.strip()).lstrip("/")
                    for line in handle
                    if line.strip()
                }
            )
    except FileNotFoundError:
        return []


def _run_step(root: str, step: Mapping[str, Any], log_fd: int) -> int:
    """Run one step as a fresh process tree in its own PID (and mount) namespace.

    The process is PID 1 of its namespace, as a container's first process is: when it
    exits, every process it left behind (a background job) is killed.
    """
    pid = _clone(CLONE_NEWPID | (CLONE_NEWNS if step["tmpfs"] else 0))
    if pid == 0:
        try:
            _exec_step(root, step, log_fd)
        except BaseException as error:
            os.write(log_fd, f"executor: {error}\n".encode())
        finally:
            os._exit(127)

    def kill(signum: int, frame: Any) -> None:
        os.write(log_fd, b"executor: step timed out\n")
        os.kill(pid, signal.SIGKILL)

    signal.signal(signal.SIGALRM, kill)
    signal.alarm(STEP_TIMEOUT)
    _, wait_status = os.waitpid(pid, 0)
    signal.alarm(0)
    return os.waitstatus_to_exitcode(wait_status)


def _exec_step(root: str, step: Mapping[str, Any], log_fd: int) -> None:
    for target in step["tmpfs"]:
        path = root + target
        os.makedirs(path, exist_ok=True)
        _mount("tmpfs", path, "tmpfs", 0, "mode=755")
    os.chroot(root)
    os.makedirs(step["workdir"], exist_ok=True)
    os.chdir(step["workdir"])
    with contextlib.suppress(PermissionError):  # denied when only root is mapped
        os.setgroups([])
    os.setgid(step["gid"])
    os.setuid(step["uid"])
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = step["argv"]
    os.execvpe(argv[0], argv, step["env"])


def _overlay_root(root: str, template: str) -> None:
    """A fresh root: an overlay whose lower layer is the template root (one mount)."""
    upper, work = root + ".upper", root + ".work"
    for path in (root, upper, work):
        os.mkdir(path)
    os.chmod(root, 0o755)
    _mount("overlay", root, "overlay", 0, f"lowerdir={template},upperdir={upper},workdir={work}")


def _build(slot: str, stages: Sequence[Mapping[str, Any]], template: str) -> dict[str, Any]:
    """Run a whole build in ``slot`` (a fresh tmpfs); the JSON-able outcome."""
    import time

    started = time.perf_counter()
    log_path = os.path.join(slot, "log")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    manifests: list[dict[str, list[Any]]] = []
    failed: dict[str, Any] | None = None
    timings: dict[str, float] = {}
    downloads: list[list[str]] = []
    for index, stage in enumerate(stages):
        root = os.path.join(slot, f"stage{index}")
        if stage["parent"] is None:
            _overlay_root(root, template)
        else:
            _copy_root(os.path.join(slot, f"stage{stage['parent']}"), root)
        _attach_host(root)
        timings["root"] = timings.get("root", 0.0) + time.perf_counter() - started
        for step in stage["steps"]:
            os.write(log_fd, f"--- stage {index} line {step['line']}: {step['argv']!r}\n".encode())
            status = _run_step(root, step, log_fd)
            if status != 0:
                failed = {"stage": index, "line": step["line"], "status": status}
                break
        if failed:
            break
        mark = time.perf_counter()
        manifests.append(_manifest(root))
        downloads.append(_downloads(root))
        timings["manifest"] = timings.get("manifest", 0.0) + time.perf_counter() - mark
    os.close(log_fd)
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        log = handle.read()[-4000:]
    return {
        "ok": failed is None,
        "failed": failed,
        "manifests": manifests if failed is None else [],
        "downloads": downloads if failed is None else [],
        "log": log,
        "seconds": time.perf_counter() - started,
        "timings": timings,
    }


def _serve(base: str) -> None:
    try:
        _unshare(CLONE_NEWUSER | CLONE_NEWNS)
    except OSError as error:
        print(f"unshare failed: {error}", flush=True)
        return
    print("unshared", flush=True)
    maps = json.loads(sys.stdin.readline())["maps"]  # the parent has written the id maps
    if maps == "range":
        os.setgroups([])
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", base, "tmpfs", 0, "mode=755")
    template = os.path.join(base, "template")
    _make_root(template, _skeleton())
    from dfopt.programs import is_cache_path  # imported once, before the builds fork

    del is_cache_path
    os.chdir("/")
    print("ready", flush=True)
    counter = 0
    for line in sys.stdin:
        request = json.loads(line)
        children: list[tuple[int, int]] = []
        for stages in request["variants"]:
            counter += 1
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                result: dict[str, Any]
                try:
                    _unshare(CLONE_NEWNS)
                    slot = os.path.join(base, f"slot{counter}")
                    os.mkdir(slot)
                    _mount("tmpfs", slot, "tmpfs", 0, "mode=755")
                    result = _build(slot, stages, template)
                except BaseException as error:
                    result = {
                        "ok": False,
                        "failed": {"error": repr(error)},
                        "manifests": [],
                        "log": "",
                    }
                data = json.dumps(result).encode()
                view = memoryview(data)
                while view:
                    written = os.write(write_end, view)
                    view = view[written:]
                os._exit(0)
            os.close(write_end)
            children.append((pid, read_end))
        outputs = _read_all([fd for _, fd in children])
        results = []
        for (pid, fd), output in zip(children, outputs, strict=True):
            os.close(fd)
            os.waitpid(pid, 0)
            try:
                results.append(json.loads(output))
            except json.JSONDecodeError:
                results.append(
                    {"ok": False, "failed": {"error": "no result"}, "manifests": [], "log": ""}
                )
        for entry in os.listdir(base):
            if entry == "template":
                continue
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(base, entry))
        sys.stdout.write(json.dumps(results) + "\n")
        sys.stdout.flush()


def _read_all(fds: Sequence[int]) -> list[bytes]:
    chunks: dict[int, list[bytes]] = {fd: [] for fd in fds}
    open_fds = set(fds)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [])
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.discard(fd)
    return [b"".join(chunks[fd]) for fd in fds]


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--serve":
    _serve(sys.argv[2])
