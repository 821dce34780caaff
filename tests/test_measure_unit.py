"""`dfopt measure` without a real builder: a fake builder that emulates layer caching.

The fake builds by reading the Dockerfile: each instruction is a step, cached when the
same instructions (and, for COPY/ADD, the same context contents) were built before,
as real builders do. Sizes come from what RUN lines install (see `_fake_size`).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from dfopt.measure import builders, runner
from dfopt.measure.builders import (
    Builder,
    BuilderUnavailable,
    BuildResult,
    Capabilities,
    HistoryEntry,
    ImageFacts,
    LineSink,
    RunResult,
    StepOutcome,
    parse_version,
)
from dfopt.measure.containers import buildah_capabilities, explicit_ulimits
from dfopt.measure.docker import parse_docker_history
from dfopt.measure.report import human_size, render_text, to_json
from dfopt.measure.steps import buildah_steps, buildkit_steps, instruction_of


def _fake_size(line: str) -> int:
    """Bytes a RUN line adds in the fake: apt lists unless removed, packages, pip."""
    size = 0
    if "apt-get update" in line and "rm -rf /var/lib/apt/lists" not in line:
        size += 50_000_000
    if "apt-get install" in line:
        size += 300_000_000
    if "pip install" in line:
        size += 1_000
    return size


def _context_digest(context: Path, sources: Sequence[str]) -> str:
    """A digest of the COPY/ADD sources, as builders key their cache on the copied files."""
    digest = hashlib.sha256()
    for path in sorted(context.rglob("*")):
        relative = path.relative_to(context).as_posix()
        if path.is_file() and any(s in (".", "./") or relative == s for s in sources):
            digest.update(path.relative_to(context).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class FakeBuilder(Builder):
    name = "fake"
    executable = "fake-builder"

    def __init__(self, outputs: dict[str, str] | None = None, caps: Capabilities | None = None):
        super().__init__({})
        self.version = "1.0"
        self.cache: set[tuple[str, ...]] = set()
        self.images: dict[str, list[str]] = {}
        self.users: dict[str, str] = {}
        self.removed: list[str] = []
        self.builds: list[tuple[Path, Path, bool]] = []
        self.outputs = outputs or {}
        self.caps = caps or Capabilities()

    def probe(self) -> str | None:
        return None

    @property
    def capabilities(self) -> Capabilities:
        return self.caps

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
        self.builds.append((dockerfile, context, no_cache))
        lines = [
            line.strip()
            for line in dockerfile.read_text().replace("\\\n", " ").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        key: tuple[str, ...] = ()
        steps = []
        user = ""
        for line in lines:
            keyword = line.split()[0].upper()
            words = [word for word in line.split()[1:] if not word.startswith("--")]
            copied = _context_digest(context, words[:-1]) if keyword in ("COPY", "ADD") else ""
            key = (*key, line, copied)
            cached = key in self.cache and not no_cache
            self.cache.add(key)
            steps.append(StepOutcome(" ".join(line.split()), cached))
            log.write(f"STEP: {line}\n")
            if on_line:
                on_line(f"STEP 1/1: {line}")
            if keyword == "USER":
                user = line.split()[1]
        self.images[tag] = lines
        self.users[tag] = user
        return BuildResult(1.0 + len([s for s in steps if not s.cached]), steps)

    def inspect(self, tag: str) -> ImageFacts:
        history = [HistoryEntry("ADD rootfs in /", 100_000_000)]
        for line in self.images[tag][1:]:
            history.append(HistoryEntry(line, _fake_size(line)))
        layers = 1 + sum(1 for line in self.images[tag] if line.split()[0].upper() == "RUN")
        return ImageFacts(
            sum(row.size_bytes for row in history),
            layers,
            history,
            user=self.users[tag],
            command=["app"],
        )

    def run(self, tag: str, command: Sequence[str] | None, extra: Sequence[str]) -> RunResult:
        user = self.users[tag] or "root"
        text = self.outputs.get("text", "hello\n")
        return RunResult(0, text.replace("{user}", user))

    def remove(self, tag: str, *more: str) -> None:
        self.removed += [tag, *more]


TUTORIAL = """FROM debian:bookworm
RUN apt-get update
RUN apt-get install -y python3
WORKDIR /app
ADD . /app
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python3", "app.py"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Dockerfile").write_text(TUTORIAL)
    (folder / "requirements.txt").write_text("six\n")
    (folder / "app.py").write_text("print('hello')\n")
    return folder


