"""The formula language's function table: every name that may be called, and what it means.

The language owns a few functions (``exp log abs sqrt sin cos`` and ``sum``); every other one
is *handed down* by the stage above: each activation record adds its name here (with its
scalar SymPy form), so the parser and the scalar converter know ``sigmoid``, ``relu`` or a
run-time registered ``elu`` without this package importing the records.

``sum`` adds all the entries (a 1 x 1 value, which multiplies like a number) and ``rowsum``
sums each row over the columns (r x 1), in models and in ``shapecheck`` formulas alike. Models
(forward equations, DESIGN.md "Models") add matrix functions of their own (``tr det logdet inv
norm1 norm2`` and the losses ``bce(a, y) ce(a, y) mse(a, y)``). They are marked ``model_only``:
the parser knows them only when asked for the model language, so a gradient formula for a
network reads ``tr x`` exactly as before. ``model_shape`` says what each function does to a
shape in a model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy

from symbackprop.errors import InternalError

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
    #: number of arguments (the losses take two: the prediction and the target)
    arity: int = 1
    #: known to the parser only in the model language (see the module docstring)
    model_only: bool = False
    #: in a model, the result's shape for an r x c argument: one of :data:`MODEL_SHAPES`
    model_shape: str = "same"

    def __post_init__(self) -> None:
        # model/shapes.py reads each kind; an unknown one would type as nothing there
        if self.model_shape not in MODEL_SHAPES:
            raise InternalError(
                f"function {self.name!r}: model_shape {self.model_shape!r} is not one of "
                f"{sorted(MODEL_SHAPES)}"
            )


#: ``same``: r x c (element-wise, and softmax per column); ``scalar``: 1 x 1 from any shape;
#: ``rowsum``: r x 1; ``square``: r x r needed, r x r out; ``square_scalar``: r x r needed,
#: 1 x 1 out; ``pair_scalar``: two arguments of one shape, 1 x 1 out (the losses)
MODEL_SHAPES = frozenset({"same", "scalar", "rowsum", "square", "square_scalar", "pair_scalar"})


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

    def get(self, name: str, *, models: bool = False) -> Entry | None:
        """The entry ``name``; a model-only one only when ``models`` is true."""
        entry = self._entries.get(name)
        if entry is None or (entry.model_only and not models):
            return None
        return entry

    def names(self, *, models: bool = False) -> frozenset[str]:
        """Every callable name (with ``models``, the model language's own functions too)."""
        return frozenset(n for n, e in self._entries.items() if models or not e.model_only)

    def scalars(self) -> dict[str, Scalar]:
        """Name -> scalar form, for every function that has one."""
        return {n: e.scalar for n, e in self._entries.items() if e.scalar is not None}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names()))

    def __len__(self) -> int:
        return len(self.names())


#: the table the parser and the scalar converter read; activation records add themselves
FUNCTIONS = FunctionTable(
    (
        Entry("exp", sympy.exp, bounded=True),
        Entry("log", sympy.log),
        Entry("abs", sympy.Abs, piecewise=True),
        Entry("sqrt", sympy.sqrt),
        Entry("sin", sympy.sin, bounded=True),
        Entry("cos", sympy.cos, bounded=True),
        Entry("sum", None, model_shape="scalar"),
        Entry("rowsum", None, model_shape="rowsum"),
        Entry("tr", None, model_only=True, model_shape="square_scalar"),
        Entry("det", None, model_only=True, model_shape="square_scalar"),
        Entry("logdet", None, model_only=True, model_shape="square_scalar"),
        Entry("inv", None, model_only=True, model_shape="square"),
        Entry("norm1", None, model_only=True, model_shape="scalar"),
        Entry("norm2", None, model_only=True, model_shape="scalar"),
        Entry("bce", None, arity=2, model_only=True, model_shape="pair_scalar"),
        Entry("ce", None, arity=2, model_only=True, model_shape="pair_scalar"),
        Entry("mse", None, arity=2, model_only=True, model_shape="pair_scalar"),
    )
)
