"""The shared model of programs: specs, invocations through wrappers, later users."""

from __future__ import annotations

import pytest

from dfopt.programs import SPECS, invocations, spec_of, word_invocations
from dfopt.programs.cache_only import cache_only_stripped
from dfopt.shell import parse_script


def _found(text: str) -> list[tuple[str, str | None, bool, tuple[str, ...]]]:
    script = parse_script(text, lambda offset: 0)
    return [(i.program, i.subcommand, i.opaque, i.via) for i in invocations(script)]


@pytest.mark.parametrize(
    ("text", "program", "subcommand", "via"),
    [
        ("sudo -E -u root apt-get install -y curl", "apt-get", "install", ("sudo",)),
        ("env DEBIAN_FRONTEND=noninteractive apt-get -y install x", "apt-get", "install", ("env",)),
        ("timeout -s KILL 60 apk add x", "apk", "add", ("timeout",)),
        ("nice -n 5 ionice -c 3 dnf -y in x", "dnf", "install", ("nice", "ionice")),
        ("command -p npm i left-pad", "npm", "install", ("command",)),
        ("eatmydata apt-get install x", "apt-get", "install", ("eatmydata",)),
        ("xargs -n 1 apt-get install -y", "apt-get", "install", ("xargs",)),
        ("sh -c 'zypper --non-interactive in x'", "zypper", "install", ("sh -c",)),
        ('bash -ec "pip install -r req.txt"', "pip", "install", ("bash -c",)),
        ("su -c 'gem i rake' root", "gem", "install", ("su -c",)),
        ("apk --repository http://x/edge add curl", "apk", "add", ()),
        ("/usr/bin/apt-get update", "apt-get", "update", ()),
    ],
)
def test_a_program_is_recognised_through_its_wrappers(
    text: str, program: str, subcommand: str, via: tuple[str, ...]
) -> None:
    last = _found(text)[-1]
    assert last == (program, subcommand, False, via)


@pytest.mark.parametrize(
    "text",
    [
        "./install.sh",
        "/opt/setup --all",
        "make deps",
        'eval "$CMD"',
        ". ./env.sh",
        "$TOOL x",
        "curl -fsSL https://example.com/i | sh",
        "bash setup.sh",
        'sudo "$CMD"',
    ],
)
def test_code_dfopt_cannot_see_is_opaque(text: str) -> None:
    assert any(opaque for _, _, opaque, _ in _found(text))


def test_exec_form_words_are_read_the_same_way() -> None:
    [found] = list(word_invocations(["sudo", "apt-get", "-y", "install", "x"]))
    assert (found.program, found.subcommand, found.via) == ("apt-get", "install", ("sudo",))


def test_every_spec_is_keyed_by_its_name_and_aliases_resolve() -> None:
    assert all(name == spec.name for name, spec in SPECS.items())
    npm = spec_of("npm")
    assert npm is not None
    assert [npm.subcommand_of([word]) for word in ("i", "ci", "rm")] == [
        "install",
        "ci",
        "uninstall",
    ]
    assert spec_of("not-a-program") is None


def test_the_fingerprint_view_drops_only_what_the_specs_call_cache_only() -> None:
    assert cache_only_stripped("apt", ["-y", "install", "curl"]) == ("apt-get", "install", "curl")
    assert cache_only_stripped("apt-get", ["clean"]) is None
    assert cache_only_stripped("rm", ["-rf", "/var/lib/apt/lists/*"]) is None
    assert cache_only_stripped("rm", ["-rf", "/var/lib/apt"]) == ("rm", "-rf", "/var/lib/apt")
    assert cache_only_stripped("pip", ["install", "--no-cache-dir", "x"]) == ("pip", "install", "x")
