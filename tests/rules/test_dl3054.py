"""DL3054: the shipped SPDX identifier data and the expression grammar."""

from __future__ import annotations

import re

import pytest

from dfopt_rules._labels import spdx_problem
from dfopt_rules._spdx import (
    DEPRECATED_EXCEPTION_IDS,
    DEPRECATED_LICENSE_IDS,
    EXCEPTION_IDS,
    LICENSE_IDS,
)


def test_the_identifier_lists_are_plausible() -> None:
    assert len(LICENSE_IDS) > 600
    assert len(EXCEPTION_IDS) > 50
    assert {"MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0-or-later", "MPL-2.0", "0BSD"} <= (
        LICENSE_IDS
    )
    assert {"GPL-2.0", "GPL-2.0+", "LGPL-2.1"} <= DEPRECATED_LICENSE_IDS
    assert "Classpath-exception-2.0" in EXCEPTION_IDS
    assert not LICENSE_IDS & DEPRECATED_LICENSE_IDS
    assert not EXCEPTION_IDS & DEPRECATED_EXCEPTION_IDS
    idstring = re.compile(r"[A-Za-z0-9.\-]+\+?")
    for identifier in LICENSE_IDS | DEPRECATED_LICENSE_IDS | EXCEPTION_IDS:
        assert idstring.fullmatch(identifier), identifier


@pytest.mark.parametrize(
    "value",
    [
        "MIT",
        "mit",
        "Apache-2.0 OR MIT",
        "((MIT))",
        "LGPL-2.1-only AND (MIT OR BSD-2-Clause)",
        "GPL-3.0-only WITH GCC-exception-3.1",
        "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "Apache-2.0 WITH AdditionRef-custom",
    ],
)
def test_valid_expressions(value: str) -> None:
    assert spdx_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "it is empty"),
        ("GPL", "`GPL` is not an SPDX license identifier"),
        ("MIT OR OR Apache-2.0", "unexpected `OR`"),
        ("()", "unexpected `)`"),
        ("LicenseRef-", "`LicenseRef-` is not an SPDX license identifier"),
        ("LGPL-2.0+", "`LGPL-2.0+` is a deprecated SPDX identifier; use `LGPL-2.0-or-later`"),
        (
            "MIT WITH Nokia-Qt-exception-1.1",
            "`Nokia-Qt-exception-1.1` is a deprecated SPDX exception identifier",
        ),
        ("MIT Or Apache-2.0", "unexpected `Or`"),
    ],
)
def test_invalid_expressions(value: str, problem: str) -> None:
    assert spdx_problem(value) == problem
