"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "dockerfiles"


def corpus_files() -> list[Path]:
    """The shared corpus of real Dockerfiles, when it is present next to the project."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*Dockerfile*"))


@pytest.fixture
def corpus() -> list[Path]:
    files = corpus_files()
    if not files:
        pytest.skip("the shared corpus is not present")
    return files
