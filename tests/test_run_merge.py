"""The shared RUN merge: when two RUNs may be merged, and what the merged text does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dfopt import run_merge
from dfopt.api import fix, lint
from dfopt.engine.fingerprint import fingerprint
from dfopt.fixes import Applicability, apply_edits
from dfopt.rules_api import Context, Instruction, command_count, merge_chain_fix, merge_fix
from dfopt.run_merge import MergeCheck, mergeable
from dfopt.semantics import analyze
from dfopt.shell import parse_script
from dfopt.syntax import parse

MERGE_RULES = ["DL3059", "DF101", "DF102", "DF104"]


def context(text: str) -> Context:
    document = parse(text)
    return Context(document, analyze(document))


def runs(ctx: Context) -> list[Instruction]:
    return [node for node in ctx.document.instructions if node.effective.keyword == "RUN"]


def check(text: str) -> MergeCheck:
    ctx = context(text)
    first, second = runs(ctx)[:2]
    return mergeable(ctx, first, second)


def merged(text: str) -> str:
    """The text after merging the first two RUNs (fails when there is no fix)."""
    ctx = context(text)
    first, second = runs(ctx)[:2]
    result = merge_fix(ctx, first, second, "merge")
    assert result is not None, mergeable(ctx, first, second).reason
    return apply_edits(text, result.edits)


def pair(first: str, second: str) -> str:
    return f"FROM debian:12\nRUN {first}\nRUN {second}\n"


# -- when RUNs may be merged ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('FROM a\nRUN ["a"]\nRUN b\n', "exec-form"),
        ("FROM a\nRUN a\nRUN <<EOF\nb\nEOF\n", "here-documents"),
        ("FROM a\nRUN --network=none a\nRUN b\n", "different flags"),
        (
            "FROM a\nRUN --mount=type=tmpfs,target=/a --mount=type=tmpfs,target=/b a\n"
            "RUN --mount=type=tmpfs,target=/b --mount=type=tmpfs,target=/a b\n",
            "different flags",
        ),
        ("FROM a\nONBUILD RUN a\nONBUILD RUN b\n", "ONBUILD"),
        ("FROM a\nRUN a\nWORKDIR /x\nRUN b\n", "not adjacent"),
        ("FROM a AS one\nRUN a\nFROM a\nRUN b\n", "not adjacent"),
        ('FROM a\nSHELL ["pwsh", "-c"]\nRUN a\nRUN b\n', "POSIX"),
        ("FROM a\nRUN echo 'a\nRUN b\n", "does not parse"),
        ("FROM a\nRUN make # build it\nRUN b\n", "shell comment"),
        ("FROM a\nRUN a\n# dfopt: ignore=DL3059\nRUN b\n", "pragma"),
        ("FROM a\nRUN a\n# hadolint ignore=DL3008\nRUN b\n", "pragma"),
    ],
)
def test_runs_that_cannot_be_merged_say_why(text: str, reason: str) -> None:
    result = check(text)
    assert not result
    assert reason in result.reason


def test_plain_runs_merge_safely_and_comments_make_it_unsafe() -> None:
    assert check(pair("a", "b")).applicability is Applicability.SAFE
    commented = check("FROM a\nRUN a\n# about b\n\nRUN b\n")
    assert commented.ok
    assert commented.applicability is Applicability.UNSAFE


def test_a_hash_inside_a_word_is_not_a_comment() -> None:
    assert check(pair("echo a#b", "c")).ok
    assert parse_script("echo a#b", lambda offset: offset).has_comment is False
    assert parse_script("echo a # b", lambda offset: offset).has_comment is True


@pytest.mark.parametrize(
    "body",
    [
        "cd /tmp",
        "pushd /tmp",
        "popd",
        "export A=1",
        "set -e",
        "shopt -s globstar",
        "alias ll='ls -l'",
        "unset PATH",
        "umask 077",
        "ulimit -n 1024",
        "exec /bin/true",
        "exit 0",
        "trap 'rm -f /x' EXIT",
        "A=1",
        "A=1 B=2",
        "f() { echo hi; }",
        "make && cd /src",
        "if true; then cd /src; fi",
        "{ cd /src; }",
        "for f in *.tar; do tar -xf $f; done",
        "command cd /src",
        ": ${A:=1}",
        "echo $((n=1))",
        "read line < /etc/hostname",
        "printf -v A '%s' 1",
        "IFS=: export A",
        "\\cd /src",
        'c"d" /src',
        "time cd /src",
        "builtin cd /src",
        "cd /src | true && cd /src",
    ],
)
def test_a_first_body_that_changes_shell_state_is_wrapped(body: str) -> None:
    result = check(pair(body, "pwd"))
    assert result.ok, result.reason
    assert result.wrap_first


@pytest.mark.parametrize(
    "body",
    [
        "(cd /src && make)",
        "echo $(cd /src; pwd)",
        "CC=gcc make",
        "make && make install",
        "make || true",
        "test -f /x; echo $?",
        "curl -fsSL https://example.com | tar -xz",
        '[ "$A" = 1 ] && echo yes',
    ],
)
def test_a_first_body_without_state_changes_is_not_wrapped(body: str) -> None:
    result = check(pair(body, "pwd"))
    assert result.ok, result.reason
    assert not result.wrap_first


@pytest.mark.parametrize("body", ["a || b", "a; b", "a &", "a && b || c", "a || b && c"])
def test_a_second_body_with_other_operators_is_wrapped(body: str) -> None:
    assert check(pair("true", body)).wrap_second


@pytest.mark.parametrize("body", ["a && b", "a | b", "if a; then b; fi", "! a", "(a; b)"])
def test_a_second_body_that_is_one_and_chain_is_not_wrapped(body: str) -> None:
    assert not check(pair("true", body)).wrap_second


# -- the merged text ------------------------------------------------------------------


def test_the_join_keeps_comments_and_drops_blank_lines() -> None:
    text = "FROM a\nRUN a\n\n# first note\n\n  # second note\nRUN b\n"
    assert merged(text) == "FROM a\nRUN a \\\n# first note\n  # second note\n    && b\n"


def test_flags_and_inner_comments_of_the_second_run() -> None:
    text = (
        "FROM a\n"
        "RUN --mount=type=cache,target=/root/.cache a\n"
        "RUN --mount=type=cache,target=/root/.cache \\\n"
        "    # why b\n"
        "    b\n"
    )
    assert merged(text) == (
        "FROM a\nRUN --mount=type=cache,target=/root/.cache a \\\n    # why b\n    && b\n"
    )


def test_trailing_spaces_after_the_first_body_are_dropped() -> None:
    assert merged("FROM a\nRUN a   \nRUN b\n") == "FROM a\nRUN a \\\n    && b\n"


def test_the_and_indentation_of_the_first_run_wins_over_argument_lines() -> None:
    text = "FROM a\nRUN a \\\n\t&& b \\\n\t\t--flag\nRUN c\n"
    assert merged(text) == "FROM a\nRUN a \\\n\t&& b \\\n\t\t--flag \\\n\t&& c\n"


def test_both_bodies_wrapped() -> None:
    assert merged(pair("cd /src", "make || true")) == (
        "FROM debian:12\nRUN ( cd /src ) \\\n    && ( make || true )\n"
    )


def test_a_chain_wraps_each_body_once() -> None:
    text = "FROM a\nRUN cd /x\nRUN a; b\nRUN c\n"
    ctx = context(text)
    result = merge_chain_fix(ctx, runs(ctx), "merge")
    assert result is not None
    assert apply_edits(text, result.edits) == (
        "FROM a\nRUN ( cd /x ) \\\n    && ( a; b ) \\\n    && c\n"
    )


def test_a_chain_with_a_gap_has_no_fix() -> None:
    ctx = context("FROM a\nRUN a\nENV A=1\nRUN b\n")
    assert merge_chain_fix(ctx, ctx.document.instructions[1:], "merge") is None


def test_the_merge_keeps_the_build_fingerprint() -> None:
    text = (
        "FROM debian:12\n"
        "RUN cd /tmp\n"
        "RUN curl -fsSLO https://example.com/a.tgz || exit 1\n"
        "RUN tar -xzf a.tgz && rm a.tgz\n"
    )
    result = fix(text, select=MERGE_RULES)
    assert result.failure is None
    assert len(runs(context(result.text))) == 1
    assert fingerprint(parse(text)).diff(fingerprint(parse(result.text))) is None


# -- the merged script behaves like the separate RUNs ----------------------------------

SH = shutil.which("sh")


def _run(script: str, cwd: str) -> tuple[str, int]:
    assert SH is not None
    done = subprocess.run(
        [SH, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=20, check=False
    )
    return done.stdout, done.returncode


@pytest.mark.skipif(SH is None, reason="needs a POSIX shell")
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("cd /", "pwd"),
        ("export GREETING=hi", 'echo "greeting=${GREETING:-none}"'),
        ("set -e", "false; echo after"),
        ("false", "echo b || echo c"),
        ("true", "false || echo rescued"),
        ("echo one; false", "echo two"),
        ("A=1", 'echo "a=${A:-unset}"'),
        ("f() { echo from-f; }", "type f >/dev/null 2>&1 && echo defined || echo undefined"),
        ("trap 'echo trapped' EXIT", "echo body"),
        ("exit 0", "echo still-runs"),
        ("umask 077", "umask"),
        ("echo first;", "echo second"),
        ("for i in 1 2; do :; done", 'echo "i=${i:-unset}"'),
    ],
)
def test_the_merged_run_does_what_the_separate_runs_did(
    first: str, second: str, tmp_path: Path
) -> None:
    cwd = str(tmp_path)
    expected_out, status = _run(first, cwd)
    failed = status != 0
    if not failed:
        more, status = _run(second, cwd)
        expected_out += more
        failed = status != 0
    text = merged(f"FROM debian:12\nWORKDIR {cwd}\nRUN {first}\nRUN {second}\n")
    [run] = runs(context(text))
    assert run.command_text is not None
    out, status = _run(run.command_text, cwd)
    assert (out, status != 0) == (expected_out, failed)


# -- one fix for every rule ------------------------------------------------------------


def test_every_merge_rule_offers_the_same_edit_for_a_pair() -> None:
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    text += "RUN rm -rf /var/lib/apt/lists/*\n"
    found = lint(text, select=MERGE_RULES).violations
    by_code = {violation.code: violation for violation in found if violation.span.start < 60}
    assert set(by_code) == {"DF104", "DL3059"}
    assert by_code["DF104"].fix is not None and by_code["DL3059"].fix is not None
    assert by_code["DF104"].fix.edits == by_code["DL3059"].fix.edits
    cleanup = [violation for violation in found if violation.code == "DF102"]
    assert cleanup and cleanup[0].fix is not None
    assert set(by_code["DL3059"].fix.edits) <= set(cleanup[0].fix.edits)


def test_the_tutorial_dockerfile_becomes_one_nicely_formatted_run() -> None:
    text = (
        "FROM ubuntu:24.04\n"
        "\n"
        "# Refresh the package index\n"
        "RUN apt-get update\n"
        "\n"
        "# Install the runtime dependencies\n"
        "RUN apt-get install -y --no-install-recommends \\\n"
        "        python3 \\\n"
        "        curl\n"
        "\n"
        "# Keep the image small\n"
        "RUN rm -rf /var/lib/apt/lists/*\n"
        "\n"
        'CMD ["python3"]\n'
    )
    assert fix(text, select=MERGE_RULES).text == text, "comments make the merge unsafe"
    result = fix(text, select=MERGE_RULES, unsafe=True)
    assert result.failure is None
    assert result.text == (
        "FROM ubuntu:24.04\n"
        "\n"
        "# Refresh the package index\n"
        "RUN apt-get update \\\n"
        "# Install the runtime dependencies\n"
        "    && apt-get install -y --no-install-recommends \\\n"
        "        python3 \\\n"
        "        curl \\\n"
        "# Keep the image small\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "\n"
        'CMD ["python3"]\n'
    )
    assert fix(result.text, select=MERGE_RULES, unsafe=True).text == result.text
    assert not [v for v in lint(result.text, select=MERGE_RULES).violations]


# -- counting commands like hadolint --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("RUN /foo.sh", 1),
        ("RUN foo && bar", 2),
        ("RUN foo; bar", 2),
        ('RUN echo "$(date)"', 2),
        ('RUN ["/foo.sh", "--flag"]', 1),
        ("RUN A=1", 0),
    ],
)
def test_command_count_follows_hadolint(body: str, count: int) -> None:
    document = parse(f"FROM a\n{body}\n")
    assert command_count(document.instructions[1]) == count


# -- what waits until the fix is read -------------------------------------------------


def test_the_checks_that_read_the_shell_wait_until_the_fix_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []
    real = run_merge._mergeable

    def counting(ctx: Context, first: Instruction, second: Instruction) -> MergeCheck:
        result = real(ctx, first, second)
        checked.append(result.reason)
        return result

    monkeypatch.setattr(run_merge, "_mergeable", counting)
    # The first body ends with a shell comment: the pair cannot be merged.
    (violation,) = lint("FROM a\nRUN a # note\nRUN b\n", select=["DL3059"]).violations
    assert checked == []
    assert violation.fix is None
    assert checked == ["the first `RUN` ends with a shell comment"]


def test_a_merge_refused_by_the_shell_plans_to_no_fix() -> None:
    ctx = context('FROM a\nSHELL ["pwsh", "-c"]\nRUN a\nRUN b\n')
    first, second = runs(ctx)
    deferred = merge_fix(ctx, first, second, "merge")
    assert deferred is not None  # the instructions alone allow it
    assert deferred() is None  # type: ignore[operator]
    assert mergeable(ctx, first, second).reason == "the stage's SHELL is not a POSIX shell"


# -- process state beyond shell variables -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (pair("set -eu; mkdir -p /out; false; touch /out/a", "touch /out/b"), "errexit"),
        (pair("set -o errexit; false; true", "true"), "errexit"),
        (pair("set -euo pipefail; false; true", "true"), "errexit"),
        (pair("f() { set -e; false; }; f; true", "true"), "errexit"),
        (pair("source /etc/profile", "true"), "errexit"),
        (pair('eval "$(cat /env)"', "true"), "errexit"),
        (pair('$RUN_IT "x"; true', "true"), "errexit"),
        (pair("$CD /src", "pwd"), "errexit"),
        (pair("sleep 1 &", "true"), "background job"),
        (pair("( sleep 100 & ) ; true", "true"), "background job"),
        (pair("service postgresql start", "psql -c 'select 1'"), "daemon"),
        (pair("nohup redis-server", "redis-cli ping"), "daemon"),
        (pair("ln -sf /bin/bash /bin/sh", "[[ -n x ]]"), "replaces `/bin/sh`"),
        (pair("cd /bin && ln -sf bash sh", "[[ -n x ]]"), "replaces `/bin/sh`"),
        (pair("rm /bin/sh", "true"), "replaces `/bin/sh`"),
        (
            pair("echo 'dash dash/sh boolean false' | debconf-set-selections", "true"),
            "replaces `/bin/sh`",
        ),
        (
            'FROM a\nSHELL ["/bin/bash", "--login", "-c"]\nRUN a > ~/.profile\nRUN b\n',
            "login",
        ),
        ('FROM a\nSHELL ["/bin/bash", "-lc"]\nRUN a\nRUN b\n', "login"),
        ('FROM a\nSHELL ["/bin/bash", "-i", "-c"]\nRUN a\nRUN b\n', "login"),
        ("FROM a\nENV BASH_ENV=/etc/env.sh\nRUN a\nRUN b\n", "BASH_ENV"),
        (
            "FROM a\nRUN --mount=type=tmpfs,target=/w a\nRUN --mount=type=tmpfs,target=/w b\n",
            "tmpfs",
        ),
        (
            "FROM a\nRUN --mount=type=bind,target=/w,rw a\nRUN --mount=type=bind,target=/w,rw b\n",
            "writable bind",
        ),
        ("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN a\nRUN b\n", "Windows"),
        ("FROM mcr.microsoft.com/powershell:nanoserver-1809\nRUN a\nRUN b\n", "Windows"),
    ],
)
def test_merges_that_would_change_what_runs_are_refused(text: str, reason: str) -> None:
    result = check(text)
    assert not result.ok
    assert reason in result.reason


@pytest.mark.parametrize(
    "text",
    [
        pair("set -e && cd /src && make", "make install"),
        pair("set -eux", "make"),
        'FROM a\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a | b\nRUN c\n',
        "FROM a\nRUN --mount=type=cache,target=/root/.cache a\n"
        "RUN --mount=type=cache,target=/root/.cache b\n",
        "FROM a\nRUN --mount=type=bind,target=/w a\nRUN --mount=type=bind,target=/w b\n",
        pair("apt-get update", "apt-get install -y curl"),
        pair("apt-get update && apt-get install -y a", "apt-get install -y b"),
        "FROM a\nENV ENV=production\nRUN a\nRUN b\n",
    ],
)
def test_plain_bodies_still_merge(text: str) -> None:
    assert check(text).ok, check(text).reason


def test_a_first_body_that_may_put_a_hashed_program_earlier_on_path_is_wrapped() -> None:
    upgrade = check(pair("pip install --upgrade pip", "pip install flask"))
    assert upgrade.ok and upgrade.wrap_first
    assert not check(pair("apt-get update", "apt-get install -y curl")).wrap_first
    assert not check(pair("pip install a", "python -c 1")).wrap_first


def test_an_errexit_shell_joins_a_compound_first_body_with_a_semicolon() -> None:
    text = 'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN { false; touch /x; }\nRUN touch /y\n'
    assert merged(text).endswith("RUN ( { false; touch /x; } ); \\\n    touch /y\n")
    plain = 'FROM a\nSHELL ["/bin/bash", "-e", "-c"]\nRUN a && b\nRUN c || d\n'
    assert merged(plain).endswith("RUN a && b \\\n    && ( c || d )\n")


# Each case: (SHELL as JSON or None, first body, second body). The merged RUN must do what
# the two RUNs did, in dash and in bash: the same output and the same success or failure.
_CASES = [
    (None, "set -eu; mkdir -p out; false; touch out/a", "touch out/b"),
    (None, "set -eux; echo a; false; echo b", "echo c"),
    (None, "set -e && echo a && false", "echo c"),
    (None, "set -e; echo a", "false; echo b"),
    (None, "echo a && false", "echo c"),
    (None, "\\cd / && pwd", "pwd"),
    (None, 'c"d" / && pwd', "pwd"),
    (None, "time cd / 2>/dev/null; pwd", "pwd"),
    (None, "true; false", "echo c"),
    (None, "false || true", "echo ok"),
    ('["/bin/bash", "-e", "-c"]', "{ false; echo in-group; }", "echo after"),
    ('["/bin/bash", "-e", "-c"]', "if true; then false; echo in-if; fi", "echo after"),
    ('["/bin/bash", "-e", "-c"]', "false && true", "echo after"),
    ('["/bin/bash", "-e", "-c"]', "echo a && echo b", "false; echo c"),
    ('["/bin/bash", "-e", "-c"]', "f() { false; echo in-f; }; f", "echo after"),
    ('["/bin/bash", "-ec"]', "cd / && echo a", "pwd"),
    ('["/bin/bash", "-o", "pipefail", "-c"]', "false | true", "echo after"),
]


def _shell_run(shell: list[str], script: str, cwd: str) -> tuple[str, bool]:
    done = subprocess.run(
        [*shell, script], cwd=cwd, capture_output=True, text=True, timeout=20, check=False
    )
    return done.stdout, done.returncode != 0


@pytest.mark.parametrize("program", ["dash", "bash"])
@pytest.mark.parametrize(("shell", "first", "second"), _CASES)
def test_a_merge_keeps_errexit_and_state_in_dash_and_bash(
    program: str, shell: str | None, first: str, second: str, tmp_path: Path
) -> None:
    import json

    path = shutil.which(program)
    if path is None:
        pytest.skip(f"needs {program}")
    argv = json.loads(shell) if shell else ["/bin/sh", "-c"]
    if shell is None:
        argv = [path, "-c"]
    elif program == "dash":
        if "bash" in argv[0] and "pipefail" in shell:
            pytest.skip("dash has no pipefail")
        argv = [path, *argv[1:]]
    text = f"FROM debian:12\nWORKDIR {tmp_path / 'w'}\n"
    if shell:
        text += f"SHELL {shell}\n"
    text += f"RUN {first}\nRUN {second}\n"
    ctx = context(text)
    one, two = runs(ctx)
    planned = merge_fix(ctx, one, two, "merge")
    if planned is None or not planned.edits:
        assert not mergeable(ctx, one, two).ok
        return
    work = tmp_path / "w"
    work.mkdir()
    expected, failed = _shell_run(argv, first, str(work))
    if not failed:
        more, failed = _shell_run(argv, second, str(work))
        expected += more
    work.rename(tmp_path / "separate")
    work.mkdir()
    [run] = runs(context(apply_edits(text, planned.edits)))
    assert run.command_text is not None
    got = _shell_run(argv, run.command_text, str(work))
    assert got == (expected, failed), run.command_text
    assert _listing(work) == _listing(tmp_path / "separate")


def _listing(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


# -- appending to a chain ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "body", "appends"),
    [
        ('["/bin/bash", "-e", "-c"]', "apt-get update && { apt-get install -y x; false; }", False),
        ('["/bin/bash", "-e", "-c"]', "apt-get update && f", True),
        ('["/bin/bash", "-e", "-c"]', "apt-get update && apt-get install -y x", True),
        ('["/bin/sh", "-c"]', "apt-get update && { apt-get install -y x; false; }", True),
        ('["/bin/sh", "-c"]', "set -e && apt-get update && if a; then false; b; fi", False),
    ],
)
def test_a_cleanup_is_appended_only_where_errexit_decides_nothing(
    shell: str, body: str, appends: bool
) -> None:
    text = f"FROM debian:12\nSHELL {shell}\nRUN {body}\nCMD x\n"
    result = fix(text, select=["DL3009"])
    assert ("rm -rf /var/lib/apt/lists/*" in result.text) is appends


@pytest.mark.parametrize("body", ["true || echo x > /out/f", "a; b > /f", "a || b 2>&1 >/f"])
def test_a_second_body_whose_last_command_is_redirected_is_still_wrapped(body: str) -> None:
    assert check(pair("false", body)).wrap_second
