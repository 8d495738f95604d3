"""The exact check: every gradient entry against the scalar cost's derivative, in rationals.

At small concrete sizes, the cost J is computed entry by entry and differentiated for every
parameter entry in forward mode (each value carries its derivative in that entry: sum,
product and quotient rules, the table's g', SymPy's ``diff`` of the loss's scalar formula;
``tests/test_exact.py`` checks it against SymPy's ``diff`` of the written-out cost); the
derivation's matrix formulas are evaluated independently at the same point. Both sides are
exact rationals.

Nested exponentials would make SymPy's equality slow and heuristic, so each activation is an
*uninterpreted* function: every distinct application g(q) gets a random rational (drawn once per
point and shared by both sides), and g'(q) is the record's own derivative evaluated there when it
is rational in (z, a) (sigmoid: a(1 - a)), else another random rational. What is checked is the
matrix calculus (every transpose, product, sum and delta reuse); each activation's derivative
record is verified on its own, against SymPy's ``diff`` of its formula, in the test suite.

Both sides evaluate with SymPy itself: the :class:`Table` turns every element-wise function (a
record's g or g', softmax's exp, an indicator) into a SymPy function class that takes its value
from the table at a number, and SymPy's ``doit`` (the :class:`Evaluator`) does the rest; the
oracle reads the same table. The same Evaluator serves collapse, the gradient-norm example and the
formula check.

A model's derivation (forward equations, DESIGN.md "Models") is checked by
:mod:`symbackprop.check.model_exact`, whose functions are read by
:mod:`symbackprop.check.interpret`; the result records are in :mod:`symbackprop.check.result`.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import Identity, MatrixSymbol, OneMatrix, ZeroMatrix

from symbackprop.check.model_exact import check_model_exact
from symbackprop.check.result import ExactCheck, Mismatch
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.derivation import LAMBDA, evaluates_exactly, lifts_derivative
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.errors import SpecError
from symbackprop.records import scalars
from symbackprop.records.activations import Activation
from symbackprop.records.nodes import Elementwise, Softmax, T, softmax_columns

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation

#: a concrete width above this is replaced by it (the formulas are generic in the dimensions)
MAX_EXACT_WIDTH = 3
#: the deepest network the exact check accepts: the oracle makes one forward pass per parameter
#: entry, so the time grows with the square of the depth (measured on 2 cores, batch form,
#: widths 3, m = 3, three points: about 1 s at depth 10 and 2 s at depth 12)
MAX_EXACT_DEPTH = 12


class Table:
    """Values of each activation g, its derivative g' and exp at rational points.

    One table is shared by the oracle and the derivation so that g(q) is the same on both
    sides. :meth:`function` turns any element-wise function of an expression (a record's g or
    g', or a ``Lambda`` such as the indicator) into a SymPy function class that takes its value
    from this table at a number, so SymPy's own ``doit`` evaluates the expression exactly.
    """

    def __init__(self, rng: random.Random, activations: dict[str, Activation]) -> None:
        self.rng = rng
        self.activations = activations
        self._values: dict[tuple[str, Any], Any] = {}
        #: SymPy function class -> (activation record, whether it is g' rather than g)
        self._records: dict[Any, tuple[Activation, bool]] = {}
        for act in activations.values():
            if act.elementwise:
                self._records.setdefault(act.function, (act, False))
                self._records.setdefault(act.derivative_function, (act, True))
        self._classes: dict[Any, type] = {}

    def _draw(self, low: Any, high: Any) -> sp.Rational:
        if low == 0 and high == 1:
            return sp.Rational(self.rng.randint(1, 19), 20)
        if low == -1 and high == 1:
            return sp.Rational(self.rng.randint(-19, 19), 20)
        if low == 0:
            return sp.Rational(self.rng.randint(1, 40), 10)
        return sp.Rational(self.rng.choice([-1, 1]) * self.rng.randint(1, 40), 10)

    def value(self, name: str, q: sp.Rational) -> sp.Rational:
        """g(q) for the activation ``name`` (exact where the formula is rational)."""
        key = (name, q)
        if key not in self._values:
            act = self.activations[name]
            if evaluates_exactly(act):
                assert act.formula is not None
                self._values[key] = sp.Rational(act.formula.subs(scalars.z, q))
            else:
                self._values[key] = self._draw(*act.output_range)
        return self._values[key]

    def derivative(self, name: str, q: sp.Rational) -> sp.Rational:
        """g'(q): the record's derivative where it is rational in (z, a), else a fresh draw."""
        key = (name + "'", q)
        if key not in self._values:
            act = self.activations[name]
            if lifts_derivative(act):
                expr = act.cached_derivative.subs({scalars.z: q, scalars.a: self.value(name, q)})
                self._values[key] = sp.Rational(expr)
            else:
                self._values[key] = self._draw(-sp.oo, sp.oo)
        return self._values[key]

    def apply(self, fn: sp.Lambda, q: sp.Rational) -> sp.Rational:
        """A plain scalar function at q; it must be rational there (an indicator, a power)."""
        value = fn(q)
        if not value.is_Rational:
            raise NotRationalError(f"{fn.expr} is not rational at {q}")
        return value

    def exp(self, q: sp.Rational) -> sp.Rational:
        """exp(q), uninterpreted: a positive rational (its derivative is itself)."""
        key = ("exp", q)
        if key not in self._values:
            self._values[key] = self._draw(0, sp.oo)
        return self._values[key]

    # -- the table as SymPy function classes ------------------------------------------------
    def function(self, fn: sp.Lambda) -> type:
        """A one-argument SymPy function class equal to ``fn`` whose value at a number comes
        from this table; its ``fdiff`` is the table's g' for a record's g (the oracle's chain
        rule), and exp is its own derivative."""
        body = fn.expr
        applied = (
            type(body) if isinstance(body, sp.Function) and body.args == fn.variables else None
        )
        return self._class(applied if applied in self._records else fn)

    def exp_function(self) -> type:
        """Softmax's exp as an uninterpreted function class (a formula's exp is the true one)."""
        return self._class(sp.exp)

    def _class(self, key: Any) -> type:
        if key not in self._classes:
            self._classes[key] = self._make(key)
        return self._classes[key]

    def _make(self, key: Any) -> type:
        table = self
        if key is sp.exp:
            lookup: Any = self.exp
        elif key in self._records:
            act, prime = self._records[key]
            lookup = functools.partial(self.derivative if prime else self.value, act.name)
        else:
            lookup = functools.partial(self.apply, key)

        def eval_(cls: type, arg: Any) -> Any:
            return lookup(arg) if arg.is_Number else None

        def fdiff(self_: Any, argindex: int = 1) -> Any:
            if key is sp.exp:
                return self_
            if key in table._records and not table._records[key][1]:
                prime = table._records[key][0].derivative_function
                return table.function(sp.Lambda(T, prime(T)))(self_.args[0])
            raise TypeError("the exact check differentiates only activations and exp")

        name = f"table_{getattr(key, '__name__', 'fn')}"
        return type(name, (sp.Function,), {"nargs": 1, "eval": classmethod(eval_), "fdiff": fdiff})


class NotRationalError(ValueError):
    """A function (exp, log, ...) has no exact rational value; compare numerically instead."""


class RealTable(Table):
    """The actual functions, in 30-digit floating point, for formulas with exp, log, ...

    Used where exact rational evaluation is impossible; values still agree on both sides
    because both use the true activation functions.
    """

    DIGITS = 30

    def value(self, name: str, q: Any) -> Any:
        act = self.activations[name]
        assert act.formula is not None
        return sp.N(act.formula.subs(scalars.z, q), self.DIGITS)

    def derivative(self, name: str, q: Any) -> Any:
        act = self.activations[name]
        return sp.N(act.derivative.subs(scalars.z, q), self.DIGITS)

    def apply(self, fn: sp.Lambda, q: Any) -> Any:
        return sp.N(fn(q), self.DIGITS)

    def exp(self, q: Any) -> Any:
        return sp.N(sp.exp(q), self.DIGITS)


# -- the derivation side: evaluate matrix expressions at concrete values ---------------------


class Evaluator:
    """Evaluate matrix expressions at concrete values with SymPy itself.

    ``env`` gives each matrix symbol (by name) its value, ``scalars_`` each scalar symbol
    (dimensions, lambda). The expression's leaves are substituted, every element-wise function
    (and softmax's exp) becomes the table's class (:meth:`Table.function`), and SymPy's
    ``doit`` does the rest; the result is an explicit matrix.
    """

    def __init__(self, env: dict[str, sp.Matrix], scalars_: dict[sp.Symbol, Any], table: Table):
        self.env = env
        self.scalars = scalars_
        self.table = table

    def __call__(self, expr: Any) -> sp.Matrix:
        leaves: dict[Any, Any] = dict(self.scalars)
        for symbol in expr.atoms(MatrixSymbol):
            leaves[symbol] = sp.ImmutableMatrix(self.env[symbol.name])
        concrete = expr.xreplace(leaves)
        # SymPy's doit keeps ones, zero and identity matrices symbolic beside explicit ones
        special = concrete.atoms(OneMatrix, ZeroMatrix, Identity)
        concrete = concrete.xreplace({node: node.as_explicit() for node in special})
        concrete = concrete.replace(
            lambda node: isinstance(node, (Elementwise, Softmax)), self._tabulate
        )
        value = concrete.doit()
        if not isinstance(value, sp.MatrixBase):
            value = value.as_explicit()
        return sp.Matrix(value)

    def _tabulate(self, node: Any) -> Any:
        if isinstance(node, Softmax):
            exps = node.arg.doit().as_explicit().applyfunc(self.table.exp_function())
            return softmax_columns(exps)
        return Elementwise(self.table.function(node.function), node.arg)


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


class _Oracle:
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


# -- the check -------------------------------------------------------------------------------


def concrete_sizes(derivation: Derivation, sizes: dict[str, int] | None) -> dict[sp.Symbol, int]:
    """Small concrete sizes for every dimension symbol (user ``sizes`` win)."""
    g = derivation.graph
    chosen: dict[sp.Symbol, int] = {}
    for symbol in g.dims:
        known = g.sizes.get(symbol)
        chosen[symbol] = min(known, MAX_EXACT_WIDTH) if known else 2
    if g.batch:
        chosen[g.m] = 2
    for name, value in (sizes or {}).items():
        for symbol in list(chosen):
            if symbol.name == name:
                chosen[symbol] = int(value)
    for layer, act in enumerate(g.activations, start=1):
        symbol = g.dims[layer]
        chosen[symbol] = max(chosen[symbol], act.min_units)
    return chosen


def _rational(rng: random.Random) -> sp.Rational:
    return sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 9), rng.randint(1, 5))


@without_cyclic_gc
@without_cyclic_gc
def check_exact(
    derivation: Derivation,
    *,
    trials: int = 3,
    sizes: dict[str, int] | None = None,
    seed: int = 0,
) -> ExactCheck:
    """See :meth:`symbackprop.core.derivation.Derivation.check_exact`; a model's derivation
    is checked by :func:`symbackprop.check.model_exact.check_model_exact`."""
    if isinstance(derivation, ModelDerivation):
        return check_model_exact(derivation, trials=trials, sizes=sizes, seed=seed)
    if derivation.depth > MAX_EXACT_DEPTH:
        raise SpecError(
            f"exact check: {derivation.depth} layers; at most {MAX_EXACT_DEPTH} (the exact "
            "oracle makes a forward pass per parameter entry, in growing rationals); use the "
            "finite-difference check for deeper networks"
        )
    chosen = concrete_sizes(derivation, sizes)
    result = ExactCheck({str(k): v for k, v in chosen.items()}, trials)
    g = derivation.graph
    rng = random.Random(seed)
    lam = sp.Rational(Fraction(str(derivation.network.l2)))
    for trial in range(trials):
        env, evaluate, table = forward_point(derivation, chosen, rng)
        oracle = _Oracle(derivation, table, env)
        try:
            for layer in range(g.depth, 0, -1):
                env[derivation.delta_symbols[layer].name] = evaluate(derivation.deltas[layer])
        except Exception as exc:  # a corrupted delta must be reported, not raised
            result.mismatches.append(Mismatch("delta", 0, 0, None, None, trial, f"{exc}"))
            return result
        for layer in range(1, g.depth + 1):
            for name in (f"W{layer}", f"b{layer}"):
                _compare(result, name, trial, evaluate, derivation, oracle, env[name].shape, lam)
    return result


def _compare(
    result: ExactCheck,
    name: str,
    trial: int,
    evaluate: Evaluator,
    derivation: Derivation,
    oracle: _Oracle,
    shape: tuple[int, int],
    lam: sp.Rational,
) -> None:
    try:
        got = evaluate(derivation.gradients[name])
    except Exception as exc:
        note = f"cannot be evaluated at sizes {result.sizes}: {exc}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    if got.shape != shape:
        note = f"has shape {got.shape}, expected {shape}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    for i in range(shape[0]):
        for j in range(shape[1]):
            want = oracle.derivative(name, i, j, lam)
            result.entries += 1
            if want != got[i, j]:
                result.mismatches.append(Mismatch(name, i, j, want, got[i, j], trial))


def forward_point(
    derivation: Derivation,
    sizes: dict[sp.Symbol, int],
    rng: random.Random,
    table_class: type[Table] = Table,
    activations: dict[str, Activation] | None = None,
) -> tuple[dict[str, sp.Matrix], Evaluator, Table]:
    """A random point with its forward pass: ``env`` holds W, b, x, y, every z and a.

    Parameters and data are drawn by :func:`_draw_point`; a point where some pre-activation is
    exactly 0 is redrawn, because relu'(0) is a convention, not a derivative.
    """
    g = derivation.graph
    acts = dict(activations or {})
    acts.update({act.name: act for act in g.activations})
    scalar_values: dict[Any, Any] = {symbol: sp.Integer(v) for symbol, v in sizes.items()}
    scalar_values[LAMBDA] = sp.Rational(Fraction(str(derivation.network.l2)))
    for _attempt in range(20):
        table = table_class(rng, acts)
        env = _draw_point(derivation, sizes, rng)
        evaluate = Evaluator(env, scalar_values, table)
        for layer in range(1, g.depth + 1):
            env[g.z(layer).name] = evaluate(g.forward[g.z(layer).name])
            env[g.a(layer).name] = evaluate(g.forward[g.a(layer).name])
        if all(v != 0 for layer in range(1, g.depth + 1) for v in env[g.z(layer).name]):
            break
    return env, evaluate, table


def _draw_point(
    derivation: Derivation, sizes: dict[sp.Symbol, int], rng: random.Random
) -> dict[str, sp.Matrix]:
    """Random rational parameters and data (one-hot targets for a softmax output)."""
    g = derivation.graph
    dims = [sizes[d] for d in g.dims]
    m = sizes[g.m] if g.batch else 1
    env: dict[str, sp.Matrix] = {}
    for layer in range(1, len(dims)):
        env[f"W{layer}"] = sp.Matrix(dims[layer], dims[layer - 1], lambda i, j: _rational(rng))
        env[f"b{layer}"] = sp.Matrix(dims[layer], 1, lambda i, j: _rational(rng))
    env[g.x.name] = sp.Matrix(dims[0], m, lambda i, j: _rational(rng))
    if not g.activations[-1].elementwise:
        y = sp.zeros(dims[-1], m)
        for col in range(m):
            y[rng.randrange(dims[-1]), col] = 1
    elif g.loss.targets == "binary":
        y = sp.Matrix(dims[-1], m, lambda i, j: sp.Integer(rng.randint(0, 1)))
    else:
        y = sp.Matrix(dims[-1], m, lambda i, j: _rational(rng))
    env[g.y.name] = y
    return env
