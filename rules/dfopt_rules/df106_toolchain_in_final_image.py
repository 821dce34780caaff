"""DF106: the final stage builds its artefact with a toolchain that then ships in the image."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import (
    Context,
    Fix,
    FixAvailability,
    Form,
    Instruction,
    Rule,
    Severity,
    SimpleCommand,
    Stage,
    Violation,
)

from . import _toolchains as tc
from ._commands import command_span

_WHAT = {
    tc.GO: "the Go toolchain",
    tc.RUST: "the Rust toolchain",
    tc.JAVA: "a JDK and build tool",
    tc.NODE: "Node.js and the front-end build tooling",
    tc.NATIVE: "compilers and development headers",
}
_RUNTIME_TOOLS = frozenset(
    {"go", "cargo", "rustc", "mvn", "mvnw", "gradle", "gradlew", "gcc", "make", "javac"}
)
"""Programs whose use at run time means the toolchain is needed there."""
_NODE_RUNNERS = frozenset({"node", "npm", "yarn", "pnpm", "nodemon", "ts-node"})


class Evidence:
    """The toolchains of the final stage and where they come from."""

    __slots__ = ("image", "installs")

    image: str | None
    """The toolchain the base image ships."""
    installs: dict[str, list[tuple[Instruction, tc.Install, list[str]]]]
    """Toolchain -> the installs (RUN, command, toolchain packages) that bring it."""

    def __init__(
        self,
        image: str | None = None,
        installs: dict[str, list[tuple[Instruction, tc.Install, list[str]]]] | None = None,
    ) -> None:
        self.image = image
        self.installs = {} if installs is None else installs

    def has(self, toolchain: str, before: Instruction, order: dict[int, int]) -> bool:
        if self.image == toolchain:
            return True
        names: set[str] = set()
        for run, _install, packages in self.installs.get(toolchain, []):
            if order[id(run)] <= order[id(before)]:
                names.update(packages)
        if toolchain == tc.NATIVE:
            # Headers alone build nothing: a compiler must be there too.
            return not names.isdisjoint(tc.COMPILERS)
        return bool(names)

    def describe(self, toolchain: str, base: str) -> str:
        if self.image == toolchain:
            return f"the `{base}` base image"
        packages: list[str] = []
        for _run, _install, names in self.installs.get(toolchain, []):
            packages.extend(name for name in names if name not in packages)
        shown = ", ".join(f"`{name}`" for name in packages[:3])
        more = len(packages) - 3
        return shown + (f" and {more} more" if more > 0 else "")


class ToolchainInFinalImage(Rule):
    """## What it does
    Flags a final stage that builds its artefact with a toolchain which then ships in
    the image. Two things must be there: a toolchain, from the base image (`golang`,
    `rust`, `maven`, `gradle`, a JDK image such as `eclipse-temurin:*-jdk` or
    `openjdk:*-jdk`, `node` for a front-end build) or installed by `apk`, `apt-get`,
    `yum`, `dnf`, `microdnf` or `zypper` (`go`/`golang`, `cargo`/`rust`, `maven`,
    `gradle`, `openjdk-*-jdk`, `default-jdk`, `gcc`, `g++`, `clang`, `make`,
    `build-essential`, `build-base`, `-dev`/`-devel` packages, `nodejs`/`npm`); and a
    step that builds with it: `go build`, `cargo build --release`,
    `mvn package`/`install`/`verify`, `gradle build`/`bootJar`/`assemble`/`jar`/
    `shadowJar`, `npm`/`yarn`/`pnpm run build` for a static front-end (served with
    `serve`, `http-server` or nginx, or built by `react-scripts`, `vite` or
    `vue-cli-service` and not run with Node), or, once a C compiler is installed,
    `pip wheel`, `python -m build` and `pip install` of requirement files or of the
    project itself (`pip install` of named packages only on the official `python`
    image, elsewhere they are more often tools than an application, and never for
    packaging tools alone: pip, setuptools, wheel, pipenv, poetry, uv ...). The finding
    is at the build command; its message names the toolchain and the artefact.

    Toolchain packages removed again in the `RUN` that installed them
    (`apk add --virtual .build-deps ... && apk del .build-deps`) do not count. Earlier
    stages are not checked (building there is what they are for), nor a final stage
    built `FROM` another stage.

    ## Why is this bad?
    The compiler, the build tool, their caches and the sources stay in the image although
    the program needs none of them to run. The image is often ten times larger than it
    has to be, takes longer to pull and start, and ships a compiler and package tooling
    an attacker can use. A multi-stage build compiles in one stage and copies only the
    result into a small runtime image.

    ## Fix safety
    Unsafe, and offered only for the recognised patterns whose artefact dfopt can locate
    and that the container starts: `go build -o PATH` (the `CMD`/`ENTRYPOINT` runs that
    path); `cargo build --release`, the binary named by `--bin` or by `Cargo.toml` in the
    build context; Maven's `target/*.jar` and Gradle's `build/libs/*.jar` started with
    `java -jar` from that folder; a front-end build folder that `serve` or
    `http-server` is given (when the build context has a `package.json`, it must be the
    folder its bundler writes: `build/` for `react-scripts`, `dist/` for `vite` and
    `vue-cli-service`, or the `--outDir` given). The stage becomes a build stage
    (`AS build`, or `builder` and so on when that name is taken; a named final stage
    gives its name to the new final stage, so `--target` still picks the runtime image),
    and a new final stage is added at the end of the file with:

    - a runtime base: the same base when the toolchain was installed on a plain image;
      for a `golang` or `rust` image the matching `alpine:<release>` (`-alpineX.Y` tags,
      else `alpine:3.20`) or `debian:<codename>-slim` (`ubuntu:<codename>` for Ubuntu
      codenames; `debian:bookworm-slim` when the tag names none), always with a tag
      (an untagged or `latest` distroless base would be a DL3006/DL3007 finding of its
      own, and its `nonroot` tag changes the user); `eclipse-temurin:<version>-jre`
      (`-jre-alpine` for an Alpine image) for Java, the version read from the image
      tag or the JDK package; the same `node` image for a front-end, with
      `npm install -g serve@latest` (or `http-server@latest`) when no moved `RUN`
      installs it;
    - the `ENV`, `WORKDIR`, `USER`, `SHELL` and (when used) `ARG` instructions from before
      the build, which also stay in the build stage, and the runtime settings (`EXPOSE`,
      `LABEL`, `HEALTHCHECK`, `STOPSIGNAL`, `VOLUME`, `CMD`, `ENTRYPOINT`, `MAINTAINER`,
      `ONBUILD`), moved out of the build stage, all in their original order;
    - a `RUN` that installs again the packages installed next to the toolchain
      (`apk add --no-cache`, or `apt-get install --no-install-recommends` with its list
      cleanup), leaving out toolchain packages and fetch-only tools such as `git`;
      a `RUN` from before the build that only installs run-time packages or creates users
      is repeated;
    - every instruction after the build that installs packages, creates users or
      directories, copies files from the context or sets runtime configuration, moved with
      the comments right above it; a `RUN` that goes on after the build command with such
      work is split there (the comments inside it move along);
    - `COPY --from=build <artefact> <same path>`, after the package installs that follow
      the build, so the `CMD` finds the artefact where it was;
    - for a `golang` or `rust` image (both ship CA certificates) moved to a slim Debian
      or Ubuntu base (which has none), `COPY --from=build
      /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt` before the
      artefact, so outgoing TLS still verifies, unless the final stage installs
      `ca-certificates` itself. Alpine's base image has the bundle.

    The fix keeps the file's escape character and line endings and writes no heredocs
    and no `COPY --link`. Behaviour can change: files the program reads at run time from
    the copied sources (templates, static assets, configuration) are not in the new final
    stage; commands before the build that dfopt does not recognise stay in the build
    stage; a runtime base with an older C library than the toolchain image may not run a
    dynamically linked binary. Display only when the container starts something else
    than the artefact (a script, `go run`, `mvn spring-boot:run`, `npm start`,
    `java -cp`), when a `RUN` after the build mixes build and run-time work or runs
    commands dfopt does not know, when the artefact path, the working directory or the
    Java version is unknown, when the stage uses heredocs, for `pip wheel`,
    `python -m build` and the C patterns, and for `pip install` on other images than
    the official `python` one (Debian's `python3` installs to `dist-packages`).

    **Python packages.** On the official `python` image (Python lives in `/usr/local`),
    a `pip install -r FILE`, `pip install PACKAGES` or `pip install .` (also `pip3`,
    `python -m pip`) is converted with one pattern:

    - the stage becomes the build stage, and each `pip install` in it gets
      `--prefix=/install` right after `install`, its other options kept (upgrades of
      only pip, setuptools or wheel are left as they are);
    - the new final stage starts `FROM` the same `python` image, with the settings and
      the package installs described above, and installs with the same package manager
      the run-time libraries of the `-dev` packages: `libpq-dev` -> `libpq5`,
      `default-libmysqlclient-dev`/`libmariadb-dev` -> `libmariadb3`, `libxml2-dev` ->
      `libxml2`, `libxslt1-dev` -> `libxslt1.1`, `libjpeg-dev`/`libjpeg62-turbo-dev` ->
      `libjpeg62-turbo`, `libpng-dev` -> `libpng16-16`, `libyaml-dev` -> `libyaml-0-2`,
      `libgeos-dev` -> `libgeos-c1v5`, `libfreetype6-dev` -> `libfreetype6` (the
      `t64` names for a `trixie` tag); on Alpine `postgresql-dev`/`libpq-dev` ->
      `libpq`, `mariadb-dev` -> `mariadb-connector-c`, `libxml2-dev` -> `libxml2`,
      `libxslt-dev` -> `libxslt`, `jpeg-dev` -> `libjpeg-turbo`, `libpng-dev` ->
      `libpng`, `freetype-dev` -> `freetype`, `yaml-dev` -> `yaml`, `geos-dev` ->
      `geos`, and `libstdc++` (`libgcc` for `gcc` alone), which Alpine's base lacks.
      Compilers, build tools, `python3-dev`, `musl-dev` and `linux-headers` need
      nothing, nor the headers of libraries the `python` image links itself
      (`libssl-dev`/`openssl-dev`, `libffi-dev`, `zlib1g-dev`/`zlib-dev`,
      `libsqlite3-dev`, `libbz2-dev`, `liblzma-dev`);
    - `COPY --from=build /install /usr/local`, then the application files: a
      `COPY`/`ADD` before the install stays in the build stage (the install may read
      it) and is repeated in the final stage unless it copies only requirement files or
      project metadata (`requirements*.txt`, `setup.py`, `pyproject.toml` ...); the
      `COPY`s after the install move there, with the instructions around them in order.

    The fix stays display only when a `-dev` package has no known run-time package (the
    message names it), for a Debian release before buster (or a tag naming none whose
    Python version had stretch images, for the MariaDB client), when `USER` or a
    `PIP_*`/`VIRTUAL_ENV` setting precedes the install, for `--user`, `--target`,
    `--prefix`, `--root` and editable installs, and when a command that stays in the
    build stage does other work than package installs, pip and cleanups (a
    `manage.py collectstatic`, a `setup.py install`, a virtualenv). Behaviour can
    change: a requirement the build stage already satisfies (pip, setuptools or wheel,
    upgraded there) is not installed again under `/install`, so the final stage keeps
    the image's version; a library that a `-dev` package pulled in indirectly is not
    installed again.
    """

    code = "DF106"
    name = "toolchain-in-final-image"
    summary = "The final image keeps the toolchain that built its artefact"
    severity = Severity.WARNING
    targets = frozenset()
    include_onbuild = False
    fix_availability = FixAvailability.SOMETIMES
    fix_class = "unsafe"
    bad = (
        "FROM golang:1.23-alpine3.20\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN go build -o /usr/local/bin/app .\n"
        "EXPOSE 8080\n"
        'CMD ["/usr/local/bin/app"]\n'
    )
    good = (
        "FROM golang:1.23-alpine3.20 AS build\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN go build -o /usr/local/bin/app .\n"
        "\n"
        "FROM alpine:3.20\n"
        "WORKDIR /src\n"
        "COPY --from=build /usr/local/bin/app /usr/local/bin/app\n"
        "EXPOSE 8080\n"
        'CMD ["/usr/local/bin/app"]\n'
    )

    def finish(self, ctx: Context) -> Iterator[Violation]:
        stage = ctx.semantics.final_stage
        if stage is None or stage.from_instruction is None or stage.parent is not None:
            return
        found = self._find(stage, ctx)
        if found is None:
            return
        from . import _multistage as multistage  # only needed once the rule fires

        build = found.build
        evidence = self._evidence(stage, ctx)
        toolchain = evidence.describe(found.toolchain, stage.base)
        artefact = self._artefact_text(found)
        message = (
            f"`{build.label}` builds {artefact} with {_WHAT[found.toolchain]} "
            f"({toolchain}) that the final image keeps; build in an earlier stage "
            "and copy only the result"
        )
        if build.label == "pip install" and tc.official_python(stage.base):
            python = multistage.python_plan(stage, found, ctx)
            if python.edits is not None:
                title = "Install the packages in a build stage and copy them to the final stage"
                fix = Fix.unsafe(title, python.edits)
            elif python.unmapped:
                names = ", ".join(f"`{name}`" for name in python.unmapped)
                message += f"; no known run-time package for {names}, so no automatic fix"
                fix = Fix.display_only(
                    "Install the packages in a build stage and copy them to the final stage"
                    f" (no known run-time package for {names})"
                )
            else:
                fix = Fix.display_only(
                    "Install the packages in a build stage and copy them to the final stage"
                )
            yield self.violation(command_span(build.command), message, fix)
            return
        plan = multistage.plan(stage, found, ctx)
        if plan is not None:
            fix = Fix.unsafe("Build in a separate stage and copy only the artefact", plan)
        else:
            fix = Fix.display_only(
                "Build in a separate stage and copy only the artefact into the final stage"
            )
        yield self.violation(command_span(build.command), message, fix)

    @staticmethod
    def _artefact_text(found: tc.Found) -> str:
        build = found.build
        if build.toolchain == tc.NODE:
            return "a static front-end"
        if build.label == "pip install":
            return "Python packages"
        if build.artefact is None:
            return "its artefact"
        path = tc.resolve(build.artefact, found.cwd) or build.artefact
        return f"`{path}`"

    # -- detection ------------------------------------------------------------------------

    def _evidence(self, stage: Stage, ctx: Context) -> Evidence:
        key = ("DF106-evidence", id(stage))
        cached = ctx.memo.get(key)
        if isinstance(cached, Evidence):
            return cached
        evidence = Evidence(image=tc.image_toolchain(stage.base))
        for run in stage.instructions:
            if run.keyword != "RUN":
                continue
            commands = ctx.commands(run)
            removed: set[str] = set()
            for command in commands:
                dropped = tc.removed_packages(command)
                if dropped is not None:
                    removed |= dropped
            for command in commands:
                install = tc.install_of(command)
                if install is None:
                    continue
                if install.virtual is not None and install.virtual in removed:
                    continue
                by_toolchain: dict[str, list[str]] = {}
                for word in install.packages:
                    toolchain = tc.toolchain_of(word.value)
                    name = tc.package_name(word.value)
                    if toolchain is not None and name not in removed:
                        by_toolchain.setdefault(toolchain, []).append(name)
                for toolchain, names in by_toolchain.items():
                    evidence.installs.setdefault(toolchain, []).append((run, install, names))
        ctx.memo[key] = evidence
        return evidence

    def _find(self, stage: Stage, ctx: Context) -> tc.Found | None:
        evidence: Evidence | None = None
        order: dict[int, int] = {}
        python = tc.official_python(stage.base)
        for run in stage.instructions:
            if run.keyword != "RUN":
                continue
            # Most RUNs run no build tool at all: skip them before any closer look.
            if not any(tc.may_build(command.command) for command in ctx.commands(run)):
                continue
            for command, cwd in _with_cwd(run, ctx):
                build = tc.build_of(command, ctx, cwd)
                if build is None or (build.named and not python):
                    continue
                toolchain = build.toolchain
                if evidence is None:
                    evidence = self._evidence(stage, ctx)
                    order = {id(item): index for index, item in enumerate(stage.instructions)}
                if not evidence.has(toolchain, run, order):
                    continue
                if toolchain == tc.NODE and not self._static_front_end(stage, ctx):
                    continue
                return tc.Found(build, run, cwd, toolchain)
        return None

    @staticmethod
    def _static_front_end(stage: Stage, ctx: Context) -> bool:
        """The stage serves its front-end build as static files (not with Node)."""
        from . import _multistage as multistage  # only needed for a Node build

        runs_node = False
        for words in multistage.runtime_commands(stage, ctx):
            if not words:
                continue
            if tc.served_folder(words) is not None:
                return True
            program = words[0].rsplit("/", 1)[-1]
            if program == "nginx":
                return True
            if program in _NODE_RUNNERS or program == "npx":
                runs_node = True
        return not runs_node and tc.front_end_tool(ctx)


def _with_cwd(run: Instruction, ctx: Context) -> Iterator[tuple[SimpleCommand, str | None]]:
    """The commands of a RUN with the working directory each runs in (`cd` followed)."""
    cwd = ctx.state(run).workdir
    if run.form is not Form.SHELL:
        return
    for command in ctx.commands(run):
        if command.command == "cd":
            targets = [arg for arg in command.args if not arg.value.startswith("-")]
            if command.depth or command.in_pipeline or len(targets) != 1 or not targets[0].literal:
                cwd = None
            else:
                cwd = tc.resolve(targets[0].value, cwd)
            continue
        yield command, cwd
