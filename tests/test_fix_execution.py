"""SAFE fixes proven by execution: generated Dockerfiles run before and after ``dfopt fix``.

``exec_oracle`` runs every RUN of a Dockerfile as a builder does (the stage's SHELL, ENV,
ARG values, WORKDIR and USER, a fresh process and a fresh tmpfs per RUN) in a throwaway
root, and compares the outcome, the final files of every stage (minus cache paths) and
the final ENV/WORKDIR/USER. ``shell_grammar`` generates the Dockerfiles. The property test
runs ``DFOPT_EXEC_EXAMPLES`` cases (5,000 by default) and expects no difference at all.

The tests skip when user and mount namespaces are unavailable, unless
``DFOPT_REQUIRE_REAL_BUILDS`` is set (as in CI): then they fail.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings

from dfopt import api
from tests import exec_oracle, shell_grammar

EXAMPLES = int(os.environ.get("DFOPT_EXEC_EXAMPLES", "5000"))


def _unavailable(reason: str) -> None:
    if os.environ.get("DFOPT_REQUIRE_REAL_BUILDS"):
        pytest.fail(f"the execution oracle must run here: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def runner() -> exec_oracle.Executor:
    try:
        import dockerfile  # noqa: F401 - the executor reads Dockerfiles with BuildKit's parser
    except ImportError:
        _unavailable("BuildKit's parser (the dockerfile package) is not installed")
    try:
        return exec_oracle.executor()
    except exec_oracle.ExecutorUnavailable as error:
        _unavailable(f"no user and mount namespaces: {error}")
        raise


def digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()[:16]


EMPTY = digest("")


def build(runner: exec_oracle.Executor, text: str) -> exec_oracle.Outcome:
    return runner.run([exec_oracle.plan(text)])[0]


def files(outcome: exec_oracle.Outcome, prefix: str = "/out/", stage: int = -1) -> dict[str, str]:
    """The files under ``prefix`` of a successful build: path -> one-line description."""
    assert outcome.ok, outcome.log
    return {
        path: exec_oracle._entry(entry)
        for path, entry in outcome.manifests[stage].items()
        if path.startswith(prefix)
    }


# -- the executor sees each kind of difference -------------------------------------------


def test_a_merge_that_drops_errexit_differs(runner: exec_oracle.Executor) -> None:
    original = (
        "FROM debian:bookworm\nRUN set -eu; mkdir /out/x; false; touch /out/a\nRUN touch /out/b\n"
    )
    merged = (
        "FROM debian:bookworm\nRUN ( set -eu; mkdir /out/x; false; touch /out/a ) && touch /out/b\n"
    )
    comparison = exec_oracle.compare(original, merged, runner)
    assert comparison.differences == [
        "outcome: original failed in stage 0 at line 2 (exit status 1), fixed succeeded"
    ]
    assert "-- text diff --" in comparison.report()


def test_each_run_is_a_fresh_shell_with_the_stage_state(runner: exec_oracle.Executor) -> None:
    text = (
        "FROM debian:bookworm\nENV CD=cd V=env\nWORKDIR /w\n"
        "RUN cd /tmp && V=shell && f() { :; }\n"
        'RUN pwd > /out/pwd && echo "$V" > /out/v && { f || echo none > /out/f; }\n'
    )
    outcome = build(runner, text)
    assert outcome.ok, outcome.log
    merged = (
        "FROM debian:bookworm\nENV CD=cd V=env\nWORKDIR /w\n"
        "RUN cd /tmp && V=shell && f() { :; } "
        '&& pwd > /out/pwd && echo "$V" > /out/v && { f || echo none > /out/f; }\n'
    )
    differences = exec_oracle.compare(text, merged, runner).differences
    assert sorted(path.split(":")[0] for path in differences) == [
        "stage 0 /out/f",
        "stage 0 /out/pwd",
        "stage 0 /out/v",
    ]


def test_a_bin_sh_swap_is_visible(runner: exec_oracle.Executor) -> None:
    original = (
        "FROM debian:bookworm\nRUN ln -sf /bin/bash /bin/sh\nRUN [[ -d /out ]] && touch /out/bash\n"
    )
    assert files(build(runner, original)) == {"/out/bash": f"f 644 0:0 0B {EMPTY}"}
    merged = (
        "FROM debian:bookworm\nRUN ln -sf /bin/bash /bin/sh && [[ -d /out ]] && touch /out/bash\n"
    )
    assert exec_oracle.compare(original, merged, runner).differences == [
        "outcome: original succeeded, fixed failed in stage 0 at line 2 (exit status 127)"
    ]


def test_a_tmpfs_mount_is_fresh_per_run_and_stays_out_of_the_image(
    runner: exec_oracle.Executor,
) -> None:
    mount = "RUN --mount=type=tmpfs,target=/cache"
    original = (
        f"FROM debian:bookworm\n{mount} touch /cache/a\n"
        f"{mount} test ! -e /cache/a && touch /out/fresh\n"
    )
    outcome = build(runner, original)
    assert files(outcome, "/cache") == {"/cache": "d 755 0:0"}
    merged = (
        f"FROM debian:bookworm\n{mount} touch /cache/a && test ! -e /cache/a && touch /out/fresh\n"
    )
    assert (
        exec_oracle.compare(original, merged, runner)
        .differences[0]
        .startswith("outcome: original succeeded, fixed failed")
    )


def test_package_lists_are_real_and_cache_paths_are_not_compared(
    runner: exec_oracle.Executor,
) -> None:
    kept = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
        "RUN sudo apt-get install -y git\n"
    )
    cleaned = kept.replace("curl\n", "curl && rm -rf /var/lib/apt/lists/*\n")
    assert files(build(runner, kept), "/usr/share/doc/") == {
        "/usr/share/doc/curl": "d 755 0:0",
        "/usr/share/doc/curl/copyright": "f 644 0:0 9B " + digest("curl 1.0\n"),
        "/usr/share/doc/git": "d 755 0:0",
        "/usr/share/doc/git/copyright": "f 644 0:0 8B " + digest("git 1.0\n"),
    }
    comparison = exec_oracle.compare(kept, cleaned, runner)
    assert comparison.differences == [
        "outcome: original succeeded, fixed failed in stage 0 at line 3 (exit status 100)"
    ]
    assert comparison.fixed_outcome is not None
    assert "E: Unable to locate package git" in comparison.fixed_outcome.log
    single = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
    assert (
        exec_oracle.compare(
            single, single.replace("curl\n", "curl && rm -rf /var/lib/apt/lists/*\n"), runner
        ).differences
        == []
    )


def test_a_command_put_earlier_on_path_is_found_by_the_next_run(
    runner: exec_oracle.Executor,
) -> None:
    create = (
        "printf '#!/bin/sh\\necho new\\n' > /usr/local/bin/greet && chmod +x /usr/local/bin/greet"
    )
    original = f"FROM debian:bookworm\nRUN greet > /out/1 && {create}\nRUN greet > /out/2\n"
    outcome = build(runner, original)
    assert files(outcome)["/out/2"] != files(outcome)["/out/1"]
    merged = f"FROM debian:bookworm\nRUN greet > /out/1 && {create} && greet > /out/2\n"
    differences = exec_oracle.compare(original, merged, runner).differences
    assert [line.split(":")[0] for line in differences] == ["stage 0 /out/2"]


def test_background_jobs_die_with_their_run(runner: exec_oracle.Executor) -> None:
    original = "FROM debian:bookworm\nRUN ( sleep 0.05; touch /out/late ) &\nRUN sleep 1\n"
    assert files(build(runner, original)) == {}
    merged = "FROM debian:bookworm\nRUN ( sleep 0.05; touch /out/late ) & sleep 1\n"
    assert exec_oracle.compare(original, merged, runner).differences == [
        f"stage 0 /out/late: absent -> f 644 0:0 0B {EMPTY}"
    ]


def test_login_shells_read_the_profile_each_run(runner: exec_oracle.Executor) -> None:
    text = (
        'FROM debian:bookworm\nSHELL ["/bin/bash", "--login", "-c"]\n'
        "RUN echo 'export PV=profile' > /etc/profile.d/pv.sh\n"
        'RUN echo "${PV:-none}" > /out/pv\n'
    )
    outcome = build(runner, text)
    plain = build(runner, text.replace('"--login", ', ""))
    assert files(outcome)["/out/pv"] != files(plain)["/out/pv"]


def test_config_users_and_stages(runner: exec_oracle.Executor) -> None:
    text = (
        "FROM debian:bookworm AS base\nENV A=1\nRUN touch /out/base\n"
        "FROM base\nWORKDIR /srv\nRUN touch here\n"
    )
    outcome = build(runner, text)
    assert set(files(outcome)) == {"/out/base"}
    assert files(outcome, "/srv") == {
        "/srv": "d 755 0:0",
        "/srv/here": f"f 644 0:0 0B {EMPTY}",
    }
    assert exec_oracle.compare(text, text.replace("A=1", "A=2"), runner).differences == [
        "stage 0 Env: {'A': '1'} -> {'A': '2'}",
        "stage 1 Env: {'A': '1'} -> {'A': '2'}",
    ]
    assert exec_oracle.compare(text, text + "USER 1000\n", runner).differences == [
        "stage 1 User: 'root' -> '1000'"
    ]
    if runner.uid_range:
        owned = build(runner, "FROM debian:bookworm\nUSER 1000\nRUN touch /out/mine\n")
        assert files(owned) == {"/out/mine": f"f 644 1000:1000 0B {EMPTY}"}


def test_downloaded_files_may_vanish_but_not_change(runner: exec_oracle.Executor) -> None:
    download = (
        "FROM debian:bookworm\nWORKDIR /tmp\n"
        "RUN curl -fsSLo tool-1.0.tar.gz https://example.com/tool-1.0.tar.gz"
        " && tar -xzf tool-1.0.tar.gz -C /opt && /opt/tool/bin/tool > /out/ran"
    )
    original = download + "\n"
    outcome = build(runner, original)
    assert outcome.downloads == [["/tmp/tool-1.0.tar.gz"]]
    assert files(outcome) == {"/out/ran": "f 644 0:0 5B " + digest("tool\n")}
    removed = download + " && rm -f tool-1.0.tar.gz\n"
    assert exec_oracle.compare(original, removed, runner).differences == []
    changed = download + " && echo other > tool-1.0.tar.gz\n"
    assert exec_oracle.compare(original, changed, runner).differences == [
        "stage 0 /tmp/tool-1.0.tar.gz: f 644 0:0 157B "
        + outcome.manifests[0]["/tmp/tool-1.0.tar.gz"][5]
        + " -> f 644 0:0 6B "
        + digest("other\n")
    ]
    checked = (
        "FROM debian:bookworm\nWORKDIR /tmp\n"
        "RUN curl -fsSLO https://example.com/tool-1.0.tar.gz\n"
        "RUN curl -fsSLO https://example.com/SHA256SUMS && sha256sum -c SHA256SUMS\n"
    )
    assert build(runner, checked).ok
    early = checked.replace("tar.gz\n", "tar.gz && rm tool-1.0.tar.gz\n", 1)
    assert (
        exec_oracle.compare(checked, early, runner)
        .differences[0]
        .startswith("outcome: original succeeded, fixed failed")
    )


def test_identical_texts_are_not_built() -> None:
    text = "FROM debian:bookworm\nRUN false\n"
    comparison = exec_oracle.compare(text, text, runner=None)
    assert comparison.differences == [] and comparison.original_outcome is None


# -- the property: SAFE fixes change nothing that runs -----------------------------------


@pytest.mark.slow
def test_safe_fixes_keep_what_the_build_does(runner: exec_oracle.Executor) -> None:
    seen: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    started = time.perf_counter()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(shell_grammar.dockerfiles(users=runner.uid_range))
    def check(text: str) -> None:
        seen["cases"] += 1
        result = api.fix(text)
        rules.update(fix.code for fix in result.applied)
        if result.text == text:
            return
        seen["changed"] += 1
        comparison = exec_oracle.compare(text, result.text, runner)
        if not comparison.differences:
            return
        again = runner.run([exec_oracle.plan(text), exec_oracle.plan(text)])
        plans = [exec_oracle.plan(text)] * 2
        if exec_oracle.diff_outcomes(again[0], again[1], *plans):
            raise AssertionError(f"the generated case is not deterministic:\n{text}")
        raise AssertionError(
            "dfopt's SAFE fixes changed what the build does "
            f"(rules: {', '.join(sorted({fix.code for fix in result.applied}))})\n"
            + comparison.report()
        )

    check()
    elapsed = time.perf_counter() - started
    print(
        f"\n{seen['cases']} cases, {seen['changed']} changed by fixes and executed, "
        f"{elapsed:.1f}s ({1000 * elapsed / max(seen['cases'], 1):.1f} ms per case)"
    )
    assert seen["cases"] >= EXAMPLES
    assert seen["changed"] >= seen["cases"] // 3, "the grammar should make the fixes work"
    if EXAMPLES >= 1000:
        merges = {"DL3059", "DF101", "DF102", "DF104"} & set(rules)
        caches = {"DL3009", "DL3019", "DF103"} & set(rules)
        assert merges and caches, f"rules that fixed something: {sorted(rules)}"
