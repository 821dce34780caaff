"""The real-build safety oracle: build a Dockerfile and its safe fix, compare the images.

For a case folder (a build context with a ``Dockerfile`` and a ``case.yaml``) the oracle

1. copies the folder twice (``before`` and ``after``), adding the local apt repository
   when the case asks for it, so the Dockerfile's own folder is the build context, as
   context-aware rules expect;
2. fixes the ``before`` copy's Dockerfile with SAFE fixes only, through the same function
   ``dfopt measure`` uses (the project's rules, no configuration file; rules whose fixes
   need syntax the builder cannot build are left out and named); when the fixes change
   nothing, the original's image stands for the fixed one;
3. builds both with the detected builder in the docker image format, and reads each
   image's final filesystem (every path with its type, mode, uid, gid, size, content
   hash and link target) and configuration;
4. compares the outcome (both built or both failed), the filesystems minus the cache and
   log paths of :data:`dfopt.programs.CACHE_PATHS` and the paths the case allows to
   vanish, and the configuration keys of :data:`CONFIG_KEYS`.

The images and containers it makes are removed afterwards; the builder's layer cache is
kept so cases sharing their first steps build faster.

``case.yaml`` keys: ``exercises`` (what the case is about), ``expect_change`` (``true``:
the safe fixes must change the Dockerfile; ``false``: they must not; ``null``: either),
``may_vanish`` (absolute path globs that may exist only in the original's image, each
with the reason in a comment), ``build_args`` (name: value) and ``apt_repo`` (``true``
to get the local repository of :func:`write_apt_repo` as ``local-apt/`` in the context,
for ``COPY local-apt/ /``) and ``dockerfile`` (the Dockerfile's path in the folder when
it is not ``Dockerfile``: the folder stays the build context).

A case may also hold ``hazard.Dockerfile``: the unsafe rewrite the case guards against
(a merge behind ``&&`` that switches errexit off, a list removal before a later install
...). It is built too, and must differ from the original, which shows that the case can
catch the hazard at all.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import os
import posixpath
import shutil
import stat
import subprocess
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ruamel.yaml import YAML

from dfopt.measure.builders import Builder, BuildFailed, Capabilities
from dfopt.measure.runner import fix_for_builder
from dfopt.programs.caches import is_cache_path

__all__ = [
    "BASE_IMAGE",
    "CONFIG_KEYS",
    "Case",
    "Entry",
    "Image",
    "Verdict",
    "compare",
    "judge_all",
    "load_cases",
    "require_builder",
    "write_apt_repo",
]

#: The base image of the cases (``.ci/run`` makes it locally with debootstrap).
BASE_IMAGE = "docker.io/library/debian:bookworm"

#: Set (as CI sets it) to fail, not skip, real-build tests when no builder works.
REQUIRED = bool(os.environ.get("DFOPT_REQUIRE_REAL_BUILDS"))

#: The image configuration keys a safe fix must keep.
CONFIG_KEYS = (
    "Env",
    "WorkingDir",
    "User",
    "Entrypoint",
    "Cmd",
    "ExposedPorts",
    "Labels",
    "Volumes",
    "Healthcheck",
    "StopSignal",
    "Shell",
)

#: How many differing paths or keys a report shows.
SHOWN = 8


def unavailable(reason: str) -> None:
    """Skip a real-build test, or fail it when real builds are required."""
    import pytest

    if REQUIRED:
        pytest.fail(f"real builds are required here but {reason}")
    pytest.skip(reason)


def has_base_image(builder: Builder) -> bool:
    if builder.name == "docker":
        args = ["image", "inspect", BASE_IMAGE]
    elif builder.name == "podman":
        args = ["image", "exists", BASE_IMAGE]
    else:
        args = ["inspect", "--type", "image", BASE_IMAGE]
    return builder.command(args, check=False).returncode == 0


def require_builder() -> Builder:
    """The detected builder with the base image in its store; else skip (or fail)."""
    from dfopt.measure import builders

    try:
        builder = builders.detect("auto")
    except builders.BuilderUnavailable as problem:
        unavailable(str(problem))
        raise
    if not has_base_image(builder):
        unavailable(
            f"the base image {BASE_IMAGE} is not in {builder.name}'s image store "
            "(.ci/run builds one with debootstrap)"
        )
    return builder


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    exercises: str
    expect_change: bool | None
    may_vanish: tuple[str, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    apt_repo: bool = False
    dockerfile: str = "Dockerfile"
    """The Dockerfile's path in the case folder, which is always the build context."""