def _measure(project: Path, builder: Builder, **options: object) -> runner.Measurement:
    return runner.measure(
        runner.MeasureOptions(
            dockerfile=project / "Dockerfile",
            context=project,
            log_path=project.parent / "build.log",
            isolated=True,
            **options,  # type: ignore[arg-type]
        ),
        builder,
        runner.Progress(stream=io.StringIO()),
    )


def test_measure_reports_sizes_builds_and_cache_reuse(project: Path) -> None:
    fake = FakeBuilder()
    result = _measure(project, fake, unsafe_fixes=True)
    data = to_json(result)
    before, after = data["before"], data["after"]
    # Merging the apt steps and cleaning the lists shrinks the image by the lists.
    assert before["layers"] == 4
    assert after["layers"] < before["layers"]
    assert before["size_bytes"] - after["size_bytes"] == 50_000_000
    for key in ("cold_build_seconds", "warm_build_seconds", "source_change_build_seconds"):
        assert isinstance(before[key], float)
        assert isinstance(after[key], float)
    # The copy-before-install fix keeps pip's step cached after a source change.
    assert before["changed_file"] == after["changed_file"] == "app.py"
    assert before["reran_steps"] == 1
    assert after["reran_steps"] == 0
    assert before["warm_reran_steps"] == after["warm_reran_steps"] == 0
    assert before["history"][1] == {
        "instruction": "RUN apt-get update",
        "size_bytes": 50_000_000,
    }
    assert data["behaviour"]["same"] is True
    assert "DF105" in data["fixes"]
    # The user's files were never touched; builds ran in copies.
    assert (project / "Dockerfile").read_text() == TUTORIAL
    assert (project / "app.py").read_text() == "print('hello')\n"
    assert all(project not in context.parents for _, context, _ in fake.builds)
    assert [no_cache for *_, no_cache in fake.builds] == [True, False, False] * 2
    # The two images are removed afterwards.
    assert sorted(fake.removed) == sorted([result.before.image, result.after.image])
    assert (project.parent / "build.log").read_text().count("STEP:") > 10


def test_keep_leaves_the_images(project: Path) -> None:
    fake = FakeBuilder()
    result = _measure(project, fake, keep=True)
    assert fake.removed == []
    assert result.kept_images
    assert "Images kept:" in render_text(result)


def test_safe_fixes_only_keep_the_install_after_the_copy(project: Path) -> None:
    result = _measure(project, FakeBuilder())
    assert "DF105" not in result.fixes
    assert result.after.source_change is not None
    assert len(result.after.source_change.reran_runs) == 1


def test_text_report_shows_both_histories_and_the_log(project: Path) -> None:
    result = _measure(project, FakeBuilder(), unsafe_fixes=True)
    text = render_text(result)
    assert "Image size" in text and "Layers" in text
    assert "Rebuild after a source change" in text
    assert "RUN steps re-run after it" in text
    assert "Image history before (oldest first):" in text
    assert "Image history after (oldest first):" in text
    assert "50.0 MB  RUN apt-get update" in text
    assert f"Builder log: {project.parent / 'build.log'}" in text
    assert "same exit status (0) and same output" in text


def test_nothing_to_fix_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(runner.MeasureError, match="nothing to fix"):
        _measure(tmp_path, FakeBuilder())


def test_touch_names_the_changed_file(project: Path) -> None:
    (project / "other.txt").write_text("x\n")
    result = _measure(project, FakeBuilder(), touch="other.txt")
    assert result.before.changed_file == "other.txt"
    with pytest.raises(runner.MeasureError, match="not a file"):
        _measure(project, FakeBuilder(), touch="missing.py")


