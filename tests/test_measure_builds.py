"""`dfopt measure` with real builds of the projects in fixtures/measure/.

These need an image builder (docker, podman or buildah) and a local `debian:bookworm`
image; `.ci/run` installs both. Elsewhere they are skipped with the reason, unless
DFOPT_REQUIRE_REAL_BUILDS is set (as CI sets it), where a missing builder fails them.
Deselect them with `-m "not real_build"`.

Each project is measured once per session; the tests check the figures.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dfopt.measure.builders import Builder, Capabilities
from dfopt.measure.runner import (
    Measurement,
    MeasureOptions,
    Progress,
    fix_for_builder,
    introduced_syntax,
    measure,
)
from tests.build_oracle import BASE_IMAGE, require_builder

pytestmark = [pytest.mark.real_build, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "fixtures" / "measure"

INSTALLERS = ("apt-get", "pip", "pip3", "npm", "go mod", "go get")


@pytest.fixture(scope="session")
def real_builder() -> Builder:
    return require_builder()


Measure = Callable[[str, bool], Measurement]


@pytest.fixture(scope="session")
def measured(real_builder: Builder, tmp_path_factory: pytest.TempPathFactory) -> Measure:
    """Measure a fixture project (once per session for each project and fix mode)."""
    results: dict[tuple[str, bool], Measurement] = {}

    def run(project: str, unsafe: bool) -> Measurement:
        key = (project, unsafe)
        if key not in results:
            folder = PROJECTS / project
            logs = tmp_path_factory.mktemp("measure-logs")
            progress = io.StringIO()
            results[key] = measure(
                MeasureOptions(
                    dockerfile=folder / "Dockerfile",
                    context=folder,
                    unsafe_fixes=unsafe,
                    log_path=logs / f"{project}.log",
                    isolated=True,
                ),
                real_builder,
                Progress(stream=progress),
            )
            assert "cold build" in progress.getvalue()
        return results[key]

    return run


def _sizes(result: Measurement) -> tuple[int, int]:
    assert result.before.facts is not None and result.after.facts is not None
    return result.before.facts.size_bytes, result.after.facts.size_bytes


def _installs(steps: list[str]) -> list[str]:
    return [step for step in steps if any(word in step for word in INSTALLERS)]


def _no_syntax_the_builder_lacks(result: Measurement, builder: Builder) -> None:
    lacking = builder.capabilities
    strict = Capabilities(heredocs=lacking.heredocs, copy_link=lacking.copy_link)
    assert introduced_syntax(result.before.text, result.after.text, strict) == []


def test_go_service_unsafe_fixes_make_the_image_ten_times_smaller(
    measured: Measure, real_builder: Builder
) -> None:
    result = measured("go-service", True)
    before, after = _sizes(result)
    assert after * 10 <= before, (before, after, result.after.text)
    assert result.behaviour is not None
    assert result.behaviour.same, result.behaviour.diff
    assert "hello, image" in result.behaviour.after.output
    _no_syntax_the_builder_lacks(result, real_builder)


def _built_size(builder: Builder, text: str, folder: Path, workspace: Path) -> int:
    """Build ``text`` in a copy of ``folder`` and return the image size."""
    context = workspace / "context"
    shutil.copytree(folder, context)
    (context / "Dockerfile").write_text(text, encoding="utf-8")
    tag = "localhost/dfopt-test-measure:safe"
    with (workspace / "build.log").open("w", encoding="utf-8") as log:
        builder.build(context / "Dockerfile", context, tag, no_cache=False, log=log)
    try:
        return builder.inspect(tag).size_bytes
    finally:
        builder.remove(tag)


def test_python_app_safe_fixes_make_the_image_30_percent_smaller(
    measured: Measure, real_builder: Builder, tmp_path: Path
) -> None:
    # The original is measured with unsafe fixes below; build the safe-only version once.
    reference = measured("python-app", True)
    before, _ = _sizes(reference)
    folder = PROJECTS / "python-app"
    safe = fix_for_builder(
        reference.before.text,
        folder / "Dockerfile",
        unsafe=False,
        capabilities=real_builder.capabilities,
        isolated=True,
    )
    assert introduced_syntax(reference.before.text, safe.text, real_builder.capabilities) == []
    after = _built_size(real_builder, safe.text, folder, tmp_path)
    assert after <= before * 0.7, (before, after, safe.codes)


def test_python_app_unsafe_fixes_rerun_no_install_after_a_source_change(
    measured: Measure,
) -> None:
    result = measured("python-app", True)
    before_change = result.before.source_change
    after_change = result.after.source_change
    assert before_change is not None and after_change is not None
    assert result.before.changed_file == result.after.changed_file == "app.py"
    # The tutorial order re-runs pip after every source edit; the fixed one reuses it.
    assert _installs(before_change.reran_runs)
    assert _installs(after_change.reran_runs) == [], after_change.reran_runs
    assert result.behaviour is not None
    assert result.behaviour.same or result.behaviour.expected, result.behaviour.diff
    # Apart from the uid line, the app prints the same.
    before_lines = [
        line for line in result.behaviour.before.output.splitlines() if "uid" not in line
    ]
    after_lines = [line for line in result.behaviour.after.output.splitlines() if "uid" not in line]
    assert before_lines == after_lines
    assert "six 1.16.0" in before_lines


def test_rm_later_merged_run_drops_the_deleted_bytes(measured: Measure) -> None:
    result = measured("rm-later", False)
    assert result.before.facts is not None and result.after.facts is not None
    big = 60_000_000
    assert any(
        row.size_bytes >= big and row.instruction.startswith("RUN")
        for row in result.before.facts.history
    )
    assert all(
        row.size_bytes < 1_000_000
        for row in result.after.facts.history
        if row.instruction.startswith("RUN")
    )
    before, after = _sizes(result)
    assert before - after >= big
    assert result.after.facts.layers < result.before.facts.layers
    assert result.behaviour is not None and result.behaviour.same


def test_cli_prints_the_report_with_real_figures(real_builder: Builder, tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dfopt",
            "measure",
            str(PROJECTS / "rm-later" / "Dockerfile"),
            "--builder",
            real_builder.name,
            "--log-file",
            str(log),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Image size" in done.stdout
    assert "64.0 MB  RUN head -c 64000000 /dev/zero" in done.stdout
    assert f"Builder log: {log}" in done.stdout
    assert "cold build (no cache)" in done.stderr
    assert "STEP" in log.read_text() or "#" in log.read_text()


SHELL_AND_HEALTHCHECK = f"""FROM {BASE_IMAGE}
SHELL ["/bin/bash", "-e", "-c"]
RUN if [[ -n "${{BASH_VERSION:-}}" ]]; then echo "bash flags=$-" > /shell.txt; fi
RUN test -f /shell.txt || echo "not bash flags=$-" > /shell.txt
HEALTHCHECK --interval=30s CMD ["true"]
ONBUILD RUN echo child
"""


def test_builds_keep_shell_healthcheck_and_onbuild(real_builder: Builder, tmp_path: Path) -> None:
    # In the OCI image format buildah and podman drop SHELL, HEALTHCHECK and ONBUILD
    # without an error: the RUNs would run in /bin/sh and the image lose its healthcheck.
    (tmp_path / "Dockerfile").write_text(SHELL_AND_HEALTHCHECK, encoding="utf-8")
    tag = "localhost/dfopt-test-measure:docker-format"
    with (tmp_path / "build.log").open("w", encoding="utf-8") as log:
        real_builder.build(tmp_path / "Dockerfile", tmp_path, tag, no_cache=False, log=log)
    try:
        config = real_builder.image_config(tag)
        ran = real_builder.run(tag, ["cat", "/shell.txt"], [])
    finally:
        real_builder.remove(tag)
    assert config.get("Shell") == ["/bin/bash", "-e", "-c"], config
    assert (config.get("Healthcheck") or {}).get("Test") == ["CMD", "true"], config
    assert config.get("OnBuild") == ["RUN echo child"], config
    assert ran.exit_code == 0, ran.output
    # bash ran the RUN, with errexit on (`e` in `$-`), as SHELL asks.
    # (podman's output may hold its own messages about healthcheck timers.)
    lines = [line for line in ran.output.splitlines() if "flags=" in line]
    assert len(lines) == 1 and lines[0].startswith("bash flags="), ran.output
    assert "e" in lines[0].split("=", 1)[1], ran.output
    assert real_builder.image_format == "docker"