def load_cases(root: Path) -> list[Case]:
    """Every case folder under ``root`` (those with a ``case.yaml``), by name."""
    cases = []
    for spec in sorted(root.glob("*/case.yaml")):
        data = YAML(typ="safe").load(spec.read_text(encoding="utf-8")) or {}
        unknown = set(data) - {
            "exercises",
            "expect_change",
            "may_vanish",
            "build_args",
            "apt_repo",
            "dockerfile",
        }
        if unknown:
            raise ValueError(f"{spec}: unknown keys {sorted(unknown)}")
        cases.append(
            Case(
                name=spec.parent.name,
                folder=spec.parent,
                exercises=str(data.get("exercises", "")).strip(),
                expect_change=data.get("expect_change"),
                may_vanish=tuple(data.get("may_vanish") or ()),
                build_args={str(k): str(v) for k, v in (data.get("build_args") or {}).items()},
                apt_repo=bool(data.get("apt_repo", False)),
                dockerfile=str(data.get("dockerfile", "Dockerfile")),
            )
        )
    return cases


# -- a local apt repository ----------------------------------------------------------------

#: The packages of the local repository: name -> {path in the package: text}.
APT_PACKAGES: dict[str, dict[str, str]] = {
    "dfopt-hello": {"usr/bin/dfopt-hello": "#!/bin/sh\necho hello from dfopt-hello\n"},
    "dfopt-data": {"usr/share/dfopt-data/data.txt": "data of dfopt-data\n"},
    "dfopt-later": {"usr/bin/dfopt-later": "#!/bin/sh\necho installed later\n"},
}


def _ar_member(name: str, data: bytes) -> bytes:
    header = f"{name:<16}{0:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def _tar_gz(files: Mapping[str, tuple[bytes, int]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        folders: set[str] = set()
        for name in sorted(files):
            parts = name.split("/")[:-1]
            for index in range(1, len(parts) + 1):
                folder = "/".join(parts[:index])
                if folder not in folders:
                    folders.add(folder)
                    info = tarfile.TarInfo(f"./{folder}/")
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    archive.addfile(info)
            data, mode = files[name]
            info = tarfile.TarInfo(f"./{name}")
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def _deb(name: str, files: Mapping[str, str]) -> bytes:
    control = (
        f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: dfopt tests <t@t>\n"
        f"Description: {name}, a package of the dfopt test repository\n"
    )
    data = {
        path: (text.encode(), 0o755 if text.startswith("#!") else 0o644)
        for path, text in files.items()
    }
    return (
        b"!<arch>\n"
        + _ar_member("debian-binary", b"2.0\n")
        + _ar_member("control.tar.gz", _tar_gz({"control": (control.encode(), 0o644)}))
        + _ar_member("data.tar.gz", _tar_gz(data))
    )


#: Where the repository sits in the image; :func:`write_apt_repo` makes the tree.
APT_REPO_PATH = "/opt/dfopt-repo"


