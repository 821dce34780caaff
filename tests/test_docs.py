"""The rule catalogue in docs/rules.md matches what `dfopt rules` prints."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_rules_markdown_is_up_to_date() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "dfopt", "rules", "--format", "markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    documented = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert documented.endswith(generated), (
        "docs/rules.md is stale: regenerate it with `dfopt rules --format markdown`"
    )


def test_every_dl_code_of_hadolint_is_listed() -> None:
    documented = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    expected = ["DL1001", *(f"DL{n}" for n in range(3000, 3068)), *(f"DL400{n}" for n in range(7))]
    missing_in_hadolint = {"DL3005", "DL3017", "DL3031", "DL3039", "DL4002"}
    for code in expected:
        if code not in missing_in_hadolint:
            assert f"`{code}`" in documented, code
