"""`# hadolint shell=` (and `# dfopt: shell=`) tells shell-aware rules what runs RUN bodies."""

from __future__ import annotations

import pytest

from dfopt.api import lint

BODY = "RUN apt-get update && apt-get install -y curl\n"


@pytest.mark.parametrize("pragma", ["# hadolint shell=pwsh", "# dfopt: shell=powershell"])
def test_non_posix_shell_pragma_silences_shell_rules(pragma: str) -> None:
    text = f"FROM debian:12\n{pragma}\n{BODY}"
    assert [v.code for v in lint(text, select=["DL3009", "DL3015"]).violations] == []


def test_posix_shell_pragma_keeps_shell_rules() -> None:
    text = f"FROM debian:12\n# hadolint shell=/bin/bash\n{BODY}"
    codes = [v.code for v in lint(text, select=["DL3009", "DL3015"]).violations]
    assert codes == ["DL3009", "DL3015"]


def test_the_pragma_applies_from_where_it_stands() -> None:
    text = f"FROM debian:12\n{BODY}# hadolint shell=cmd\n{BODY}"
    result = lint(text, select=["DL3015"])
    lines = [result.document.position(v.span.start).line for v in result.violations]
    assert lines == [2]
