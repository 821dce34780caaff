"""``dfopt format`` next to dockerfmt over a folder of Dockerfiles.

Usage:
    python benchmarks/format_bench.py [FOLDER] [--dockerfmt-root DIR]

dockerfmt is the npm package ``@reteps/dockerfmt`` (its ``dockerfmt`` program runs the Go
tool); it is only needed here: ``npm install --prefix benchmarks`` installs the version
pinned in ``benchmarks/package.json``, ``--dockerfmt-root`` points at another install,
and a ``dockerfmt`` on the PATH is used first. Without it, dockerfmt is skipped with a
note.

Both tools format a copy of every file twice (nothing in FOLDER is changed). Printed per
tool: the files it formatted, the files whose instructions BuildKit's parser (the
``dockerfile`` package of the test extras) reads differently afterwards (keyword,
flags, arguments with shell commands compared as shell words, heredocs; ``MAINTAINER x``
counts as ``LABEL org.opencontainers.image.authors=x``, which dockerfmt writes on
purpose), the files it
gave up on (an error, or dfopt's "not formatted" reason), the files a second run still
changes, and the time of the first run. Each tool runs as one process over the whole
copy (``dfopt format --isolated``, ``dockerfmt --newline --write``). Files BuildKit
rejects as they are do not count in the meaning column. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import dockerfiles  # noqa: E402


class Figures:
    def __init__(self, name: str) -> None:
        self.name = name
        self.changed = 0
        self.meaning = 0
        self.gave_up = 0
        self.unstable = 0
        self.seconds = 0.0
        self.examples: list[str] = []


def dfopt_command() -> list[str]:
    executable = shutil.which("dfopt")
    return [executable] if executable else [sys.executable, "-m", "dfopt"]


def copy_inputs(files: list[Path], folder: Path) -> list[Path]:
    """Copies of ``files`` under ``folder`` (one sub-folder each, names kept)."""
    copies = []
    for index, path in enumerate(files):
        target = folder / f"{index:05d}" / path.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)
        copies.append(target)
    return copies


def run_dfopt(folder: Path) -> tuple[float, set[str]]:
    """Format ``folder`` in place; the time and the files dfopt gave up on."""
    start = time.perf_counter()
    completed = subprocess.run(
        [*dfopt_command(), "format", "--isolated", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    gave_up = set()
    for line in completed.stderr.splitlines():
        if line.startswith("dfopt: error: ") and ": not formatted: " in line:
            gave_up.add(line[len("dfopt: error: ") :].split(": not formatted: ", 1)[0])
    return seconds, gave_up


def dockerfmt_executable(root: Path) -> str | None:
    """The dockerfmt program: on the PATH, or installed by npm under ``root``.

    npm installs a launcher script and the Go binary for the platform; the binary is
    run directly when it is there (the launcher costs a node start per call).
    """
    found = shutil.which("dockerfmt")
    if found is not None:
        return found
    for binary in sorted((root / "node_modules" / "@reteps").glob("dockerfmt-*/bin/dockerfmt")):
        return str(binary)
    local = root / "node_modules" / ".bin" / "dockerfmt"
    if local.is_file() and shutil.which("node") is not None:
        return str(local)
    return None


def run_dockerfmt(executable: str, files: list[Path]) -> tuple[float, set[str]]:
    """Format ``files`` in place (one process); the time and the files it failed on."""
    start = time.perf_counter()
    completed = subprocess.run(
        [executable, "--newline", "--write", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    failed: set[str] = set()
    if completed.returncode != 0:
        # It stops at the first file it cannot format: format the files one by one.
        for path in files:
            probe = subprocess.run(
                [executable, "--newline", "--write", str(path)], capture_output=True, check=False
            )
            if probe.returncode != 0:
                failed.add(str(path))
    return seconds, failed


def meaning_changed(before: str, after: str) -> str | None:
    import dockerfile

    from dfopt.format.meaning import buildkit_difference

    try:
        return buildkit_difference(before, after, maintainer_as_label=True)
    except dockerfile.GoParseError:
        return None  # BuildKit rejects the input itself


def tally(
    figures: Figures,
    originals: list[tuple[Path, str]],
    first: list[Path],
    second: list[Path],
    gave_up: set[str],
) -> None:
    for (path, text), once, twice in zip(originals, first, second, strict=True):
        if str(once) in gave_up:
            figures.gave_up += 1
        formatted = once.read_bytes().decode("utf-8", "surrogateescape")
        if formatted == text:
            continue
        figures.changed += 1
        difference = meaning_changed(text, formatted)
        if difference is not None:
            figures.meaning += 1
            if len(figures.examples) < 5:
                figures.examples.append(f"{path.name}: {difference}")
        if twice.read_bytes() != once.read_bytes():
            figures.unstable += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--dockerfmt-root", type=Path, default=ROOT / "benchmarks")
    args = parser.parse_args()
    try:
        import dockerfile  # noqa: F401
    except ImportError:
        print('BuildKit\'s parser is missing: pip install -e ".[test]"')
        return 1
    files = dockerfiles(args.folder)
    originals = []
    for path in files:
        try:
            originals.append((path, path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    files = [path for path, _ in originals]
    if not files:
        print(f"no Dockerfiles under {args.folder}")
        return 1
    print(f"files: {len(files)} ({args.folder})")
    results: list[Figures] = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        # dfopt
        first = copy_inputs(files, base / "dfopt-1")
        figures = Figures("dfopt format")
        figures.seconds, gave_up = run_dfopt(base / "dfopt-1")
        shutil.copytree(base / "dfopt-1", base / "dfopt-2")
        run_dfopt(base / "dfopt-2")
        second = [base / "dfopt-2" / path.relative_to(base / "dfopt-1") for path in first]
        tally(figures, originals, first, second, gave_up)
        results.append(figures)
        # dockerfmt
        executable = dockerfmt_executable(args.dockerfmt_root)
        if executable is None:
            print(
                "dockerfmt skipped: needs node and @reteps/dockerfmt "
                "(npm install --prefix benchmarks)"
            )
        else:
            once = copy_inputs(files, base / "dockerfmt-1")
            figures = Figures("dockerfmt")
            figures.seconds, failed = run_dockerfmt(executable, once)
            shutil.copytree(base / "dockerfmt-1", base / "dockerfmt-2")
            twice = [base / "dockerfmt-2" / path.relative_to(base / "dockerfmt-1") for path in once]
            run_dockerfmt(executable, twice)
            tally(figures, originals, once, twice, failed)
            results.append(figures)
    print()
    print(f"{'tool':<14}{'changed':>9}{'meaning':>9}{'gave up':>9}{'unstable':>10}{'time':>9}")
    for figures in results:
        print(
            f"{figures.name:<14}{figures.changed:>9}{figures.meaning:>9}{figures.gave_up:>9}"
            f"{figures.unstable:>10}{figures.seconds:>8.2f}s"
        )
    for figures in results:
        for example in figures.examples:
            print(f"  {figures.name}: {example}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
