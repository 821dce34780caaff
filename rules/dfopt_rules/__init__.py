"""dfopt's built-in rule pack: one module per rule, named by code and name."""

from __future__ import annotations

import importlib
import os
import pkgutil

from dfopt.rules_api import Rule


def rules() -> list[type[Rule]]:
    """Every rule class defined in this package's modules."""
    found: list[type[Rule]] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda rule: rule.code)


def index() -> tuple[tuple[object, ...], ...] | None:
    """The pack's generated index (see :mod:`dfopt.engine.pack_index`), or None when it
    does not list exactly the rule modules of this folder: the pack is then loaded in
    full."""
    try:
        from dfopt_rules._index import INDEX
    except ImportError:
        return None
    present = set()
    for folder in __path__:
        try:
            names = os.listdir(folder)
        except OSError:
            return None
        for name in names:
            stem, dot, suffix = name.partition(".")
            if dot and suffix == "py" and not stem.startswith("_"):
                present.add(f"{__name__}.{stem}")
    indexed = {entry[0] for entry in INDEX}
    return INDEX if indexed == present else None
