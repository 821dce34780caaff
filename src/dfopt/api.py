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
) -> FixResult:
    """Fix Dockerfile ``text``; ``result.text`` is the fixed text."""
    return session(
        path=path,
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        isolated=isolated,
        settings=settings,
    ).fix(text, path, unsafe)
