"""DL3020 with a build context on disk: ADD unpacks archives by content, not by name."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from dfopt.api import fix, lint
from dfopt.rules_api import Applicability, Fix

RULE = "DL3020"


def _fix_of(text: str, dockerfile: Path) -> Fix | None:
    result = lint(text, path=dockerfile, select=[RULE])
    assert not result.problems, result.problems
    assert [violation.code for violation in result.violations] == [RULE]
    return result.violations[0].fix


def _tar_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    return buffer.getvalue()


def test_plain_file_in_the_context_gets_a_safe_fix(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("just text\n", encoding="utf-8")
    text = "FROM alpine:3.20\nADD notes.txt /srv/\n"
    found = _fix_of(text, tmp_path / "Dockerfile")
    assert found is not None and found.applicability is Applicability.SAFE
    fixed = fix(text, path=tmp_path / "Dockerfile", select=[RULE])
    assert fixed.text == "FROM alpine:3.20\nCOPY notes.txt /srv/\n"


def test_gzip_content_behind_a_text_name_is_never_fixed(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(gzip.compress(_tar_bytes()))
    text = "FROM alpine:3.20\nADD notes.txt /srv/\n"
    assert _fix_of(text, tmp_path / "Dockerfile") is None
    fixed = fix(text, path=tmp_path / "Dockerfile", select=[RULE], unsafe=True)
    assert fixed.text == text


def test_plain_tar_is_recognised_by_its_ustar_magic(tmp_path: Path) -> None:
    (tmp_path / "bundle.bin").write_bytes(_tar_bytes())
    text = "FROM alpine:3.20\nADD bundle.bin /opt/\n"
    assert _fix_of(text, tmp_path / "Dockerfile") is None


def test_other_compressions_and_zip_block_the_fix(tmp_path: Path) -> None:
    heads = {
        "a.dat": b"BZh91AY&SY" + bytes(20),
        "b.dat": b"\xfd7zXZ\x00" + bytes(20),
        "c.dat": b"\x28\xb5\x2f\xfd" + bytes(20),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.txt", "x")
    heads["d.dat"] = buffer.getvalue()
    for name, data in heads.items():
        (tmp_path / name).write_bytes(data)
        text = f"FROM alpine:3.20\nADD {name} /opt/\n"
        assert _fix_of(text, tmp_path / "Dockerfile") is None, name


def test_a_folder_source_is_safe(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "inner.tar.gz").write_bytes(gzip.compress(b"x"))
    text = "FROM alpine:3.20\nADD config/ /etc/app/\n"
    found = _fix_of(text, tmp_path / "Dockerfile")
    assert found is not None and found.applicability is Applicability.SAFE


def test_a_glob_is_checked_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("a=1\n", encoding="utf-8")
    (tmp_path / "b.conf").write_text("b=2\n", encoding="utf-8")
    text = "FROM alpine:3.20\nADD *.conf /etc/app/\n"
    found = _fix_of(text, tmp_path / "Dockerfile")
    assert found is not None and found.applicability is Applicability.SAFE

    (tmp_path / "c.conf").write_bytes(gzip.compress(b"c=3\n"))
    assert _fix_of(text, tmp_path / "Dockerfile") is None


def test_a_glob_matching_nothing_cannot_be_checked(tmp_path: Path) -> None:
    text = "FROM alpine:3.20\nADD *.conf /etc/app/\n"
    found = _fix_of(text, tmp_path / "Dockerfile")
    assert found is not None and found.applicability is Applicability.UNSAFE
    assert fix(text, path=tmp_path / "Dockerfile", select=[RULE]).text == text


def test_onbuild_does_not_read_this_context(tmp_path: Path) -> None:
    # The trigger runs in a later build with its own context: this folder says nothing,
    # so even a plain file here leaves the fix unsafe.
    (tmp_path / "notes.txt").write_text("just text\n", encoding="utf-8")
    text = "FROM alpine:3.20\nONBUILD ADD notes.txt /srv/\n"
    found = _fix_of(text, tmp_path / "Dockerfile")
    assert found is not None and found.applicability is Applicability.UNSAFE


def _v7_tar_bytes() -> bytes:
    """A tar archive whose header has no `ustar` magic, as pre-POSIX tar wrote them."""
    block = bytearray(_tar_bytes()[:512])
    block[257:265] = bytes(8)  # magic and version
    block[265:345] = bytes(80)  # owner names, only in ustar headers
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\x00 " % sum(block)
    return bytes(block) + b"hello".ljust(512, b"\x00") + bytes(1024)


def test_a_v7_tar_without_magic_is_recognised_by_its_checksum(tmp_path: Path) -> None:
    data = _v7_tar_bytes()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:  # it is a tar archive
        assert archive.getnames() == ["hello.txt"]
    assert data[257:262] != b"ustar"
    (tmp_path / "payload").write_bytes(data)
    text = "FROM alpine:3.20\nADD payload /opt/\n"
    assert _fix_of(text, tmp_path / "Dockerfile") is None
    assert fix(text, path=tmp_path / "Dockerfile", select=[RULE], unsafe=True).text == text


def test_a_block_with_a_wrong_checksum_is_plain(tmp_path: Path) -> None:
    block = bytearray(_v7_tar_bytes())
    block[0] ^= 1  # the name changes, the checksum no longer matches
    (tmp_path / "payload").write_bytes(bytes(block))
    (tmp_path / "zeros").write_bytes(bytes(2048))
    for name in ("payload", "zeros"):
        text = f"FROM alpine:3.20\nADD {name} /opt/\n"
        found = _fix_of(text, tmp_path / "Dockerfile")
        assert found is not None and found.applicability is Applicability.SAFE, name


def test_a_source_that_cannot_be_read_makes_the_fix_unsafe(tmp_path: Path) -> None:
    text = "FROM alpine:3.20\nADD release /opt/\n"
    for path in (None, tmp_path / "Dockerfile"):  # no known context; a missing file
        found = lint(text, path=path, select=[RULE]).violations[0].fix
        assert found is not None and found.applicability is Applicability.UNSAFE
        assert "`release` could not be read" in found.title
        assert fix(text, path=path, select=[RULE]).text == text


def test_the_context_root_and_folders_are_safe_without_reading_the_context() -> None:
    from dfopt.api import lint as lint_text

    for source in (".", "./", "static/"):
        [finding] = lint_text(
            f"FROM alpine:3.20\nADD {source} /srv/\n", select=["DL3020"]
        ).violations
        assert finding.fix is not None and finding.fix.applicability.value == "safe", source
    [unread] = lint_text("FROM alpine:3.20\nADD bundle /srv/\n", select=["DL3020"]).violations
    assert unread.fix is not None and unread.fix.applicability.value == "unsafe"
