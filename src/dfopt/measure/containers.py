"""The podman and buildah backends (both use the containers/storage image store).

They use the user's own image store and settings (``CONTAINERS_STORAGE_CONF``,
``CONTAINERS_CONF``, ``STORAGE_DRIVER`` ...), so base images already there are found.
dfopt adds its own settings only where the defaults cannot work:

- storage: the configured driver (usually overlay); when the store cannot be opened with
  it and no driver was configured, ``STORAGE_DRIVER=vfs``;
- builds always use ``--isolation chroot`` (no runtime, no namespaces needed),
  ``--layers``, so every instruction gets its own cached layer as with docker, and
  ``--format docker`` (also ``BUILDAH_FORMAT=docker``): in their default OCI format
  ``SHELL``, ``HEALTHCHECK`` and ``ONBUILD`` are dropped without an error;
- running (podman): the default runtime first; when it cannot start a container because
  it may not set resource limits (common in nested containers), ``runc`` with explicit
  ulimits no higher than this process's own limits.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dfopt.measure.builders import (
    IMAGE_FORMAT,
    Builder,
    BuildFailed,
    Capabilities,
    HistoryEntry,
    ImageFacts,
    RunResult,
    StepOutcome,
    parse_version,
)
from dfopt.measure.steps import buildah_steps, instruction_of

__all__ = ["Buildah", "Podman", "buildah_capabilities", "explicit_ulimits"]

#: The first buildah versions that build heredocs and ``COPY --link``.
HEREDOCS_SINCE = (1, 33)
COPY_LINK_SINCE = (1, 31)


def buildah_capabilities(version: str) -> Capabilities:
    """What buildah ``version`` (also the one inside podman) can build."""
    parsed = parse_version(version)
    if not parsed:
        return Capabilities(heredocs=False, copy_link=False)
    return Capabilities(heredocs=parsed >= HEREDOCS_SINCE, copy_link=parsed >= COPY_LINK_SINCE)


def explicit_ulimits() -> list[str]:
    """``--ulimit`` options a nested runtime accepts: this process's own soft limits.

    The number of processes is also kept at or below ``kernel.pid_max``, which runc
    refuses to exceed in some sandboxes.
    """
    import resource

    options = []
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile != resource.RLIM_INFINITY:
        options += ["--ulimit", f"nofile={nofile}:{nofile}"]
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    try:
        pid_max = int(Path("/proc/sys/kernel/pid_max").read_text().strip())
    except (OSError, ValueError):
        pid_max = 32768
    nproc = pid_max if nproc == resource.RLIM_INFINITY else min(nproc, pid_max)
    options += ["--ulimit", f"nproc={nproc}:{nproc}"]
    return options


def _storage_problem(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("overlay", "storage driver", "graph driver", "mount"))


class _ContainersBuilder(Builder):
    """What podman and buildah share: storage probing, chroot builds, step parsing."""

    build_command = "build"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.added_env: dict[str, str] = {}
        """Settings dfopt had to add (shown in the report)."""

    def info(self) -> dict[str, Any]:
        raise NotImplementedError

    def probe(self) -> str | None:
        try:
            self.info()
        except BuildFailed as failure:
            configured = "STORAGE_DRIVER" in self.env or "CONTAINERS_STORAGE_CONF" in self.env
            if configured or not _storage_problem(str(failure)):
                return str(failure)
            self.env["STORAGE_DRIVER"] = "vfs"
            self.added_env["STORAGE_DRIVER"] = "vfs"
            try:
                self.info()
            except BuildFailed as second:
                return f"{failure}; with the vfs storage driver: {second}"
        return None

    @property
    def capabilities(self) -> Capabilities:
        return buildah_capabilities(self.buildah_version())

    def buildah_version(self) -> str:
        raise NotImplementedError

    build_env = {"BUILDAH_ISOLATION": "chroot", "BUILDAH_FORMAT": IMAGE_FORMAT}

    def build_arguments(self) -> list[str]:
        return [
            self.build_command,
            "--layers",
            "--isolation",
            "chroot",
            "--format",
            self.image_format,
        ]

    def parse_steps(self, lines: Sequence[str]) -> list[StepOutcome]:
        return buildah_steps(lines)

    def remove(self, tag: str, *more: str) -> None:
        self.command(["rmi", tag, *more], check=False)


def _buildah_image_config(image: dict[str, Any]) -> dict[str, Any]:
    """The configuration of ``buildah inspect --type image``: the docker one when the image
    has it (docker format), else the OCI one (which has no Shell, Healthcheck, OnBuild)."""
    docker = (image.get("Docker") or {}).get("config")
    if docker:
        return dict(docker)
    return dict((image.get("OCIv1") or {}).get("config") or {})


def _config_command(config: dict[str, Any]) -> list[str]:
    entrypoint = config.get("Entrypoint") or config.get("entrypoint") or []
    cmd = config.get("Cmd") or config.get("cmd") or []
    return [*entrypoint, *cmd]


class Podman(_ContainersBuilder):
    """Podman: ``podman build`` (buildah inside), ``podman image history``, ``podman run``."""

    name = "podman"
    executable = "podman"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self._info: dict[str, Any] | None = None
        self._run_options: list[str] | None = None

    def info(self) -> dict[str, Any]:
        if self._info is None:
            done = self.command(["info", "--format", "json"], timeout=60)
            self._info = json.loads(done.stdout)
            self.version = str(self._info.get("version", {}).get("Version", ""))
        return self._info

    def buildah_version(self) -> str:
        return str(self.info().get("host", {}).get("buildahVersion", ""))

    def inspect(self, tag: str) -> ImageFacts:
        image = json.loads(self.command(["image", "inspect", "--format", "json", tag]).stdout)[0]
        rows = json.loads(self.command(["image", "history", "--format", "json", tag]).stdout)
        history = [
            HistoryEntry(
                instruction_of(str(row.get("CreatedBy") or row.get("createdBy") or "")),
                int(row.get("size") or row.get("Size") or 0),
            )
            for row in reversed(rows)
        ]
        config = image.get("Config") or {}
        return ImageFacts(
            size_bytes=int(image.get("Size") or 0),
            layers=len((image.get("RootFS") or {}).get("Layers") or []),
            history=history,
            user=str(config.get("User") or ""),
            command=_config_command(config),
        )

    def image_config(self, tag: str) -> dict[str, Any]:
        """Podman's inspect shows the configuration without ``Shell`` and ``OnBuild``;
        buildah, which shares podman's image store, reads the whole of it when installed."""
        if shutil.which("buildah", path=self.env.get("PATH")):
            buildah = Buildah(self.env)
            done = buildah.command(["inspect", "--type", "image", tag], check=False)
            if done.returncode == 0:
                return _buildah_image_config(json.loads(done.stdout))
        image = json.loads(self.command(["image", "inspect", "--format", "json", tag]).stdout)[0]
        config = dict(image.get("Config") or {})
        if image.get("Healthcheck"):
            config["Healthcheck"] = image["Healthcheck"]
        return config

    def run(self, tag: str, command: Sequence[str] | None, extra: Sequence[str]) -> RunResult:
        base = ["run", "--rm", "--network", "none"]
        if self._run_options is not None:
            return self._run(base + self._run_options, tag, command, extra)
        result = self._run(base, tag, command, extra)
        if result.exit_code in (125, 126, 127) and "rlimit" in result.output:
            options = explicit_ulimits()
            if shutil.which("runc", path=self.env.get("PATH")):
                options = ["--runtime", "runc", *options]
            self._run_options = options
            self.added_env["run options"] = " ".join(options)
            return self._run(base + options, tag, command, extra)
        self._run_options = []
        return result

    def _run(
        self, base: list[str], tag: str, command: Sequence[str] | None, extra: Sequence[str]
    ) -> RunResult:
        from dfopt.measure.builders import RUN_TIMEOUT

        done = self.command(
            [*base, *extra, tag, *(command or [])], timeout=RUN_TIMEOUT, check=False
        )
        return RunResult(done.returncode, done.stdout + done.stderr)


