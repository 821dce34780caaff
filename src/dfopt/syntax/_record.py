"""Small immutable records, as ``@dataclass(frozen=True)`` makes them, at less cost.

A dataclass compiles its generated methods when its module is imported; with dozens of
them on the path of every ``dfopt check``, that is a good part of the start-up time. A
record class declares its fields as annotations (in ``__init__`` order) and writes its
own ``__init__``, assigning with :data:`set_field`; :func:`record` then adds what a
frozen dataclass has: ``__repr__``, ``__eq__`` and ``__hash__`` over the fields
(``eq=False`` keeps identity), ``__match_args__``, pickling, and
``FrozenInstanceError`` on assignment. A method the class defines itself is kept.

:func:`replace` and :func:`field_names` stand in for ``dataclasses.replace`` and
``dataclasses.fields``. Neither ``dataclasses`` nor ``inspect`` is imported until an
assignment is refused (``FrozenInstanceError`` is the dataclasses one, so code catching
it keeps working).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, Generic, NoReturn, TypeVar, overload

T = TypeVar("T", bound=type)
R = TypeVar("R")

set_field = object.__setattr__
"""Assign a field of a record being built (records refuse ordinary assignment)."""


def record(*, eq: bool = True) -> Callable[[T], T]:
    """Class decorator: make ``cls`` a frozen record of its annotated fields."""

    def decorate(cls: T) -> T:
        # The class's own annotations (not its bases'), read as inspect.get_annotations
        # reads them, without importing inspect.
        annotations = cls.__dict__.get("__annotations__")  # noqa: RUF063
        if annotations is None:
            annotations = getattr(cls, "__annotations__", None) or {}
        names = tuple(
            name
            for name, annotation in annotations.items()
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
        _refuse("assign to", name)

    def __delattr__(self: Any, name: str) -> None:
        _refuse("delete", name)

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


def _refuse(action: str, name: str) -> NoReturn:
    """Raise ``dataclasses.FrozenInstanceError``, importing dataclasses only now."""
    from dataclasses import FrozenInstanceError

    raise FrozenInstanceError(f"cannot {action} field {name!r}")


def field_names(item: object) -> tuple[str, ...]:
    """The fields of a record (class or instance), in ``__init__`` order."""
    names: tuple[str, ...] = getattr(item, "__match_args__", ())
    return names


def replace(item: R, /, **changes: Any) -> R:
    """A copy of the record ``item`` with ``changes`` applied, like ``dataclasses.replace``.

    The record's ``__init__`` must take its fields as keyword arguments (every
    :func:`record` class in dfopt does); an unknown field name raises ``TypeError``.
    """
    names = field_names(item)
    unknown = sorted(set(changes).difference(names))
    if unknown:
        raise TypeError(f"{type(item).__qualname__} has no field {unknown[0]!r}")
    values = {name: getattr(item, name) for name in names}
    values.update(changes)
    return type(item)(**values)


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
        _refuse("assign to", name)

    def __delattr__(self, name: str) -> None:
        _refuse("delete", name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._key())


V = TypeVar("V")


class lazy_property(Generic[V]):
    """``functools.cached_property`` without its lock (Python 3.11 takes a lock on every
    first read, a measurable cost when thousands of objects each compute a value once).

    The value is computed on first read and stored in the instance ``__dict__``, where
    later reads find it without calling the descriptor.
    """

    def __init__(self, func: Callable[[Any], V]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy_property[V]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> V: ...

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value
