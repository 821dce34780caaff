"""Build toolchains and build steps, for DF106 (toolchain in the final image).

Not a rule module (the leading underscore keeps the pack loader away). It tells which
packages and base images bring a build toolchain, which shell commands build an
artefact, where that artefact ends up, and how each command of a `RUN` relates to a
multi-stage conversion: needed at run time, only useful for the build, or unknown.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence

from dfopt.rules_api import Context, Instruction, ShellWord, SimpleCommand, record, set_field

from ._packages import (
    APK_OPTIONS,
    APT_GET_OPTIONS,
    RPM_TOOL_OPTIONS,
    ZYPPER_OPTIONS,
    OptionSyntax,
    split_arguments,
)

GO = "go"
RUST = "rust"
JAVA = "java"
NODE = "node"
NATIVE = "native"
"""C and C++ compilers, make, and the headers of `-dev`/`-devel` packages."""

# -- packages ------------------------------------------------------------------------------

_GO_PACKAGES = frozenset({"go", "golang", "golang-go"})
_RUST_PACKAGES = frozenset({"cargo", "rust", "rustc", "rustup"})
_JAVA_PACKAGES = frozenset(
    {"maven", "maven3", "gradle", "ant", "default-jdk", "default-jdk-headless"}
)
_NATIVE_PACKAGES = frozenset(
    {
        "gcc",
        "g++",
        "gcc-c++",
        "c++",
        "cpp",
        "clang",
        "make",
        "cmake",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "autoconf",
        "automake",
        "libtool",
        "musl-dev",
        "libc-dev",
        "libc6-dev",
        "linux-headers",
        "pkgconf",
        "pkgconfig",
        "pkg-config",
    }
)
COMPILERS = frozenset(
    {"gcc", "g++", "gcc-c++", "c++", "clang", "build-essential", "build-base", "alpine-sdk"}
)
"""Packages that bring a C compiler, which building Python extensions needs."""
_NODE_PACKAGES = frozenset({"nodejs", "npm", "yarn", "nodejs-npm", "nodejs-current"})
_JDK = re.compile(r"^(?:openjdk-?(\d+)(?:-jdk(?:-headless)?)?|java-(\d+)-openjdk-devel)$")
_BUILD_ONLY = frozenset({"git", "openssh", "openssh-client", "unzip", "upx", "binutils", "patch"})
"""Packages that are no toolchain but are only fetched for the build (not carried over)."""


def package_name(word: str) -> str:
    """The package name without a version pin (``go=1.22-r0`` -> ``go``)."""
    for separator in ("=", ">", "<", "~"):
        word = word.split(separator, 1)[0]
    return word.split(":", 1)[0] if ":" in word and not word.startswith(":") else word


def toolchain_of(package: str) -> str | None:
    """The toolchain a package brings (GO, RUST, JAVA, NATIVE, NODE), or None."""
    name = package_name(package).lower()
    if name in _GO_PACKAGES or re.fullmatch(r"golang-[0-9.]+(-go)?", name):
        return GO
    if name in _RUST_PACKAGES or name.startswith("rust-"):
        return RUST
    if name in _JAVA_PACKAGES:
        return JAVA
    match = _JDK.match(name)
    if match is not None and not name.endswith("-jre"):
        return JAVA
    if name in _NATIVE_PACKAGES or name.endswith(("-dev", "-devel")):
        return NATIVE
    if name in _NODE_PACKAGES:
        return NODE
    return None


def jdk_version(package: str) -> str | None:
    """The Java version of a JDK package (``openjdk-17-jdk`` -> ``17``), or None."""
    match = _JDK.match(package_name(package).lower())
    if match is None:
        return None
    return match.group(1) or match.group(2)


def is_build_only(package: str) -> bool:
    return package_name(package).lower() in _BUILD_ONLY


@record()
class Install:
    """A package-manager command that installs packages."""

    __slots__ = ("command", "manager", "packages", "virtual")

    manager: str
    """``apk``, ``apt`` or ``rpm`` (yum, dnf, microdnf, zypper)."""
    command: SimpleCommand
    packages: tuple[ShellWord, ...]
    virtual: str | None
    """The name of an ``apk add --virtual`` group."""

    def __init__(
        self,
        manager: str,
        command: SimpleCommand,
        packages: tuple[ShellWord, ...],
        virtual: str | None = None,
    ) -> None:
        set_field(self, "manager", manager)
        set_field(self, "command", command)
        set_field(self, "packages", packages)
        set_field(self, "virtual", virtual)


_INSTALLERS: dict[str, tuple[str, OptionSyntax, frozenset[str]]] = {
    "apk": ("apk", APK_OPTIONS, frozenset({"add"})),
    "apt-get": ("apt", APT_GET_OPTIONS, frozenset({"install"})),
    "apt": ("apt", APT_GET_OPTIONS, frozenset({"install"})),
    "yum": ("rpm", RPM_TOOL_OPTIONS, frozenset({"install"})),
    "dnf": ("rpm", RPM_TOOL_OPTIONS, frozenset({"install"})),
    "microdnf": ("rpm", RPM_TOOL_OPTIONS, frozenset({"install"})),
    "zypper": ("rpm", ZYPPER_OPTIONS, frozenset({"install", "in"})),
}
_REMOVERS: dict[str, frozenset[str]] = {
    "apk": frozenset({"del"}),
    "apt-get": frozenset({"purge", "remove"}),
    "apt": frozenset({"purge", "remove"}),
    "yum": frozenset({"remove", "erase"}),
    "dnf": frozenset({"remove", "erase"}),
    "microdnf": frozenset({"remove"}),
    "zypper": frozenset({"remove", "rm"}),
}


def install_of(command: SimpleCommand) -> Install | None:
    """The packages ``command`` installs, or None when it installs nothing."""
    spec = _INSTALLERS.get(command.command or "")
    if spec is None:
        return None
    manager, syntax, verbs = spec
    options, operands = split_arguments(command, syntax)
    if not operands or operands[0].value not in verbs:
        return None
    virtual = None
    for index, word in enumerate(options):
        if word.value in ("--virtual", "-t") and index + 1 < len(options):
            virtual = options[index + 1].value
        elif word.value.startswith("--virtual="):
            virtual = word.value.split("=", 1)[1]
    return Install(manager, command, tuple(operands[1:]), virtual)


def removed_packages(command: SimpleCommand) -> set[str] | None:
    """Names a package-manager removal drops, or None when it is no removal."""
    name = command.command or ""
    verbs = _REMOVERS.get(name)
    if verbs is None:
        return None
    syntax = _INSTALLERS[name][1]
    _options, operands = split_arguments(command, syntax)
    if not operands or operands[0].value not in verbs:
        return None
    return {package_name(word.value) for word in operands[1:]}


# -- base images ---------------------------------------------------------------------------


@record()
class Image:
    __slots__ = ("name", "tag")

    name: str
    """The last path component of the repository (``golang``, ``eclipse-temurin``)."""
    tag: str

    def __init__(self, name: str, tag: str) -> None:
        set_field(self, "name", name)
        set_field(self, "tag", tag)


def image(reference: str) -> Image:
    last = reference.split("@", 1)[0].rsplit("/", 1)[-1]
    name, _, tag = last.partition(":")
    return Image(name.lower(), tag.lower())


_JDK_IMAGES = frozenset(
    {"eclipse-temurin", "openjdk", "amazoncorretto", "sapmachine", "ibm-semeru-runtimes"}
)


def image_toolchain(reference: str) -> str | None:
    """The toolchain a base image ships (``golang:1.22`` -> GO), or None."""
    found = image(reference)
    name, tag = found.name, found.tag
    if name == "golang":
        return GO
    if name == "rust":
        return RUST
    if name in ("maven", "gradle"):
        return JAVA
    if name in (
        "eclipse-temurin",
        "openjdk",
        "amazoncorretto",
        "sapmachine",
        "ibm-semeru-runtimes",
    ):
        return None if "jre" in tag else JAVA
    if name == "node":
        return NODE
    return None


def java_version(reference: str) -> str | None:
    """The Java version a JDK or build-tool image names (``maven:3.9-eclipse-temurin-17``)."""
    found = image(reference)
    tag = found.tag
    if found.name in ("eclipse-temurin", "openjdk", "amazoncorretto", "sapmachine"):
        match = re.match(r"(\d+)", tag)
        return match.group(1) if match else None
    match = re.search(r"(?:temurin|openjdk|jdk|corretto|sapmachine|semeru)-?(\d+)", tag)
    return match.group(1) if match else None


_CODENAMES = ("bookworm", "bullseye", "buster", "trixie", "jammy", "noble", "focal")
DEFAULT_DEBIAN = "bookworm"
DEFAULT_ALPINE = "3.20"


def family(reference: str) -> str:
    """``alpine``, ``distroless``, ``rpm`` or ``debian`` (Debian and Ubuntu) for an image."""
    lowered = reference.lower()
    if "alpine" in lowered:
        return "alpine"
    if "distroless" in lowered or lowered == "scratch":
        return "distroless"
    if any(word in lowered for word in ("centos", "fedora", "rocky", "alma", "ubi", "amazon")):
        return "rpm"
    return "debian"


def alpine_release(tag: str) -> str:
    match = re.search(r"alpine(\d+\.\d+)", tag)
    return match.group(1) if match else DEFAULT_ALPINE


def debian_codename(tag: str) -> str:
    return next((name for name in _CODENAMES if name in tag), DEFAULT_DEBIAN)


def slim_base(reference: str) -> str:
    """A plain OS image of the same family as a toolchain image, for native binaries."""
    tag = image(reference).tag
    if "alpine" in tag:
        return f"alpine:{alpine_release(tag)}"
    codename = debian_codename(tag)
    if codename in ("jammy", "noble", "focal"):
        return f"ubuntu:{codename}"
    return f"debian:{codename}-slim"


# -- build steps ---------------------------------------------------------------------------


@record()
class Build:
    """A command that builds an artefact."""

    __slots__ = ("artefact", "command", "directory", "label", "named", "static", "toolchain")

    toolchain: str
    label: str
    command: SimpleCommand
    artefact: str | None
    """Where the artefact ends up, relative to the command's working directory or
    absolute; a glob for jars; None when dfopt cannot tell."""
    directory: bool
    """The artefact is a directory (a front-end build folder, a wheel directory)."""
    static: bool
    named: bool
    """A ``pip install`` of named packages only (no requirement file, no project)."""

    def __init__(
        self,
        toolchain: str,
        label: str,
        command: SimpleCommand,
        artefact: str | None,
        directory: bool = False,
        static: bool = False,
        named: bool = False,
    ) -> None:
        set_field(self, "toolchain", toolchain)
        set_field(self, "label", label)
        set_field(self, "command", command)
        set_field(self, "artefact", artefact)
        set_field(self, "directory", directory)
        set_field(self, "static", static)
        set_field(self, "named", named)


@record()
class Found:
    """The build step DF106 reports."""

    __slots__ = ("build", "cwd", "run", "toolchain")

    build: Build
    run: Instruction
    cwd: str | None
    """The working directory of the build command, when known."""
    toolchain: str

    def __init__(self, build: Build, run: Instruction, cwd: str | None, toolchain: str) -> None:
        set_field(self, "build", build)
        set_field(self, "run", run)
        set_field(self, "cwd", cwd)
        set_field(self, "toolchain", toolchain)


def _values(command: SimpleCommand) -> list[str]:
    return [arg.value for arg in command.args]


def _option(values: Sequence[str], *names: str) -> str | None:
    """The value of ``-o PATH``, ``-o=PATH`` or ``--out PATH`` style options."""
    found = None
    for index, value in enumerate(values):
        for name in names:
            if value == name and index + 1 < len(values):
                found = values[index + 1]
            elif value.startswith(name + "=") and name.startswith("-"):
                found = value.split("=", 1)[1]
    return found


def _goals(values: Sequence[str]) -> list[str]:
    return [value for value in values if not value.startswith("-") and ":" not in value]


def _sub(command: SimpleCommand) -> list[str]:
    """Arguments after the program, flags dropped."""
    return [value for value in _values(command) if not value.startswith("-")]


_BUILDERS = frozenset({"go", "cargo", "mvn", "mvnw", "gradle", "gradlew", "npm", "yarn", "pnpm"})


def may_build(name: str | None) -> bool:
    """False when a command called ``name`` is surely no build :func:`build_of` knows."""
    return name is not None and (name in _BUILDERS or name.startswith(("python", "pip")))


def build_of(command: SimpleCommand, ctx: Context, cwd: str | None) -> Build | None:
    """The artefact-producing build ``command`` runs, or None."""
    name = command.command or ""
    values = _values(command)
    # The first two words that are not options must be literal: options (a cache flag
    # another fix adds, say) do not change what is built.
    words = [arg for arg in command.args if not (arg.literal and arg.value.startswith("-"))]
    if not command.reliable or any(not arg.literal for arg in words[:2]):
        return None
    if name == "go" and values[:1] == ["build"]:
        return Build(GO, "go build", command, _option(values, "-o"))
    if name == "cargo" and values[:1] == ["build"]:
        if "--release" not in values and "-r" not in values:
            return None
        return Build(RUST, "cargo build --release", command, _cargo_artefact(values, ctx, cwd))
    if name in ("mvn", "mvnw"):
        if _option(values, "-f", "--file", "-pl", "--projects") is not None:
            return Build(JAVA, f"{name} package", command, None)
        goals = _goals(values)
        for goal in ("package", "install", "verify", "deploy"):
            if goal in goals:
                return Build(JAVA, f"{name} {goal}", command, "target/*.jar")
        return None
    if name in ("gradle", "gradlew"):
        goals = [goal.rsplit(":", 1)[-1] for goal in values if not goal.startswith("-")]
        for goal in ("build", "bootJar", "assemble", "jar", "shadowJar"):
            if goal in goals:
                return Build(JAVA, f"{name} {goal}", command, "build/libs/*.jar")
        return None
    if name in ("npm", "yarn", "pnpm"):
        words = _sub(command)
        runs = words[:2] in (["run", "build"], ["run-script", "build"])
        if runs or (name in ("yarn", "pnpm") and words[:1] == ["build"]):
            return Build(NODE, f"{name} run build", command, None, directory=True)
        return None
    return _python_build(command, name, values)


def _python_build(command: SimpleCommand, name: str, values: list[str]) -> Build | None:
    if name.startswith("python") and values[:2] == ["-m", "pip"]:
        values = values[2:]
        name = "pip"
    elif name.startswith("python") and values[:2] == ["-m", "build"]:
        return Build(NATIVE, "python -m build", command, "dist", directory=True)
    if not name.startswith("pip") or "pipx" in name or "pipenv" in name:
        return None
    subcommand = next((value for value in values if not value.startswith("-")), None)
    if subcommand == "wheel":
        wheels = _option(values, "-w", "--wheel-dir")
        return Build(NATIVE, "pip wheel", command, wheels or ".", directory=True)
    if subcommand != "install":
        return None
    if _installs_project(values):
        return Build(NATIVE, "pip install", command, None)
    install = pip_install(command)
    if install is not None and install.targets and not install.tools_only:
        return Build(NATIVE, "pip install", command, None, named=True)
    return None


def _installs_project(values: Sequence[str]) -> bool:
    """A pip install of an application's dependencies: requirement files or the project
    itself (named packages alone are more often tools than an application)."""
    for value in values:
        if value in ("-r", "--requirement", ".", "./", "-e", "--editable"):
            return True
        if value.startswith(("--requirement=", "-r", ".[", "./[")):
            return True
    return False


def _cargo_artefact(values: Sequence[str], ctx: Context, cwd: str | None) -> str | None:
    target = _option(values, "--target")
    profile = "release"
    directory = f"target/{target}/{profile}" if target else f"target/{profile}"
    binary = _option(values, "--bin")
    if binary is None:
        binary = cargo_binary(ctx, cwd)
    return f"{directory}/{binary}" if binary else None


def cargo_binary(ctx: Context, cwd: str | None) -> str | None:
    """The binary ``cargo build`` makes, from ``Cargo.toml`` at the context root.

    A line reader for the few keys needed (``[package] name`` and ``[[bin]] name``), so
    no TOML library is required; None for workspaces, several binaries or odd layouts.
    """
    head = ctx.read_context_head("Cargo.toml", 65536)
    if head is None:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    section = ""
    package: str | None = None
    bins: list[str | None] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[] \t")
            if line.startswith("[[") and section == "bin":
                bins.append(None)
            if section == "workspace":
                return None
            continue
        key, sep, value = line.partition("=")
        if not sep or key.strip() != "name":
            continue
        value = value.strip()
        if len(value) < 2 or value[0] not in "\"'" or value[-1] != value[0]:
            return None
        name = value[1:-1]
        if section == "package":
            package = name
        elif section == "bin" and bins:
            bins[-1] = name
    if bins:
        return bins[0] if len(bins) == 1 else None
    return package


_OUT_DIRS = {"react-scripts": "build", "vite": "dist", "vue-cli-service": "dist"}


def front_end_output(ctx: Context) -> str | None:
    """The folder ``npm run build`` writes, from ``package.json`` (None when unknown)."""
    head = ctx.read_context_head("package.json", 262144)
    if head is None:
        return None
    try:
        import json  # rarely needed: not on the start-up path

        data = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    script = scripts.get("build") if isinstance(scripts, dict) else None
    if not isinstance(script, str):
        return None
    words = script.split()
    for index, word in enumerate(words):
        tool = _OUT_DIRS.get(word)
        if tool is None:
            continue
        rest = words[index + 1 :]
        for option in ("--outDir", "--out-dir", "--dest"):
            value = _option(rest, option)
            if value is not None:
                return value
        return tool
    return None


def front_end_tool(ctx: Context) -> bool:
    """``package.json``'s build script runs a static front-end bundler."""
    return front_end_output(ctx) is not None


