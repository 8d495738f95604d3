"""The exact check: every gradient entry against SymPy's scalar ``diff``, in rationals.

At small concrete sizes and a random rational point, two independent computations meet:

* **the oracle** (:class:`Oracle`): the cost J is a chain of small stages (the loss, each
  activation, each affine map W a + b 1^T, the penalty), each written entry by entry in scalar
  SymPy symbols; SymPy's ``diff`` gives every stage's Jacobian, and the multivariable chain rule
  composes them at the point in exact rational arithmetic, from the cost down to every
  parameter entry. Nothing of the derivation (no delta, no matrix formula) is read;
* **the derivation**: its compact gradients, every delta evaluated from its own formula.

Both sides are exact rationals and are compared entry by entry. The oracle's work is linear in
the depth: SymPy's ``diff`` of the whole written-out cost, per parameter entry, nested one level
per layer (12 s at depth 4, minutes at depth 8).

Nested exponentials would make SymPy's equality slow and heuristic, so each activation is an
*uninterpreted* function: every distinct application g(q) gets a random rational (drawn once per
point and shared by both sides), and g'(q) is the record's own derivative evaluated there when it
is rational in (z, a) (sigmoid: a(1 - a)), else another random rational. What is checked is the
matrix calculus (every transpose, product, sum and delta reuse); each activation's derivative
record is verified on its own, against SymPy's ``diff`` of its formula, in the test suite.

Both sides evaluate with SymPy itself: the :class:`Table` turns every element-wise function (a
record's g or g', softmax's exp, an indicator) into a SymPy function class that takes its value
from the table at a number, and SymPy's ``doit`` (the :class:`Evaluator`) or ``diff`` (the
oracle's stages) does the rest. The same Evaluator serves collapse, the gradient-norm example
and the formula check.

A model's derivation (forward equations, DESIGN.md "Models") is checked by
:mod:`symbackprop.check.model_exact`, which evaluates with
:mod:`symbackprop.check.interpret`'s rational tables; the result records are in
:mod:`symbackprop.check.result`.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import Identity, MatrixSymbol, OneMatrix, ZeroMatrix

from symbackprop.check import accuracy
from symbackprop.check.explicit import Unwalked, explicit
from symbackprop.check.model_exact import check_model_exact
from symbackprop.check.result import ExactCheck, Mismatch
from symbackprop.check.targets import rational, rational_targets
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.derivation import LAMBDA, evaluates_exactly, lifts_derivative
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.errors import SpecError
from symbackprop.records import scalars
from symbackprop.records.activations import Activation
from symbackprop.records.losses import SOFT_TARGETS
from symbackprop.records.nodes import Elementwise, Softmax, T, softmax_columns

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation

#: a concrete width above this is replaced by it (the formulas are generic in the dimensions)
MAX_EXACT_WIDTH = 3
#: the deepest network the exact check accepts (as for finite differences): its time is linear
#: in the depth, about 60 ms a layer at width 3, m = 3, three points (100 layers: about 7 s)
MAX_EXACT_DEPTH = 100


class Table:
    """Values of each activation g, its derivative g' and exp at rational points.

    One table is shared by the oracle and the derivation so that g(q) is the same on both
    sides. :meth:`function` turns any element-wise function of an expression (a record's g or
    g', or a ``Lambda`` such as the indicator) into a SymPy function class that takes its value
    from this table at a number, so SymPy's own ``doit`` evaluates the expression exactly.
    """

    #: whether every function of the table is the true one (:class:`RealTable`), so that it
    #: has a value at any real number, irrational ones too (relu(-5 sqrt(2)/6)); a drawn
    #: value is keyed by a rational argument only
    TRUE_FUNCTIONS = False

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

    @property
    def records(self) -> dict[Any, tuple[Activation, bool]]:
        """SymPy function class -> (its activation record, whether it is g' rather than g)."""
        return self._records

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
        #: a plain function (an indicator, a power), no drawn value, or a table of the true
        #: functions: true at any real number
        plain = self.TRUE_FUNCTIONS or (key is not sp.exp and key not in self._records)
        if key is sp.exp:
            lookup: Any = self.exp
        elif key in self._records:
            act, prime = self._records[key]
            lookup = functools.partial(self.derivative if prime else self.value, act.name)
        else:
            lookup = functools.partial(self.apply, key)

        def eval_(cls: type, arg: Any) -> Any:
            # 1{sqrt(2) z1 > 0} at z1 = -5/6: a plain function's true value at an irrational
            # number too (0), never an unevaluated table value read as a difference (R3)
            if not (arg.is_Number or (plain and arg.is_number and arg.is_extended_real)):
                return None
            try:
                return lookup(arg)
            except TypeError:
                # SymPy cannot order the value (a comparison inside meets zoo, review14 R10):
                # it stays unevaluated, which no verdict reads as a number
                return None

        def fdiff(self_: Any, argindex: int = 1) -> Any:
            if key is sp.exp:
                return self_
            if key in table._records and not table._records[key][1]:
                prime = table._records[key][0].derivative_function
                return table.function(sp.Lambda(T, prime(T)))(self_.args[0])
            raise TypeError("the exact check differentiates only activations and exp")

        name = f"table_{getattr(key, '__name__', 'fn')}"
        body = {"nargs": 1, "eval": classmethod(eval_), "fdiff": fdiff, "is_table": True}
        return type(name, (sp.Function,), body)


def unevaluated(value: Any) -> bool:
    """Whether ``value`` (a number expression) holds a table's function left unevaluated
    (SymPy could not order its argument): no number, and no text for a message."""
    atoms = value.atoms(sp.Function) if isinstance(value, sp.Basic) else ()
    return any(getattr(f, "is_table", False) for f in atoms)


class NotRationalError(ValueError):
    """A function (exp, log, ...) has no exact rational value; compare numerically instead."""


class RealTable(Table):
    """The actual functions, in 30-digit floating point, for formulas with exp, log, ...

    Used where exact rational evaluation is impossible; values still agree on both sides
    because both use the true activation functions.
    """

    DIGITS = 30
    TRUE_FUNCTIONS = True

    def value(self, name: str, q: Any) -> Any:
        act = self.activations[name]
        assert act.formula is not None
        return self._accurate(act.formula.subs(scalars.z, accuracy.exact(q)), f"{name}({q})")

    def derivative(self, name: str, q: Any) -> Any:
        act = self.activations[name]
        return self._accurate(act.derivative.subs(scalars.z, accuracy.exact(q)), f"{name}'({q})")

    def apply(self, fn: sp.Lambda, q: Any) -> Any:
        return self._accurate(fn(accuracy.exact(q)), "a function")

    def exp(self, q: Any) -> Any:
        return self._accurate(sp.exp(accuracy.exact(q)), f"exp({q})")

    def _accurate(self, expr: Any, what: str) -> Any:
        """``expr`` to :data:`DIGITS` correct digits (:mod:`.accuracy`), else LostDigits."""
        return accuracy.value(expr, self.DIGITS, what)


# -- the derivation side: evaluate matrix expressions at concrete values ---------------------


class Evaluator:
    """Evaluate matrix expressions at concrete values with SymPy itself.

    ``env`` gives each matrix symbol (by name) its value, ``scalars_`` each scalar symbol
    (dimensions, lambda). Every element-wise function (and softmax's exp) becomes the table's
    class (:meth:`Table.function`), and the expression is evaluated node by node in matrix
    arithmetic (:func:`~symbackprop.check.explicit.explicit`); the result is an explicit matrix.
    """

    def __init__(self, env: dict[str, sp.Matrix], scalars_: dict[sp.Symbol, Any], table: Table):
        self.env = env
        self.scalars = scalars_
        self.table = table
        # name -> (the env's value, its immutable copy): a check evaluates many expressions
        # at one point, and converting the same value again on every call was a tenth of
        # the evaluation time; the copy is reused while the env holds the same object
        self._immutable: dict[str, tuple[Any, sp.ImmutableMatrix]] = {}

    def __call__(self, expr: Any) -> sp.Matrix:
        try:
            # walked as it stands, each leaf and table function from here: substituting the
            # leaves first rebuilt and re-checked every node (a third of the evaluation)
            return sp.Matrix(explicit(expr, self._at, self.scalars))
        except Unwalked:
            pass
        leaves: dict[Any, Any] = dict(self.scalars)
        for symbol in expr.atoms(MatrixSymbol):
            leaves[symbol] = self._leaf(symbol.name)
        concrete = expr.xreplace(leaves)
        # SymPy's doit keeps ones, zero and identity matrices symbolic beside explicit ones
        special = concrete.atoms(OneMatrix, ZeroMatrix, Identity)
        concrete = concrete.xreplace({node: node.as_explicit() for node in special})
        concrete = concrete.replace(
            lambda node: isinstance(node, (Elementwise, Softmax)), self._tabulate
        )
        # an activation applied to a number of the formula (each entry of sum(relu(W1 x -
        # 100)), written out in a sum) is the table's too: SymPy leaves relu(85) as it is, a
        # value no comparison reads, and the two sides' relu must be one function
        concrete = concrete.replace(self._scalar_activation, self._tabulated_scalar)
        # matrix arithmetic node by node: SymPy's doit left products of irrational numbers
        # and matrices, whose entries as_explicit then built as Sums (see check/explicit.py)
        return sp.Matrix(explicit(concrete))

    def _at(self, node: Any) -> sp.ImmutableMatrix | None:
        """A leaf's value, or a table function applied, for :func:`explicit`'s walk."""
        if isinstance(node, MatrixSymbol):
            return self._leaf(node.name)
        if isinstance(node, Elementwise):
            if node.function.free_symbols:
                raise Unwalked("a function of a size")  # as substituted before
            arg = explicit(node.arg, self._at, self.scalars)
            return sp.ImmutableMatrix(arg.applyfunc(self.table.function(node.function)))
        if isinstance(node, Softmax):
            arg = explicit(node.arg, self._at, self.scalars)
            return softmax_columns(arg.applyfunc(self.table.exp_function()))
        return None

    def _leaf(self, name: str) -> sp.ImmutableMatrix:
        value = self.env[name]
        cached = self._immutable.get(name)
        if cached is None or cached[0] is not value:
            cached = (value, sp.ImmutableMatrix(value))
            self._immutable[name] = cached
        return cached[1]

    def _scalar_activation(self, node: Any) -> bool:
        """Whether ``node`` is an activation (or its derivative) applied to a number, not
        inside an element-wise function's body (whose variable it reads)."""
        return (
            isinstance(node, sp.Function)
            and type(node) in self.table.records
            and T not in node.free_symbols
        )

    def _tabulated_scalar(self, node: Any) -> Any:
        return self.table.function(sp.Lambda(T, type(node)(T)))(*node.args)

    def _tabulate(self, node: Any) -> Any:
        if isinstance(node, Softmax):
            exps = node.arg.doit().as_explicit().applyfunc(self.table.exp_function())
            return softmax_columns(exps)
        return Elementwise(self.table.function(node.function), node.arg)


class Oracle:
    """Every dJ/dp of one point: SymPy's ``diff`` stage by stage, the chain rule in rationals.

    The oracle runs its own forward pass (explicit rational matrices, each activation from the
    shared table; the derivation's matrix formulas are not read). The cost is a composition of
    stages, each a small scalar function written in fresh scalar symbols for every entry of its
    inputs: the loss J(a[L]) = sum_ij L(a_ij, y_ij) / m, each activation a[l] = g(z[l]) (softmax:
    column by column) and each affine map z[l] = W[l] a[l-1] + b[l] 1^T, plus the penalty
    lambda/(2m) ||W[l]||^2. SymPy's ``diff`` gives each stage's Jacobian (every output entry by
    every input entry, a :class:`_Stage`); evaluated at the point it is a rational matrix, and the
    multivariable chain rule, dJ/d(input) = sum over outputs of dJ/d(output) d(output)/d(input),
    is exact rational arithmetic from the cost down. The work is linear in the depth (SymPy's
    ``diff`` of the whole cost nests one level per layer: 12 s at depth 4, minutes at 8).
    """

    def __init__(self, derivation: Derivation, table: Table, values: dict[str, sp.Matrix]):
        self.graph = derivation.graph
        self.table = table
        self.values = values
        self.m = values[self.graph.x.name].shape[1]
        self._activations: dict[tuple[str, int, int], _Stage] = {}
        self.pre, self.activated = self._forward()

    def _forward(self) -> tuple[list[sp.Matrix], list[sp.Matrix]]:
        """[z[1], ..., z[L]] and [a[0] = x, a[1], ..., a[L]] at the point."""
        g, values = self.graph, self.values
        pre: list[sp.Matrix] = []
        activated = [values[g.x.name]]
        for layer in range(1, g.depth + 1):
            w, b = values[f"W{layer}"], values[f"b{layer}"]
            pre.append(w * activated[-1] + b * sp.ones(1, self.m))
            activated.append(self.activate(g.activation(layer), pre[-1]))
        return pre, activated

    def activate(self, act: Activation, z: sp.Matrix) -> sp.Matrix:
        """g(z) entry by entry (softmax: column by column) in the table's function classes;
        ``z`` holds numbers (a value) or scalar symbols (a stage)."""
        if act.elementwise:
            return z.applyfunc(self.table.function(sp.Lambda(T, act.function(T))))
        return softmax_columns(z.applyfunc(self.table.exp_function()))

    def _activation(self, act: Activation, rows: int, cols: int) -> _Stage:
        """a = g(z) (softmax: per column) in symbols z; one per activation and shape."""
        key = (act.name, rows, cols)
        if key not in self._activations:
            z = _symbols("z", rows, cols)
            self._activations[key] = _Stage(list(self.activate(act, z)), list(z))
        return self._activations[key]

    def gradients(self, lam: sp.Rational) -> dict[str, sp.Matrix]:
        """Name -> dJ/d(name) at the point, for every W[l] and b[l]."""
        g, m = self.graph, self.m
        rows = self.activated[-1].rows
        loss = _loss_stage(g.loss.formula, rows, m)
        y = self.values[g.y.name]
        adjoint = loss.pullback(sp.Matrix([[1]]), loss.point(self.activated[-1], y))[0]
        out: dict[str, sp.Matrix] = {}
        for layer in range(g.depth, 0, -1):
            z = self.pre[layer - 1]
            activation = self._activation(g.activation(layer), *z.shape)
            (z_adjoint,) = activation.pullback(adjoint, activation.point(z))
            w, b = self.values[f"W{layer}"], self.values[f"b{layer}"]
            below = self.activated[layer - 1]
            affine = _affine_stage(*w.shape, m)
            dw, db, adjoint = affine.pullback(z_adjoint, affine.point(w, b, below))
            penalty = _penalty_stage(*w.shape)
            (dw_penalty,) = penalty.pullback(sp.Matrix([[lam / m]]), penalty.point(w))
            out[f"W{layer}"] = (dw + dw_penalty).reshape(*w.shape)
            out[f"b{layer}"] = db.reshape(*b.shape)
        return out


class _Stage:
    """A small function's outputs in scalar symbols of its inputs, and its Jacobian by SymPy.

    ``groups``: the input symbols, one list per input matrix (row-major entries); ``fixed``:
    symbols held at their value, not differentiated (the targets y). :meth:`pullback` takes
    dJ/d(outputs) (a row) and returns dJ/d(inputs) per group (rows).
    """

    def __init__(
        self, outputs: list[sp.Expr], *groups: list[sp.Symbol], fixed: Sequence[sp.Symbol] = ()
    ) -> None:
        self.groups = groups
        self.fixed = fixed
        inputs = [symbol for group in groups for symbol in group]
        self.jacobian = sp.ImmutableMatrix(
            len(outputs), len(inputs), lambda k, i: sp.diff(outputs[k], inputs[i])
        )

    def point(self, *values: sp.Matrix) -> dict[Any, Any]:
        """Each group's symbols, then the fixed ones -> the entries of the matching value."""
        return {
            symbol: value
            for group, matrix in zip((*self.groups, self.fixed), values, strict=False)
            for symbol, value in zip(group, matrix, strict=True)
        }

    def pullback(self, adjoint: sp.Matrix, at: dict[Any, Any]) -> list[sp.Matrix]:
        """dJ/d(inputs) = dJ/d(outputs) times the Jacobian at ``at``, exact rationals."""
        jacobian = self.jacobian.xreplace(at)
        bad = next((v for v in jacobian if not v.is_Rational), None)
        if bad is not None:
            raise NotRationalError(f"SymPy's diff gives {bad}, not a rational number")
        row = sp.Matrix(1, len(adjoint), list(adjoint)) * jacobian
        out, start = [], 0
        for group in self.groups:
            out.append(row[:, start : start + len(group)])
            start += len(group)
        return out


@functools.lru_cache(maxsize=64)
def _affine_stage(rows: int, inner: int, cols: int) -> _Stage:
    """z = W p + b 1^T in symbols W (rows x inner), b (rows x 1), p (inner x cols)."""
    w, b, p = _symbols("W", rows, inner), _symbols("b", rows, 1), _symbols("p", inner, cols)
    return _Stage(list(w * p + b * sp.ones(1, cols)), list(w), list(b), list(p))


@functools.lru_cache(maxsize=64)
def _penalty_stage(rows: int, cols: int) -> _Stage:
    """||W||^2 / 2 in symbols W (the cost's penalty is lambda/m times it)."""
    w = _symbols("W", rows, cols)
    return _Stage([sp.Add(*(v**2 for v in w)) / 2], list(w))


@functools.lru_cache(maxsize=64)
def _loss_stage(formula: sp.Expr, rows: int, cols: int) -> _Stage:
    """J = sum_ij L(a_ij, y_ij) / m in symbols a and y (m = cols); y is never perturbed."""
    a, y = _symbols("a", rows, cols), _symbols("y", rows, cols)
    cost = (
        sp.Add(*(formula.xreplace({scalars.a: a[k], scalars.y: y[k]}) for k in range(len(a))))
        / cols
    )
    return _Stage([cost], list(a), fixed=list(y))


def _symbols(prefix: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of distinct real scalar symbols (real: abs(u)' is sign(u))."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{prefix}_{i}_{j}", real=True))


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


def other_sizes(
    chosen: dict[sp.Symbol, int], given: Mapping[str, int] | None
) -> dict[sp.Symbol, int] | None:
    """A second setting for the exact check: every size the caller did not give one larger
    (each width still small; m = 3 for m = 2), or None where the caller gave every size."""
    fixed = set(given or {})
    if all(symbol.name in fixed for symbol in chosen):
        return None
    return {s: v if s.name in fixed else v + 1 for s, v in chosen.items()}


#: the most layers of polynomial custom activations (z^3) the exact check takes: each
#: compounds the last's rationals (hostile43a #3: six layers of z^3 take 2.6 s, seven 25.5 s,
#: ten ran past 2 minutes; two of (1+z^2)^60 (2+z^2)^60, degree 57,600, take 0.8 s)
MAX_POLYNOMIAL_LAYERS = 6


def exact_degree_refusal(derivation: Derivation) -> str | None:
    """Why the exact check does not take ``derivation`` (a network with more than
    :data:`MAX_POLYNOMIAL_LAYERS` layers of polynomial custom activations), or None."""
    if isinstance(derivation, ModelDerivation):
        return None
    graph = derivation.graph
    degrees = [graph.activation(layer).degree for layer in range(1, graph.depth + 1)]
    polynomial = [d for d in degrees if d > 1]
    if len(polynomial) <= MAX_POLYNOMIAL_LAYERS:
        return None
    return (
        f"its {len(polynomial)} layers of polynomial activations compound to degree "
        f"{math.prod(polynomial):,}; the exact rationals take at most "
        f"{MAX_POLYNOMIAL_LAYERS} such layers"
    )


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
            f"exact check: {derivation.depth} layers; at most {MAX_EXACT_DEPTH} (its rational "
            "arithmetic takes about 60 ms a layer); use the finite-difference check of the "
            "generated code for deeper networks"
        )
    refused = exact_degree_refusal(derivation)
    if refused is not None:
        raise SpecError(f"exact check: {refused}; use the finite-difference check")
    chosen = concrete_sizes(derivation, sizes)
    other = other_sizes(chosen, sizes)
    result = ExactCheck({str(k): v for k, v in chosen.items()}, trials)
    if other is not None and trials > 1:
        result.other_sizes = {str(k): v for k, v in other.items()}
    g = derivation.graph
    rng = random.Random(seed)
    lam = sp.Rational(Fraction(str(derivation.network.l2)))
    trial = -1
    while result.begin_trial(trial + 1):
        trial += 1
        # every other trial at other sizes: a gradient right at one size only (1/m written
        # as 1/2, a factor n0 - 2) passed at the one setting compared (hostile36d #1)
        # (the other sizes only where trials were asked for there: the further points of a
        # dead one stay at the sizes the result names)
        at = other if other is not None and trials > 1 and trial % 2 else chosen
        env, evaluate, table = forward_point(derivation, at, rng)
        want = Oracle(derivation, table, env).gradients(lam)
        try:
            for layer in range(g.depth, 0, -1):
                env[derivation.delta_symbols[layer].name] = evaluate(derivation.deltas[layer])
        except Exception as exc:  # a corrupted delta must be reported, not raised
            result.mismatches.append(
                Mismatch("delta", 0, 0, None, None, trial, f"{type(exc).__name__}: {exc}")
            )
            return result
        for layer in range(1, g.depth + 1):
            for name in (f"W{layer}", f"b{layer}"):
                _compare(result, name, trial, evaluate, derivation, want[name])
    return result


def _compare(
    result: ExactCheck,
    name: str,
    trial: int,
    evaluate: Evaluator,
    derivation: Derivation,
    want: sp.Matrix,
) -> None:
    try:
        got = evaluate(derivation.gradients[name])
    except Exception as exc:
        note = f"cannot be evaluated at sizes {result.sizes}: {type(exc).__name__}: {exc}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    if got.shape != want.shape:
        note = f"has shape {got.shape}, expected {want.shape}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    for i in range(want.rows):
        for j in range(want.cols):
            if not result.compared(name, want[i, j], got[i, j]):
                result.mismatches.append(Mismatch(name, i, j, want[i, j], got[i, j], trial))


def forward_point(
    derivation: Derivation,
    sizes: dict[sp.Symbol, int],
    rng: random.Random,
    table_class: type[Table] = Table,
    activations: dict[str, Activation] | None = None,
    *,
    soft_targets: bool = False,
    placed: Any = None,
    leaves: dict[str, sp.Matrix] | None = None,
    drawn_lambda: bool = False,
    lambda_value: Any = None,
) -> tuple[dict[str, sp.Matrix], Evaluator, Table]:
    """A random point with its forward pass: ``env`` holds W, b, x, y, every z and a.

    Parameters and data are drawn by :func:`_draw_point` (``soft_targets``: the targets' soft
    kind, :data:`~symbackprop.records.losses.SOFT_TARGETS`); a point where some pre-activation
    is exactly 0 is redrawn, because relu'(0) is a convention, not a derivative. ``placed``
    (a nonzero rational): each layer's bias is chosen so that the first column of every
    pre-activation z[l] holds that value (z[l] is affine in b[l]); a tuple gives each layer its
    own value (None: drawn). ``leaves``: the parameters
    and data given (W, b, x, y by name), not drawn, and kept where a pre-activation is 0.
    ``drawn_lambda``: the L2 coefficient λ (where the network has one) is a random positive
    rational, as the inputs are, not the network's value; ``lambda_value``: λ is that value.
    """
    g = derivation.graph
    acts = dict(activations or {})
    acts.update({act.name: act for act in g.activations})
    scalar_values: dict[Any, Any] = {symbol: sp.Integer(v) for symbol, v in sizes.items()}
    scalar_values[LAMBDA] = sp.Rational(Fraction(str(derivation.network.l2)))
    if drawn_lambda and derivation.network.l2:
        # a formula checked as a formula in λ: one that leaves λ out (delta2 a1^T + W2 at
        # --l2 1) passed at the network's value (hostile40b #8)
        scalar_values[LAMBDA] = sp.Rational(rng.randint(1, 97), rng.randint(1, 13))
    if lambda_value is not None:
        scalar_values[LAMBDA] = lambda_value
    for _attempt in range(20 if leaves is None else 1):
        table = table_class(rng, acts)
        env = _draw_point(derivation, sizes, rng, soft_targets) if leaves is None else dict(leaves)
        evaluate = Evaluator(env, scalar_values, table)
        for layer in range(1, g.depth + 1):
            value = placed[layer - 1] if isinstance(placed, tuple) else placed
            if value is not None:
                below = env[g.x.name] if layer == 1 else env[g.a(layer - 1).name]
                inputs = (env[g.W(layer).name] * below)[:, 0]
                env[g.b(layer).name] = inputs.applyfunc(lambda v, value=value: value - v)
            env[g.z(layer).name] = evaluate(g.forward[g.z(layer).name])
            env[g.a(layer).name] = evaluate(g.forward[g.a(layer).name])
        if all(v != 0 for layer in range(1, g.depth + 1) for v in env[g.z(layer).name]):
            break
    return env, evaluate, table


def _draw_point(
    derivation: Derivation, sizes: dict[sp.Symbol, int], rng: random.Random, soft: bool
) -> dict[str, sp.Matrix]:
    """Random rational parameters and data; targets of the loss's kind (one-hot for a softmax
    output), or of its soft kind when ``soft``."""
    g = derivation.graph
    dims = [sizes[d] for d in g.dims]
    m = sizes[g.m] if g.batch else 1
    env: dict[str, sp.Matrix] = {}
    for layer in range(1, len(dims)):
        env[f"W{layer}"] = sp.Matrix(dims[layer], dims[layer - 1], lambda i, j: rational(rng))
        env[f"b{layer}"] = sp.Matrix(dims[layer], 1, lambda i, j: rational(rng))
    env[g.x.name] = sp.Matrix(dims[0], m, lambda i, j: rational(rng))
    kind = g.loss.targets if g.activations[-1].elementwise else "one-hot"
    env[g.y.name] = rational_targets(SOFT_TARGETS[kind] if soft else kind, dims[-1], m, rng)
    return env
