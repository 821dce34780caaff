"""How well ``dfopt fix`` repairs a folder of Dockerfiles: per rule, and overall.

Usage:
    python benchmarks/repair_report.py FOLDER [--no-verify]

Every Dockerfile below FOLDER is fixed in process with the default rules, first with
safe fixes only, then with safe and unsafe fixes. For each mode the report prints, per
rule code:

- ``before`` / ``after``: findings in the input and in the fixed text;
- ``fixable``: findings of the input whose fix is allowed in this mode;
- ``removed``: the share of fixable findings gone after fixing. Per file and rule,
  ``min(fixable, max(0, before - after))`` findings count as removed (findings have no
  identity across a rewrite, so this is a count, not a match);
- ``files``: the share of the files where the rule fired that its fixes changed;
- ``diff``: the average diff size of the rule's fixes alone (the rule selected on its
  own, same mode), in added plus removed lines per file they changed.

Then the totals: the share of all fixable findings removed; the share of outputs that
BuildKit's parser accepts (of the inputs it accepts; needs the ``dockerfile`` package);
the share of outputs that are idempotent (fixing them again changes nothing); rollbacks;
and, unless ``--no-verify``, how many outputs ``dfopt fix --verify`` would refuse, by
check. The targets are printed next to the measured figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dfopt.config import DefaultSettings
from dfopt.engine.rewriter import allowed_fix
from dfopt.engine.session import Overrides, Session
from dfopt.files import InputError, decode_dockerfile, only_comments
from dfopt.rules_api import Violation
from dfopt.verify import buildkit_accepts, verify_output

TARGET_REMOVED = 0.95
TARGET_PARSE = 1.0
TARGET_IDEMPOTENT = 1.0
NAMES = ("Dockerfile", "Containerfile")


def dockerfiles(folder: Path) -> list[Path]:
    """Files below ``folder`` named like Dockerfiles."""
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.name
        if path.is_file() and (
            name in NAMES
            or name.startswith(("Dockerfile", "Containerfile"))
            or name.endswith((".Dockerfile", ".dockerfile", ".Containerfile"))
        ):
            found.append(path)
    return found


def read_inputs(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], int]:
    """The decodable files with instructions, and how many others were skipped."""
    texts = []
    skipped = 0
    for path in paths:
        try:
            text = decode_dockerfile(path.read_bytes(), str(path))
        except (OSError, InputError):
            skipped += 1
            continue
        if only_comments(text):
            skipped += 1
            continue
        texts.append((path, text))
    return texts, skipped


@dataclass
class RuleRow:
    before: int = 0
    after: int = 0
    fixable: int = 0
    removed: int = 0
    fired_files: int = 0
    changed_files: int = 0
    diff_lines: int = 0
    diff_files: int = 0


@dataclass
class ModeReport:
    name: str
    rules: dict[str, RuleRow] = field(default_factory=lambda: defaultdict(RuleRow))
    files: int = 0
    changed: int = 0
    rollbacks: int = 0
    buildkit_inputs: int = 0
    buildkit_outputs: int = 0
    idempotent: int = 0
    verified: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def fixable(self) -> int:
        return sum(row.fixable for row in self.rules.values())

    @property
    def removed(self) -> int:
        return sum(row.removed for row in self.rules.values())


def changed_lines(before: str, after: str) -> int:
    """Added plus removed lines between two texts."""
    matcher = difflib.SequenceMatcher(
        None, before.splitlines(keepends=True), after.splitlines(keepends=True), autojunk=False
    )
    return sum(
        (i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def _counts(violations: Iterable[Violation]) -> Counter[str]:
    return Counter(violation.code for violation in violations)


class Reporter:
    def __init__(self, unsafe: bool, verify: bool) -> None:
        self.unsafe = unsafe
        self.verify = verify
        self.session = Session(DefaultSettings(), None, Overrides(unsafe_fixes=unsafe))
        self._alone: dict[str, Session] = {}
        self.report = ModeReport("safe and unsafe fixes" if unsafe else "safe fixes only")

    def alone(self, code: str) -> Session:
        """A session running only rule ``code``."""
        found = self._alone.get(code)
        if found is None:
            found = Session(
                DefaultSettings(), None, Overrides(select=[code], unsafe_fixes=self.unsafe)
            )
            self._alone[code] = found
        return found

    def add(self, text: str) -> None:
        report = self.report
        session = self.session
        report.files += 1
        before = session.lint(text).violations
        result = session.fix(text)
        if result.failure is not None:
            report.rollbacks += 1
        after = result.final.violations if result.final is not None else before
        before_counts = _counts(before)
        after_counts = _counts(after)
        fixable = _counts(
            violation
            for violation in before
            if allowed_fix(violation, self.unsafe, session.is_fixable)
        )
        applied = {applied.code for applied in result.applied}
        for code in before_counts | after_counts:
            row = report.rules[code]
            row.before += before_counts[code]
            row.after += after_counts[code]
            row.fixable += fixable[code]
            gone = max(0, before_counts[code] - after_counts[code])
            row.removed += min(fixable[code], gone)
            if before_counts[code]:
                row.fired_files += 1
                if code in applied:
                    row.changed_files += 1
        for code in applied:
            alone = self.alone(code).fix(text)
            if alone.changed:
                report.rules[code].diff_lines += changed_lines(text, alone.text)
                report.rules[code].diff_files += 1
        fixed = result.text
        if result.changed:
            report.changed += 1
        accepted = buildkit_accepts(text)
        if accepted:
            report.buildkit_inputs += 1
            report.buildkit_outputs += bool(buildkit_accepts(fixed))
        again = session.fix(fixed)
        report.idempotent += again.failure is None and again.text == fixed
        if self.verify and result.changed:
            report.verified += 1
            reason = verify_output(text, result, session, None)
            if reason is not None:
                report.refusals[_check_name(reason)] += 1


def _check_name(reason: str) -> str:
    for prefix in (
        "the fixed text does not parse",
        "the fixed text has more parse problems",
        "not stable",
        "BuildKit rejects the output",
        "comment lost",
        "build changed",
        "diff not minimal",
    ):
        if reason.startswith(prefix):
            return prefix
    return reason.split(":", 1)[0]


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def render_mode(report: ModeReport) -> str:
    lines = [f"== {report.name}: {report.files} files, {report.seconds:.1f} s =="]
    header = (
        f"{'rule':<8} {'before':>7} {'after':>7} {'fixable':>8} {'removed':>8} "
        f"{'files':>7} {'diff':>6}"
    )
    lines.append(header)
    ordered = sorted(report.rules.items(), key=lambda item: (-item[1].before, item[0]))
    for code, row in ordered:
        diff = f"{row.diff_lines / row.diff_files:6.1f}" if row.diff_files else "     -"
        files = _percent(row.changed_files, row.fired_files) if row.fixable else "     -"
        removed = _percent(row.removed, row.fixable)
        lines.append(
            f"{code:<8} {row.before:>7} {row.after:>7} {row.fixable:>8} {removed:>8} "
            f"{files:>7} {diff}"
        )
    total_before = sum(row.before for row in report.rules.values())
    total_after = sum(row.after for row in report.rules.values())
    lines.append(
        f"{'total':<8} {total_before:>7} {total_after:>7} {report.fixable:>8} "
        f"{_percent(report.removed, report.fixable):>8}"
    )
    lines.append(f"files changed: {report.changed} of {report.files}")
    lines.append(f"rollbacks: {report.rollbacks}")
    return "\n".join(lines) + "\n"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _target_line(label: str, measured: float | None, target: float, detail: str) -> str:
    if measured is None:
        return f"{label}: not measured ({detail})"
    verdict = "meets" if measured >= target else "below"
    return (
        f"{label}: {100 * measured:.2f}% ({detail}); target >= {100 * target:.0f}% "
        f"[{verdict}, ratio {measured / target:.3f}]"
    )


def render_totals(safe: ModeReport, both: ModeReport, buildkit: bool) -> str:
    lines = ["== totals =="]
    lines.append(
        _target_line(
            "fixable findings removed (unsafe fixes on)",
            _ratio(both.removed, both.fixable),
            TARGET_REMOVED,
            f"{both.removed} of {both.fixable}",
        )
    )
    lines.append(
        f"fixable findings removed (safe fixes only): "
        f"{_percent(safe.removed, safe.fixable).strip()} ({safe.removed} of {safe.fixable})"
    )
    for report in (safe, both):
        if buildkit:
            lines.append(
                _target_line(
                    f"outputs BuildKit parses ({report.name})",
                    _ratio(report.buildkit_outputs, report.buildkit_inputs),
                    TARGET_PARSE,
                    f"{report.buildkit_outputs} of {report.buildkit_inputs} inputs it parses",
                )
            )
        else:
            lines.append("outputs BuildKit parses: not measured (no `dockerfile` package)")
        lines.append(
            _target_line(
                f"idempotent outputs ({report.name})",
                _ratio(report.idempotent, report.files),
                TARGET_IDEMPOTENT,
                f"{report.idempotent} of {report.files}",
            )
        )
        if report.verified:
            refused = sum(report.refusals.values())
            detail = ", ".join(f"{name}: {count}" for name, count in report.refusals.most_common())
            lines.append(
                f"--verify would refuse ({report.name}): {refused} of {report.verified} "
                f"changed files" + (f" ({detail})" if detail else "")
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--no-verify", action="store_true", help="Skip the `fix --verify` refusal counts."
    )
    args = parser.parse_args(argv)
    texts, skipped = read_inputs(dockerfiles(args.folder))
    if not texts:
        sys.stderr.write(f"no Dockerfiles under {args.folder}\n")
        return 2
    print(f"{len(texts)} Dockerfiles ({skipped} skipped: unreadable or no instructions)\n")
    reports = []
    for unsafe in (False, True):
        reporter = Reporter(unsafe, verify=not args.no_verify)
        start = time.perf_counter()
        for _, text in texts:
            reporter.add(text)
        reporter.report.seconds = time.perf_counter() - start
        reports.append(reporter.report)
        print(render_mode(reporter.report))
    print(render_totals(reports[0], reports[1], buildkit_accepts("FROM scratch\n") is not None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
