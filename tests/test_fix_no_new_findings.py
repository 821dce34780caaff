"""No fix introduces a finding its input did not have.

Every ``fail`` case of fixtures/rules/*.yaml, and every file of the shared corpus when it
is present, is linted with the default rules, then fixed with safe fixes and, separately,
with unsafe fixes too. The codes found in the fixed text must all have been found in the
input already: a fix that trips another rule (an untagged base image, a cleanup left in a
later layer) would trade one finding for another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dfopt.api import session
from tests.rule_cases import Case, load_cases, write_context

# Known offenders outside the fixes this test was written with, to be repaired in their
# own rules: introduced code -> the fixes known to bring it. A new finding is excused
# only when one of those fixes was applied; everything else is guarded.
# Exposed, because the reporting rule does not read the input's spelling:
# - DL3008, DL3015 only read `apt-get`: DL3027 (`apt` becomes `apt-get`) exposes an
#   unpinned install or recommended packages that `apt install` already had.
# - DL3008, DL3009, DL3013, DL3016, DL3028, DL3040, DL3041, DL3047, DL4001, DF104 and
#   DF304 do not look through `sudo`: DL3004 (dropping `sudo`) exposes what
#   `sudo apt-get install ...`, `sudo pip install ...`, `sudo wget ...` already did.
# - DL3022: DL3063 renames a stage called `scratch`, and an `ONBUILD COPY --from=scratch`
#   then names no stage of the file.
# Introduced by the RUN merges and cleanups:
# - DF101 after DL3059, DF104, DF103 or DL3032: `RUN a`, `# c`, `RUN b`, `RUN d` merged
#   into `RUN b && d` (DL3059) or `RUN yum install x -y`, `RUN yum install y -y` each
#   given `&& yum clean all` (DL3032) now report "could be one layer".
# - DF102 after DL3009 or DF108: the lists removed by DL3009 in a later `RUN` with its own
#   `apt-get update` count as created by an earlier `RUN apt-get update`; DF108's
#   `rm -f /opt/src/x.tar.gz` counts as removing what `RUN mkdir -p /opt/src` created.
# - DF103 after DF104: `RUN apk update` merged into `RUN apk add --no-cache x`.
# - DF108 after DL3059 or DF101: `RUN wget .../master.zip` and `RUN unzip master.zip`
#   merged into one RUN that keeps the archive.
KNOWN_OFFENDERS: dict[str, frozenset[str]] = {
    "DL3008": frozenset({"DL3027", "DL3004"}),
    "DL3015": frozenset({"DL3027"}),
    **{
        code: frozenset({"DL3004"})
        for code in (
            "DL3009",
            "DL3013",
            "DL3016",
            "DL3028",
            "DL3040",
            "DL3041",
            "DL3047",
            "DL4001",
            "DF104",
            "DF304",
        )
    },
    "DL3022": frozenset({"DL3063"}),
    "DF101": frozenset({"DL3059", "DF104", "DF103", "DL3032"}),
    "DF102": frozenset({"DL3009", "DF108"}),
    "DF103": frozenset({"DF104"}),
    "DF108": frozenset({"DL3059", "DF101"}),
}

CASES = [case for case in load_cases() if case.kind == "fail"]


def introduced(
    text: str, path: Path | None, settings: dict[str, Any] | None, *, unsafe: bool
) -> tuple[set[str], set[str]]:
    """The codes found after fixing but not before, and the codes whose fixes applied."""
    runner = session(settings=settings) if settings else session()
    before = {violation.code for violation in runner.lint(text, path).violations}
    result = runner.fix(text, path, unsafe=unsafe)
    assert result.final is not None
    after = {violation.code for violation in result.final.violations}
    return after - before, {applied.code for applied in result.applied}


def unexplained(new: set[str], applied: set[str]) -> list[str]:
    return sorted(code for code in new if not KNOWN_OFFENDERS.get(code, frozenset()) & applied)


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixing_a_case_introduces_no_finding(case: Case, unsafe: bool, tmp_path: Path) -> None:
    path = write_context(tmp_path, case.context)
    new, applied = introduced(case.dockerfile, path, case.settings, unsafe=unsafe)
    assert unexplained(new, applied) == [], f"fixes {sorted(applied)} introduced {sorted(new)}"


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fixing_the_corpus_introduces_no_finding(corpus: list[Path], unsafe: bool) -> None:
    failures = []
    for path in corpus:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.strip():
            continue
        new, applied = introduced(text, None, None, unsafe=unsafe)
        found = unexplained(new, applied)
        if found:
            failures.append(f"{path.name}: fixes {sorted(applied)} introduced {found}")
    assert failures == [], f"{len(failures)} files:\n" + "\n".join(failures[:20])


def test_the_offender_list_only_excuses_the_fixes_it_names() -> None:
    assert unexplained({"DL3008"}, {"DL3027"}) == []
    assert unexplained({"DL3008"}, {"DL3059"}) == ["DL3008"]
    assert unexplained({"DL3006"}, {"DF106"}) == ["DL3006"]