# -- serving static files ------------------------------------------------------------------

_SERVE_VALUE_OPTIONS = frozenset({"-l", "--listen", "-p", "--port", "-c", "--config"})
_HTTP_SERVER_VALUE_OPTIONS = frozenset({"-p", "--port", "-a", "-c", "-e", "-P", "--proxy"})


def served_folder(words: Sequence[str]) -> tuple[str, str | None] | None:
    """``(server, folder)`` when a command line serves static files with ``serve`` or
    ``http-server`` (``npx`` included); None otherwise."""
    words = list(words)
    if words[:1] == ["npx"]:
        words = [word for word in words[1:] if word not in ("-y", "--yes")]
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "serve":
        skip = _SERVE_VALUE_OPTIONS
    elif program == "http-server":
        skip = _HTTP_SERVER_VALUE_OPTIONS
    else:
        return None
    folder = None
    index = 1
    while index < len(words):
        word = words[index]
        if word in skip:
            index += 2
            continue
        if not word.startswith("-"):
            folder = word
            break
        index += 1
    return program, folder


# -- commands of a RUN in a multi-stage conversion ----------------------------------------

RUNTIME = "runtime"
"""Needed at run time and independent of the sources: goes to the final stage."""
BUILD = "build"
"""Only useful for the build: stays in the build stage."""
NEUTRAL = "neutral"
"""A cache cleanup or index update: goes with whatever it stands next to."""
TOOLCHAIN = "toolchain"
"""Installs toolchain packages: stays in the build stage."""
UNKNOWN = "unknown"

