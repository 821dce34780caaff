"""The build fingerprint that SAFE fixes must keep."""

from __future__ import annotations

from dfopt.engine.fingerprint import fingerprint
from dfopt.syntax import parse


def fp(text: str):  # type: ignore[no-untyped-def]
    return fingerprint(parse(text))


def test_merging_runs_and_formatting_keep_the_fingerprint() -> None:
    split = "FROM debian\nRUN apt-get update\n# note\nRUN apt-get install -y curl\n"
    merged = "FROM debian\nrun apt-get update \\\n    && ( apt-get install -y curl )\n"
    assert fp(split).diff(fp(merged)) is None


def test_cache_cleanup_and_cache_flags_are_ignored() -> None:
    plain = "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN pip install x\n"
    clean = (
        "FROM debian\nRUN apt-get update && apt-get install -y curl"
        " && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir x\n"
    )
    assert fp(plain).diff(fp(clean)) is None


def test_real_changes_change_the_fingerprint() -> None:
    base = 'FROM debian\nRUN apt-get install -y curl\nCMD ["sh"]\n'
    assert fp(base).diff(fp(base.replace("curl", "wget"))) is not None
    assert fp(base).diff(fp(base.replace("-y curl", "-y --no-install-recommends curl")))
    assert fp(base).diff(fp(base.replace('CMD ["sh"]', "CMD sh"))) is not None
    assert fp(base).diff(fp(base + "USER app\n")) is not None
    assert fp(base).diff(fp("FROM debian AS x\n" + base)) is not None


def test_add_copy_and_maintainer_label_are_equivalent() -> None:
    assert fp("FROM a\nADD x /y\n").diff(fp("FROM a\nCOPY x /y\n")) is None
    old = "FROM a\nMAINTAINER Jane\n"
    new = 'FROM a\nLABEL org.opencontainers.image.authors="Jane"\n'
    assert fp(old).diff(fp(new)) is None


def test_normalisations_for_safe_fixes() -> None:
    pairs = [
        ("RUN apt-get install curl", "RUN apt-get install -y curl"),
        ("RUN apt install curl", "RUN apt-get install curl"),
        ("RUN apk add --update curl", "RUN apk add --no-cache curl"),
        ("RUN useradd -u 100000 app", "RUN useradd -l -u 100000 app"),
        ("RUN wget https://x/y", "RUN wget --progress=dot:giga https://x/y"),
        ("COPY a b /dst", "COPY a b /dst/"),
        ("CMD a\nCMD b", "CMD b"),
        ("ENV A 1", "ENV A=1"),
        ("WORKDIR /app\nWORKDIR src", "WORKDIR /app\nWORKDIR /app/src"),
    ]
    for before, after in pairs:
        assert fp(f"FROM a\n{before}\n").diff(fp(f"FROM a\n{after}\n")) is None, before
    platform = "FROM --platform=$TARGETPLATFORM a\n"
    assert fp(platform).diff(fp("FROM a\n")) is None


def test_normalisations_do_not_hide_real_changes() -> None:
    assert fp("FROM a\nCMD a\nCMD b\n").diff(fp("FROM a\nCMD a\n")) is not None
    assert fp("FROM a\nWORKDIR src\n").diff(fp("FROM a\nWORKDIR /src\n")) is not None
    assert fp("FROM a\nRUN apk add curl\n").diff(fp("FROM a\nRUN apk add wget\n")) is not None


def test_copy_destination_slash_in_every_spelling() -> None:
    for before, after in [
        ('COPY a b "/srv/app"', 'COPY a b "/srv/app/"'),
        ('COPY ["a", "b", "/data"]', 'COPY ["a", "b", "/data/"]'),
    ]:
        assert fp(f"FROM x\n{before}\n").diff(fp(f"FROM x\n{after}\n")) is None
    assert fp('FROM x\nCOPY a "/d"\n').diff(fp('FROM x\nCOPY a "/e"\n')) is not None


def test_stage_name_case_label_legacy_form_and_expose_spellings() -> None:
    before = (
        "FROM debian:12 AS Build\nRUN --mount=type=cache,from=Build,target=/c true\n"
        "FROM Build\nCOPY --from=Build /a /a\nLABEL version 1.0\nEXPOSE 127.0.0.1:8080:80/TCP\n"
    )
    after = (
        "FROM debian:12 AS build\nRUN --mount=type=cache,from=build,target=/c true\n"
        'FROM build\nCOPY --from=build /a /a\nLABEL version="1.0"\nEXPOSE 80/tcp\n'
    )
    assert fp(before).diff(fp(after)) is None
    assert fp("FROM a\nEXPOSE 80/tcp\n").diff(fp("FROM a\nEXPOSE 81/tcp\n")) is not None
    # An image that is not a stage keeps its case.
    assert fp("FROM Foo/Bar\n").diff(fp("FROM foo/bar\n")) is not None


def test_removing_a_downloaded_archive_keeps_the_fingerprint() -> None:
    get = "RUN curl -fsSL -o /tmp/a.tgz https://x/a.tgz && tar -xzf /tmp/a.tgz -C /opt"
    assert fp(f"FROM a\n{get}\n").diff(fp(f"FROM a\n{get} && rm -f /tmp/a.tgz\n")) is None
    wget = "RUN wget https://x/b.zip && unzip b.zip"
    assert fp(f"FROM a\n{wget}\n").diff(fp(f"FROM a\n{wget} && rm b.zip\n")) is None
    # Removing anything else is a real change.
    assert fp(f"FROM a\n{get}\n").diff(fp(f"FROM a\n{get} && rm -f /etc/x\n")) is not None


def test_removing_a_download_by_a_path_relative_to_cd() -> None:
    get = "RUN cd /opt && wget https://x/p.tar.gz && tar xvf p.tar.gz"
    assert fp(f"FROM a\n{get}\n").diff(fp(f"FROM a\n{get} && rm -f p.tar.gz\n")) is None


def test_downloads_are_tracked_through_workdir_and_home() -> None:
    get = "WORKDIR /src\nRUN wget https://x/t.tar.bz2 && tar xjf t.tar.bz2"
    assert fp(f"FROM a\n{get}\n").diff(fp(f"FROM a\n{get} && rm -f /src/t.tar.bz2\n")) is None
    home = "RUN cd ~ && wget https://x/e.deb\nRUN cd ~ && dpkg -i e.deb && rm e.deb\n"
    merged = "RUN cd ~ && wget https://x/e.deb && ( cd ~ && dpkg -i e.deb && rm e.deb )\n"
    assert fp(f"FROM a\n{home}").diff(fp(f"FROM a\n{merged}")) is None
