"""The core never imports the built-in rule pack; rules import only the rule API."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_does_not_import_the_rule_pack() -> None:
    for path in (ROOT / "src" / "dfopt").rglob("*.py"):
        offenders = {m for m in imported_modules(path) if m.split(".")[0] == "dfopt_rules"}
        assert not offenders, f"{path.relative_to(ROOT)} imports {offenders}"


def test_rules_import_only_the_rule_api() -> None:
    allowed = {"dfopt.rules_api"}
    for path in (ROOT / "rules" / "dfopt_rules").rglob("*.py"):
        dfopt_imports = {m for m in imported_modules(path) if m.split(".")[0] == "dfopt"}
        assert dfopt_imports <= allowed, f"{path.relative_to(ROOT)} imports {dfopt_imports}"
