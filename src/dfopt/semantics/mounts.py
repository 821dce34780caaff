"""``RUN --mount`` options and what they mean for caches."""

from __future__ import annotations

from dfopt.syntax._record import record, set_field
from dfopt.syntax.nodes import Instruction


@record()
class Mount:
    """One ``--mount`` of a RUN instruction."""

    __slots__ = ("options", "target", "type")

    type: str
    target: str | None
    options: dict[str, str]

    def __init__(
        self, type: str, target: str | None, options: dict[str, str] | None = None
    ) -> None:
        set_field(self, "type", type)
        set_field(self, "target", target)
        set_field(self, "options", {} if options is None else options)

    @property
    def is_cache_like(self) -> bool:
        """Cache and tmpfs mounts keep their content out of the image layer."""
        return self.type in ("cache", "tmpfs")

    @property
    def private_to_run(self) -> bool:
        """Writes to the mount are seen by this RUN only and dropped after it: a tmpfs, or
        a bind mount made writable (``rw``, ``readwrite``). Two RUNs with such a mount
        each start from a fresh copy, so they cannot share one shell."""
        if self.type == "tmpfs":
            return True
        if self.type != "bind":
            return False
        for key in ("rw", "readwrite"):
            value = self.options.get(key)
            if value is not None and value.lower() not in ("false", "0"):
                return True
        return False


def parse_mount(value: str) -> Mount:
    """Parse the CSV value of a ``--mount`` flag (``type=cache,target=/root/.cache``)."""
    import csv  # only Dockerfiles with mounts need it

    try:
        fields = next(csv.reader([value]))
    except (csv.Error, StopIteration):
        fields = value.split(",")
    options: dict[str, str] = {}
    for item in fields:
        key, sep, val = item.partition("=")
        options[key.strip().lower()] = val.strip() if sep else "true"
    target = options.get("target") or options.get("dst") or options.get("destination")
    return Mount(options.get("type", "bind").lower(), target, options)


def mounts_of(instruction: Instruction) -> list[Mount]:
    """Every mount of a RUN (or ONBUILD RUN)."""
    target = instruction.effective
    return [parse_mount(flag.value) for flag in target.flags if flag.name == "mount" and flag.value]


def cache_mounted(instruction: Instruction, *paths: str) -> bool:
    """True when a cache or tmpfs mount covers one of ``paths`` (or a parent of it)."""
    for mount in mounts_of(instruction):
        if not mount.is_cache_like or not mount.target:
            continue
        root = mount.target.rstrip("/") or "/"
        for path in paths:
            clean = path.rstrip("/") or "/"
            if root == "/" or clean == root or clean.startswith(root + "/"):
                return True
    return False