def write_apt_repo(target: Path) -> None:
    """A root tree for ``COPY local-apt/ /``: a flat apt repository of
    :data:`APT_PACKAGES` at :data:`APT_REPO_PATH`, a ``sources.list`` naming only it
    (``copy:`` so packages land in apt's archive cache as downloads do) and a setting that
    ignores ``sources.list.d``. No network is needed and ``apt-get update`` takes a second.
    """
    repo = target / APT_REPO_PATH.lstrip("/")
    (repo / "no-source-parts").mkdir(parents=True, exist_ok=True)
    stanzas = []
    for name, files in APT_PACKAGES.items():
        deb = _deb(name, files)
        filename = f"{name}_1.0_all.deb"
        (repo / filename).write_bytes(deb)
        stanzas.append(
            f"Package: {name}\nVersion: 1.0\nArchitecture: all\n"
            f"Maintainer: dfopt tests <t@t>\nFilename: ./{filename}\nSize: {len(deb)}\n"
            f"SHA256: {hashlib.sha256(deb).hexdigest()}\n"
            f"Description: {name}, a package of the dfopt test repository\n"
        )
    packages = "\n".join(stanzas).encode()
    (repo / "Packages").write_bytes(packages)
    (repo / "Release").write_text(
        "Origin: dfopt-tests\nLabel: dfopt-tests\nSuite: local\nCodename: local\n"
        "Date: Thu, 01 Jan 2026 00:00:00 UTC\nArchitectures: all amd64 arm64\nSHA256:\n"
        f" {hashlib.sha256(packages).hexdigest()} {len(packages)} Packages\n",
        encoding="utf-8",
    )
    apt = target / "etc" / "apt"
    (apt / "apt.conf.d").mkdir(parents=True, exist_ok=True)
    (apt / "sources.list").write_text(
        f"deb [trusted=yes] copy:{APT_REPO_PATH} ./\n", encoding="utf-8"
    )
    (apt / "apt.conf.d" / "99dfopt-local-repo").write_text(
        f'Dir::Etc::SourceParts "{APT_REPO_PATH}/no-source-parts";\n', encoding="utf-8"
    )


# -- reading an image ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One path of an image's filesystem (directories have no size)."""

    kind: str
    mode: int
    uid: int
    gid: int
    size: int = 0
    sha256: str = ""
    target: str = ""
    preview: str = field(default="", compare=False)
    """The text of a small file, for reports (the hash is what is compared)."""

    def show(self) -> str:
        text = f"{self.kind} {self.mode:o} {self.uid}:{self.gid}"
        if self.kind == "file":
            text += f" {self.size} B sha256:{self.sha256[:12]}"
            if self.preview:
                text += f" {self.preview!r}"
        if self.target:
            text += f" -> {self.target}"
        return text


#: Files up to this size are shown with their text in reports.
PREVIEW_BYTES = 120


def _hash_stream(handle: IO[bytes]) -> tuple[str, str]:
    """The sha256 of what ``handle`` reads, and the text when it is short."""
    digest = hashlib.sha256()
    head = b""
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        if not head:
            head = chunk[: PREVIEW_BYTES + 1]
        digest.update(chunk)
    preview = head.decode("utf-8", "replace") if len(head) <= PREVIEW_BYTES else ""
    return digest.hexdigest(), preview


def _tar_path(name: str) -> str:
    return posixpath.normpath("/" + name)


def _tar_entries(stream: IO[bytes]) -> dict[str, Entry]:
    files: dict[str, Entry] = {}
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for info in archive:
            path = _tar_path(info.name)
            mode = info.mode & 0o7777
            if info.isfile():
                handle = archive.extractfile(info)
                assert handle is not None
                digest, preview = _hash_stream(handle)
                entry = Entry("file", mode, info.uid, info.gid, info.size, digest, "", preview)
            elif info.islnk():
                # A hard link is the same file as its target (as a walk of the tree sees it).
                linked = files.get(_tar_path(info.linkname))
                entry = linked if linked is not None else Entry("file", mode, info.uid, info.gid)
            elif info.issym():
                entry = Entry("symlink", mode, info.uid, info.gid, target=info.linkname)
            elif info.isdir():
                entry = Entry("dir", mode, info.uid, info.gid)
            else:
                kind = {tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}
                entry = Entry(
                    kind.get(info.type, "other"),
                    mode,
                    info.uid,
                    info.gid,
                    target=f"{info.devmajor},{info.devminor}"
                    if info.ischr() or info.isblk()
                    else "",
                )
            files[path] = entry
    return files


