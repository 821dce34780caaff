"""The rule pack index: deferred rules behave like the rules they stand for, the index
is up to date, and ``dfopt check`` imports only the rules a file needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dfopt_rules
from dfopt.config import Settings
from dfopt.engine.pack_index import DeferredRule, entry_of, render_index
from dfopt.engine.registry import _deferred_pack, default_registry, deferred_registry
from dfopt.engine.session import Session
from dfopt.rules_api import Rule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_the_index_is_up_to_date() -> None:
    """Fails after a rule is added or its metadata changes until the index is rewritten
    with ``python -m dfopt.engine.pack_index``."""
    path = Path(dfopt_rules.__file__).with_name("_index.py")
    assert path.read_text(encoding="utf-8") == render_index(dfopt_rules.rules(), "dfopt_rules")


def test_every_built_in_rule_is_deferred_with_its_own_metadata() -> None:
    full = default_registry()
    deferred = deferred_registry()
    assert deferred is not full
    assert [rule.code for rule in deferred.rules] == [rule.code for rule in full.rules]
    for rule in deferred.rules:
        real = full.by_code[rule.code]
        if real.__module__.startswith("dfopt_rules."):
            assert issubclass(rule, DeferredRule)
            assert entry_of(rule) == entry_of(real)
            assert rule.load() is real
            assert rule.docs() == real.docs()
        else:  # core rules are not in a pack
            assert rule is real
    assert deferred.problems == full.problems


def test_a_deferred_rule_imports_its_module_on_first_use() -> None:
    rule = deferred_registry().find("DL4000")
    assert rule is not None and issubclass(rule, DeferredRule)
    session = Session(Settings(select=["DL4000"]), registry=deferred_registry())
    result = session.lint("FROM debian:12\nMAINTAINER someone\n")
    assert [violation.code for violation in result.violations] == ["DL4000"]
    assert sys.modules[rule.rule_module].__name__ == rule.rule_module
    assert type(rule()) is rule.load()  # once imported, instances are the rule's own


def _texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("Dockerfile*"))]
    for rule in default_registry().rules:
        texts.extend(example for example in (rule.bad, rule.good) if example)
    return texts


def _key(session: Session, text: str) -> list[tuple[object, ...]]:
    return [
        (v.code, v.span, v.message, v.severity, v.name, v.fix.title if v.fix else None)
        for v in session.lint(text).violations
    ]


def test_deferred_rules_report_and_fix_like_the_real_ones() -> None:
    full = Session(Settings(), registry=default_registry())
    deferred = Session(Settings(), registry=deferred_registry())
    texts = _texts()
    assert len(texts) > 150
    for text in texts:
        assert _key(deferred, text) == _key(full, text), text
        assert deferred.fix(text).text == full.fix(text).text, text


def test_a_stale_index_loads_the_pack_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dfopt_rules.index() is not None
    monkeypatch.setattr(dfopt_rules, "__path__", [*dfopt_rules.__path__, str(tmp_path)])
    (tmp_path / "df999_new_rule.py").write_text("", encoding="utf-8")
    assert dfopt_rules.index() is None  # a module the index does not list
    assert _deferred_pack(dfopt_rules) is dfopt_rules  # loaded as it is, in full


def test_rules_with_programs_need_run_among_their_targets() -> None:
    class Stray(Rule):
        code = "XT900"
        name = "stray"
        summary = "Test rule"
        targets = frozenset({"COPY"})
        programs = frozenset({"apt-get"})

    assert "`programs` needs RUN among the targets" in Stray.validate()


_PROBE = textwrap.dedent(
    """
    import json, sys
    from dfopt.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    loaded = sorted(
        name for name in sys.modules
        if name.startswith("dfopt_rules.") and not name.startswith("dfopt_rules._")
    )
    sys.stderr.write("\\n" + json.dumps(loaded) + "\\n")
    """
)


def _loaded_rules(tmp_path: Path, text: str) -> set[str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / ".no-config")}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "check", "--isolated", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    return set(json.loads(result.stderr.splitlines()[-1]))


def test_check_imports_only_the_rules_a_file_needs(tmp_path: Path) -> None:
    every = {rule.__module__ for rule in default_registry().rules}
    by_code = {rule.code: rule.__module__ for rule in default_registry().rules}
    small = _loaded_rules(tmp_path, "FROM alpine:3.20\nRUN echo hello\nUSER 1000\n")
    assert small < every
    assert by_code["DL3015"] not in small  # an apt-get rule, and no apt-get here
    assert by_code["DL3011"] not in small  # an EXPOSE rule, and no EXPOSE here
    assert by_code["DL3000"] not in small  # a WORKDIR rule
    assert by_code["DF301"] in small  # missing USER looks at every file
    apt = _loaded_rules(
        tmp_path, "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nEXPOSE 80\n"
    )
    assert {by_code["DL3015"], by_code["DL3011"]} <= apt


def test_deferred_rules_pickle_as_themselves() -> None:
    """A process pool sends sessions, and so the registry's rules, to its workers."""
    import pickle

    registry = deferred_registry()
    for rule in registry.rules:
        assert pickle.loads(pickle.dumps(rule)) is rule
    assert pickle.loads(pickle.dumps(DeferredRule)) is DeferredRule


def test_check_over_many_files_in_a_pool_reports_what_each_file_has(tmp_path: Path) -> None:
    from dfopt import commands

    texts = [rule.bad for rule in default_registry().rules if rule.bad]
    for index, text in enumerate(texts):
        folder = tmp_path / f"p{index:03d}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(text, encoding="utf-8")
    assert len(texts) >= commands.POOL_THRESHOLD
    args = ["check", "--isolated", "--exit-zero", "--format", "json", str(tmp_path)]
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / ".no-config")}
    pooled = subprocess.run(
        [sys.executable, "-m", "dfopt", *args], capture_output=True, text=True, env=env
    )
    assert pooled.returncode == 0, pooled.stderr
    assert "Traceback" not in pooled.stderr and "internal error" not in pooled.stderr
    found = json.loads(pooled.stdout)
    session = Session(Settings(), registry=default_registry())
    expected = sorted(
        (f"p{index:03d}", violation.code)
        for index, text in enumerate(texts)
        for violation in session.lint(text, tmp_path / f"p{index:03d}" / "Dockerfile").violations
    )
    assert sorted((Path(item["path"]).parent.name, item["code"]) for item in found) == expected
