"""The formula language's function table: every name that may be called, and what it means.

The language owns a few functions (``exp log abs sqrt sin cos`` and ``sum``); every other one
is *handed down* by the stage above: each activation record adds its name here (with its
scalar SymPy form), so the parser and the scalar converter know ``sigmoid``, ``relu`` or a
run-time registered ``elu`` without this package importing the records. All functions take
one argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy

#: a function's scalar form: SymPy expression of its argument (``None``: matrix only)
Scalar = Callable[[sympy.Expr], sympy.Expr]


@dataclass(frozen=True)
class Entry:
    """One function of the language.

    ``scalar`` builds its value at a scalar argument (``None`` for ``sum`` and ``softmax``,
    which act on matrices only); ``piecewise`` counts it towards :data:`MAX_PIECEWISE` of an
    activation formula (SymPy's cost doubles with each piece); ``bounded`` refuses a huge
    constant argument (mpmath evaluates it eagerly and slowly); ``activation`` marks a name an
    activation record added (the language's own functions are not activations).
    """

    name: str
    scalar: Scalar | None
    piecewise: bool = False
    bounded: bool = False
    activation: bool = False


class FunctionTable:
    """Name -> :class:`Entry`; iterating gives the names."""

    def __init__(self, entries: tuple[Entry, ...] = ()) -> None:
        self._entries = {entry.name: entry for entry in entries}

    def add(self, entry: Entry) -> None:
        """Add (or replace) the function ``entry.name``."""
        self._entries[entry.name] = entry

    def discard(self, name: str) -> None:
        """Forget ``name`` (a run-time registered activation being unregistered)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> Entry | None:
        return self._entries.get(name)

    def names(self) -> frozenset[str]:
        return frozenset(self._entries)

    def scalars(self) -> dict[str, Scalar]:
        """Name -> scalar form, for every function that has one."""
        return {n: e.scalar for n, e in self._entries.items() if e.scalar is not None}

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


#: the table the parser and the scalar converter read; activation records add themselves
FUNCTIONS = FunctionTable(
    (
        Entry("exp", sympy.exp, bounded=True),
        Entry("log", sympy.log),
        Entry("abs", sympy.Abs, piecewise=True),
        Entry("sqrt", sympy.sqrt),
        Entry("sin", sympy.sin, bounded=True),
        Entry("cos", sympy.cos, bounded=True),
        Entry("sum", None),
    )
)
