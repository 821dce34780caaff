"""`dfopt check` over many files uses a process pool; the output must not change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dfopt import commands

TEMPLATES = [
    "FROM alpine:3.20\nRUN apk add curl\nRUN echo {n}\n",
    "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y git\nMAINTAINER m{n}\n",
    "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app{n}.py\n",
]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores for a pool")
def test_pool_and_single_process_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    count = commands.POOL_THRESHOLD + 10
    for n in range(count):
        folder = tmp_path / f"app{n:03d}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(TEMPLATES[n % 3].format(n=n), encoding="utf-8")
    (tmp_path / "app000" / "Dockerfile").write_bytes(b"FROM a\n\xff\n")  # one bad input

    def run() -> tuple[int, str, str]:
        status = commands.run_check([str(tmp_path)], isolated=True, output_format="json")
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    assert commands.pool_workers(count) >= 2
    pooled = run()
    monkeypatch.setattr(commands, "POOL_THRESHOLD", 10**9)
    single = run()
    assert pooled == single
    assert pooled[0] == 2  # the undecodable file
    assert pooled[1].count('"code"') > count


def test_few_files_use_one_process() -> None:
    assert commands.pool_workers(commands.POOL_THRESHOLD - 1) == 1
