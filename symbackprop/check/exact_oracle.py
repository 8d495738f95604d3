"""The exact check's oracle: dJ/dp for one parameter entry p, differentiated in forward mode.

Independent of the derivation: it computes the scalar cost entry by entry from the point's
parameters and data and carries each value's derivative in p along (:class:`_Dual`), reading
only the activation table it shares with the derivation's side (:mod:`symbackprop.check.exact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.records import scalars
from symbackprop.records.activations import Activation

if TYPE_CHECKING:
    from symbackprop.check.exact import Table
    from symbackprop.core.derivation import Derivation


@dataclass(frozen=True, slots=True)
class _Dual:
    """A value and its derivative in one parameter entry p, both exact (forward mode)."""

    v: Fraction
    d: Fraction = Fraction(0)

    # most entries are constants (d = 0): the rules skip what is known to be 0

    def __add__(self, other: _Dual) -> _Dual:
        if not other.d:
            return _Dual(self.v + other.v, self.d)
        return _Dual(self.v + other.v, self.d + other.d if self.d else other.d)

    def __mul__(self, other: _Dual) -> _Dual:  # the product rule
        if not self.d:
            return _Dual(self.v * other.v, self.v * other.d if other.d else self.d)
        if not other.d:
            return _Dual(self.v * other.v, self.d * other.v)
        return _Dual(self.v * other.v, self.d * other.v + self.v * other.d)

    def __truediv__(self, other: _Dual) -> _Dual:  # the quotient rule
        return _Dual(self.v / other.v, (self.d * other.v - self.v * other.d) / other.v**2)


def _fraction(value: Any) -> Fraction:
    rational = sp.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _sympy(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


_Grid = list[list[_Dual]]


class Oracle:
    """dJ/dp for one parameter entry p, by differentiating the scalar cost in forward mode.

    The cost is computed entry by entry from the point's parameters and data, every value
    carrying its derivative in p (:class:`_Dual`): sums and products by the sum and product
    rules, each activation g by the table's g' (as SymPy's chain rule did through the table's
    ``fdiff``), softmax's exp as its own derivative, and the loss by SymPy's ``diff`` of its
    scalar formula. Nothing here reads the derivation's formulas. Differentiating the written-out
    cost with SymPy's ``diff`` instead nested one level per later layer and grew far faster
    than the depth (190 s at depth 8); this costs a forward pass from p's layer per entry.
    """

    def __init__(self, derivation: Derivation, table: Table, values: dict[str, sp.Matrix]):
        self.graph = g = derivation.graph
        self.table = table
        names = [
            g.x.name,
            g.y.name,
            *(f"{p}{layer}" for layer in range(1, g.depth + 1) for p in "Wb"),
        ]
        self.values = {name: _grid(values[name]) for name in names}
        self.loss_slope = sp.diff(self.graph.loss.formula, scalars.a)
        self._slopes: dict[tuple[Fraction, Fraction], Fraction] = {}
        self._points: dict[tuple[str | None, Fraction], tuple[Fraction, Fraction]] = {}
        # a[l] at the point for l = 0 .. L-1 (what layer l + 1 reads), by the oracle's own pass
        self.inputs: list[_Grid] = [self.values[g.x.name]]
        for layer in range(1, g.depth):
            z = _linear(self.values[f"W{layer}"], self.values[f"b{layer}"], self.inputs[-1])
            self.inputs.append(self._activate(g.activation(layer), z))

    def _activate(self, act: Activation, z: _Grid) -> _Grid:
        if act.elementwise:
            return [[self._apply(act, entry) for entry in row] for row in z]
        exps = [[self._exp(entry) for entry in row] for row in z]
        out = [[_Dual(Fraction(0))] * len(z[0]) for _ in z]
        for col in range(len(z[0])):
            total = exps[0][col]
            for row in range(1, len(z)):
                total = total + exps[row][col]
            for row in range(len(z)):
                out[row][col] = exps[row][col] / total
        return out

    def _apply(self, act: Activation, entry: _Dual) -> _Dual:
        value, slope = self._lookup(act, entry.v)
        return _Dual(value, slope * entry.d if entry.d else entry.d)

    def _exp(self, entry: _Dual) -> _Dual:
        value, _ = self._lookup(None, entry.v)
        return _Dual(value, value * entry.d)

    def _lookup(self, act: Activation | None, q: Fraction) -> tuple[Fraction, Fraction]:
        """The table's g(q) and g'(q) (softmax's exp(q) twice for ``act=None``), as fractions;
        every parameter entry's pass meets the same points."""
        key = (act.name if act else None, q)
        if key not in self._points:
            at = _sympy(q)
            if act is None:
                value = slope = _fraction(self.table.exp(at))
            else:
                value = _fraction(self.table.value(act.name, at))
                slope = _fraction(self.table.derivative(act.name, at))
            self._points[key] = (value, slope)
        return self._points[key]

    def _slope(self, a: Fraction, y: Fraction) -> Fraction:
        """dL/da of the loss's scalar formula at (a, y), by SymPy's ``diff``."""
        key = (a, y)
        if key not in self._slopes:
            at = {scalars.a: _sympy(a), scalars.y: _sympy(y)}
            self._slopes[key] = _fraction(self.loss_slope.xreplace(at))
        return self._slopes[key]

    def derivative(self, name: str, row: int, col: int, lam: sp.Rational) -> sp.Rational:
        """dJ/dp at the point, p the entry (row, col) of the parameter ``name``."""
        g = self.graph
        first = int(name[1:])
        params = dict(self.values)
        seeded = [list(line) for line in params[name]]
        seeded[row][col] = _Dual(seeded[row][col].v, Fraction(1))
        params[name] = seeded
        act = self.inputs[first - 1]
        for layer in range(first, g.depth + 1):
            z = _linear(params[f"W{layer}"], params[f"b{layer}"], act)
            act = self._activate(g.activation(layer), z)
        y = self.values[g.y.name]
        m = len(y[0])
        slope = sum(
            (
                self._slope(act[i][j].v, y[i][j].v) * act[i][j].d
                for i in range(len(y))
                for j in range(m)
            ),
            Fraction(0),
        )
        total = slope / m
        if name.startswith("W"):  # (lam / 2m) sum ||W||^2: only p's own square depends on p
            p = seeded[row][col]
            total += _fraction(lam) / (2 * m) * (p * p).d
        return _sympy(total)


def _grid(matrix: sp.Matrix) -> _Grid:
    """A rational matrix as rows of constants (derivative 0)."""
    return [
        [_Dual(_fraction(matrix[i, j])) for j in range(matrix.cols)] for i in range(matrix.rows)
    ]


def _linear(w: _Grid, b: _Grid, a: _Grid) -> _Grid:
    """W a + b 1^T, entry by entry."""
    out = []
    for i, w_row in enumerate(w):
        line = []
        for j in range(len(a[0])):
            total = b[i][0]
            for k, w_ik in enumerate(w_row):
                total = total + w_ik * a[k][j]
            line.append(total)
        out.append(line)
    return out
