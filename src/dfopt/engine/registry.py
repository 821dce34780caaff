"""Discover rule packs through the ``dfopt.rules`` entry point group.

A pack is a module (or package) that exposes ``RULES``, a sequence of Rule classes, or a
``rules()`` function returning one. A pack that fails to load, or a rule with bad
metadata, is reported as a :class:`RegistryProblem` and skipped; the others still run.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterable, Sequence
from functools import cache, reduce
from importlib.machinery import PathFinder

from dfopt.engine.core_rules import CORE_RULES
from dfopt.rules_api import Rule
from dfopt.syntax._record import record, set_field

GROUP = "dfopt.rules"


@record()
class RegistryProblem:
    pack: str
    message: str

    def __init__(self, pack: str, message: str) -> None:
        set_field(self, "pack", pack)
        set_field(self, "message", message)

    def __str__(self) -> str:
        return f"rule pack `{self.pack}`: {self.message}"


class Registry:
    """All known rules by code, with lookup by name and alias."""

    __slots__ = ("by_code", "by_key", "problems", "rules")

    rules: tuple[type[Rule], ...]
    problems: tuple[RegistryProblem, ...]
    by_code: dict[str, type[Rule]]
    by_key: dict[str, type[Rule]]

    def __init__(
        self, rules: tuple[type[Rule], ...], problems: tuple[RegistryProblem, ...] = ()
    ) -> None:
        self.rules = rules
        self.problems = problems
        self.by_code = {}
        self.by_key = {}
        for rule in rules:
            self.by_code[rule.code] = rule
            self.by_key[rule.code.lower()] = rule
            self.by_key[rule.name.lower()] = rule
            for alias in rule.aliases:
                self.by_key.setdefault(alias.lower(), rule)

    def __repr__(self) -> str:
        return f"Registry({len(self.rules)} rules, {len(self.problems)} problems)"

    def find(self, key: str) -> type[Rule] | None:
        """Look a rule up by code, name or alias (case-insensitive)."""
        return self.by_key.get(key.strip().lower())


def build_registry(packs: Iterable[tuple[str, object]]) -> Registry:
    """Make a registry from ``(pack name, module)`` pairs, validating every rule."""
    rules: list[type[Rule]] = list(CORE_RULES)
    problems: list[RegistryProblem] = []
    seen: dict[str, str] = {rule.code: "dfopt core" for rule in rules}
    for pack_name, module in packs:
        try:
            found = _rules_of(module)
        except Exception as error:  # a third-party pack must not take the tool down
            problems.append(RegistryProblem(pack_name, f"could not list rules: {error}"))
            continue
        for rule in found:
            if not (isinstance(rule, type) and issubclass(rule, Rule)):
                problems.append(RegistryProblem(pack_name, f"{rule!r} is not a Rule class"))
                continue
            issues = rule.validate()
            if issues:
                label = getattr(rule, "__name__", repr(rule))
                problems.append(RegistryProblem(pack_name, f"{label}: {'; '.join(issues)}"))
                continue
            if rule.code in seen:
                problems.append(
                    RegistryProblem(
                        pack_name, f"{rule.code} is already defined by `{seen[rule.code]}`"
                    )
                )
                continue
            seen[rule.code] = pack_name
            rules.append(rule)
    rules.sort(key=lambda rule: rule.code)
    return Registry(tuple(rules), tuple(problems))


def _rules_of(module: object) -> Sequence[object]:
    rules = getattr(module, "RULES", None)
    if rules is None:
        factory = getattr(module, "rules", None)
        if factory is None or not callable(factory):
            raise ValueError("the pack exposes neither RULES nor rules()")
        rules = factory()
    return list(rules)


@record()
class PackEntry:
    """One ``name = module[:attr]`` line of the ``dfopt.rules`` entry point group."""

    name: str
    value: str

    def __init__(self, name: str, value: str) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)

    def load(self) -> object:
        """Import the module and follow the attribute path, as entry points do."""
        match = _ENTRY_VALUE.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point `{self.value}`")
        module = importlib.import_module(match.group("module"))
        attrs = [part for part in (match.group("attr") or "").split(".") if part]
        return reduce(getattr, attrs, module)


_ENTRY_VALUE = re.compile(
    r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
)
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def _normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def parse_entry_points(text: str, group: str = GROUP) -> list[PackEntry]:
    """The entries of ``group`` in the text of an ``entry_points.txt`` file."""
    found: list[PackEntry] = []
    section: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section != group:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"malformed entry point line `{line}`")
        found.append(PackEntry(name.strip(), value.strip()))
    return found


def scan_entry_points(paths: Sequence[str], group: str = GROUP) -> list[PackEntry] | None:
    """Entries of ``group`` from the ``*.dist-info`` and ``*.egg-info`` folders on ``paths``.

    A light stand-in for ``importlib.metadata.entry_points(group=...)``: a distribution
    found twice counts once (the first on the path wins). Returns None when a path entry
    is something only ``importlib.metadata`` can read (a zip file).
    """
    seen: set[str] = set()
    found: list[PackEntry] = []
    for entry in paths:
        root = entry or "."
        try:
            children = os.listdir(root)
        except NotADirectoryError:
            return None
        except OSError:
            continue
        for child in children:
            lowered = child.lower()
            if not lowered.endswith(_METADATA_SUFFIXES):
                continue
            name = _normalise_name(lowered.rpartition(".")[0].partition("-")[0])
            if name in seen:
                continue
            seen.add(name)
            try:
                with open(os.path.join(root, child, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            found.extend(parse_entry_points(text, group))
    return found


def _entry_points() -> Sequence[PackEntry]:
    """The installed entries of the ``dfopt.rules`` group."""
    custom_finders = any(
        hasattr(finder, "find_distributions") and finder is not PathFinder
        for finder in sys.meta_path
    )
    if not custom_finders:
        try:
            scanned = scan_entry_points(sys.path)
        except (ValueError, UnicodeDecodeError):
            scanned = None
        if scanned is not None:
            return scanned
    from importlib.metadata import entry_points

    return [PackEntry(entry.name, entry.value) for entry in entry_points(group=GROUP)]


def _load(entry: PackEntry) -> object:
    value = entry.load()
    if isinstance(value, str):
        return importlib.import_module(value)
    return value


@cache
def default_registry() -> Registry:
    """The registry of every installed pack (loaded once per process)."""
    return _installed(deferred=False)


@cache
def deferred_registry() -> Registry:
    """Like :func:`default_registry`, but a pack with an up-to-date index (see
    :mod:`dfopt.engine.pack_index`) is not imported: its rules are
    :class:`~dfopt.engine.pack_index.DeferredRule` stand-ins that import a rule when it
    first has to look at something. For linting and fixing; the rule classes themselves
    (documentation, examples) come from :func:`default_registry`."""
    return _installed(deferred=True)


def _installed(*, deferred: bool) -> Registry:
    packs: list[tuple[str, object]] = []
    problems: list[RegistryProblem] = []
    for entry in sorted(_entry_points(), key=lambda item: item.name):
        try:
            module = _load(entry)
            if deferred:
                module = _deferred_pack(module)
            packs.append((entry.name, module))
        except Exception as error:  # report, keep going
            problems.append(RegistryProblem(entry.name, f"failed to load: {error}"))
    registry = build_registry(packs)
    if problems:
        return Registry(registry.rules, (*problems, *registry.problems))
    return registry


class _IndexedPack:
    """A pack seen through its index: ``RULES`` are deferred stand-ins."""

    def __init__(self, rules: Sequence[type[Rule]]) -> None:
        self.RULES = rules


def _deferred_pack(module: object) -> object:
    """``module``, or its index as a pack of deferred rules when it has an up-to-date one."""
    index = getattr(module, "index", None)
    if not callable(index):
        return module
    entries = index()
    if entries is None:
        return module
    from dfopt.engine.pack_index import deferred

    return _IndexedPack([deferred(entry) for entry in entries])