class Buildah(_ContainersBuilder):
    """Buildah: ``buildah bud``, ``buildah inspect``, ``buildah run`` in a working container."""

    name = "buildah"
    executable = "buildah"
    build_command = "bud"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self._info: dict[str, Any] | None = None

    def info(self) -> dict[str, Any]:
        if self._info is None:
            done = self.command(["info"], timeout=60)
            self._info = json.loads(done.stdout)
            version = self.command(["--version"], timeout=60).stdout.split()
            self.version = version[2] if len(version) > 2 else ""
        return self._info

    def buildah_version(self) -> str:
        self.info()
        return self.version

    def _layer_sizes(self) -> dict[str, int]:
        """Uncompressed layer sizes by diff digest, from the image store's layer records."""
        store = self.info().get("store", {})
        root = Path(str(store.get("GraphRoot", "")))
        driver = str(store.get("GraphDriverName", ""))
        try:
            records = json.loads((root / f"{driver}-layers" / "layers.json").read_text())
        except (OSError, ValueError):
            return {}
        return {
            str(record.get("diff-digest")): int(record.get("diff-size") or 0)
            for record in records
            if record.get("diff-digest")
        }

    def inspect(self, tag: str) -> ImageFacts:
        image = json.loads(self.command(["inspect", "--type", "image", tag]).stdout)
        oci = image.get("OCIv1") or {}
        diff_ids = list((oci.get("rootfs") or {}).get("diff_ids") or [])
        sizes = self._layer_sizes()
        layer_sizes = iter([sizes.get(digest, 0) for digest in diff_ids])
        history = []
        for row in image.get("History") or oci.get("history") or []:
            size = 0 if row.get("empty_layer") else next(layer_sizes, 0)
            history.append(HistoryEntry(instruction_of(str(row.get("created_by") or "")), size))
        config = oci.get("config") or {}
        return ImageFacts(
            size_bytes=sum(sizes.get(digest, 0) for digest in diff_ids),
            layers=len(diff_ids),
            history=history,
            user=str(config.get("User") or ""),
            command=_config_command(config),
        )

    def image_config(self, tag: str) -> dict[str, Any]:
        return _buildah_image_config(
            json.loads(self.command(["inspect", "--type", "image", tag]).stdout)
        )

    def run(self, tag: str, command: Sequence[str] | None, extra: Sequence[str]) -> RunResult:
        from dfopt.measure.builders import RUN_TIMEOUT

        argv = list(command) if command else self.inspect(tag).command
        if not argv:
            return RunResult(0, "")
        container = self.command(["from", "--pull-never", tag]).stdout.strip().splitlines()[-1]
        try:
            done = self.command(
                ["run", "--isolation", "chroot", *extra, container, "--", *argv],
                timeout=RUN_TIMEOUT,
                check=False,
                env={"BUILDAH_ISOLATION": "chroot"},
            )
        finally:
            self.command(["rm", container], check=False)
        return RunResult(done.returncode, done.stdout + done.stderr)