_CACHES = ("/var/lib/apt/lists", "/var/cache", "/tmp", "/root/.cache", "/root/.npm")
_USERS = frozenset({"useradd", "adduser", "addgroup", "groupadd", "usermod"})
_BUILD_TOOLS = frozenset(
    {"go", "cargo", "mvn", "mvnw", "gradle", "gradlew", "strip", "upx", "make", "cmake"}
)


def classify(command: SimpleCommand) -> str:
    """How a command of a `RUN` in the final stage relates to a multi-stage conversion."""
    name = command.command or ""
    values = _values(command)
    install = install_of(command)
    if install is not None:
        if any(not word.literal for word in install.packages):
            return UNKNOWN
        if any(toolchain_of(word.value) for word in install.packages):
            return TOOLCHAIN
        if install.packages and all(is_build_only(word.value) for word in install.packages):
            return BUILD
        return RUNTIME if install.packages else NEUTRAL
    if removed_packages(command) is not None:
        return BUILD
    if name in ("apk", "apt-get", "apt", "yum", "dnf", "microdnf", "zypper"):
        first = next((value for value in values if not value.startswith("-")), "")
        if first in ("update", "clean", "makecache", "autoremove", "autoclean", "refresh"):
            return NEUTRAL
        return UNKNOWN
    if name == "rm":
        paths = [value for value in values if not value.startswith("-")]
        if paths and all(
            any(path == cache or path.startswith(cache + "/") for cache in _CACHES)
            for path in paths
        ):
            return NEUTRAL
        return BUILD
    if name in _USERS or name in ("mkdir", "chown", "chmod", "ln", "update-ca-certificates"):
        return RUNTIME
    if name in ("npm", "pnpm") and _global_install(values):
        return RUNTIME
    if name == "yarn" and values[:2] == ["global", "add"]:
        return RUNTIME
    if name in ("npm", "yarn", "pnpm"):
        return BUILD
    if name in _BUILD_TOOLS:
        return BUILD
    if name.startswith("pip") or name.startswith("python"):
        return BUILD
    if name in ("true", ":"):
        return NEUTRAL
    return UNKNOWN


