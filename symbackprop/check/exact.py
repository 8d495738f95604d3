"""The exact check: every gradient entry against SymPy's scalar ``diff``, in rationals.

At small concrete sizes, the cost J is written out entry by entry in scalar SymPy symbols and
differentiated by SymPy for every parameter entry; the derivation's matrix formulas are
evaluated independently at the same point. Both sides are exact rationals.

Nested exponentials would make SymPy's equality slow and heuristic, so each activation is an
*uninterpreted* function: every distinct application g(q) gets a random rational (drawn once per
point and shared by both sides), and g'(q) is the record's own derivative evaluated there when it
is rational in (z, a) (sigmoid: a(1 - a)), else another random rational. What is checked is the
matrix calculus (every transpose, product, sum and delta reuse); each activation's derivative
record is verified on its own, against SymPy's ``diff`` of its formula, in the test suite.

Both sides evaluate with SymPy itself: the :class:`Table` turns every element-wise function (a
record's g or g', softmax's exp, an indicator) into a SymPy function class that takes its value
from the table at a number, and SymPy's ``doit`` (the :class:`Evaluator`) or ``diff`` (the
oracle) does the rest. The same Evaluator serves collapse, the gradient-norm example and the
formula check.

A model's derivation (forward equations, DESIGN.md "Models") is checked by
:mod:`symbackprop.check.model_exact`, whose functions are read by
:mod:`symbackprop.check.interpret`; the result records are in :mod:`symbackprop.check.result`.
"""

from __future__ import annotations

import functools
import random
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
#: the deepest network the exact check accepts: SymPy differentiates the whole scalar cost once
#: per parameter entry, and that cost nests one level per layer, so the time grows far faster
#: than the depth (measured: about 10 s at depth 4 and 190 s at depth 8, batch form, m = 2)
MAX_EXACT_DEPTH = 6


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


class _Oracle:
    """dJ/dp for one parameter entry p: the scalar cost with p left symbolic, then ``diff``.

    Every other parameter and the data are rationals, so the cost is a small expression in p
    alone; SymPy differentiates it and the table-backed functions evaluate the result exactly.
    """

    def __init__(self, derivation: Derivation, table: Table, values: dict[str, sp.Matrix]):
        self.graph = derivation.graph
        self.table = table
        self.values = values

    def cost(self, params: dict[str, sp.Matrix], lam: sp.Rational) -> sp.Expr:
        g = self.graph
        x, y = self.values[g.x.name], self.values[g.y.name]
        m = x.shape[1]
        act_value = x
        for layer in range(1, g.depth + 1):
            z = params[f"W{layer}"] * act_value + params[f"b{layer}"] * sp.ones(1, m)
            act_value = self._activate(g.activation(layer), z)
        loss = g.loss.formula
        total = sp.Integer(0)
        for i in range(y.shape[0]):
            for j in range(m):
                total += loss.xreplace({scalars.a: act_value[i, j], scalars.y: y[i, j]})
        penalty = sum(
            (sum(v**2 for v in params[f"W{layer}"]) for layer in range(1, g.depth + 1)),
            sp.Integer(0),
        )
        return total / m + lam / (2 * m) * penalty

    def _activate(self, act: Activation, z: sp.Matrix) -> sp.Matrix:
        if act.elementwise:
            return z.applyfunc(self.table.function(sp.Lambda(T, act.function(T))))
        return softmax_columns(z.applyfunc(self.table.exp_function()))

    def derivative(self, name: str, row: int, col: int, lam: sp.Rational) -> sp.Rational:
        p = sp.Symbol("p", real=True)
        params = dict(self.values)
        entry = params[name].copy()
        point = entry[row, col]
        entry[row, col] = p
        params[name] = entry
        value = sp.diff(self.cost(params, lam), p).subs(p, point)
        return sp.Rational(value)


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
            f"exact check: {derivation.depth} layers; at most {MAX_EXACT_DEPTH} (SymPy "
            "differentiates the whole scalar cost per parameter entry, and it nests one level "
            "per layer); use the finite-difference check for deeper networks"
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
