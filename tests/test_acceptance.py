"""The bundled course-exercise Dockerfile, checked and fixed as a new user would."""

from __future__ import annotations

from pathlib import Path

from dfopt.api import fix, lint
from dfopt.syntax import parse
from tests.conftest import FIXTURES

EXAMPLE = FIXTURES / "examples" / "course-exercise" / "Dockerfile"


def findings(text: str) -> set[tuple[str, int, int]]:
    result = lint(text)
    found = set()
    for violation in result.violations:
        position = result.document.position(violation.span.start)
        found.add((violation.code, position.line, position.column))
    return found


def test_check_reports_each_smell_at_its_line_and_column() -> None:
    found = findings(EXAMPLE.read_text(encoding="utf-8"))
    expected = {
        ("DF301", 2, 1),  # no USER in the final stage: reported at its FROM
        ("DL4000", 3, 1),  # MAINTAINER
        ("DL3020", 7, 1),  # ADD . .
        ("DF105", 7, 1),  # sources copied before the build downloads dependencies
        ("DL3019", 10, 5),  # apk add without --no-cache
        ("DL3059", 11, 1),  # RUN apk add go / RUN go build
        ("DF104", 14, 5),  # apt-get update alone
        ("DL3009", 14, 5),  # lists not removed in that RUN
        ("DL3015", 15, 5),  # recommends installed
        ("DF102", 16, 5),  # cleanup in a later layer
        ("DL3025", 19, 5),  # shell-form CMD
    }
    assert expected <= found


def test_fix_merges_chains_moves_cleanup_swaps_add_and_keeps_comments() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    result = fix(text)
    fixed = result.text
    assert result.failure is None
    assert "ADD . ." not in fixed and "COPY . ." in fixed
    assert "RUN apk add --no-cache go \\\n    && go build" in fixed
    assert (
        "RUN apt-get update \\\n    && apt-get install -y curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ) in fixed
    for line in text.splitlines():
        if line.startswith("#"):
            assert line in fixed.splitlines()
    # Unsafe fixes are held back and counted.
    assert result.held_back >= 3
    assert result.final is not None
    held = {
        violation.code
        for violation in result.final.violations
        if violation.fix and violation.fix.applicability.value == "unsafe"
    }
    assert {"DL3015", "DL3025"} <= held
    assert not parse(fixed).problems
    assert fix(fixed).text == fixed


def test_the_cleanup_now_frees_bytes_in_the_layer_that_made_them() -> None:
    fixed = fix(EXAMPLE.read_text(encoding="utf-8")).text
    codes = {code for code, _line, _column in findings(fixed)}
    assert "DF102" not in codes and "DF104" not in codes and "DL3009" not in codes


def test_example_files_are_bundled() -> None:
    assert Path(EXAMPLE).is_file()


def test_fix_names_the_rules_whose_unsafe_fixes_it_held_back() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "dfopt", "fix", "--isolated", "--diff", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    held = [line for line in result.stderr.splitlines() if "held back" in line]
    assert len(held) == 1
    for code in ("DL3015", "DL3025"):
        assert code in held[0]
