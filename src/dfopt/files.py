"""Finding Dockerfiles, reading them safely and writing fixed files atomically.

Everything here is about files, not Dockerfile syntax, so it imports nothing heavy: the
command line uses it before deciding whether the linting engine is needed at all.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

__all__ = [
    "DEFAULT_EXCLUDES",
    "DOCKERFILE_PATTERNS",
    "MAX_FILE_SIZE",
    "Discovered",
    "InputError",
    "decode_dockerfile",
    "discover",
    "glob_matches",
    "is_dockerfile_name",
    "read_dockerfile",
    "write_atomic",
]

#: File names searched for in directories (matched case-sensitively against the name).
DOCKERFILE_PATTERNS: tuple[str, ...] = (
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
)

#: Directory names never searched (hidden directories are skipped too).
DEFAULT_EXCLUDES: frozenset[str] = frozenset(
    {"node_modules", "vendor", "__pycache__", "venv", "site-packages", "bower_components"}
)

#: Files larger than this are refused: no real Dockerfile comes close.
MAX_FILE_SIZE = 5 * 1024 * 1024

_BOM = "\ufeff"


class InputError(Exception):
    """A file that cannot be linted; ``str()`` gives ``path[:line:col]: message``.

    Two errors are equal when their path, message and position are.
    """

    path: str
    message: str
    line: int | None
    column: int | None

    def __init__(
        self, path: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column

    def _key(self) -> tuple[str, str, int | None, int | None]:
        return (self.path, self.message, self.line, self.column)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, InputError)
        return self._key() == other._key()

    def __repr__(self) -> str:
        return (
            f"{type(self).__qualname__}(path={self.path!r}, message={self.message!r}, "
            f"line={self.line!r}, column={self.column!r})"
        )

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return f"{location}: {self.message}"


def is_dockerfile_name(name: str) -> bool:
    """Whether a file name follows one of the usual Dockerfile naming conventions.

    ``Dockerfile.dockerignore`` (a per-Dockerfile ignore file) is not a Dockerfile.
    """
    if name.endswith(".dockerignore"):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKERFILE_PATTERNS)


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob to a regex: ``**`` crosses directories, ``*`` and ``?`` do not."""
    out: list[str] = []
    index = 0
    length = len(pattern)
    while index < length:
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            end = pattern.find("]", index + 2)
            if end < 0:
                out.append(re.escape(char))
                index += 1
                continue
            body = pattern[index + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return re.compile("".join(out) + r"\Z")


def glob_matches(relative: str, pattern: str) -> bool:
    """Match a ``/``-separated relative path against a glob.

    A pattern without a slash (``*.dev.Dockerfile``) matches the last path component
    anywhere, like a ``.gitignore`` line; a pattern with one is matched against the whole
    relative path (``/Dockerfile`` is only the top-level one); ``dir/**`` matches
    everything below ``dir``.
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.rstrip("/") or pattern
    if "/" not in pattern:
        return bool(_glob_regex(pattern).match(relative.rsplit("/", 1)[-1]))
    return bool(_glob_regex(pattern.lstrip("/")).match(relative))


def _excluded_dir(relative: str, patterns: Iterable[str]) -> bool:
    """Whether a directory (relative path) is excluded by one of ``patterns``."""
    for pattern in patterns:
        trimmed = pattern.strip().rstrip("/")
        while trimmed.endswith("/**"):
            trimmed = trimmed[:-3]
        if glob_matches(relative, pattern) or (trimmed and glob_matches(relative, trimmed)):
            return True
    return False


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class Filters:
    """Include and exclude globs and the directory they are relative to (read-only)."""

    __slots__ = ("exclude", "include", "root")

    root: Path
    include: Sequence[str]
    exclude: Sequence[str]

    def __init__(
        self, root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()
    ) -> None:
        self.root = root
        self.include = include
        self.exclude = exclude


class Discovered:
    """The files to lint and the problems met while looking for them."""

    __slots__ = ("errors", "files")

    files: list[Path]
    errors: list[InputError]

    def __init__(
        self, files: list[Path] | None = None, errors: list[InputError] | None = None
    ) -> None:
        self.files = [] if files is None else files
        self.errors = [] if errors is None else errors


def discover(
    paths: Sequence[Path],
    filters_for: Callable[[Path], Filters] | None = None,
    *,
    force_exclude: bool = False,
) -> Discovered:
    """Expand ``paths`` into the Dockerfiles to lint, sorted and without duplicates.

    Files named explicitly are always taken (unless ``force_exclude`` and an exclude
    glob matches them). Directories are searched recursively for files matching
    :data:`DOCKERFILE_PATTERNS` (or the configuration's ``include`` globs, when set),
    skipping hidden directories, :data:`DEFAULT_EXCLUDES` and ``exclude`` globs.
    ``filters_for(directory)`` gives the globs that apply in a directory; it may raise
    :class:`InputError` (a broken configuration), which is recorded for that directory.
    """
    found = Discovered()
    seen: set[Path] = set()

    def filters(directory: Path) -> Filters | None:
        if filters_for is None:
            return Filters(directory)
        try:
            return filters_for(directory)
        except InputError as error:
            if error not in found.errors:
                found.errors.append(error)
            return None

    def add(path: Path) -> None:
        key = _identity(path)
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for path in paths:
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as error:
            found.errors.append(InputError(str(path), _os_message(error)))
            continue
        if not exists:
            found.errors.append(InputError(str(path), "no such file or directory"))
            continue
        if not is_dir:
            if force_exclude:
                applied = filters(path.parent)
                if applied is None:
                    continue
                relative = _relative_to(path.absolute(), applied.root)
                if any(glob_matches(relative, pattern) for pattern in applied.exclude):
                    continue
            add(path)
            continue
        errors_before = len(found.errors)
        count = 0
        for candidate in _walk(path, filters, found.errors):
            add(candidate)
            count += 1
        if count == 0 and len(found.errors) == errors_before:
            found.errors.append(InputError(str(path), "no Dockerfiles found in this directory"))
    found.files.sort(key=lambda item: item.as_posix())
    return found


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _walk(
    top: Path, filters: Callable[[Path], Filters | None], errors: list[InputError]
) -> Iterator[Path]:
    """Dockerfiles below ``top``, in sorted order."""
    pending = [top]
    while pending:
        directory = pending.pop()
        applied = filters(directory.absolute())
        if applied is None:
            continue
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            errors.append(InputError(str(directory), _os_message(error)))
            continue
        subdirectories: list[Path] = []
        for entry in entries:
            path = directory / entry.name
            relative = _relative_to(path.absolute(), applied.root)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if entry.name.startswith(".") or entry.name in DEFAULT_EXCLUDES:
                    continue
                if _excluded_dir(relative, applied.exclude):
                    continue
                subdirectories.append(path)
            elif is_file:
                if applied.include:
                    wanted = any(glob_matches(relative, pattern) for pattern in applied.include)
                else:
                    wanted = is_dockerfile_name(entry.name)
                if wanted and not any(glob_matches(relative, p) for p in applied.exclude):
                    yield path
        pending.extend(reversed(subdirectories))


def _os_message(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    return (error.strerror or str(error)).lower()


def decode_dockerfile(data: bytes, name: str) -> str:
    """Decode the bytes of a Dockerfile, refusing binary, non-UTF-8 and oversized input.

    The text is returned exactly as stored (a byte order mark and CRLF line ends are
    kept), so writing it back encoded as UTF-8 gives the same bytes.
    """
    if len(data) > MAX_FILE_SIZE:
        size = len(data) / (1024 * 1024)
        limit = MAX_FILE_SIZE // (1024 * 1024)
        raise InputError(name, f"file is too large ({size:.1f} MB; the limit is {limit} MB)")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        raise InputError(name, "binary file (it contains NUL bytes)", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        byte = data[error.start]
        raise InputError(name, f"not valid UTF-8 (byte 0x{byte:02x})", line, column) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset (the BOM is not counted)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    prefix = data[line_start:offset]
    if line == 1 and prefix.startswith(b"\xef\xbb\xbf"):
        prefix = prefix[3:]
    column = len(prefix.decode("utf-8", "replace")) + 1
    return line, column


def read_dockerfile(path: Path, name: str | None = None) -> str:
    """Read a Dockerfile from disk (see :func:`decode_dockerfile`).

    Raises :class:`InputError` with a one-line reason for anything that is not a
    readable, reasonably sized UTF-8 text file; ``name`` is the path shown to the user.
    """
    shown = name if name is not None else str(path)
    try:
        info = path.stat()
    except OSError as error:
        raise InputError(shown, _os_message(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(shown, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(shown, "not a regular file")
    if info.st_size > MAX_FILE_SIZE:
        size = info.st_size / (1024 * 1024)
        limit = MAX_FILE_SIZE // (1024 * 1024)
        raise InputError(shown, f"file is too large ({size:.1f} MB; the limit is {limit} MB)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except OSError as error:
        raise InputError(shown, _os_message(error)) from None
    return decode_dockerfile(data, shown)


def only_comments(text: str) -> bool:
    """True when ``text`` holds nothing but blank lines, comments and a byte order mark.

    The builder rejects such a file ("file with no instructions"). This is a fast textual
    check; parser directives count as comments.
    """
    for line in text.removeprefix(_BOM).splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return False
    return True


def write_atomic(path: Path, text: str, expected: bytes | None = None) -> None:
    """Replace the contents of ``path`` (or create it) with ``text`` as UTF-8, atomically.

    The data goes to a temporary file in the same directory, which is flushed to disk,
    given the original file's permission bits (and owner, when allowed) and then moved
    over the original with :func:`os.replace`. A symbolic link is followed, so the link
    stays a link. On any failure the temporary file is removed and the original is left
    untouched. When ``expected`` is given and the file no longer holds those bytes (it
    was edited meanwhile), nothing is written and :class:`InputError` is raised.
    """
    import tempfile

    target = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    mode: int | None = None
    owner: tuple[int, int] | None = None
    try:
        info = target.stat()
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:
        if expected is not None:
            raise InputError(str(path), "the file disappeared while it was being fixed") from None
    except OSError as error:
        raise InputError(str(path), _os_message(error)) from None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".dfopt-tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if owner is not None and hasattr(os, "chown"):
            with contextlib.suppress(OSError):
                os.chown(temporary, *owner)
        if expected is not None and target.read_bytes() != expected:
            raise InputError(str(path), "the file changed while it was being fixed; not written")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        handle = os.open(directory, os.O_RDONLY | flags)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