def _global_install(values: Sequence[str]) -> bool:
    words = [value for value in values if not value.startswith("-")]
    is_global = any(value in ("-g", "--global", "--location=global") for value in values)
    if not is_global or not words or words[0] not in ("install", "i", "add"):
        return False
    return all(not word.startswith((".", "/")) for word in words[1:])


def kinds(commands: Iterable[SimpleCommand]) -> list[str]:
    return [classify(command) for command in commands]


def resolve(path: str, cwd: str | None) -> str | None:
    """``path`` made absolute against ``cwd`` (None when the working directory is unknown)."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, path))


def references(text: str, names: Mapping[str, object] | Iterable[str]) -> set[str]:
    """The names among ``names`` that ``text`` refers to as ``$NAME`` or ``${NAME...}``."""
    return {
        name for name in names if re.search(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])", text)
    }


# -- Python: pip installs and the run-time libraries of -dev packages --------------------

PIP_PREFIX = "/install"
"""Where the build stage of the Python conversion installs packages (``pip --prefix``)."""

_PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--src",
        "--upgrade-strategy",
        "--install-option",
        "--global-option",
        "-C",
        "--config-settings",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--progress-bar",
        "--log",
        "--log-file",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--no-binary",
        "--only-binary",
        "--report",
        "--root-user-action",
        "--keyring-provider",
        "--python",
        "--use-feature",
        "--use-deprecated",
        "--build",
        "-b",
    }
)
"""pip options (global or of ``install``) that take the next word as their value."""
_PIP_ELSEWHERE = frozenset(
    {"--user", "-t", "--target", "--prefix", "--root", "--home", "-e", "--editable", "--src"}
)
"""Options that send the install somewhere else than the interpreter's prefix."""
_PIP_TOOLING = frozenset({"pip", "setuptools", "wheel"})
_PYTHON_TOOLS = _PIP_TOOLING | frozenset(
    {"pipenv", "poetry", "uv", "pdm", "hatch", "virtualenv", "pip-tools", "tox", "nox"}
)
"""Packaging tools: installing them builds no application by itself."""


