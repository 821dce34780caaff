"""DF108 leaves the archive in place while a later step may still read it."""

from __future__ import annotations

import pytest

from dfopt.api import fix

DOWNLOAD = (
    "FROM debian:12\n"
    "WORKDIR /opt\n"
    "RUN curl -fsSLO https://example.com/tool-1.2.tar.gz && tar -xzf tool-1.2.tar.gz\n"
)


@pytest.mark.parametrize(
    "later",
    [
        "RUN sha256sum tool-*.tar.gz > /sums",
        "RUN sha256sum -c SHA256SUMS",
        "RUN gpg --verify tool.asc",
        "RUN ./verify.sh",
        "RUN cp /opt/tool-1.2.tar.gz /backup/",
    ],
)
def test_no_removal_while_a_later_run_may_read_the_archive(later: str) -> None:
    result = fix(DOWNLOAD + later + "\n", select=["DF108"])
    assert "rm -f" not in result.text


def test_the_archive_is_removed_when_nothing_later_reads_it() -> None:
    result = fix(DOWNLOAD + "RUN ./tool-1.2/install --prefix /usr/local\n", select=["DF108"])
    assert "rm -f" not in result.text  # a program run by its path may read anything
    result = fix(DOWNLOAD + "RUN echo done\n", select=["DF108"])
    assert "&& rm -f tool-1.2.tar.gz" in result.text
