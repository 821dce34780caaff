"""Which rules run for a file, at which severity."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath

from dfopt.engine.registry import Registry
from dfopt.rules_api import Rule
from dfopt.severity import Severity
from dfopt.syntax._record import record, set_field


class SelectorError(ValueError):
    """A selector that names no rule, code prefix or alias."""


def matches(selector: str, rule: type[Rule]) -> bool:
    """True when ``selector`` (ALL, a code, a code prefix, a name or an alias) picks ``rule``."""
    key = selector.strip()
    if not key:
        return False
    if key.upper() == "ALL":
        return True
    upper = key.upper()
    if rule.code.startswith(upper) and (upper[:2].isalpha()):
        return True
    lowered = key.lower()
    return lowered == rule.name or lowered in (alias.lower() for alias in rule.aliases)


def specificity(selector: str, rule: type[Rule]) -> int:
    """How precisely ``selector`` names ``rule``: longer code prefixes win, names are exact."""
    key = selector.strip()
    if key.upper() == "ALL":
        return 0
    if rule.code.startswith(key.upper()):
        return len(key)
    return 100


def check_selectors(selectors: Iterable[str], registry: Registry) -> list[str]:
    """Selectors that match no known rule."""
    unknown = []
    for selector in selectors:
        if not any(matches(selector, rule) for rule in registry.rules):
            unknown.append(selector)
    return unknown


@record()
class Selection:
    """The rules that run for one file and their effective severities."""

    rules: tuple[type[Rule], ...]
    severities: Mapping[str, Severity]

    def __init__(self, rules: tuple[type[Rule], ...], severities: Mapping[str, Severity]) -> None:
        set_field(self, "rules", rules)
        set_field(self, "severities", severities)


def select_rules(
    registry: Registry,
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    per_file_ignores: Mapping[str, Sequence[str]] | None = None,
    severity: Mapping[str, Severity] | None = None,
    path: PurePath | None = None,
    root: PurePath | None = None,
) -> Selection:
    """Resolve the rule set for a file.

    Starting from ``select`` (or every rule that is on by default), ``extend-select`` adds
    rules and ``ignore`` plus matching ``per-file-ignores`` remove them; the most
    specific selector wins when select and ignore disagree. A severity override of
    ``ignore`` switches a rule off; any other override turns an off-by-default rule on.
    """
    ignores = list(ignore)
    if per_file_ignores and path is not None:
        relative = _relative(path, root)
        for pattern, selectors in per_file_ignores.items():
            if _path_matches(relative, path, pattern):
                ignores.extend(selectors)
    overrides = severity or {}
    key = (
        id(registry),
        None if select is None else tuple(select),
        tuple(extend_select),
        tuple(ignores),
        tuple((selector, value.value) for selector, value in overrides.items()),
    )
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is registry:
        return cached[1]
    selection = _select(registry, select, extend_select, ignores, overrides)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (registry, selection)
    return selection


_CACHE_SIZE = 256
_CACHE: dict[object, tuple[Registry, Selection]] = {}


def _select(
    registry: Registry,
    select: Sequence[str] | None,
    extend_select: Sequence[str],
    ignores: Sequence[str],
    overrides: Mapping[str, Severity],
) -> Selection:
    severities: dict[str, Severity] = {}
    chosen: list[type[Rule]] = []
    for rule in registry.rules:
        best_select = -1
        if select is None:
            if rule.enabled_by_default:
                best_select = 0
        else:
            best_select = max(
                (specificity(s, rule) for s in select if matches(s, rule)), default=-1
            )
        extended = max(
            (specificity(s, rule) for s in extend_select if matches(s, rule)), default=-1
        )
        best_select = max(best_select, extended)
        level = rule.severity
        override_score = -1
        for selector, value in overrides.items():
            if matches(selector, rule):
                score = specificity(selector, rule)
                if score >= override_score:
                    override_score = score
                    level = value
        if override_score >= 0 and level is not Severity.IGNORE and best_select < 0:
            best_select = 0  # an explicit severity enables an off-by-default rule
        best_ignore = max((specificity(s, rule) for s in ignores if matches(s, rule)), default=-1)
        if rule.code == "DL1000" and best_ignore < 0:
            best_select = max(best_select, 0)
        if best_select < 0 or (best_ignore >= best_select and best_ignore >= 0):
            continue
        if level is Severity.IGNORE:
            continue
        chosen.append(rule)
        severities[rule.code] = level
    return Selection(tuple(chosen), severities)


def _relative(path: PurePath, root: PurePath | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _path_matches(relative: str, path: PurePath, pattern: str) -> bool:
    return (
        fnmatch.fnmatchcase(relative, pattern)
        or fnmatch.fnmatchcase(path.name, pattern)
        or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*")
    )