class HashCache:
    """Content hashes of files already read, keyed by path, inode, size, mtime and ctime
    (not the device: every mount of an image has its own).

    Files of the base image's layers keep their inode and times in every image built on
    it, so each is hashed once per session; any write, ``chmod`` or ``chown`` in a layer
    gives a new ctime (which no tool can set back), so a changed file is always read.
    """

    def __init__(self) -> None:
        self.hashes: dict[tuple[str, int, int, int, int], tuple[str, str]] = {}

    def sha256(self, path: str, relative: str, info: os.stat_result) -> tuple[str, str]:
        """The file's sha256 and, when it is short, its text."""
        key = (
            relative,
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
            info.st_ctime_ns,
        )
        known = self.hashes.get(key)
        if known is None:
            with open(path, "rb") as handle:
                known = self.hashes[key] = _hash_stream(handle)
        return known


HASHES = HashCache()


def _walk_entries(root: Path) -> dict[str, Entry]:
    files: dict[str, Entry] = {}
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names, ""] if folder == str(root) else [*dirs, *names]:
            full = os.path.join(folder, name) if name else folder
            relative = "/" + os.path.relpath(full, root) if full != str(root) else "/"
            info = os.lstat(full)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISREG(info.st_mode):
                digest, preview = HASHES.sha256(full, relative, info)
                entry = Entry(
                    "file", mode, info.st_uid, info.st_gid, info.st_size, digest, "", preview
                )
            elif stat.S_ISLNK(info.st_mode):
                entry = Entry("symlink", mode, info.st_uid, info.st_gid, target=os.readlink(full))
            elif stat.S_ISDIR(info.st_mode):
                entry = Entry("dir", mode, info.st_uid, info.st_gid)
            else:
                kind = "char" if stat.S_ISCHR(info.st_mode) else "block"
                kind = "fifo" if stat.S_ISFIFO(info.st_mode) else kind
                device = f"{os.major(info.st_rdev)},{os.minor(info.st_rdev)}"
                entry = Entry(kind, mode, info.st_uid, info.st_gid, target=device)
            files[relative] = entry
    return files


def read_filesystem(builder: Builder, tag: str) -> dict[str, Entry]:
    """Every path of image ``tag``: read from the mounted image (podman, as root) or a
    mounted working container (buildah), else exported from a created (never started)
    container (docker, rootless podman)."""
    if builder.name == "buildah":
        container = builder.command(["from", "--pull-never", tag]).stdout.strip().splitlines()[-1]
        try:
            mount = builder.command(["mount", container]).stdout.strip().splitlines()[-1]
            return _walk_entries(Path(mount))
        finally:
            builder.command(["rm", container], check=False)
    if builder.name == "podman":
        mounted = builder.command(["image", "mount", tag], check=False)
        if mounted.returncode == 0 and mounted.stdout.strip():
            try:
                return _walk_entries(Path(mounted.stdout.strip().splitlines()[-1]))
            finally:
                builder.command(["image", "unmount", tag], check=False)
    created = builder.command(["create", tag, "/true"]).stdout.strip().splitlines()[-1]
    try:
        with subprocess.Popen(
            [builder.executable, "export", created],
            stdout=subprocess.PIPE,
            env=builder.env,
        ) as process:
            assert process.stdout is not None
            files = _tar_entries(process.stdout)
            if process.wait() != 0:
                raise BuildFailed(f"`{builder.executable} export` failed for {tag}")
        return files
    finally:
        builder.command(["rm", "-f", created], check=False)


def _normal(value: Any) -> Any:
    return value if value not in (None, "", [], {}) else None