def test_pick_source_file_skips_manifests_ignored_and_binary_files(tmp_path: Path) -> None:
    for name in ("requirements.txt", "package.json", "go.mod", "Dockerfile", "README"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.go").write_text("package main\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "app.py").write_text("x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.py").write_text("x\n")
    assert runner.pick_source_file(tmp_path, ["build"]) == "src/main.go"
    assert runner.pick_source_file(tmp_path, ["build", "src"]) == "README"
    (tmp_path / "README").unlink()
    assert runner.pick_source_file(tmp_path, ["build", "src"]) is None


def test_behaviour_user_difference_is_expected_not_hidden() -> None:
    before = RunResult(0, "six 1.16.0\nuid 0\n")
    after = RunResult(0, "six 1.16.0\nuid 10001\n")
    result = runner.compare_behaviour(None, before, after, "", "app")
    assert not result.same
    assert result.expected
    assert "app" in result.note
    assert "-uid 0" in result.diff and "+uid 10001" in result.diff
    # The same difference without a USER change is a real difference.
    real = runner.compare_behaviour(None, before, after, "", "")
    assert not real.same and not real.expected
    # Other output changes are never excused by a USER change.
    changed = runner.compare_behaviour(None, before, RunResult(0, "six 1.15\nuid 1\n"), "", "app")
    assert not changed.expected
    exit_code = runner.compare_behaviour(None, before, RunResult(3, before.output), "", "")
    assert exit_code.note == "exit status 0 before, 3 after"


