"""Fix safety over real Dockerfiles (the shared corpus, when present) and generated ones.

For every file BuildKit's parser accepts: linting never crashes; fixing (safe, and safe
plus unsafe) never rolls back, gives text BuildKit still parses, is idempotent, keeps
every comment line, and SAFE fixes keep the build fingerprint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfopt.api import session
from dfopt.engine.fingerprint import fingerprint
from dfopt.syntax import Comment, parse

dockerfile = pytest.importorskip("dockerfile")


def buildkit_accepts(text: str) -> bool:
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


def comment_lines(text: str) -> list[str]:
    document = parse(text)
    lines = [
        document.node_text(node).strip() for node in document.nodes if isinstance(node, Comment)
    ]
    for instruction in document.instructions:
        lines.extend(document.source.slice(span).strip() for span in instruction.inner_comments)
    return sorted(lines)


def check_file(text: str, label: str) -> None:
    lint_session = session()
    result = lint_session.lint(text)
    assert not result.problems, f"{label}: {result.problems}"
    safe = lint_session.fix(text, unsafe=False)
    both = lint_session.fix(text, unsafe=True)
    for name, fixed in (("safe", safe), ("unsafe", both)):
        assert fixed.failure is None, f"{label} ({name}): {fixed.failure} {fixed.culprits}"
        assert buildkit_accepts(fixed.text), f"{label} ({name}): BuildKit rejects the fixed text"
        again = lint_session.fix(fixed.text, unsafe=name == "unsafe")
        assert again.text == fixed.text, f"{label} ({name}): a second fix changed the text"
        assert comment_lines(fixed.text) == comment_lines(text), f"{label} ({name}): comments lost"
    difference = fingerprint(parse(text)).diff(fingerprint(parse(safe.text)))
    assert difference is None, f"{label}: safe fixes changed the build fingerprint: {difference}"


@pytest.mark.corpus
def test_fixes_are_safe_on_the_corpus(corpus: list[Path]) -> None:
    failures = []
    checked = 0
    for path in corpus:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.strip() or not buildkit_accepts(text):
            continue
        checked += 1
        try:
            check_file(text, path.name)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert checked > 0
    assert failures == [], f"{len(failures)} of {checked} files failed:\n" + "\n".join(
        failures[:20]
    )


FRAGMENTS = [
    "RUN apt-get update\n",
    "RUN apt-get install -y curl\n",
    "RUN apt-get update && apt-get install -y git\n",
    "RUN rm -rf /var/lib/apt/lists/*\n",
    "RUN pip install flask\n",
    "RUN cd /tmp && make\n",
    "RUN echo a \\\n  && echo b\n",
    "# a comment\n",
    "\n",
    "ADD app.py /app/\n",
    "ADD https://example.com/x.tgz /x\n",
    "COPY . .\n",
    "RUN npm ci\n",
    "WORKDIR /app\n",
    "CMD python app.py\n",
    "ENTRYPOINT exec node server.js\n",
    "MAINTAINER someone\n",
    "USER app\n",
    "ONBUILD RUN apt-get update\n",
    "RUN --mount=type=cache,target=/root/.cache pip install x\n",
    "RUN <<EOF\napt-get update\nEOF\n",
    "FROM debian:12 AS build\n",
    "COPY package.json ./\n",
    "RUN set -e; echo hi\n",
    "RUN export A=1\n",
    "RUN echo done # trailing comment\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12))
def test_fixes_are_safe_on_generated_dockerfiles(parts: list[str]) -> None:
    text = "FROM debian:12\n" + "".join(parts)
    if buildkit_accepts(text):
        check_file(text, repr(text))


@pytest.mark.corpus
def test_verify_accepts_every_fix_of_the_corpus(corpus: list[Path]) -> None:
    """`fix --verify`'s checks (minimal diff included) hold for every fixed corpus file."""
    from dfopt.engine.session import Overrides
    from dfopt.verify import verify_output

    safe = session()
    unsafe = session()
    unsafe.overrides = Overrides(unsafe_fixes=True)
    refused = []
    for path in corpus:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.strip():
            continue
        for mode in (safe, unsafe):
            result = mode.fix(text)
            if result.failure is None and result.text != text:
                reason = verify_output(text, result, mode, None)
                if reason is not None:
                    refused.append(f"{path.name} (unsafe={mode is unsafe}): {reason}")
    assert refused == [], "\n".join(refused[:20])
