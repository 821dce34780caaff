"""How the builder reads an ``EXPOSE`` port word (shared by DF513 and DF514).

Not a rule module (leading underscore): the pack's loader skips it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Span, expand, record, set_field

_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_PORT = 65535


@record()
class PortWord:
    """One port spec of an EXPOSE as the builder reads it: ``[[ip:]host:]port[/proto]``."""

    __slots__ = ("container", "host_port", "ip", "literal", "proto", "span", "text")

    text: str
    """The spec after variable expansion and quote removal."""
    span: Span
    """Source span of the word it came from."""
    literal: bool
    """True when the source holds exactly ``text`` (no quotes, escapes or variables)."""
    ip: str
    host_port: str
    container: str
    """The container port (or range) and its protocol suffix as written: ``80/TCP``."""
    proto: str
    """The protocol as written (empty when absent)."""

    def __init__(
        self,
        text: str,
        span: Span,
        literal: bool,
        ip: str,
        host_port: str,
        container: str,
        proto: str,
    ) -> None:
        set_field(self, "text", text)
        set_field(self, "span", span)
        set_field(self, "literal", literal)
        set_field(self, "ip", ip)
        set_field(self, "host_port", host_port)
        set_field(self, "container", container)
        set_field(self, "proto", proto)

    @property
    def container_offset(self) -> int:
        """Offset of ``container`` in ``text``."""
        return len(self.text) - len(self.container)


def port_words(instruction: Instruction, ctx: Context) -> Iterator[PortWord]:
    """The port specs of an EXPOSE (or ONBUILD EXPOSE) the builder accepts the protocol of.

    Specs whose protocol the builder rejects (``80/http``) or without a port are left out:
    the build fails on them before any check runs. Words with variables are expanded with
    the stage's ARG/ENV values; in ONBUILD triggers they are skipped (their values come
    from the image that runs the trigger).
    """
    target = instruction.effective
    escape = ctx.escape
    for word in target.words:
        raw = word.value
        literal = not any(char in raw for char in ("$", "'", '"', escape))
        if "$" in raw:
            if instruction is not target:
                continue
            raw = expand(raw, ctx.state(instruction).variables, escape)
        for text in raw.split():
            if not literal:
                text = text.replace('"', "").replace("'", "")
            spec = _split(text, word.span, literal)
            if spec is not None:
                yield spec


def _split(text: str, span: Span, literal: bool) -> PortWord | None:
    parts = text.split(":")
    if len(parts) == 1:
        ip, host, container = "", "", parts[0]
    elif len(parts) == 2:
        ip, host, container = "", parts[0], parts[1]
    else:
        ip, host, container = ":".join(parts[:-2]), parts[-2], parts[-1]
    port, _slash, proto = container.partition("/")
    if not port or proto.lower() not in _PROTOCOLS | {""}:
        return None
    return PortWord(text, span, literal, ip, host, container, proto)


def port_range(text: str) -> tuple[int, int] | None:
    """``(start, end)`` of a port or ``start-end`` range as the builder parses it, or None."""
    if not text:
        return None
    start_text, dash, end_text = text.partition("-")
    start = _port_number(start_text)
    if start is None:
        return None
    if not dash or start_text == end_text:
        return start, start
    end = _port_number(end_text)
    if end is None or end < start:
        return None
    return start, end


def _port_number(text: str) -> int | None:
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if 0 <= number <= _MAX_PORT else None


def valid_ip(text: str) -> bool:
    """True when the builder accepts ``text`` as the IP of a port spec (``[v6]`` allowed)."""
    if text.startswith("["):
        if not text.endswith("]") or text.count("[") != 1 or text.count("]") != 1:
            return False
        text = text[1:-1]
    if "%" in text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