@dataclass
class Image:
    """What building one version gave: the outcome, and the image when it built."""

    built: bool
    error: str = ""
    log_tail: str = ""
    files: dict[str, Entry] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    build_seconds: float = 0.0
    read_seconds: float = 0.0


def build_image(
    builder: Builder,
    context: Path,
    dockerfile: str,
    tag: str,
    build_args: Mapping[str, str],
    log_path: Path,
) -> Image:
    """Build ``context/dockerfile`` in ``context`` as ``tag`` and read the image (the
    caller removes it: removing an image while other builds run can take cached layers
    from under them)."""
    start = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        try:
            builder.build(
                context / dockerfile,
                context,
                tag,
                no_cache=False,
                log=log,
                build_args=build_args,
            )
        except BuildFailed as failure:
            log.flush()
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-8:]
            return Image(
                False, str(failure), "\n".join(tail), build_seconds=time.monotonic() - start
            )
    built = time.monotonic()
    config = builder.image_config(tag)
    files = read_filesystem(builder, tag)
    return Image(
        True,
        files=files,
        config={key: _normal(config.get(key)) for key in CONFIG_KEYS},
        build_seconds=built - start,
        read_seconds=time.monotonic() - built,
    )


# -- comparing -----------------------------------------------------------------------------


def _vanishing(path: str, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern.rstrip("/") + "/")
        for pattern in patterns
    )


def compare(before: Image, after: Image, may_vanish: tuple[str, ...] = ()) -> list[str]:
    """The differences between two builds, one readable line each (empty: the same)."""
    if before.built != after.built:
        if before.built:
            return [f"the original builds, the fixed one fails: {after.error}\n{after.log_tail}"]
        return [f"the original fails ({before.error}), the fixed one builds"]
    if not before.built:
        return []
    problems: list[str] = []
    for key in CONFIG_KEYS:
        if before.config.get(key) != after.config.get(key):
            problems.append(
                f"config {key}: {before.config.get(key)!r} -> {after.config.get(key)!r}"
            )
    paths: list[str] = []
    for path in sorted(set(before.files) | set(after.files)):
        if is_cache_path(path):
            continue
        old, new = before.files.get(path), after.files.get(path)
        if old == new or (new is None and _vanishing(path, may_vanish)):
            continue
        shown_old = old.show() if old else "missing"
        shown_new = new.show() if new else "missing"
        paths.append(f"{path}: {shown_old} -> {shown_new}")
    if paths:
        problems.append(f"{len(paths)} paths differ")
        problems.extend(paths[:SHOWN])
    return problems


@dataclass
class Verdict:
    """A case, its fix, both builds and the differences."""

    case: Case
    original: str
    fixed: str
    fixes: list[str]
    held_back: list[str]
    before: Image
    after: Image
    differences: list[str]
    hazard: Image | None = None
    hazard_differences: list[str] = field(default_factory=list)
    """How the hazard's image differs from the original's (it must)."""

    def report(self) -> str:
        lines = [f"case {self.case.name}: {self.case.exercises}"]
        lines.append(f"safe fixes applied: {', '.join(self.fixes) or 'none'}")
        if self.held_back:
            lines.append(f"left out (the builder lacks their syntax): {', '.join(self.held_back)}")
        lines.append(
            "outcome: original "
            + ("built" if self.before.built else "failed")
            + ", fixed "
            + ("built" if self.after.built else "failed")
        )
        lines += [f"  {line}" for line in self.differences]
        if self.hazard is not None:
            lines.append(
                f"the hazard differs from the original in {len(self.hazard_differences)} ways"
                + (
                    f", first: {self.hazard_differences[0].splitlines()[0]}"
                    if self.hazard_differences
                    else ""
                )
            )
        if self.fixed != self.original:
            lines.append("fixed Dockerfile:")
            lines += [f"  | {line}" for line in self.fixed.splitlines()]
        return "\n".join(lines)


