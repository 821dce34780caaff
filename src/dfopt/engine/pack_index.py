"""An index of a rule pack, so ``dfopt check`` imports only the rules a file needs.

Importing every module of a big pack is a good part of the start-up time of a
one-file ``dfopt check``. A pack may ship an index: one :class:`IndexEntry` per rule,
with the metadata the engine reads before running a rule (code, name, aliases,
severity, targets, programs, fix class, hooks). The registry then holds a
:class:`DeferredRule` per entry, which imports the rule's module the first time the
rule has to look at something, and the rules that never see a matching instruction
are never imported.

The built-in pack's index is generated: ``python -m dfopt.engine.pack_index`` rewrites
it, and a test fails while it is out of date. A pack whose index does not list exactly
its rule modules is loaded in full, as if it had none.
"""

from __future__ import annotations

import copyreg
import importlib
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dfopt.rules_api import FixAvailability, Rule
from dfopt.severity import Severity

if TYPE_CHECKING:
    from pydantic import BaseModel

    from dfopt.rules_api import Context, Review, Violation
    from dfopt.syntax import Instruction

IndexEntry = tuple[
    str,  # module
    str,  # class name
    str,  # code
    str,  # name
    str,  # summary
    str,  # severity
    tuple[str, ...],  # targets
    tuple[str, ...],  # programs
    bool,  # include_onbuild
    tuple[str, ...],  # aliases
    str,  # fix availability
    str,  # fix class
    bool,  # enabled by default
    bool,  # offline applicable
    bool,  # has finish()
    bool,  # has review()
]
"""One rule of a pack's index, as a plain tuple (cheap to import)."""


def entry_of(rule: type[Rule]) -> IndexEntry:
    """The index entry describing ``rule``."""
    return (
        rule.__module__,
        rule.__qualname__,
        rule.code,
        rule.name,
        rule.summary,
        rule.severity.value,
        tuple(sorted(rule.targets)),
        tuple(sorted(rule.programs)),
        rule.include_onbuild,
        tuple(rule.aliases),
        rule.fix_availability.value,
        rule.fix_class,
        rule.enabled_by_default,
        rule.offline_applicable,
        rule.finish is not Rule.finish,
        rule.review is not Rule.review,
    )


def indexable(rule: type[Rule]) -> bool:
    """True when ``rule`` can stand in the index (a rule with options cannot: the
    engine validates options against the rule's own model before running it)."""
    return rule.Options is None


class _DeferredType(type):
    """The metaclass of deferred rules, so they pickle (a process pool sends sessions,
    registries included, to its workers) as their index entry."""


def _reduce_deferred(cls: Any) -> tuple[Any, ...]:
    if cls is DeferredRule:
        return (_base, ())
    return (deferred, (cls.index_entry,))


def _base() -> type[DeferredRule]:
    return DeferredRule


copyreg.pickle(_DeferredType, _reduce_deferred)


class DeferredRule(Rule, metaclass=_DeferredType):
    """Stands for an indexed rule; imports the rule on first use and hands over to it."""

    rule_module: ClassVar[str] = ""
    rule_class: ClassVar[str] = ""
    index_entry: ClassVar[IndexEntry]
    _loaded: ClassVar[type[Rule] | None] = None

    @classmethod
    def load(cls) -> type[Rule]:
        """The rule class this entry stands for (imported once)."""
        loaded = cls.__dict__.get("_loaded")
        if loaded is None:
            module = importlib.import_module(cls.rule_module)
            loaded = getattr(module, cls.rule_class)
            if not (isinstance(loaded, type) and issubclass(loaded, Rule)):
                raise TypeError(f"{cls.rule_module}.{cls.rule_class} is not a Rule class")
            cls._loaded = loaded
        return loaded

    @classmethod
    def docs(cls) -> str:
        return cls.load().docs()

    def __new__(cls, options: BaseModel | None = None) -> Any:
        # Once the rule is imported, new instances are the rule's own: no hand-over cost.
        loaded = cls.__dict__.get("_loaded")
        if loaded is not None:
            return loaded(options)
        return super().__new__(cls)

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        self._rule: Rule | None = None

    def _target(self) -> Rule:
        rule = self._rule
        if rule is None:
            rule = self._rule = type(self).load()(self.options)
        return rule

    def check(self, instruction: Instruction, ctx: Context) -> Iterable[Violation]:
        return self._target().check(instruction, ctx)


def _finish(self: DeferredRule, ctx: Context) -> Iterable[Violation]:
    return self._target().finish(ctx)


def _review(self: DeferredRule, review: Review, ctx: Context) -> Iterable[Violation]:
    return self._target().review(review, ctx)


@cache
def deferred(entry: IndexEntry) -> type[Rule]:
    """The :class:`DeferredRule` class for one index entry (one class per entry)."""
    (
        module,
        class_name,
        code,
        name,
        summary,
        severity,
        targets,
        programs,
        include_onbuild,
        aliases,
        fix_availability,
        fix_class,
        enabled_by_default,
        offline_applicable,
        has_finish,
        has_review,
    ) = entry
    attributes: dict[str, Any] = {
        "__module__": module,
        "__qualname__": class_name,
        "__doc__": f"{code} ({name}): {summary}",
        "rule_module": module,
        "rule_class": class_name,
        "index_entry": tuple(entry),
        "code": code,
        "name": name,
        "summary": summary,
        "severity": Severity(severity),
        "targets": frozenset(targets),
        "programs": frozenset(programs),
        "include_onbuild": include_onbuild,
        "aliases": tuple(aliases),
        "fix_availability": FixAvailability(fix_availability),
        "fix_class": fix_class,
        "enabled_by_default": enabled_by_default,
        "offline_applicable": offline_applicable,
    }
    if has_finish:
        attributes["finish"] = _finish
    if has_review:
        attributes["review"] = _review
    return type(class_name, (DeferredRule,), attributes)


def render_index(rules: Iterable[type[Rule]], pack: str) -> str:
    """The source of an index module for ``rules``."""
    entries = sorted((entry_of(rule) for rule in rules if indexable(rule)), key=lambda e: e[2])
    lines = [
        f'"""Index of the `{pack}` rule pack (generated: python -m dfopt.engine.pack_index)."""',
        "",
        "INDEX = (",
    ]
    lines.extend(f"    {entry!r}," for entry in entries)
    lines.append(")")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the built-in pack's index; with ``--check``, only say if it is stale."""
    pack: Any = importlib.import_module("dfopt_rules")
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(pack.__file__).with_name("_index.py")
    text = render_index(pack.rules(), "dfopt_rules")
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if "--check" in args:
        if current != text:
            print(f"{path.name} is out of date: run python -m dfopt.engine.pack_index")
            return 1
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
