"""A project configured for hadolint (.hadolint.yaml, pragmas) gets hadolint's findings.

The expected DL findings below are what hadolint 2.15 reports for the fixture project;
dfopt's own DF rules come on top.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES

PROJECT = FIXTURES / "projects" / "hadolint-config"
HADOLINT_FINDINGS = {
    ("DL3015", 3, "error"),  # override: error; DL3009 ignored inline; DL3008 ignored
    ("DL3015", 4, "error"),
    ("DL3026", 8, "error"),  # quay.io is not in trustedRegistries
    ("DL3003", 12, "warning"),
    # DL3025 is ignored by the global pragma; DL3020 does not fire for an archive
}


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dfopt", "check", "--format", "json", *args, "Dockerfile"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )


def test_same_dl_findings_as_hadolint() -> None:
    result = run_check()
    found = {
        (item["code"], item["line"], item["severity"])
        for item in json.loads(result.stdout)
        if item["code"].startswith("DL")
    }
    assert found == HADOLINT_FINDINGS


def test_failure_threshold_from_hadolint_config() -> None:
    assert run_check().returncode == 1
    # Only info-level DF findings remain when the warnings and errors are ignored.
    result = run_check("--ignore", "DL3015,DL3026,DL3003,DF301")
    assert result.returncode == 0, result.stdout
