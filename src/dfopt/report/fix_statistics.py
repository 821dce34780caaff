"""``dfopt fix --statistics``: what fixing did, per rule.

For each rule code, over every file of the run:

- **found**: findings in the input, before any fix;
- **fixed**: fixes applied (or, with ``--diff``/``--check``, that would be applied). One
  fix can make a finding appear elsewhere that a later pass fixes too, so ``fixed`` may
  exceed ``found``;
- **held back**: findings left whose fix is unsafe and was not applied because unsafe
  fixes are off (``--unsafe-fixes`` would apply them);
- **unfixable**: the other findings left: no fix, a display-only fix, a rule listed in
  ``fix.unfixable`` (or not in ``fix.fixable``), or a fix that could not be applied.

When a file's fixes are rolled back or refused (``--verify``), nothing counts as fixed
for that file and its findings count as left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dfopt.rules_api import Violation

__all__ = ["FixStatistics", "RuleFixCounts", "is_held_back", "render_fix_statistics"]


@dataclass
class RuleFixCounts:
    """The counts of one rule (or of every rule, for the totals)."""

    code: str
    name: str = ""
    found: int = 0
    fixed: int = 0
    held_back: int = 0
    unfixable: int = 0

    def add(self, other: RuleFixCounts) -> None:
        self.found += other.found
        self.fixed += other.fixed
        self.held_back += other.held_back
        self.unfixable += other.unfixable


def is_held_back(violation: Violation, unsafe: bool, is_fixable: Callable[[str], bool]) -> bool:
    """Whether ``violation`` is left only because its unsafe fix was not allowed."""
    from dfopt.fixes import Applicability

    fix = violation.fix
    return (
        not unsafe
        and fix is not None
        and fix.applicability is Applicability.UNSAFE
        and bool(fix.edits)
        and is_fixable(violation.code)
    )


@dataclass
class FixStatistics:
    """Counts per rule code, accumulated file by file."""

    rules: dict[str, RuleFixCounts] = field(default_factory=dict)
    files: int = 0

    def _entry(self, code: str, name: str) -> RuleFixCounts:
        entry = self.rules.get(code)
        if entry is None:
            entry = self.rules[code] = RuleFixCounts(code, name)
        elif not entry.name:
            entry.name = name
        return entry

    def add_file(
        self,
        before: Iterable[Violation],
        fixed_codes: Iterable[str],
        left: Iterable[Violation],
        *,
        unsafe: bool,
        is_fixable: Callable[[str], bool],
        names: Callable[[str], str] = lambda code: "",
    ) -> None:
        """Count one file: its findings ``before`` fixing, the codes of the applied fixes
        (one per fix) and the findings ``left`` afterwards."""
        self.files += 1
        for violation in before:
            self._entry(violation.code, violation.name or names(violation.code)).found += 1
        for code in fixed_codes:
            self._entry(code, names(code)).fixed += 1
        for violation in left:
            entry = self._entry(violation.code, violation.name or names(violation.code))
            if is_held_back(violation, unsafe, is_fixable):
                entry.held_back += 1
            else:
                entry.unfixable += 1

    def ordered(self) -> list[RuleFixCounts]:
        """The rules, most findings first (then most fixes, then by code)."""
        return sorted(self.rules.values(), key=lambda row: (-row.found, -row.fixed, row.code))

    def totals(self) -> RuleFixCounts:
        total = RuleFixCounts("Total")
        for row in self.rules.values():
            total.add(row)
        return total


_HEADERS = ("Found", "Fixed", "Held back", "Unfixable")


def render_fix_statistics(statistics: FixStatistics) -> str:
    """A table: one line per rule code, then the totals.

    ::

        Found  Fixed  Held back  Unfixable  Rule
            2      2          0          0  DL4000 maintainer-deprecated
            1      0          1          0  TS001 old-label
            3      2          1          0  Total (2 files)
    """
    rows = statistics.ordered()
    total = statistics.totals()
    widths = [
        max(len(header), *(len(str(_values(row)[index])) for row in [*rows, total]))
        for index, header in enumerate(_HEADERS)
    ]

    def line(values: Iterable[object], label: str) -> str:
        cells = [str(value).rjust(width) for value, width in zip(values, widths, strict=True)]
        return "  ".join([*cells, label]).rstrip() + "\n"

    out = [line(_HEADERS, "Rule")]
    out.extend(line(_values(row), f"{row.code} {row.name}".rstrip()) for row in rows)
    files = "file" if statistics.files == 1 else "files"
    out.append(line(_values(total), f"Total ({statistics.files} {files})"))
    return "".join(out)


def _values(row: RuleFixCounts) -> tuple[int, int, int, int]:
    return (row.found, row.fixed, row.held_back, row.unfixable)
