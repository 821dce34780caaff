"""A lint/fix session: registry + configuration + command-line overrides, per file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dfopt.engine.linter import LintResult, lint_document
from dfopt.engine.registry import Registry, default_registry
from dfopt.engine.selection import Selection, matches, select_rules
from dfopt.rules_api import Settings as RuleSettings
from dfopt.severity import Severity
from dfopt.syntax import Document, parse

if TYPE_CHECKING:
    from dfopt.config import AnySettings
    from dfopt.engine.rewriter import FixResult


class Overrides:
    """Command-line options that take precedence over configuration files."""

    __slots__ = ("context_files", "extend_select", "ignore", "select", "unsafe_fixes")

    select: Sequence[str] | None
    extend_select: Sequence[str]
    ignore: Sequence[str]
    unsafe_fixes: bool | None
    context_files: bool
    """Apply the fixes that change build-context files (``fix --dockerignore``)."""

    def __init__(
        self,
        select: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        unsafe_fixes: bool | None = None,
        context_files: bool = False,
    ) -> None:
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.unsafe_fixes = unsafe_fixes
        self.context_files = context_files


class Session:
    """Lints and fixes files with one configuration."""

    __slots__ = ("overrides", "registry", "root", "settings")

    settings: AnySettings
    root: Path | None
    overrides: Overrides
    registry: Registry

    def __init__(
        self,
        settings: AnySettings,
        root: Path | None = None,
        overrides: Overrides | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.settings = settings
        self.root = root
        self.overrides = Overrides() if overrides is None else overrides
        self.registry = default_registry() if registry is None else registry

    def selection(self, path: Path | None) -> Selection:
        settings = self.settings
        select = self.overrides.select if self.overrides.select is not None else settings.select
        return select_rules(
            self.registry,
            select=select,
            extend_select=[*settings.extend_select, *self.overrides.extend_select],
            ignore=[*settings.ignore, *self.overrides.ignore],
            per_file_ignores=settings.per_file_ignores,
            severity=settings.severity,
            path=path,
            root=self.root,
        )

    @property
    def rule_settings(self) -> RuleSettings:
        settings = self.settings
        return RuleSettings(
            trusted_registries=tuple(settings.trusted_registries),
            label_schema=dict(settings.label_schema),
            strict_labels=settings.strict_labels,
        )

    @property
    def failure_threshold(self) -> Severity:
        return self.settings.failure_threshold

    @property
    def unsafe_fixes(self) -> bool:
        if self.overrides.unsafe_fixes is not None:
            return self.overrides.unsafe_fixes
        return self.settings.fix.unsafe_fixes

    def lint_document(self, document: Document, path: Path | None = None) -> LintResult:
        return lint_document(
            document,
            self.selection(path),
            path=path,
            settings=self.rule_settings,
            rule_options=self.settings.rules,
            allow_inline_pragmas=not self.settings.disable_ignore_pragma,
        )

    def lint(self, text: str, path: Path | None = None) -> LintResult:
        return self.lint_document(parse(text), path)

    def is_fixable(self, code: str) -> bool:
        fix = self.settings.fix
        rule = self.registry.by_code.get(code)
        if rule is None:
            return False
        if any(matches(selector, rule) for selector in fix.unfixable):
            return False
        return any(matches(selector, rule) for selector in fix.fixable)

    def fix(
        self,
        text: str,
        path: Path | None = None,
        unsafe: bool | None = None,
        context_files: bool | None = None,
    ) -> FixResult:
        """Fix ``text``; ``context_files`` also takes the fixes of build-context files."""
        from dfopt.engine.rewriter import fix_text, take_context_fixes  # not needed by check

        selection = self.selection(path)
        use_unsafe = self.unsafe_fixes if unsafe is None else unsafe

        def lint(document: Document) -> LintResult:
            return lint_document(
                document,
                selection,
                path=path,
                settings=self.rule_settings,
                rule_options=self.settings.rules,
                allow_inline_pragmas=not self.settings.disable_ignore_pragma,
            )

        result = fix_text(text, lint, unsafe=use_unsafe, is_fixable=self.is_fixable)
        if result.final is None:
            result.final = lint(parse(result.text))
        wants_files = self.overrides.context_files if context_files is None else context_files
        if wants_files and path is not None:
            take_context_fixes(result, self.is_fixable)
        return result
