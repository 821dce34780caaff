"""Build each benchmark project before and after `dfopt fix` and print one table.

The projects are the real-build test projects in fixtures/measure/ (a Go service, a
Python app, a RUN that deletes a file a previous RUN wrote) and the Node front-end next
to this script. Each is measured with `dfopt measure` (unsafe fixes on unless --safe)
and the table shows, before and after: image size, layers, the cold build time and the
rebuild time after a source-only change (with the RUN steps it re-ran).

Needs an image builder (docker, podman or buildah) and the projects' base image
(`debian:bookworm`; `.ci/run` builds one locally with debootstrap).

    python benchmarks/images/run.py [--safe] [--builder NAME] [--format markdown|text] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECTS: dict[str, Path] = {
    "go-service": ROOT / "fixtures" / "measure" / "go-service",
    "python-app": ROOT / "fixtures" / "measure" / "python-app",
    "rm-later": ROOT / "fixtures" / "measure" / "rm-later",
    "node-frontend": Path(__file__).resolve().parent / "node-frontend",
}

HEADERS = (
    "project",
    "size before",
    "size after",
    "layers",
    "cold build",
    "rebuild after source change",
)


def _row(name: str, data: dict[str, object]) -> tuple[str, ...]:
    from dfopt.measure.report import human_size

    before = data["before"]
    after = data["after"]
    assert isinstance(before, dict) and isinstance(after, dict)

    def change(side: dict[str, object]) -> str:
        seconds = side["source_change_build_seconds"]
        if seconds is None:
            return "-"
        return f"{seconds:.1f} s ({side['reran_steps']} RUN)"

    ratio = before["size_bytes"] / after["size_bytes"] if after["size_bytes"] else 0.0
    return (
        name,
        human_size(int(before["size_bytes"])),
        f"{human_size(int(after['size_bytes']))} ({ratio:.1f}x smaller)",
        f"{before['layers']} -> {after['layers']}",
        f"{before['cold_build_seconds']:.0f} s -> {after['cold_build_seconds']:.0f} s",
        f"{change(before)} -> {change(after)}",
    )


def render(rows: list[tuple[str, ...]], style: str) -> str:
    """The table as Markdown or aligned text."""
    if style == "markdown":
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(row[index]) for row in [HEADERS, *rows]) for index in range(len(HEADERS))]
    return (
        "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [HEADERS, *rows]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", metavar="NAME", help=", ".join(PROJECTS))
    parser.add_argument("--safe", action="store_true", help="safe fixes only")
    parser.add_argument("--builder", default="auto")
    parser.add_argument("--format", choices=("markdown", "text"), default="text")
    parser.add_argument("--json", metavar="FILE", help="also write every report to FILE")
    args = parser.parse_args(argv)

    from dfopt.measure.builders import detect
    from dfopt.measure.report import to_json
    from dfopt.measure.runner import MeasureOptions, measure

    names = args.projects or list(PROJECTS)
    unknown = [name for name in names if name not in PROJECTS]
    if unknown:
        parser.error(f"unknown project(s): {', '.join(unknown)}")
    builder = detect(args.builder)
    reports: dict[str, object] = {}
    rows = []
    logs = Path(tempfile.mkdtemp(prefix="dfopt-bench-images-"))
    for name in names:
        folder = PROJECTS[name]
        result = measure(
            MeasureOptions(
                dockerfile=folder / "Dockerfile",
                context=folder,
                unsafe_fixes=not args.safe,
                log_path=logs / f"{name}.log",
                isolated=True,
            ),
            builder,
        )
        data = to_json(result)
        reports[name] = data
        rows.append(_row(name, data))
        behaviour = data["behaviour"]
        if isinstance(behaviour, dict) and not (
            behaviour["same"] or behaviour["expected_difference"]
        ):
            sys.stderr.write(f"{name}: the images behave differently: {behaviour['note']}\n")
    version = f" {builder.version}" if builder.version else ""
    fixes = "safe fixes" if args.safe else "safe and unsafe fixes"
    sys.stdout.write(f"dfopt measure, {fixes}, {builder.name}{version}; logs in {logs}\n\n")
    sys.stdout.write(render(rows, args.format))
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
