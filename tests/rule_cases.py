"""Load the per-rule YAML case files of fixtures/rules/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULE_CASES = FIXTURES / "rules"


@dataclass
class Case:
    """One case: a Dockerfile, the expected findings and, optionally, the fixed text."""

    rule: str
    name: str
    kind: str
    dockerfile: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    fixed: str | None = None
    unsafe: bool = False
    file: str = ""
    settings: dict[str, Any] | None = None
    """Configuration for the case (kebab-case keys, as in ``.dfopt.yaml``)."""
    context: dict[str, str] | None = None
    """Files of the build context next to the Dockerfile (path -> text)."""
    files_after: dict[str, str] | None = None
    """Build-context files after ``fix --dockerignore`` (path -> text); only those listed."""

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.name}"


def load_cases() -> list[Case]:
    yaml = YAML(typ="safe")
    cases: list[Case] = []
    for path in sorted(RULE_CASES.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        rule = data["rule"]
        shared = data.get("settings")
        for raw in data["cases"]:
            cases.append(
                Case(
                    rule=rule,
                    name=raw["name"],
                    kind=raw["kind"],
                    dockerfile=raw["dockerfile"],
                    violations=list(raw.get("violations") or []),
                    fixed=raw.get("fixed"),
                    unsafe=bool(raw.get("unsafe", False)),
                    file=path.name,
                    settings=raw.get("settings", shared),
                    context=raw.get("context"),
                    files_after=raw.get("files-after"),
                )
            )
    return cases


def write_context(root: Path, files: dict[str, str] | None) -> Path | None:
    """Write a build context under ``root``; the Dockerfile path to lint with, or None."""
    if not files:
        return None
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root / "Dockerfile"