@record()
class PipInstall:
    """A ``pip install`` (``pip3``, ``python -m pip``) command."""

    __slots__ = ("command", "options", "requirements", "targets", "verb")

    command: SimpleCommand
    verb: ShellWord
    """The ``install`` word (the conversion adds ``--prefix`` right after it)."""
    options: tuple[str, ...]
    """Option words, with the value of those that take one (``-r`` ``FILE`` ...)."""
    requirements: tuple[str, ...]
    """The ``-r``/``--requirement`` files."""
    targets: tuple[str, ...]
    """Package specifiers and paths."""

    def __init__(
        self,
        command: SimpleCommand,
        verb: ShellWord,
        options: tuple[str, ...],
        requirements: tuple[str, ...],
        targets: tuple[str, ...],
    ) -> None:
        set_field(self, "command", command)
        set_field(self, "verb", verb)
        set_field(self, "options", options)
        set_field(self, "requirements", requirements)
        set_field(self, "targets", targets)

    @property
    def project(self) -> bool:
        """Installs a local project (``.``, ``./path``, ``/path``, ``.[extra]``)."""
        return any(target.startswith((".", "/")) for target in self.targets)

    @property
    def tooling_only(self) -> bool:
        """Only upgrades pip, setuptools or wheel: no application package."""
        if self.requirements or not self.targets or self.project:
            return False
        return all(_requirement_name(target) in _PIP_TOOLING for target in self.targets)

    @property
    def tools_only(self) -> bool:
        """Only installs packaging tools (pip, pipenv, poetry ...)."""
        if self.requirements or not self.targets or self.project:
            return False
        return all(_requirement_name(target) in _PYTHON_TOOLS for target in self.targets)

    @property
    def elsewhere(self) -> bool:
        """Installs into the user site, a target folder, another prefix or in editable
        mode (then the packages are not where ``--prefix`` would put them)."""
        for option in self.options:
            name = option.split("=", 1)[0]
            if name in _PIP_ELSEWHERE or re.fullmatch(r"-[a-zA-Z]*[te][a-zA-Z]*", name):
                return True
        return False


