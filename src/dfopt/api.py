"""The public Python API.

>>> from dfopt.api import lint, fix
>>> [v.code for v in lint("FROM alpine:3.20\\nMAINTAINER me\\n").violations]
['DF301', 'DL4000']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dfopt.engine.linter import LintResult
from dfopt.engine.rewriter import FixResult
from dfopt.engine.session import Overrides, Session
from dfopt.format import FormatResult


def session(
    *,
    path: Path | None = None,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    isolated: bool = True,
    settings: Mapping[str, Any] | None = None,
) -> Session:
    """A session using the configuration found for ``path`` (unless ``isolated``).

    ``settings`` gives the configuration directly, in the form of a ``.dfopt.yaml``
    (kebab-case keys); it takes the place of any configuration file.
    """
    from dfopt.config import AnySettings, DefaultSettings, resolve_config

    if settings is not None:
        from dfopt.config import Settings

        return Session(
            Settings.model_validate(dict(settings)),
            None,
            Overrides(select, extend_select, ignore),
        )
    settings_model: AnySettings
    if isolated or path is None:
        settings_model = DefaultSettings()
        root = None
    else:
        resolved = resolve_config(path)
        settings_model = resolved.settings
        root = resolved.root
    return Session(settings_model, root, Overrides(select, extend_select, ignore))


def lint(
    text: str,
    *,
    path: Path | None = None,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    isolated: bool = True,
    settings: Mapping[str, Any] | None = None,
) -> LintResult:
    """Lint Dockerfile ``text``; violations come sorted by position."""
    return session(
        path=path,
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        isolated=isolated,
        settings=settings,
    ).lint(text, path)


def fix(
    text: str,
    *,
    path: Path | None = None,
    unsafe: bool = False,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    isolated: bool = True,
    settings: Mapping[str, Any] | None = None,
    dockerignore: bool = False,
) -> FixResult:
    """Fix Dockerfile ``text``; ``result.text`` is the fixed text.

    With ``dockerignore`` (and a ``path``), the fixes of build-context files are taken
    too: ``result.context_files`` lists them and :func:`write_context_files` applies them.
    """
    return session(
        path=path,
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        isolated=isolated,
        settings=settings,
    ).fix(text, path, unsafe, dockerignore)


def context_file_changes(result: FixResult, dockerfile: Path) -> dict[Path, tuple[str | None, str]]:
    """The files of the build context ``result`` changes: path -> (old text, new text).

    Several fixes of one file merge; a file whose text would not change is left out.
    """
    changes: dict[Path, tuple[str | None, str]] = {}
    for request in result.context_files:
        target = dockerfile.parent / request.path
        old: str | None
        current: str | None
        if target in changes:
            old, current = changes[target]
        else:
            try:
                old = target.read_bytes().decode("utf-8")
            except FileNotFoundError:
                old = None
            current = old
        changes[target] = (old, request.apply(current))
    return {path: (old, new) for path, (old, new) in changes.items() if old != new}


def write_context_files(result: FixResult, dockerfile: Path) -> list[Path]:
    """Write the build-context changes of ``result`` atomically; the paths written."""
    from dfopt.files import write_atomic

    written = []
    for target, (old, new) in context_file_changes(result, dockerfile).items():
        expected = None if old is None else old.encode("utf-8")
        write_atomic(target, new, expected=expected)
        written.append(target)
    return written


def format_text(
    text: str, settings: Mapping[str, Any] | object | None = None, *, path: Path | None = None
) -> FormatResult:
    """Format Dockerfile ``text`` as ``dfopt format`` does.

    ``result.text`` is the formatted text; ``result.reason`` says why the text was left
    unchanged when the formatter could not prove the new layout means the same. The
    settings are the keys of a configuration's ``format:`` section (kebab-case), a
    settings model, or None: then the configuration found for ``path`` applies (the
    defaults without a ``path``).
    """
    from dfopt import format as formatter

    return formatter.format_text(text, _format_settings(settings, path))


def format_range(
    text: str,
    first_line: int,
    last_line: int,
    settings: Mapping[str, Any] | object | None = None,
    *,
    path: Path | None = None,
) -> FormatResult:
    """Format only lines ``first_line`` to ``last_line`` (1-based, inclusive) of ``text``.

    The instructions, comments and blank lines touching the range are formatted, the
    rest is kept as written (``textDocument/rangeFormatting``).
    """
    from dfopt import format as formatter

    return formatter.format_range(text, first_line, last_line, _format_settings(settings, path))


def _format_settings(settings: object, path: Path | None) -> object:
    if settings is not None or path is None:
        return settings
    from dfopt.config import resolve_config

    return resolve_config(path).settings
