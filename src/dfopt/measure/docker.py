"""The docker backend: BuildKit builds, ``docker image inspect``/``history``, ``docker run``.

It talks to whatever daemon the docker CLI is configured for (``DOCKER_HOST``,
``DOCKER_CONTEXT``, ``DOCKER_CONFIG``), so images the user already has are found. Builds
run with ``DOCKER_BUILDKIT=1`` and ``--progress=plain`` so cached steps can be told from
steps that ran. Docker's image store keeps the docker image configuration (with SHELL,
HEALTHCHECK and ONBUILD) whatever the manifest type.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dfopt.measure.builders import (
    RUN_TIMEOUT,
    Builder,
    BuildFailed,
    Capabilities,
    HistoryEntry,
    ImageFacts,
    RunResult,
    StepOutcome,
)
from dfopt.measure.steps import buildkit_steps, instruction_of

__all__ = ["Docker", "parse_docker_history"]


def parse_docker_history(output: str) -> list[HistoryEntry]:
    """Rows of ``docker image history --no-trunc --human=false --format '{{json .}}'``.

    Docker prints the newest row first; the result is oldest first.
    """
    rows = []
    for line in output.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        size = str(row.get("Size") or "0").strip()
        rows.append(
            HistoryEntry(
                instruction_of(str(row.get("CreatedBy") or "")),
                int(size) if size.isdigit() else 0,
            )
        )
    return list(reversed(rows))


class Docker(Builder):
    """Docker Engine with BuildKit."""

    name = "docker"
    executable = "docker"

    def probe(self) -> str | None:
        try:
            done = self.command(["version", "--format", "{{json .Server}}"], timeout=30)
        except BuildFailed as failure:
            return f"the docker daemon does not answer ({failure})"
        try:
            server = json.loads(done.stdout or "null")
        except ValueError:
            server = None
        if not server:
            return "the docker daemon does not answer"
        self.version = str(server.get("Version", ""))
        return None

    @property
    def capabilities(self) -> Capabilities:
        # BuildKit reads `COPY --link` and heredocs with the default frontend since
        # Docker 23 (and with `# syntax=docker/dockerfile:1.4` before).
        from dfopt.measure.builders import parse_version

        modern = parse_version(self.version) >= (23,)
        return Capabilities(heredocs=modern, copy_link=modern)

    build_env = {"DOCKER_BUILDKIT": "1"}

    def build_arguments(self) -> list[str]:
        return ["build", "--progress=plain"]

    def parse_steps(self, lines: Sequence[str]) -> list[StepOutcome]:
        return buildkit_steps(lines)

    def inspect(self, tag: str) -> ImageFacts:
        image: dict[str, Any] = json.loads(self.command(["image", "inspect", tag]).stdout)[0]
        history = parse_docker_history(
            self.command(
                ["image", "history", "--no-trunc", "--human=false", "--format", "{{json .}}", tag]
            ).stdout
        )
        config = image.get("Config") or {}
        return ImageFacts(
            size_bytes=int(image.get("Size") or 0),
            layers=len((image.get("RootFS") or {}).get("Layers") or []),
            history=history,
            user=str(config.get("User") or ""),
            command=[*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])],
        )

    def image_config(self, tag: str) -> dict[str, Any]:
        image: dict[str, Any] = json.loads(self.command(["image", "inspect", tag]).stdout)[0]
        return dict(image.get("Config") or {})

    def run(self, tag: str, command: Sequence[str] | None, extra: Sequence[str]) -> RunResult:
        done = self.command(
            ["run", "--rm", "--network", "none", *extra, tag, *(command or [])],
            timeout=RUN_TIMEOUT,
            check=False,
        )
        return RunResult(done.returncode, done.stdout + done.stderr)

    def remove(self, tag: str, *more: str) -> None:
        self.command(["image", "rm", tag, *more], check=False)