def test_cli_json_output_has_the_documented_keys(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dfopt import cli

    fake = FakeBuilder(outputs={"text": "running as {user}\n"})
    monkeypatch.setattr(builders, "detect", lambda preference="auto", env=None: fake)
    original = project / "Dockerfile"
    original.write_text(TUTORIAL.replace("CMD", "USER app\nCMD"))
    result = CliRunner().invoke(cli.app, ["measure", str(original), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"before", "after", "behaviour", "difference", "log", "builder"}
    for side in ("before", "after"):
        assert set(data[side]) >= {
            "size_bytes",
            "layers",
            "cold_build_seconds",
            "warm_build_seconds",
            "source_change_build_seconds",
            "reran_steps",
            "history",
        }
    assert data["behaviour"]["same"] is True
    assert data["builder"]["name"] == "fake"


def test_no_builder_names_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(BuilderUnavailable) as caught:
        builders.detect("auto", env={"PATH": str(tmp_path)})
    message = str(caught.value)
    assert "docker: `docker` is not installed" in message
    assert "apt-get install podman" in message
    with pytest.raises(BuilderUnavailable, match="builder `buildah` cannot be used"):
        builders.detect("buildah", env={"PATH": str(tmp_path)})


def test_cli_reports_missing_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dfopt import cli

    (tmp_path / "Dockerfile").write_text(TUTORIAL)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli.app, ["measure", str(tmp_path / "Dockerfile")])
    assert result.exit_code == 2
    assert "no image builder works here" in result.output


def test_introduced_syntax_only_counts_new_constructs() -> None:
    old = Capabilities(heredocs=False, copy_link=False)
    assert runner.introduced_syntax("FROM a\n", "FROM a\nCOPY --link x /y\n", old) == [
        "COPY --link"
    ]
    heredoc = "FROM a\nRUN <<EOF\necho hi\nEOF\n"
    assert runner.introduced_syntax("FROM a\n", heredoc, old) == ["heredocs"]
    assert runner.introduced_syntax(heredoc, heredoc, old) == []
    assert runner.introduced_syntax("FROM a\n", heredoc, Capabilities()) == []


def test_builder_versions_and_capabilities() -> None:
    assert parse_version("1.28.2+ds1") == (1, 28, 2)
    assert parse_version("v24.0.7") == (24, 0, 7)
    assert parse_version("dev") == ()
    assert buildah_capabilities("1.28.2").lacking() == ["heredocs", "COPY --link"]
    assert buildah_capabilities("1.33.0").lacking() == []
    assert buildah_capabilities("").lacking() == ["heredocs", "COPY --link"]


def test_buildah_step_output() -> None:
    lines = [
        "STEP 1/4: FROM debian:bookworm",
        "STEP 2/4: RUN apt-get update",
        "--> Using cache 0123abcd",
        "--> 0123abcd",
        "[2/2] STEP 3/4: COPY . /app",
        "--> 4567",
        "[2/2] STEP 4/4: RUN make",
        "some output",
        "COMMIT x",
    ]
    assert buildah_steps(lines) == [
        StepOutcome("FROM debian:bookworm", False),
        StepOutcome("RUN apt-get update", True),
        StepOutcome("COPY . /app", False),
        StepOutcome("RUN make", False),
    ]
    result = BuildResult(1.0, buildah_steps(lines))
    assert result.reran_runs == ["RUN make"]


def test_buildkit_step_output() -> None:
    lines = [
        "#1 [internal] load build definition from Dockerfile",
        "#5 [1/4] FROM docker.io/library/debian:bookworm",
        "#6 [2/4] RUN apt-get update",
        "#7 [build 3/4] COPY . /app",
        "#6 CACHED",
        "#8 [4/4] RUN make",
        "#8 0.512 make: done",
        "#8 DONE 0.6s",
    ]
    steps = buildkit_steps(lines)
    assert [step.instruction for step in steps] == [
        "FROM docker.io/library/debian:bookworm",
        "RUN apt-get update",
        "COPY . /app",
        "RUN make",
    ]
    assert [step.cached for step in steps] == [False, True, False, False]


def test_history_instructions_in_dockerfile_spelling() -> None:
    assert instruction_of('/bin/sh -c #(nop) CMD ["x"]') == 'CMD ["x"]'
    assert instruction_of("/bin/sh -c apt-get update") == "RUN apt-get update"
    assert instruction_of("|1 V=2 /bin/sh -c make") == "RUN make"
    assert instruction_of("RUN /bin/sh -c make # buildkit") == "RUN make"
    assert instruction_of("COPY . /app # buildkit") == "COPY . /app"
    assert instruction_of("WORKDIR /app") == "WORKDIR /app"


def test_docker_history_is_reversed_and_numeric() -> None:
    output = "\n".join(
        [
            json.dumps({"CreatedBy": 'CMD ["app"]', "Size": "0"}),
            json.dumps({"CreatedBy": "RUN /bin/sh -c make # buildkit", "Size": "1234"}),
            json.dumps({"CreatedBy": "/bin/sh -c #(nop) ADD file:x in / ", "Size": "5000"}),
        ]
    )
    assert parse_docker_history(output) == [
        HistoryEntry("ADD file:x in /", 5000),
        HistoryEntry("RUN make", 1234),
        HistoryEntry('CMD ["app"]', 0),
    ]


def test_explicit_ulimits_stay_within_this_process() -> None:
    import resource

    options = explicit_ulimits()
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile != resource.RLIM_INFINITY:
        assert f"nofile={nofile}:{nofile}" in options
    nproc = next(option for option in options if option.startswith("nproc="))
    soft = int(nproc.split("=")[1].split(":")[0])
    assert soft <= int(Path("/proc/sys/kernel/pid_max").read_text())


def test_human_size_uses_decimal_units() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1500) == "1.5 kB"
    assert human_size(-64_000_000) == "-64.0 MB"
    assert human_size(2_500_000_000) == "2.5 GB"


def test_held_back_rules_are_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A builder without heredocs: when a fix would add one, that rule's fixes are left out.
    calls: list[str] = []

    def pretend(before: str, after: str, caps: Capabilities) -> list[str]:
        calls.append(after)
        return ["heredocs"] if "rm -rf" in after and "rm -rf" not in before else []

    monkeypatch.setattr(runner, "introduced_syntax", pretend)
    outcome = runner.fix_for_builder(
        TUTORIAL,
        project / "Dockerfile",
        unsafe=False,
        capabilities=Capabilities(heredocs=False),
        isolated=True,
    )
    assert "rm -rf" not in outcome.text
    assert outcome.held_back
    assert calls