#: Files of a case folder that are not part of its build context.
CASE_FILES = ("case.yaml", "hazard.Dockerfile")


def prepare(case: Case, workspace: Path, apt_repo: Path | None) -> dict[str, Path]:
    """Copies of the case's context: ``before``, ``after`` and, when the case has a
    ``hazard.Dockerfile``, ``hazard`` (with that file as its ``Dockerfile``)."""
    hazard = case.folder / "hazard.Dockerfile"
    labels = ["before", "after"] + (["hazard"] if hazard.is_file() else [])
    contexts = {}
    for label in labels:
        context = workspace / case.name / label
        shutil.copytree(case.folder, context, symlinks=True)
        for name in CASE_FILES:
            (context / name).unlink(missing_ok=True)
        if label == "hazard":
            shutil.copyfile(hazard, context / case.dockerfile)
        if case.apt_repo:
            if apt_repo is None:
                raise ValueError(f"case {case.name} needs the local apt repository")
            shutil.copytree(apt_repo, context / "local-apt")
        contexts[label] = context
    return contexts


def fix_case(dockerfile: Path, capabilities: Capabilities) -> tuple[str, list[str], list[str]]:
    """The safe fix of ``dockerfile`` (read at its own path, so context-aware rules see
    the folder it is in): its text, the rules applied and held back."""
    text = dockerfile.read_text(encoding="utf-8")
    outcome = fix_for_builder(
        text, dockerfile, unsafe=False, capabilities=capabilities, isolated=True
    )
    return outcome.text, outcome.codes, outcome.held_back


def judge_all(
    builder: Builder,
    cases: list[Case],
    workspace: Path,
    apt_repo: Path | None,
    workers: int = 4,
) -> dict[str, Verdict]:
    """Fix every case and build all its versions, ``workers`` builds at a time; the
    verdicts by case name. The images are removed at the end."""
    from concurrent.futures import Future, ThreadPoolExecutor

    stamp = f"{os.getpid()}-{int(time.time()) % 10**6}"
    planned: list[tuple[Case, str, str, list[str], list[str], dict[str, Future[Image]]]] = []
    tags: list[str] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for case in cases:
                contexts = prepare(case, workspace, apt_repo)
                original = (contexts["before"] / case.dockerfile).read_text(encoding="utf-8")
                fixed, codes, held = fix_case(
                    contexts["before"] / case.dockerfile, builder.capabilities
                )
                (contexts["after"] / case.dockerfile).write_text(fixed, encoding="utf-8")
                jobs: dict[str, Future[Image]] = {}
                for label, context in contexts.items():
                    if label == "after" and fixed == original:
                        # The same Dockerfile in the same context: its image is the
                        # original's (building it again would only test the builder).
                        jobs[label] = jobs["before"]
                        continue
                    tag = f"localhost/dfopt-oracle-{stamp}-{case.name}:{label}"
                    tags.append(tag)
                    log_path = workspace / case.name / f"{label}.log"
                    jobs[label] = pool.submit(
                        build_image,
                        builder,
                        context,
                        case.dockerfile,
                        tag,
                        case.build_args,
                        log_path,
                    )
                planned.append((case, original, fixed, codes, held, jobs))
            images = [{label: job.result() for label, job in entry[5].items()} for entry in planned]
        finally:
            for entry in planned:
                for job in entry[5].values():
                    job.cancel()
            pool.shutdown(wait=True)
            if tags:
                builder.remove(*tags)
    verdicts = {}
    for (case, original, fixed, codes, held, _jobs), built in zip(planned, images, strict=True):
        before, after, hazard = built["before"], built["after"], built.get("hazard")
        verdicts[case.name] = Verdict(
            case,
            original,
            fixed,
            codes,
            held,
            before,
            after,
            compare(before, after, case.may_vanish),
            hazard,
            compare(before, hazard) if hazard is not None else [],
        )
    return verdicts
