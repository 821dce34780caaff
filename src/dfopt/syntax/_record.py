"""Small immutable records, as ``@dataclass(frozen=True)`` makes them, at less cost.

A dataclass compiles its generated methods when its module is imported; with dozens of
them on the path of every ``dfopt check``, that is a good part of the start-up time. A
record class declares its fields as annotations (in ``__init__`` order) and writes its
own ``__init__``, assigning with :data:`set_field`; :func:`record` then adds what a
frozen dataclass has: ``__repr__``, ``__eq__`` and ``__hash__`` over the fields
(``eq=False`` keeps identity), ``__match_args__``, pickling, and
``FrozenInstanceError`` on assignment. A method the class defines itself is kept.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

set_field = object.__setattr__
"""Assign a field of a record being built (records refuse ordinary assignment)."""


def record(*, eq: bool = True) -> Callable[[T], T]:
    """Class decorator: make ``cls`` a frozen record of its annotated fields."""

    def decorate(cls: T) -> T:
        names = tuple(
            name
            for name, annotation in inspect.get_annotations(cls).items()
            if not str(annotation).startswith(("ClassVar", "typing.ClassVar"))
        )
        _add_methods(cls, names, eq)
        return cls

    return decorate


def _add_methods(cls: Any, names: tuple[str, ...], eq: bool) -> None:
    key: Callable[[Any], Any]
    if len(names) == 1:
        single = attrgetter(names[0])

        def key(item: Any) -> tuple[Any, ...]:
            return (single(item),)

    else:
        key = attrgetter(*names)
    qualname = cls.__qualname__

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{qualname}({inner})"

    def __setattr__(self: Any, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self: Any) -> tuple[Any, ...]:
        return (self.__class__, tuple(getattr(self, name) for name in names))

    methods: dict[str, Any] = {
        "__repr__": __repr__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__reduce__": __reduce__,
        "__match_args__": names,
    }
    if eq:

        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is self.__class__:
                return bool(key(self) == key(other))
            return NotImplemented

        def __hash__(self: Any) -> int:
            return hash(key(self))

        methods["__eq__"] = __eq__
        methods["__hash__"] = __hash__
    for name, method in methods.items():
        if name not in cls.__dict__:
            if callable(method):
                method.__qualname__ = f"{qualname}.{name}"
            setattr(cls, name, method)


class KeyedRecord:
    """Base of a frozen record with fields worked out lazily, which :func:`record` cannot
    describe: equality, hash and pickling go through :meth:`_key` (the field values in
    ``__match_args__`` order, also the constructor's argument order), ``repr`` names the
    ``__match_args__`` fields, and assignment raises ``FrozenInstanceError``."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, KeyedRecord)
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        pairs = zip(self.__match_args__, self._key(), strict=True)
        inner = ", ".join(f"{name}={value!r}" for name, value in pairs)
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._key())
