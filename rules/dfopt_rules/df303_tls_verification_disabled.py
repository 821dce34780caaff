"""DF303: TLS certificate or package signature verification is switched off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from dfopt.rules_api import (
    Context,
    Instruction,
    Rule,
    Severity,
    ShellWord,
    SimpleCommand,
    Span,
    Violation,
    parse_assignments,
)
from dfopt_rules._commands import script_text
from dfopt_rules._hygiene import WRAPPERS, short_letters, unwrap

_TLS = "disables TLS certificate verification"
_SIGNATURES = "disables package signature verification"
_CURL_VALUES = frozenset("oHdXuxAebcCEFKmrTwYyzUQt")
_PIP = r"^(pip[0-9.]*|python[0-9.]*|uv|pipenv|pipx)$"
"""Compiled on first use (by ``re``), like the patterns below: quicker start-up."""
_NPM = frozenset({"npm", "yarn", "pnpm", "yarnpkg"})
_DNF = frozenset({"yum", "dnf", "microdnf", "tdnf", "yum-config-manager"})
_FALSE = frozenset({"false", "0", "no", "off"})


@lru_cache(maxsize=1)
def _settings() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Settings written into configuration files or passed as option values (compiled
    when first needed)."""
    return (
        (re.compile(r"\bsslverify\s*=\s*(0|false|no|off)\b", re.IGNORECASE), _TLS),
        (re.compile(r"\bgpgcheck\s*=\s*(0|false|no|off)\b", re.IGNORECASE), _SIGNATURES),
        (
            re.compile(
                r"Acquire::https(::[^\s:=\"]+)?::Verify-(Peer|Host)\b[\s=\"]*(false|0|no)\b"
            ),
            _TLS,
        ),
        (
            re.compile(
                r"(APT::Get::AllowUnauthenticated|Acquire::AllowInsecureRepositories)"
                r"[\s=\"]*(true|1|yes)\b"
            ),
            _SIGNATURES,
        ),
    )


# Option words, per command family.
_OPTIONS: dict[str, dict[str, str]] = {
    "wget": {"--no-check-certificate": _TLS},
    "apk": {"--allow-untrusted": _SIGNATURES},
    "apt": {
        "--allow-unauthenticated": _SIGNATURES,
        "--force-yes": _SIGNATURES,
        "--allow-insecure-repositories": _SIGNATURES,
    },
    "rpm": {"--nosignature": _SIGNATURES, "--nodigest": _SIGNATURES},
    "dnf": {"--nogpgcheck": _SIGNATURES},
    "zypper": {"--no-gpg-checks": _SIGNATURES},
    "pip": {"--trusted-host": _TLS, "--allow-insecure-host": _TLS},
    "npm": {"--no-strict-ssl": _TLS},
}


@lru_cache(maxsize=512)
def _family(name: str) -> str | None:
    if name in ("apt-get", "apt", "aptitude"):
        return "apt"
    if name in _DNF:
        return "dnf"
    if re.match(_PIP, name):
        return "pip"
    if name in _NPM:
        return "npm"
    if name in ("wget", "apk", "rpm", "zypper", "curl", "git"):
        return name
    return None