def _requirement_name(spec: str) -> str:
    return re.split(r"[\[<>=!~;@ ]", spec, maxsplit=1)[0].strip().lower().replace("_", "-")


def pip_install(command: SimpleCommand) -> PipInstall | None:
    """The ``pip install`` that ``command`` runs, or None."""
    name = command.command or ""
    args = list(command.args)
    if name.startswith("python") and [arg.value for arg in args[:2]] == ["-m", "pip"]:
        args = args[2:]
    elif not re.fullmatch(r"pip[0-9.]*", name):
        return None
    options: list[str] = []
    verb: ShellWord | None = None
    requirements: list[str] = []
    targets: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        value = word.value
        if value.startswith("-") and value != "-":
            options.append(value)
            takes_value = value in _PIP_VALUE_OPTIONS
            if takes_value and index + 1 < len(args):
                options.append(args[index + 1].value)
                if value in ("-r", "--requirement") and verb is not None:
                    requirements.append(args[index + 1].value)
                index += 2
                continue
            if value.startswith("--requirement="):
                requirements.append(value.split("=", 1)[1])
            elif value.startswith("-r") and len(value) > 2 and not value.startswith("--"):
                requirements.append(value[2:])
            index += 1
            continue
        if verb is None:
            if value != "install":
                return None
            verb = word
        else:
            targets.append(value)
        index += 1
    if verb is None:
        return None
    return PipInstall(command, verb, tuple(options), tuple(requirements), tuple(targets))


