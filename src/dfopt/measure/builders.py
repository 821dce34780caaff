"""The small interface every image builder implements, and how dfopt picks one.

A :class:`Builder` builds a Dockerfile into a tagged image, reads the image's size, layer
count and per-instruction history from the builder's own inspect/history output, runs the
image's default command (or a given one) and removes the image. The backends are docker
(BuildKit), podman and buildah (:mod:`dfopt.measure.docker`, :mod:`dfopt.measure.containers`).

Every backend builds images in the docker image format (:data:`IMAGE_FORMAT`): the OCI
image configuration has no field for ``SHELL``, ``HEALTHCHECK`` or ``ONBUILD``, so a
builder writing OCI images (buildah's and podman's default) silently ignores them, and a
``RUN`` meant for ``SHELL ["/bin/bash", ...]`` runs in ``/bin/sh``.

:func:`detect` picks the first builder that works (``auto``: docker when its daemon
answers, then podman, then buildah) or the one asked for, and raises
:class:`BuilderUnavailable` with what to install when there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = [
    "BUILDER_NAMES",
    "IMAGE_FORMAT",
    "BuildFailed",
    "BuildResult",
    "Builder",
    "BuilderUnavailable",
    "Capabilities",
    "HistoryEntry",
    "ImageFacts",
    "RunResult",
    "StepOutcome",
    "detect",
    "parse_version",
]

#: The names accepted by ``--builder`` besides ``auto``, in the order ``auto`` tries them.
BUILDER_NAMES: tuple[str, ...] = ("docker", "podman", "buildah")

#: What to install when no builder works, shown in the error.
INSTALL_HINT = (
    "install Docker (with BuildKit and a running daemon), Podman or Buildah; "
    "on Debian and Ubuntu: `apt-get install podman` (or `apt-get install buildah`)"
)

#: The image format every backend builds: docker's keeps SHELL, HEALTHCHECK and ONBUILD.
IMAGE_FORMAT = "docker"

#: How long running an image's command may take, in seconds.
RUN_TIMEOUT = 300.0

LineSink = Callable[[str], None]


class BuilderUnavailable(Exception):
    """No builder works (or not the one asked for); the message says what to install."""


class BuildFailed(Exception):
    """A build or an image command of the builder failed; the message says which."""


@dataclass(frozen=True)
class Capabilities:
    """Dockerfile syntax the builder can build beyond the classic instruction set."""

    heredocs: bool = True
    """``RUN <<EOF`` and ``COPY <<EOF`` here-documents."""
    copy_link: bool = True
    """``COPY --link`` / ``ADD --link``."""

    def lacking(self) -> list[str]:
        """Human-readable names of what the builder cannot build."""
        names = []
        if not self.heredocs:
            names.append("heredocs")
        if not self.copy_link:
            names.append("COPY --link")
        return names


@dataclass(frozen=True)
class StepOutcome:
    """One instruction of a build, as the builder reported it."""

    instruction: str
    """The instruction as the builder printed it, such as ``RUN apt-get update``."""
    cached: bool
    """True when the builder reused a cached result instead of running the step."""

    @property
    def keyword(self) -> str:
        return self.instruction.split(None, 1)[0].upper() if self.instruction.strip() else ""


@dataclass(frozen=True)
class BuildResult:
    """The duration of a build and what happened to each step."""

    seconds: float
    steps: list[StepOutcome] = field(default_factory=list)

    @property
    def reran_runs(self) -> list[str]:
        """The RUN steps that ran (were not taken from the cache)."""
        return [
            step.instruction for step in self.steps if step.keyword == "RUN" and not step.cached
        ]


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the image history: the instruction that made it and its bytes."""

    instruction: str
    size_bytes: int


@dataclass(frozen=True)
class ImageFacts:
    """What the builder says about a built image."""

    size_bytes: int
    layers: int
    history: list[HistoryEntry]
    """Oldest first (the base image's rows, then the Dockerfile's instructions)."""
    user: str = ""
    """The image's configured user (empty for root)."""
    command: list[str] = field(default_factory=list)
    """The default command: the entrypoint followed by the command."""


@dataclass(frozen=True)
class RunResult:
    """The exit status and combined output of a command run in an image."""

    exit_code: int
    output: str


def parse_version(text: str) -> tuple[int, ...]:
    """The leading dotted numbers of a version string: ``'1.28.2+ds1'`` -> ``(1, 28, 2)``."""
    numbers: list[int] = []
    for part in text.strip().lstrip("v").split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(numbers)


