"""Sans-I/O core: Kuzzle's protocol logic as plain synchronous Python.

Nothing here imports ``js``, ``pyodide`` or ``asyncio``, reads a clock or
sleeps: time comes in as an argument, so every rule is unit-tested in CPython.

:class:`Value` is the base of the core's small record classes (commands, tokens,
responses), defined here so that it costs no module of its own in the wheel.
Why not ``dataclasses``: ``@dataclass`` writes the source of ``__init__``, ``__repr__``
and ``__eq__`` and compiles it when the module is imported. In Pyodide that costs about
3 ms a class (6 ms with ``frozen=True``), five times CPython's, and a page imports the
connection's classes before it can connect. A ``Value`` subclass names its fields in
``__slots__`` and writes its ``__init__``; this base adds equality and a repr read from
the slots, with no code generated.
"""

from __future__ import annotations

__all__ = ["Value"]


class Value:
    """Fields in ``__slots__``; equal when of one type with equal fields."""

    __slots__: tuple[str, ...] = ()  # with __eq__ alone it is unhashable: it is mutable

    def __eq__(self, other: object) -> bool:
        fields = self.__slots__
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in fields)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"