def official_python(reference: str) -> bool:
    """``reference`` is the official ``python`` image (Python built into /usr/local)."""
    repository = reference.split("@", 1)[0].rsplit(":", 1)[0] if ":" in reference else reference
    repository = repository.split("@", 1)[0].lower()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        repository = repository.removeprefix(prefix)
    return repository in ("python", "library/python")


_SHIPPED = "shipped"
"""The python image already holds the library: its interpreter links it."""
_APT_RUNTIME: dict[str, str | dict[str, str]] = {
    "libpq-dev": "libpq5",
    "default-libmysqlclient-dev": "libmariadb3",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libxslt-dev": "libxslt1.1",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libpng-dev": {"trixie": "libpng16-16t64", "": "libpng16-16"},
    "libyaml-dev": "libyaml-0-2",
    "libgeos-dev": {"trixie": "libgeos-c1t64", "": "libgeos-c1v5"},
    "libfreetype6-dev": "libfreetype6",
    "libfreetype-dev": "libfreetype6",
    "libssl-dev": _SHIPPED,
    "libffi-dev": _SHIPPED,
    "zlib1g-dev": _SHIPPED,
    "libsqlite3-dev": _SHIPPED,
    "libbz2-dev": _SHIPPED,
    "liblzma-dev": _SHIPPED,
}
"""Debian ``-dev`` package -> its run-time library (per release where the name changed)."""
_APK_RUNTIME: dict[str, str] = {
    "postgresql-dev": "libpq",
    "libpq-dev": "libpq",
    "mariadb-dev": "mariadb-connector-c",
    "mariadb-connector-c-dev": "mariadb-connector-c",
    "libxml2-dev": "libxml2",
    "libxslt-dev": "libxslt",
    "jpeg-dev": "libjpeg-turbo",
    "libjpeg-turbo-dev": "libjpeg-turbo",
    "libpng-dev": "libpng",
    "freetype-dev": "freetype",
    "yaml-dev": "yaml",
    "geos-dev": "geos",
    "openssl-dev": _SHIPPED,
    "libffi-dev": _SHIPPED,
    "zlib-dev": _SHIPPED,
    "sqlite-dev": _SHIPPED,
    "bzip2-dev": _SHIPPED,
    "xz-dev": _SHIPPED,
}
"""Alpine ``-dev`` package -> its run-time library."""
_HEADERS_ONLY = re.compile(
    r"^(?:python[0-9.]*-dev|libpython[0-9.]*-dev|musl-dev|libc-dev|libc6-dev|linux-headers"
    r"|linux-libc-dev)$"
)
_OLD_DEBIAN = ("stretch", "jessie", "wheezy")
_RENAMED_SINCE_STRETCH = frozenset(
    {"default-libmysqlclient-dev", "libmariadb-dev", "libmariadb-dev-compat"}
)
"""Their run-time library was ``libmariadbclient18`` on stretch, ``libmariadb3`` since."""