class Builder(ABC):
    """One image builder (a command-line tool) behind the interface dfopt measures with.

    ``env`` is the environment the builder's commands run in: the user's own, so the
    builder's standard settings (``DOCKER_HOST``, ``CONTAINERS_CONF``,
    ``CONTAINERS_STORAGE_CONF`` ...) and image store apply; a backend adds its own
    settings only where the defaults cannot work.
    """

    name: str = ""
    executable: str = ""
    image_format: str = IMAGE_FORMAT
    """The image format the backend builds (it passes the builder the option for it)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env: dict[str, str] = dict(os.environ if env is None else env)
        self.version: str = ""

    # -- set-up -------------------------------------------------------------------------

    def available(self) -> str | None:
        """None when the builder works here, or why it does not."""
        if shutil.which(self.executable, path=self.env.get("PATH")) is None:
            return f"`{self.executable}` is not installed"
        return self.probe()

    @abstractmethod
    def probe(self) -> str | None:
        """Check that the installed builder can build; None, or why it cannot."""

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities:
        """The Dockerfile syntax this version can build."""

    # -- the four operations ------------------------------------------------------------

    build_env: Mapping[str, str] = {}
    """Environment settings the backend's build command needs on top of the user's."""

    def build(
        self,
        dockerfile: Path,
        context: Path,
        tag: str,
        *,
        no_cache: bool,
        log: IO[str],
        on_line: LineSink | None = None,
        build_args: Mapping[str, str] | None = None,
    ) -> BuildResult:
        """Build ``dockerfile`` in ``context`` as ``tag`` (with ``--build-arg`` for each of
        ``build_args``); raise BuildFailed on failure."""
        args = self.build_arguments()
        if no_cache:
            args.append("--no-cache")
        for name, value in (build_args or {}).items():
            args += ["--build-arg", f"{name}={value}"]
        args += ["-f", str(dockerfile), "-t", tag, str(context)]
        status, seconds, lines = self.stream(args, log=log, on_line=on_line, env=self.build_env)
        if status != 0:
            raise BuildFailed(
                f"{self.name} could not build {dockerfile.name} (exit status {status})"
            )
        return BuildResult(seconds, self.parse_steps(lines))

    def build_arguments(self) -> list[str]:
        """The build subcommand and the backend's own options, before the common ones."""
        raise NotImplementedError

    def parse_steps(self, lines: Sequence[str]) -> list[StepOutcome]:
        """The steps of a build, from the builder's output, and whether each was cached."""
        raise NotImplementedError

    @abstractmethod
    def inspect(self, tag: str) -> ImageFacts:
        """Size, layers and history of the image ``tag``."""

    def image_config(self, tag: str) -> dict[str, Any]:
        """The image's configuration in docker's spelling: ``Env``, ``Cmd``, ``Entrypoint``,
        ``WorkingDir``, ``User``, ``ExposedPorts``, ``Labels``, ``Volumes``,
        ``Healthcheck``, ``StopSignal``, ``Shell``, ``OnBuild`` (keys the image does not
        set may be missing)."""
        raise NotImplementedError(f"{self.name} cannot read an image configuration")

    @abstractmethod
    def run(self, tag: str, command: Sequence[str] | None, extra: Sequence[str]) -> RunResult:
        """Run ``command`` (default: the image's own) in ``tag`` with no network."""

    @abstractmethod
    def remove(self, tag: str, *more: str) -> None:
        """Remove the image ``tag`` and the ``more`` ones, in one command (their cached
        layers stay for the builder's cache)."""

    # -- helpers for the backends -------------------------------------------------------

    def command(
        self,
        args: Sequence[str],
        *,
        timeout: float | None = 120.0,
        check: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the builder with ``args``, capturing its output."""
        try:
            done = subprocess.run(
                [self.executable, *args],
                capture_output=True,
                text=True,
                errors="replace",
                env={**self.env, **(env or {})},
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BuildFailed(
                f"`{self.executable} {' '.join(args[:2])}` took longer than {timeout:.0f} s"
            ) from error
        if check and done.returncode != 0:
            message = (done.stderr or done.stdout).strip().splitlines()
            last = message[-1] if message else f"exit status {done.returncode}"
            raise BuildFailed(f"`{self.executable} {' '.join(args[:2])}` failed: {last}")
        return done

    def stream(
        self,
        args: Sequence[str],
        *,
        log: IO[str],
        on_line: LineSink | None,
        env: Mapping[str, str] | None = None,
    ) -> tuple[int, float, list[str]]:
        """Run the builder with ``args``, copying its output to ``log`` line by line.

        Returns the exit status, the wall-clock seconds and the output lines.
        """
        log.write(f"$ {self.executable} {' '.join(args)}\n")
        log.flush()
        lines: list[str] = []
        start = time.monotonic()
        with subprocess.Popen(
            [self.executable, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env={**self.env, **(env or {})},
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                stripped = line.rstrip("\n")
                lines.append(stripped)
                if on_line is not None:
                    on_line(stripped)
            status = process.wait()
        seconds = time.monotonic() - start
        log.write(f"# exit status {status} after {seconds:.1f} s\n")
        log.flush()
        return status, seconds, lines


def _backends(env: Mapping[str, str] | None) -> dict[str, Builder]:
    from dfopt.measure.containers import Buildah, Podman
    from dfopt.measure.docker import Docker

    return {"docker": Docker(env), "podman": Podman(env), "buildah": Buildah(env)}


def detect(preference: str = "auto", env: Mapping[str, str] | None = None) -> Builder:
    """The builder to measure with: ``preference`` or, for ``auto``, the first that works."""
    backends = _backends(env)
    if preference != "auto":
        if preference not in backends:
            raise BuilderUnavailable(
                f"unknown builder `{preference}`; use auto, {', '.join(BUILDER_NAMES)}"
            )
        builder = backends[preference]
        problem = builder.available()
        if problem is not None:
            raise BuilderUnavailable(f"builder `{preference}` cannot be used: {problem}")
        return builder
    reasons = []
    for name in BUILDER_NAMES:
        builder = backends[name]
        problem = builder.available()
        if problem is None:
            return builder
        reasons.append(f"{name}: {problem}")
    raise BuilderUnavailable(
        "no image builder works here (" + "; ".join(reasons) + "); " + INSTALL_HINT
    )