class FlakyCacheBuilder(FakeBuilder):
    """Re-runs the RUN steps of the first warm rebuild, as buildah can with stale layers."""

    def build(self, dockerfile: Path, context: Path, tag: str, **options: object) -> BuildResult:
        result = super().build(dockerfile, context, tag, **options)  # type: ignore[arg-type]
        if len(self.builds) % 3 == 2 and len(self.builds) <= 4:
            steps = [
                StepOutcome(step.instruction, step.cached and step.keyword != "RUN")
                for step in result.steps
            ]
            return BuildResult(99.0, steps)
        return result


def test_a_warm_rebuild_that_reran_steps_is_repeated_and_reported(project: Path) -> None:
    result = _measure(project, FlakyCacheBuilder())
    assert result.before.first_warm is not None
    assert result.before.first_warm.seconds == 99.0
    assert result.before.warm is not None and result.before.warm.reran_runs == []
    data = to_json(result)
    assert data["before"]["first_warm_reran_steps"] == 3
    assert data["before"]["warm_reran_steps"] == 0
    assert "the first warm rebuild re-ran 3 RUN steps" in render_text(result)


FAKE_PODMAN = r"""#!{python}
import json, sys
args = sys.argv[1:]
with open({calls!r}, "a") as calls:
    calls.write(json.dumps(args) + "\n")
if args[0] == "info":
    print(json.dumps({{"version": {{"Version": "4.3.1"}}, "host": {{"buildahVersion": "1.28.2"}}}}))
elif args[:2] == ["image", "inspect"]:
    print(json.dumps([{{"Size": 3000, "RootFS": {{"Layers": ["a", "b"]}},
                       "Config": {{"User": "app", "Cmd": ["serve"], "Entrypoint": ["/init"]}}}}]))
elif args[:2] == ["image", "history"]:
    print(json.dumps([{{"CreatedBy": "/bin/sh -c #(nop) CMD [\"serve\"]", "size": 0}},
                      {{"CreatedBy": "/bin/sh -c make", "size": 1000}},
                      {{"CreatedBy": "/bin/sh -c #(nop) ADD file:x in /", "size": 2000}}]))
elif args[0] == "run":
    if "--ulimit" not in args:
        sys.stderr.write("Error: runc: error setting rlimit type 7: operation not permitted\n")
        sys.exit(126)
    print("ran " + " ".join(args[args.index("localhost/x"):]))
"""


def test_podman_backend_reads_inspect_and_retries_runs_with_ulimits(tmp_path: Path) -> None:
    import sys

    from dfopt.measure.containers import Podman

    calls = tmp_path / "calls.jsonl"
    script = tmp_path / "podman"
    script.write_text(FAKE_PODMAN.format(python=sys.executable, calls=str(calls)))
    script.chmod(0o755)
    podman = Podman({"PATH": str(tmp_path)})
    assert podman.available() is None
    assert podman.version == "4.3.1"
    assert podman.capabilities.lacking() == ["heredocs", "COPY --link"]
    facts = podman.inspect("localhost/x")
    assert facts.size_bytes == 3000 and facts.layers == 2
    assert facts.user == "app" and facts.command == ["/init", "serve"]
    assert facts.history == [
        HistoryEntry("ADD file:x in /", 2000),
        HistoryEntry("RUN make", 1000),
        HistoryEntry('CMD ["serve"]', 0),
    ]
    first = podman.run("localhost/x", None, ["-e", "A=1"])
    assert first == RunResult(0, "ran localhost/x\n")
    second = podman.run("localhost/x", ["echo", "hi"], [])
    assert second.output == "ran localhost/x echo hi\n"
    runs = [json.loads(line) for line in calls.read_text().splitlines()]
    runs = [args for args in runs if args[0] == "run"]
    # The default runtime first, then explicit ulimits, which are kept for later runs.
    assert "--ulimit" not in runs[0]
    assert "--ulimit" in runs[1] and "-e" in runs[1] and "--network" in runs[1]
    assert "--ulimit" in runs[2] and len(runs) == 3
    assert "run options" in podman.added_env