def _maybe_stretch(tag: str) -> bool:
    """The tag names no Debian release and its Python version had images on stretch
    (before 3.8), so the release the tag stood for is not known."""
    if any(codename in tag for codename in _CODENAMES):
        return False
    match = re.match(r"(\d+)(?:\.(\d+))?", tag)
    if match is None:
        return False
    major, minor = int(match.group(1)), int(match.group(2) or 99)
    return major < 3 or (major == 3 and minor < 8)


_APK_COMPILER_LIBRARIES = {
    "gcc": "libgcc",
    "g++": "libstdc++",
    "build-base": "libstdc++",
    "alpine-sdk": "libstdc++",
    "clang": "libstdc++",
}
"""Alpine's base has no GCC run-time libraries, which compiled extensions may link
(``libstdc++`` brings ``libgcc``); Debian's base always has them."""


def runtime_packages(manager: str, package: str, base: str) -> list[str] | None:
    """What the final stage of the Python conversion installs for a toolchain package.

    ``[]`` for compilers, build tools and headers whose library the ``python`` image
    already holds; the run-time library of a known ``-dev`` package; None when the
    package is a ``-dev`` package dfopt knows no run-time library for (or the base is a
    Debian release older than buster, whose library names differ).
    """
    name = package_name(package).lower()
    if manager == "apk" and name in _APK_COMPILER_LIBRARIES:
        return [_APK_COMPILER_LIBRARIES[name]]
    if not name.endswith(("-dev", "-devel")) or _HEADERS_ONLY.match(name):
        return []
    found: str | None
    if manager == "apk":
        found = _APK_RUNTIME.get(name)
    elif manager == "apt":
        tag = image(base).tag
        if any(old in tag for old in _OLD_DEBIAN):
            return None
        if name in _RENAMED_SINCE_STRETCH and _maybe_stretch(tag):
            return None
        entry = _APT_RUNTIME.get(name)
        if isinstance(entry, dict):
            release = next((codename for codename in entry if codename and codename in tag), "")
            found = entry[release]
        else:
            found = entry
    else:
        return None
    if found is None:
        return None
    return [] if found == _SHIPPED else [found]
