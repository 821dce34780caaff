"""Rule packs are found by scanning ``entry_points.txt`` files, without importlib.metadata."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from dfopt.engine import registry
from dfopt.engine.registry import PackEntry, parse_entry_points, scan_entry_points

PACK = '''
from dfopt.rules_api import Rule, Severity


class Demo(Rule):
    """## What it does
    Nothing.

    ## Why is this bad?
    It is not.
    """

    code = "ZZ900"
    name = "demo-rule"
    summary = "A demo rule"
    severity = Severity.INFO
    targets = frozenset({"RUN"})
    bad = "FROM scratch\\nRUN a\\n"
    good = "FROM scratch\\n"


RULES = [Demo]
'''


def _install(root: Path, dist: str, text: str) -> None:
    info = root / dist
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text(text, encoding="utf-8")


def test_parse_entry_points_reads_only_the_group() -> None:
    text = (
        "[console_scripts]\nx = a:b\n\n[dfopt.rules]\n# a comment\n"
        "  demo = demo_pack  \nother=pkg.mod:attr.inner\n[other]\nz = q\n"
    )
    assert parse_entry_points(text) == [
        PackEntry("demo", "demo_pack"),
        PackEntry("other", "pkg.mod:attr.inner"),
    ]


def test_scan_matches_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, "Demo_Pack-1.0.dist-info", "[dfopt.rules]\ndemo = zz_demo_pack\n")
    # The same distribution again further down the path: the first one wins.
    later = tmp_path / "later"
    _install(later, "demo.pack-2.0.dist-info", "[dfopt.rules]\nshadowed = nowhere\n")
    _install(tmp_path, "legacy.egg-info", "[dfopt.rules]\nlegacy = zz_legacy:RULES_MODULE\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(later), *sys.path])
    scanned = scan_entry_points(sys.path)
    assert scanned is not None
    names = sorted(entry.name for entry in scanned)
    assert "demo" in names and "legacy" in names and "shadowed" not in names
    expected = sorted((entry.name, entry.value) for entry in entry_points(group="dfopt.rules"))
    assert sorted((entry.name, entry.value) for entry in scanned) == expected


def test_scanned_packs_load_and_broken_ones_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "zz_demo_pack.py").write_text(PACK, encoding="utf-8")
    _install(
        tmp_path,
        "zz_demo-1.0.dist-info",
        "[dfopt.rules]\nzz-demo = zz_demo_pack\nzz-broken = zz_missing_module_for_test\n",
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    registry.default_registry.cache_clear()
    try:
        found = registry.default_registry()
    finally:
        registry.default_registry.cache_clear()
        sys.modules.pop("zz_demo_pack", None)
    assert found.by_code["ZZ900"].name == "demo-rule"
    assert [problem.pack for problem in found.problems] == ["zz-broken"]
    assert "failed to load" in found.problems[0].message


def test_a_zip_on_the_path_falls_back_to_importlib(tmp_path: Path) -> None:
    archive = tmp_path / "pack.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert scan_entry_points([str(archive)]) is None


def test_attribute_paths_are_followed() -> None:
    assert PackEntry("x", "os.path:join").load() is __import__("os").path.join
    with pytest.raises(ValueError):
        PackEntry("x", "not a module!").load()
