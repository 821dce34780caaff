"""Lint and fix a folder of Dockerfiles and print speed and memory figures.

Usage:
    python benchmarks/bench.py [FOLDER] [--repeat N] [--cold-runs N]

FOLDER defaults to the bundled fixtures. Figures printed: lint and fix throughput in
files per second (one process, one core), peak memory (resident set size) and the cold
start of ``dfopt check`` on one small file. Targets are printed next to the figures;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_COLD_MS = 150.0
TARGET_FILES_PER_SECOND = 500.0
NAMES = ("Dockerfile", "Containerfile")


def dockerfiles(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.name
        if not path.is_file():
            continue
        if (
            name in NAMES
            or name.startswith("Dockerfile")
            or name.endswith((".Dockerfile", ".dockerfile"))
        ):
            found.append(path)
    return found


def read_all(paths: list[Path]) -> list[tuple[Path, str]]:
    texts = []
    for path in paths:
        try:
            texts.append((path, path.read_bytes().decode("utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def throughput(texts: list[tuple[Path, str]], action: str, repeat: int) -> float:
    from dfopt.config import Settings
    from dfopt.engine.session import Session

    session = Session(Settings())
    session.lint("FROM scratch\n")  # load the rule pack and the shell parser first
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path, text in texts:
            if action == "lint":
                session.lint(text, path)
            else:
                session.fix(text, path)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best if best > 0 else float("inf")


def cold_start(runs: int) -> float:
    executable = shutil.which("dfopt")
    command = [executable] if executable else [sys.executable, "-m", "dfopt"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Dockerfile"
        path.write_text("FROM alpine:3.20\nRUN echo hello\nUSER nobody\n", encoding="utf-8")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [*command, "check", "--isolated", str(path)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    paths = dockerfiles(args.folder)
    texts = read_all(paths)
    if not texts:
        print(f"no readable Dockerfiles under {args.folder}")
        return 1
    lint_rate = throughput(texts, "lint", args.repeat)
    fix_rate = throughput(texts, "fix", max(1, args.repeat - 1))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold_ms = cold_start(args.cold_runs)
    print(f"files:            {len(texts)} ({args.folder})")
    print(
        f"lint throughput:  {lint_rate:8.0f} files/s  (target >= "
        f"{TARGET_FILES_PER_SECOND:.0f}, ratio {lint_rate / TARGET_FILES_PER_SECOND:.2f})"
    )
    print(f"fix throughput:   {fix_rate:8.0f} files/s")
    print(f"peak memory:      {peak_mb:8.1f} MB")
    print(
        f"cold start:       {cold_ms:8.1f} ms for `dfopt check` on one file"
        f"  (target < {TARGET_COLD_MS:.0f}, ratio {cold_ms / TARGET_COLD_MS:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
