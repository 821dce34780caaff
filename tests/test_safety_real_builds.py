"""SAFE fixes keep the built image: real builds of the cases in fixtures/safety/.

Each case is built as written and as `dfopt fix` (safe fixes only) leaves it, and the two
images must not differ (see tests/build_oracle.py for what is compared and what is left
out). A case's `hazard.Dockerfile`, the unsafe rewrite it guards against, is built too
and must differ from the original: the case can catch the hazard.

The builds need an image builder and the local `debian:bookworm` image (`.ci/run` sets
both up); elsewhere they are skipped with the reason, unless DFOPT_REQUIRE_REAL_BUILDS is
set, where a missing builder fails them. All cases are built once per session, several
builds at a time. The tests of the oracle itself at the end need no builder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dfopt.measure.builders import Builder
from tests.build_oracle import (
    CONFIG_KEYS,
    Entry,
    Image,
    Verdict,
    compare,
    judge_all,
    load_cases,
    require_builder,
    write_apt_repo,
)

ROOT = Path(__file__).resolve().parent.parent
SAFETY = ROOT / "fixtures" / "safety"
CASES = load_cases(SAFETY)
HAZARDS = [case.name for case in CASES if (case.folder / "hazard.Dockerfile").is_file()]


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Verdict]:
    builder: Builder = require_builder()
    workspace = tmp_path_factory.mktemp("safety")
    write_apt_repo(workspace / "local-apt")
    start = time.monotonic()
    results = judge_all(
        builder,
        CASES,
        workspace / "cases",
        workspace / "local-apt",
        workers=min(4, 2 * (os.cpu_count() or 1)),
    )
    sys.stderr.write(
        f"\nsafety oracle: {len(CASES)} cases built with {builder.name} "
        f"in {time.monotonic() - start:.0f} s\n"
    )
    return results


@pytest.mark.parametrize("name", [case.name for case in CASES])
@pytest.mark.real_build
@pytest.mark.slow
def test_safe_fixes_keep_the_image(verdicts: dict[str, Verdict], name: str) -> None:
    verdict = verdicts[name]
    assert verdict.differences == [], verdict.report()
    if verdict.case.expect_change is True:
        assert verdict.fixed != verdict.original, (
            "the safe fixes should change this control case\n" + verdict.report()
        )
        # A control that does not build proves nothing (its context may be incomplete).
        assert verdict.before.built, verdict.report()
    elif verdict.case.expect_change is False:
        assert verdict.fixed == verdict.original, verdict.report()


@pytest.mark.parametrize("name", HAZARDS)
@pytest.mark.real_build
@pytest.mark.slow
def test_the_case_tells_its_hazard_from_the_original(
    verdicts: dict[str, Verdict], name: str
) -> None:
    verdict = verdicts[name]
    assert verdict.hazard is not None
    assert verdict.hazard_differences, (
        f"case {name}: the builder builds hazard.Dockerfile into the same image as the "
        "original, so the case cannot catch the hazard"
    )


# -- the fixture set and the oracle, without a builder ---------------------------------------


def test_the_fixture_set_covers_at_least_40_cases() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        assert (case.folder / case.dockerfile).is_file(), case.name
        assert case.exercises, case.name
        assert case.expect_change in (True, False, None), case.name
    controls = [case.name for case in CASES if case.expect_change]
    assert len(controls) >= 8, controls
    # Most cases guard against a concrete unsafe rewrite the builder can show.
    assert len(HAZARDS) >= 30, HAZARDS


def _file(text: str, mode: int = 0o644) -> Entry:
    import hashlib

    data = text.encode()
    return Entry("file", mode, 0, 0, len(data), hashlib.sha256(data).hexdigest())


def _image(files: dict[str, Entry], **config: object) -> Image:
    return Image(True, files=files, config={key: config.get(key) for key in CONFIG_KEYS})


def test_compare_leaves_out_cache_paths_and_allowed_vanishing_only() -> None:
    base = {"/": Entry("dir", 0o755, 0, 0), "/etc/app.conf": _file("a\n")}
    before = _image(
        {
            **base,
            "/var/lib/apt/lists/deb_Packages": _file("index"),
            "/tmp/tool.tar.gz": _file("archive"),
        },
        User="app",
    )
    after = _image(dict(base), User="app")
    assert compare(before, after, ("/tmp/tool.tar.gz",)) == []
    problems = compare(before, after)
    assert problems == [
        "1 paths differ",
        "/tmp/tool.tar.gz: " + before.files["/tmp/tool.tar.gz"].show() + " -> missing",
    ]
    # A path allowed to vanish must still not change.
    changed = _image({**base, "/tmp/tool.tar.gz": _file("other")}, User="app")
    assert compare(before, changed, ("/tmp/*.tar.gz",))[0] == "1 paths differ"
    # Mode, owner and link target count; directory sizes do not exist.
    moded = _image({**base, "/etc/app.conf": _file("a\n", 0o600)}, User="app")
    assert "/etc/app.conf" in compare(_image(base, User="app"), moded)[1]
    # Configuration and outcome.
    assert compare(after, _image(dict(base), User="root")) == ["config User: 'app' -> 'root'"]
    failed = Image(False, "exit status 1")
    assert "the fixed one fails" in compare(after, failed)[0]
    assert "the original fails" in compare(failed, after)[0]
    assert compare(failed, Image(False, "exit status 2")) == []


def test_the_local_apt_repository_is_valid(tmp_path: Path) -> None:
    write_apt_repo(tmp_path)
    repo = tmp_path / "opt" / "dfopt-repo"
    packages = (repo / "Packages").read_text()
    assert packages.count("Package: ") == 3
    sources = (tmp_path / "etc" / "apt" / "sources.list").read_text()
    assert sources == "deb [trusted=yes] copy:/opt/dfopt-repo ./\n"
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed")
    done = subprocess.run(
        ["dpkg-deb", "--contents", str(repo / "dfopt-hello_1.0_all.deb")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "./usr/bin/dfopt-hello" in done.stdout


def test_the_tar_and_the_tree_readers_agree(tmp_path: Path) -> None:
    import io
    import tarfile

    from tests.build_oracle import _tar_entries, _walk_entries

    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / ".bashrc").write_text("export A=1\n")
    (root / "etc" / "app.conf").write_text("x" * 500)
    (root / "etc" / "app.conf").chmod(0o600)
    (root / "etc" / "hard").hardlink_to(root / "etc" / "app.conf")
    (root / "link").symlink_to("etc/app.conf")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(root, arcname=".")
    buffer.seek(0)
    walked = _walk_entries(root)
    assert _tar_entries(buffer) == walked
    assert walked["/.bashrc"].preview == "export A=1\n"
    assert walked["/etc/app.conf"].mode == 0o600 and walked["/etc/app.conf"].preview == ""
    assert walked["/link"].target == "etc/app.conf"
    assert set(walked) == {"/", "/.bashrc", "/etc", "/etc/app.conf", "/etc/hard", "/link"}