def _variable_problem(name: str, value: str | None) -> str | None:
    """Why setting environment variable ``name`` to ``value`` is reported, or None."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if name == "PIP_TRUSTED_HOST" and lowered:
        return _TLS + " for pip"
    if name == "PYTHONHTTPSVERIFY" and lowered == "0":
        return _TLS + " for Python"
    if name == "NODE_TLS_REJECT_UNAUTHORIZED" and lowered == "0":
        return _TLS + " for Node.js"
    if name == "GIT_SSL_NO_VERIFY":
        return _TLS + " for git (any value counts)"
    if name.upper() == "NPM_CONFIG_STRICT_SSL" and lowered in _FALSE:
        return _TLS + " for npm"
    return None


_VARIABLE_NAMES = (
    "PIP_TRUSTED_HOST",
    "PYTHONHTTPSVERIFY",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "GIT_SSL_NO_VERIFY",
    "NPM_CONFIG_STRICT_SSL",
)
"""Every name `_variable_problem` reports (the last in any case), in upper case."""


def _may_name_variable(text: str) -> bool:
    """False when no name that ``text`` holds (as a piece of it) is reported."""
    upper = text.upper()
    return any(name in upper for name in _VARIABLE_NAMES)


def _may_hold_setting(text: str) -> bool:
    """False when no word that ``text`` holds can match a pattern of ``_settings()``: they
    need `sslverify` or `gpgcheck` (in any case), `Acquire::` or `APT::Get::`."""
    if "Acquire::" in text or "APT::Get::" in text:
        return True
    if not text.isascii():
        return True  # case-insensitive matching also folds some non-ASCII letters
    lower = text.lower()
    return "sslverify" in lower or "gpgcheck" in lower


def _may_flag(command: SimpleCommand) -> bool:
    """Whether `_command` may report more than a setting pattern for the command."""
    name = command.command
    if name is None:
        return False
    return name in WRAPPERS or name == "chpasswd" or _family(name) is not None


class TlsVerificationDisabled(Rule):
    """## What it does
    Flags each word that switches off TLS certificate checks or package signature
    checks (Checkov's CKV2_DOCKER_2 to 17 family), naming the exact option:

    - `curl -k`/`--insecure`, `wget --no-check-certificate`;
    - `pip --trusted-host` (also `pip config set global.trusted-host`), `uv
      --allow-insecure-host`, and `PIP_TRUSTED_HOST`;
    - `PYTHONHTTPSVERIFY=0`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`
      (any value) and `NPM_CONFIG_STRICT_SSL=false`, set by `ENV`, `ARG` (with a
      default), `export` or a command prefix;
    - `npm`/`yarn`/`pnpm` `strict-ssl false` (`config set`, `--strict-ssl=false`,
      `--no-strict-ssl`) and yarn's `enableStrictSsl false`;
    - `git config http.sslVerify false` and `git -c http.sslVerify=false`;
    - `apk --allow-untrusted`, `apt-get --allow-unauthenticated`/`--force-yes`/
      `--allow-insecure-repositories`, `-o Acquire::https::Verify-Peer=false` (also
      written into an apt configuration file);
    - `rpm --nosignature`/`--nodigest`, `yum`/`dnf --nogpgcheck`, `zypper
      --no-gpg-checks`, and `sslverify=0`/`False` or `gpgcheck=0` in configuration edits
      or `--setopt`;
    - `chpasswd`, which Checkov flags too: it sets a password baked into the image.

    ## Why is this bad?
    Without certificate checks, anyone between the build and the server (a proxy, a
    poisoned DNS entry, a compromised network) can hand the build different packages or
    scripts; without signature checks, a tampered package installs silently. A
    password set with `chpasswd` is readable by anyone who has the image. Install the
    right CA certificates, or pin the download by checksum, instead.
    """

    code = "DF303"
    name = "tls-verification-disabled"
    summary = "TLS or signature verification is switched off"
    severity = Severity.WARNING
    targets = frozenset({"RUN", "ENV", "ARG"})
    bad = "FROM debian:12\nRUN curl -fsSLk -o /tmp/a.tgz https://example.com/a.tgz\n"
    good = "FROM debian:12\nRUN curl -fsSL -o /tmp/a.tgz https://example.com/a.tgz\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        if target.keyword in ("ENV", "ARG"):
            # A name is what is left of its text once quotes and escapes are taken out
            # (any `$` expansion stays in it as written): most ENVs name none of ours.
            text = target.args_text.replace('"', "").replace("'", "").replace("\\", "")
            if _may_name_variable(text):
                yield from self._variables(target)
            return
        commands = ctx.commands(instruction)
        if not commands:
            return
        # Cheap tests on the script text (see `script_text`) that rule out, for every
        # command, the variable assignments and the setting patterns.
        text = script_text(ctx, instruction)
        variables = _may_name_variable(text)
        settings = _may_hold_setting(text)
        for command in commands:
            if variables:
                yield from self._assignments(command, ctx)
            if settings or _may_flag(command):
                yield from self._command(command)

    # -- ENV and ARG ------------------------------------------------------------------

    def _variables(self, target: Instruction) -> Iterator[Violation]:
        pairs = parse_assignments(target.args_text, legacy=target.keyword == "ENV")
        for key, value in pairs:
            problem = _variable_problem(key, value)
            if problem is None:
                continue
            span = target.args_span
            for word in target.words:
                if word.value == key or word.value.startswith(key + "="):
                    span = word.span
                    break
            yield self.violation(span, f"`{key}={value}` {problem}")

    # -- RUN ----------------------------------------------------------------------------

    def _assignments(self, command: SimpleCommand, ctx: Context) -> Iterator[Violation]:
        found: list[tuple[str, Span]] = []
        if command.assignments:
            text = ctx.slice(command.span)
            for assignment in command.assignments:
                index = text.find(assignment)
                start = command.span.start + max(index, 0)
                end = start + len(assignment) if index >= 0 else command.span.end
                found.append((assignment, Span(start, end)))
        if command.command in ("export", "declare", "typeset", "readonly", "env"):
            found.extend((arg.value, arg.span) for arg in command.args if "=" in arg.value)
        for assignment, span in found:
            key, _, raw = assignment.partition("=")
            value = raw.strip("\"'")
            problem = _variable_problem(key, value)
            if problem is not None:
                yield self.violation(span, f"`{key}={value}` {problem}")

    def _command(self, command: SimpleCommand) -> Iterator[Violation]:
        name, args = unwrap(command)
        if name is None:
            return
        if name == "chpasswd":
            word = command.name if command.command == "chpasswd" else None
            span = word.span if word is not None else command.span
            yield self.violation(span, "`chpasswd` sets a password that stays in the image")
            return
        family = _family(name)
        words = list(args)
        reported: set[Span] = set()
        if family is not None:
            for violation in self._options(name, family, words):
                reported.add(violation.span)
                yield violation
        for word in words:
            if reported and word.span in reported:
                continue  # one finding per word
            if "=" not in word.value and "::" not in word.value:
                continue  # every setting pattern needs one of them
            for pattern, problem in _settings():
                match = pattern.search(word.value)
                if match is not None:
                    yield self.violation(word.span, f"`{match.group(0)}` {problem}")
                    break

    def _options(self, name: str, family: str, words: list[ShellWord]) -> Iterator[Violation]:
        known = _OPTIONS.get(family, {})
        for index, word in enumerate(words):
            value = word.value
            if value == "--":
                return
            following = words[index + 1].value if index + 1 < len(words) else ""
            option = value.split("=", 1)[0]
            if option in known:
                yield self.violation(word.span, f"`{name} {option}` {known[option]}")
            elif family == "curl":
                if value == "--insecure" or "k" in short_letters(value, _CURL_VALUES):
                    shown = "--insecure" if value == "--insecure" else "-k"
                    yield self.violation(word.span, f"`curl {shown}` {_TLS}")
            elif family == "pip" and value.lower().endswith("trusted-host") and index:
                if words[index - 1].value == "set":
                    yield self.violation(word.span, f"`pip config set {value}` {_TLS}")
            elif family == "npm" and self._strict_ssl_off(value, following):
                yield self.violation(word.span, f"`{name}` `strict-ssl` false {_TLS}")
            elif family == "git":
                key, _, setting = value.partition("=")
                lowered = key.lower()
                if lowered.startswith("http.") and lowered.endswith(".sslverify"):
                    off = setting if "=" in value else following
                    if off.lower() in _FALSE:
                        yield self.violation(word.span, f"`git {key}` false {_TLS}")

    @staticmethod
    def _strict_ssl_off(value: str, following: str) -> bool:
        key, equals, setting = value.lstrip("-").partition("=")
        if key.lower() not in ("strict-ssl", "enablestrictssl"):
            return False
        return (setting if equals else following).lower() in _FALSE