def test_a_second_measurement_still_misses_the_cache_after_the_source_change(
    project: Path,
) -> None:
    # The builder keeps its cache between measurements; each one must make a new change.
    fake = FakeBuilder()
    first = _measure(project, fake)
    second = _measure(project, fake)
    for result in (first, second):
        assert result.before.source_change is not None
        assert result.before.source_change.reran_runs == [
            "RUN pip install --no-cache-dir -r requirements.txt"
        ]
    assert (project / "app.py").read_text() == "print('hello')\n"


def test_change_source_adds_a_whitespace_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print(1)\n")
    runner.change_source(tmp_path, "app.py", 5)
    text = (tmp_path / "app.py").read_text()
    assert text == "print(1)\n\n" + " " * 29 + "\t \t\n"
    compile(text, "app.py", "exec")


FAKE_BUILDER = r"""#!{python}
import json, os, sys
args = sys.argv[1:]
with open({calls!r}, "a") as calls:
    calls.write(json.dumps({{"args": args, "format": os.environ.get("BUILDAH_FORMAT")}}) + "\n")
if args[:2] == ["inspect", "--type"]:
    config = {{"Env": ["PATH=/bin"], "User": "app"}}
    docker = dict(config, Shell=["/bin/bash", "-c"], Healthcheck={{"Test": ["CMD", "true"]}})
    print(json.dumps({{"OCIv1": {{"config": config}}, "Docker": {{"config": docker}}}}))
"""


def _fake_builder_script(tmp_path: Path, name: str) -> Path:
    import sys

    calls = tmp_path / f"{name}-calls.jsonl"
    script = tmp_path / name
    script.write_text(FAKE_BUILDER.format(python=sys.executable, calls=str(calls)))
    script.chmod(0o755)
    return calls


@pytest.mark.parametrize("name", ["podman", "buildah"])
def test_podman_and_buildah_build_in_the_docker_image_format(tmp_path: Path, name: str) -> None:
    from dfopt.measure.containers import Buildah, Podman

    calls = _fake_builder_script(tmp_path, name)
    backend = (
        Podman({"PATH": str(tmp_path)}) if name == "podman" else Buildah({"PATH": str(tmp_path)})
    )
    assert backend.image_format == "docker"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    backend.build(
        dockerfile,
        tmp_path,
        "localhost/x",
        no_cache=True,
        log=io.StringIO(),
        build_args={"BASE": "/opt"},
    )
    call = json.loads(calls.read_text().splitlines()[-1])
    args = call["args"]
    assert args[0] == ("build" if name == "podman" else "bud")
    # Without `--format docker` SHELL, HEALTHCHECK and ONBUILD are dropped silently.
    assert args[args.index("--format") + 1] == "docker"
    assert call["format"] == "docker"
    assert args[-8:] == [
        "--no-cache",
        "--build-arg",
        "BASE=/opt",
        "-f",
        str(dockerfile),
        "-t",
        "localhost/x",
        str(tmp_path),
    ]
    backend.remove("localhost/x", "localhost/y")
    assert json.loads(calls.read_text().splitlines()[-1])["args"] == [
        "rmi",
        "localhost/x",
        "localhost/y",
    ]
    assert "--layers" in args


def test_image_config_is_the_docker_one_with_shell_and_healthcheck(tmp_path: Path) -> None:
    from dfopt.measure.containers import Buildah, Podman

    _fake_builder_script(tmp_path, "buildah")
    config = Buildah({"PATH": str(tmp_path)}).image_config("localhost/x")
    assert config["Shell"] == ["/bin/bash", "-c"]
    assert config["Healthcheck"] == {"Test": ["CMD", "true"]}
    assert config["User"] == "app"
    # Podman's own inspect has no Shell: it asks buildah, which shares its image store.
    assert Podman({"PATH": str(tmp_path)}).image_config("localhost/x") == config


def test_report_names_the_image_format(project: Path) -> None:
    fake = FakeBuilder()
    result = _measure(project, fake)
    assert result.image_format == "docker"
    assert "Builder: fake 1.0 (docker image format)" in render_text(result).splitlines()[1]
    assert to_json(result)["builder"]["image_format"] == "docker"
