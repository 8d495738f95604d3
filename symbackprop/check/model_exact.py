"""The exact check of a model: every gradient entry against SymPy's ``diff`` of the cost.

At small concrete sizes (every dimension :data:`DEFAULT_WIDTH`, or 1 where the model's
``sizes:`` line says so; m = :data:`DEFAULT_M`; ``sizes=`` overrides) and random rational
parameters and data, two independent computations meet:

* **the oracle**: the model's forward equations, node by node, with one parameter entry left as
  a SymPy symbol p; the cost J is then an expression in p, SymPy's ``diff`` differentiates it,
  and the result is evaluated at the entry's value;
* **the derivation**: its compact gradients, with every adjoint ``dJ/d<name>`` evaluated from
  its step, in step order.

Both are exact rationals: every transcendental function is read as a table of random rationals
with its true derivative written in the same tables (:mod:`symbackprop.check.interpret`). A
point is redrawn when a function is evaluated outside its domain or on a kink (log or a root of
a number <= 0, relu, abs or norm1 at 0, a singular matrix inverted, a division by zero), so
det(X) > 0 where a model takes logdet(X) or log(det(X)). Data leaves that a loss reads as its
target hold valid targets: 0/1 for bce, one-hot columns for ce (the softmax-and-ce
cancellation assumes each column of the target sums to 1, as ``records/losses.py`` states).
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, Identity, MatAdd, MatMul, MatrixSymbol, OneMatrix, ZeroMatrix

from symbackprop.check.accuracy import LostDigits
from symbackprop.check.explicit import At, Unwalked, callable_of, explicit
from symbackprop.check.identity_zeros import identity_zero
from symbackprop.check.interpret import (
    Interpretation,
    NotExact,
    OutsideDomain,
    RealInterpretation,
    activation_records,
)
from symbackprop.check.result import ExactCheck, Mismatch
from symbackprop.check.targets import rational_targets
from symbackprop.core.graph import Kind
from symbackprop.core.no_value import not_real
from symbackprop.core.textprint import text
from symbackprop.records.activations import custom_activation
from symbackprop.records.kinks import breakpoints
from symbackprop.records.losses import SOFT_TARGETS, TARGET_KINDS
from symbackprop.records.nodes import (
    Elementwise,
    LogSumExp,
    Softmax,
    SoftmaxOfAll,
)

if TYPE_CHECKING:
    from symbackprop.core.model_derivation import ModelDerivation

#: every dimension's size (a smaller one from the model's ``sizes:`` line is kept): SymPy
#: differentiates the whole cost once per parameter entry, so the time grows fast with the
#: sizes (the 3-step RNN: 8 s at width 2, 24 s at width 3)
DEFAULT_WIDTH = 2
#: the batch size of a batch-form model
DEFAULT_M = 2
#: points drawn before the check gives up finding one inside every function's domain
MAX_ATTEMPTS = 60
#: draws of the leaves that find the entries of an argument at a kink wherever the leaves are
#: (:meth:`ModelCheck._always_at_kink`): a chance kink at all three is unlikely
KINK_PROBES = 3


#: the oracle's work a model's exact check is run for by ``symbackprop check`` (see
#: :func:`oracle_work`): about 0.02 s of CPU a unit, so about 6 s (more where an entry is a
#: deep nest of functions: 95 nested tanh, 290 units, took about 9 s)
EXACT_BUDGET = 300
#: CPU seconds a unit of work takes, about (see EXACT_BUDGET)
SECONDS_PER_UNIT = 0.02
#: an inverse of a computed matrix (its entries large rationals plus e terms) costs about this
#: many times an inverse of a leaf: measured 0.72 s against 0.18 s at 3 x 3
COMPUTED_INVERSE = 4
#: entries evaluated in e (and differentiated by SymPy's diff) per unit of work: about 2.5 ms
#: of CPU each, measured on a shared machine (rnn_3: 1,209 entries, 3.2 s; batch_norm: 726,
#: 1.3 s; two_heads: 876, 1.8 s), so a 5-step RNN is run and a 10-step one is not
EVALUATIONS_PER_UNIT = 8
#: a value's degree in the perturbed entry per unit of work, squared (:func:`_degree`)
DEGREE_PER_UNIT = 20_000


@dataclass(frozen=True)
class OracleWork:
    """What the oracle would compute, decided from the graph before anything is evaluated.

    ``evaluations``: entries of values evaluated with the symbol e and differentiated by
    SymPy (per parameter entry and trial, every entry of every value that depends on it);
    ``inversions``: SymPy inverses of a matrix whose entries hold e (one per parameter entry,
    trial and inverse that depends on the parameter); ``largest``: the largest such matrix's
    size; ``units``: each inverse's n^2, times :data:`COMPUTED_INVERSE` when the matrix
    inverted is computed rather than a leaf, plus the evaluations over
    :data:`EVALUATIONS_PER_UNIT`.
    """

    evaluations: int
    inversions: int
    largest: int
    units: int
    degree: int = 1

    def over(self, budget: int = EXACT_BUDGET) -> str | None:
        """Why the exact check is not run within ``budget``, in words, or ``None``."""
        if self.units <= budget:
            return None
        work = [
            f"evaluate {self.evaluations:,} entries of the model's values in a symbol, one "
            "parameter entry at a time, and differentiate each"
        ]
        if self.degree >= DEGREE_PER_UNIT:
            work[0] += f", polynomials of degree up to {self.degree:,} in it"
        if self.inversions:
            n = self.largest
            work.append(
                f"invert matrices of symbolic entries, up to {n} x {n}, {self.inversions:,} times"
            )
        return (
            f"SymPy would {' and '.join(work)}: about {self.units:,} units of work, over the "
            f"budget of {budget:,}, at about 0.02 s of CPU a unit "
            f"({_cpu_time(self.units * SECONDS_PER_UNIT)})"
        )


def _cpu_time(seconds: float) -> str:
    """``seconds`` of CPU in words a reader weighs at once: "about 40 s", "about 12 min",
    "about 23 h" (a model with m = 32 can be hours: the suggestion to run it anyway is then
    one to think twice about)."""
    if seconds < 90:
        return f"about {seconds:.0f} s of CPU"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.0f} min of CPU"
    return f"about {seconds / 3600:,.0f} h of CPU"


def oracle_work(
    derivation: ModelDerivation, sizes: dict[str, int] | None = None, *, trials: int = 3
) -> OracleWork:
    """The oracle's work at the exact check's sizes (:func:`model_sizes`, ``sizes`` win).

    The oracle perturbs one parameter entry at a time and evaluates every value that depends
    on it with that entry a SymPy symbol, each entry then differentiated by SymPy's ``diff``
    (:meth:`ModelCheck.oracle`): the time grows with the number of such entries (an RNN
    unrolled over 10 steps: 4,065). SymPy inverts an n x n matrix of them by elimination on
    expressions, at a cost that grows with n^2 and with the size of its rationals (3 x 3:
    0.18 s for a leaf, 0.72 s for inv(W) or W W^T + 1).
    """
    chosen = model_sizes(derivation, sizes)
    graph = derivation.graph
    model = derivation.model
    assert model is not None

    def size(dim: Any) -> int:
        return int(sp.sympify(dim, strict=True).xreplace(chosen))

    evaluations = inversions = largest = inverse_units = degree_units = 0
    highest = 1
    for name in model.parameters:
        rows, cols = (size(d) for d in graph.symbols[name].shape)
        calls = trials * rows * cols
        moved = {name}
        degrees = {name: 1}  # each moved value's degree in the parameter entry (at most)
        for value, node in graph.nodes.items():
            args = {str(arg.name) for arg in node.args if isinstance(arg, MatrixSymbol)}
            if not args & moved:
                continue
            moved.add(value)
            rows, cols = (size(d) for d in graph.symbols[value].shape)
            evaluations += calls * rows * cols
            degree = degrees[value] = _degree(node, degrees)
            highest = max(highest, degree)
            # its rationals grow with the degree, and their products faster: (w^1000)^1000
            # (degree 10^6) ran for minutes (hostile tester 23); degree 9e4 takes 3 s
            degree_units += calls * rows * cols * (degree // DEGREE_PER_UNIT) ** 2
            if node.kind is Kind.INVERSE:
                (arg,) = node.args
                n = size(arg.shape[0])
                factor = 1 if str(arg.name) in model.parameters else COMPUTED_INVERSE
                inversions += calls
                largest = max(largest, n)
                inverse_units += calls * n * n * factor
    units = inverse_units + degree_units + -(-evaluations // EVALUATIONS_PER_UNIT)
    return OracleWork(evaluations, inversions, largest, units, highest)


def _degree(node: Any, degrees: dict[str, int]) -> int:
    """A bound on the degree of ``node``'s value in the perturbed parameter entry, from its
    arguments' (``degrees``: 0 for one that does not move): a product adds them, a power
    ``^p`` multiplies by |p|, anything else keeps the largest (a function of a value is
    evaluated, not expanded)."""
    own = [degrees.get(str(arg.name), 0) for arg in node.args if isinstance(arg, MatrixSymbol)]
    if node.kind in (Kind.MATMUL, Kind.HADAMARD, Kind.SCALE, Kind.PRODUCT):
        return sum(own)
    record = getattr(node, "record", None)
    exponent = getattr(record, "exponent", None)  # a power's
    if node.kind is Kind.FUNCTION and exponent is not None:
        exponent = abs(exponent)
        return int(max(own, default=0) * max(exponent, 1))
    activation = getattr(record, "activation", None)
    if node.kind is Kind.FUNCTION and activation is not None:
        # a custom polynomial activation is worked out, not read from a table: f = z^2 + z
        # nested 25 deep ran past two minutes (hostile43a #3)
        return max(own, default=0) * activation.degree
    return max(own, default=0)


class _Redraw(Exception):
    """The point is outside a function's domain or on a kink: draw another. ``undefined``:
    a value had none there (a log of 0, an inverse of a singular matrix), not a kink."""

    def __init__(self, reason: str, *, undefined: bool = False) -> None:
        super().__init__(reason)
        self.undefined = undefined


class CostUndefined(OutsideDomain):
    """The model's forward values had no value at every point drawn: its cost is undefined
    there, not only its gradient's form (``0 * log(tr(W W^T) - tr(W^T W))``)."""


class AdjointsUndefined(OutsideDomain):
    """The model had its value at every point drawn, but the derivation's adjoints had none
    (det's ``det(A) inv(A)^T`` where A = W W^T is singular at every point): the gradient
    exists, its derived form cannot be evaluated there."""


class PlacedOutside(OutsideDomain):
    """The model's forward values had no value at every point drawn with a value placed
    beside a kink or a pole (:meth:`ModelCheck.point`'s ``placed``): that side of it is
    outside the model's domain (log(v + 1) with v + 1 placed at -1/2), where it has no
    gradient to compare a formula with."""


def model_sizes(derivation: ModelDerivation, sizes: dict[str, int] | None) -> dict[sp.Symbol, int]:
    """A small concrete size for every dimension symbol of the model (``sizes`` win)."""
    model = derivation.model
    assert model is not None
    chosen: dict[sp.Symbol, int] = {}
    for shape in model.shapes.values():
        for dim in shape:
            if isinstance(dim, sp.Symbol) and dim not in chosen:
                own = model.sizes.get(dim.name)
                if dim.name == "m":
                    chosen[dim] = DEFAULT_M
                else:
                    chosen[dim] = min(own, DEFAULT_WIDTH) if own else DEFAULT_WIDTH
    for name, value in (sizes or {}).items():
        for symbol in chosen:
            if symbol.name == name:
                chosen[symbol] = int(value)
    batch = next((s for s in chosen if s.name == "m"), None)
    if batch is not None and "m" not in (sizes or {}):
        chosen[batch] = _defined_batch_size(derivation, batch)
    return chosen


def _defined_batch_size(
    derivation: ModelDerivation, batch: sp.Symbol, start: int = DEFAULT_M
) -> int:
    """``start`` (:data:`DEFAULT_M`), or the next batch size at which every function of m
    alone in the forward equations and the gradients is real and finite: at a pole
    (``1/(m - 2)`` at m = 2) or a root of a negative number (``sqrt(m - 3)`` at m = 2,
    complex) no point could be drawn, whatever the parameters. Where one is, a size at which
    none of them is 0 is preferred (``sqrt(m - 3)`` at m = 3 makes cost and gradient 0: a
    comparison of zeros)."""
    exprs = [*derivation.graph.forward.values(), *derivation.gradients.values()]
    parts = {
        part
        for e in exprs
        for part in sp.preorder_traversal(e)
        if isinstance(part, sp.Expr) and not part.is_Matrix and part.free_symbols == {batch}
    }
    defined = []
    for size in range(start, start + 4):
        values = [part.xreplace({batch: sp.Integer(size)}) for part in parts]
        if all(v.is_extended_real is True and v.is_finite is True for v in values) and not any(
            e.xreplace({batch: size}).has(sp.zoo, sp.nan) for e in exprs
        ):
            defined.append((any(v.is_zero is not False for v in values), size))
    return min(defined)[1] if defined else start


def other_model_sizes(
    derivation: ModelDerivation, chosen: dict[sp.Symbol, int], given: dict[str, int] | None
) -> dict[sp.Symbol, int] | None:
    """A second setting for the exact check (every other trial): each size the caller did
    not give one larger, m the next batch size at which the model is defined; None where the
    caller gave every size (hostile36d #1: a gradient right at one size only passed)."""
    fixed = set(given or {})
    if all(symbol.name in fixed for symbol in chosen):
        return None
    out = {}
    for symbol, value in chosen.items():
        if symbol.name in fixed:
            out[symbol] = value
        elif symbol.name == "m":
            out[symbol] = _defined_batch_size(derivation, symbol, start=value + 1)
        else:
            out[symbol] = value + 1
    return out


class _Evaluate:
    """Evaluate a (pre-interpreted) matrix expression with explicit leaves, exactly."""

    def __init__(self, sizes: dict[sp.Symbol, int], table: Interpretation) -> None:
        self.dims: dict[Any, Any] = {s: sp.Integer(v) for s, v in sizes.items()}
        self.table = table
        self._interpreted: dict[Any, Any] = {}

    def interpreted(self, expr: Any) -> Any:
        found = self._interpreted.get(expr)
        if found is None:
            found = self.table.scalar(expr)
            self._interpreted[expr] = found
        return found

    def __call__(self, expr: Any, env: dict[str, Any]) -> sp.Matrix:
        if not isinstance(self.table, RealInterpretation):
            # walked as it stands, each leaf and table function from env (as
            # check/exact.py's Evaluator): substituting the leaves first rebuilt and
            # re-checked every node, about half of an evaluation
            try:
                return sp.Matrix(explicit(self.interpreted(expr), self._at(env), self.dims))
            except Unwalked:
                pass  # a node the walk leaves to SymPy (an inverse, a log-softmax)
        return self._substituted(expr, env)

    def _at(self, env: dict[str, Any]) -> At:
        """:func:`explicit`'s values at ``env``: a leaf's, a table function applied, a
        softmax or log-sum-exp of the tables' exp and log; None for matrix arithmetic."""

        def at(node: Any) -> sp.ImmutableMatrix | None:
            if isinstance(node, MatrixSymbol):
                return sp.ImmutableMatrix(env[node.name])
            if isinstance(node, Elementwise):
                if node.function.free_symbols:
                    raise Unwalked("a function of a size")  # substituted as before
                arg = explicit(node.arg, at, self.dims)
                return sp.ImmutableMatrix(arg.applyfunc(callable_of(node.function)))
            if isinstance(node, (Softmax, LogSumExp, SoftmaxOfAll)):
                return self._of_exps(node, explicit(node.arg, at, self.dims))
            return None

        return at

    def _substituted(self, expr: Any, env: dict[str, Any]) -> sp.Matrix:
        """``expr`` at ``env`` with every leaf substituted first, then evaluated node by node
        (the real tables' path, and any node the walk leaves to SymPy)."""
        if isinstance(self.table, RealInterpretation):
            # each element-wise body as one expression (its digits checked), not as rounded
            # pieces: 1 - tanh(t)^2 rounds to 0 at a large t
            expr = expr.replace(
                lambda node: isinstance(node, Elementwise),
                lambda node: self._elementwise(node, env),
            )
        expr = self.interpreted(expr)
        leaves: dict[Any, Any] = dict(self.dims)
        for symbol in expr.atoms(MatrixSymbol):
            leaves[symbol] = sp.ImmutableMatrix(env[symbol.name])
        concrete = expr.xreplace(leaves)
        special = concrete.atoms(OneMatrix, ZeroMatrix, Identity)
        concrete = concrete.xreplace({node: node.as_explicit() for node in special})
        concrete = concrete.replace(
            lambda node: isinstance(node, (Softmax, LogSumExp, SoftmaxOfAll)),
            lambda node: self._of_exps(node, node.arg.doit().as_explicit()),
        )
        # SymPy's doit leaves an element-wise power of an explicit matrix as it is, and the
        # product around it then goes entry by entry through Sum (a 3-step RNN's cost: half
        # of its exact check); each entry's power is what as_explicit would take
        concrete = concrete.replace(lambda node: isinstance(node, HadamardPower), _power)
        # matrix arithmetic node by node: SymPy's doit left products of irrational numbers
        # and matrices, whose entries as_explicit then built as Sums (see check/explicit.py)
        return sp.Matrix(explicit(concrete))

    def _elementwise(self, node: Elementwise, env: dict[str, Any]) -> sp.ImmutableMatrix:
        assert isinstance(self.table, RealInterpretation)
        table = self.table
        values = self(node.arg, env).applyfunc(
            lambda q: table.elementwise(node.body, node.variable, q)
        )
        return sp.ImmutableMatrix(values)

    def _of_exps(self, node: Softmax | LogSumExp | SoftmaxOfAll, values: Any) -> Any:
        """The node's formula of the tables' exp and log at its argument's explicit
        ``values``: the cost as written."""
        return node.of_values(
            values,
            exp=self.table.cls(("exp",)),
            log=self.table.cls(("log",)),
        )


def _power(node: HadamardPower) -> Any:
    """An element-wise power of an explicit matrix, entry by entry (else ``node``)."""
    base = node.base.doit()
    if not isinstance(base, sp.MatrixBase):
        return node
    return sp.ImmutableMatrix(base.applyfunc(lambda v: v**node.exp))


def loss_targets(derivation: ModelDerivation) -> dict[str, str]:
    """Data leaf -> "binary" / "one-hot" where a loss of ``derivation``'s model reads it as
    its target (the strictest kind of the losses that read it: one-hot is also binary)."""
    model = derivation.model
    assert model is not None
    out: dict[str, str] = {}
    for node in derivation.graph.nodes.values():
        if node.kind is Kind.MODEL_LOSS:
            target = str(node.args[1].name)
            if target in model.data and node.record.targets != "real":
                kinds = (out.get(target, "real"), node.record.targets)
                out[target] = max(kinds, key=TARGET_KINDS.index)
    return out


class ModelCheck:
    """Random points of a model (leaves, forward values, adjoints) and the oracle's diff.

    ``table``: :class:`~symbackprop.check.interpret.Interpretation` (exact rationals) or
    :class:`~symbackprop.check.interpret.RealInterpretation` (the true functions, 30 digits).
    ``soft_targets``: targets of each kind's soft relaxation
    (:data:`~symbackprop.records.losses.SOFT_TARGETS`), for which the derivation holds too.
    ``nonnegative``: data leaves drawn with every entry >= 0 (a draw's negative entries made 0,
    its positive ones times ``scale``: a threshold far from 1 is crossed at another scale).
    """

    def __init__(
        self,
        derivation: ModelDerivation,
        sizes: dict[sp.Symbol, int],
        seed: int,
        table: type[Interpretation] = Interpretation,
        *,
        soft_targets: bool = False,
        nonnegative: frozenset[str] = frozenset(),
        scale: sp.Rational = sp.S.One,
    ):
        self.d = derivation
        self.model = derivation.model
        assert self.model is not None
        self.graph = derivation.graph
        self.sizes = sizes
        self.rng = random.Random(seed)
        customs = {name: custom_activation(name, text) for name, text in self.model.define}
        self.table = table(self.rng, activation_records(customs))
        self.evaluate = _Evaluate(sizes, self.table)
        self.targets = loss_targets(derivation)
        if soft_targets:
            self.targets = {name: SOFT_TARGETS[kind] for name, kind in self.targets.items()}
        self.nonnegative = nonnegative
        self.scale = scale
        #: the leaves under a log, sqrt or fractional power (Model.positive_leaves), drawn
        #: positive once half the draws found the model no value at signed ones
        self.positive = frozenset(self.model.positive_leaves if self.model is not None else ())
        #: the leaves the last point returned holds positive: those of :attr:`positive` where
        #: a signed draw of it alone leaves the model no value
        self.kept_positive: tuple[str, ...] = ()
        #: an element-wise function's argument -> the entries at a kink wherever the leaves
        #: are (:meth:`_always_at_kink`); found on the first kink a point lands on
        self._constant_kinks: dict[str, frozenset[int]] | None = None
        #: while :meth:`_always_at_kink` draws: the entries at a kink, recorded, not redrawn
        self._probing: dict[str, set[int]] | None = None

    # -- a point -------------------------------------------------------------------------------
    def shape(self, name: str) -> tuple[int, int]:
        shape = self.graph.symbols[name].shape
        rows, cols = (sp.sympify(d, strict=True).xreplace(self.sizes) for d in shape)
        return int(rows), int(cols)

    def _leaf(self, name: str, positive: bool = False) -> sp.Matrix:
        drawn = rational_targets(self.targets.get(name, "real"), *self.shape(name), self.rng)
        if positive and name in self.positive:  # log(X): its absolute values (no 0 drawn)
            return drawn.applyfunc(lambda v: abs(v) or sp.Rational(1, 2))
        # data a model may assume never negative (a dropout mask): see whether a formula
        # that is wrong at signed draws holds there (shapecheck's data-sign note)
        if name not in self.nonnegative:
            return drawn
        # >= 0: the negative draws made 0 (a mask's zeros), the positive ones scaled
        return drawn.applyfunc(lambda v: max(v, 0) * self.scale)

    def point(
        self, placed: Any = None, leaves: dict[str, sp.Matrix] | None = None
    ) -> dict[str, sp.Matrix]:
        """Leaves, forward values and adjoints at a random point inside every domain.

        ``placed`` (a nonzero rational, :func:`~symbackprop.check.kinks.straddling`): the first
        column of every value in :meth:`placeable` holds that value, its bias chosen so.
        ``leaves``: the parameters and data given, not drawn (OutsideDomain where a function
        is evaluated outside its domain there).
        """
        assert self.model is not None
        problem = ""
        undefined = 0  # draws where a forward value had none (not a kink, not an adjoint)
        adjoints = 0  # draws where the model had its value and an adjoint had none
        attempts = MAX_ATTEMPTS if leaves is None else 1
        positive = False
        self.kept_positive = ()
        for attempt in range(attempts):
            self.table.redraw()
            names = (*self.model.parameters, *self.model.data)
            # no value at any signed draw in half the attempts: the leaves under a log or a
            # root positive from then on (log(X), NMF's log(W H): no signed point was found,
            # hostile43c #4), and each signed again where the model keeps a value (review43)
            positive = positive or (
                bool(self.positive) and leaves is None and attempt >= attempts // 2 == undefined
            )
            env = (
                {name: self._leaf(name, positive) for name in names}
                if leaves is None
                else dict(leaves)
            )
            try:
                if placed is not None:
                    self._place(env, placed)
                self._forward(env)
                if positive:
                    env = self._signed_where_defined(env, names, placed)
            except _Redraw as exc:
                problem = str(exc)
                undefined += exc.undefined
                continue
            try:
                for step in self.d.steps:
                    if step.delta is not None:
                        env[step.delta.name] = self._value(step.expr, env)
                return env
            except _Redraw as exc:
                # the model had its value: what has none is the derivation's (det's gradient
                # det(A) inv(A)^T at a singular A, of a model with no inverse: hostile46a #5)
                problem = f"in the derivation's adjoints, {exc}"
                adjoints += 1
        if adjoints == attempts > 1:
            why = problem.removeprefix("in the derivation's adjoints, ")
            raise AdjointsUndefined(
                f"the derivation's adjoints have no value at any of the {attempts} points "
                f"drawn ({why})"
            )
        if undefined == attempts > 1 and placed is None:
            raise CostUndefined(
                f"the model or its derivative has no value at any of the {attempts} points "
                f"drawn ({problem})"
            )
        if undefined == attempts > 1:
            raise PlacedOutside(
                f"the model has no value at any of the {attempts} points drawn with "
                f"{placed} placed ({problem})"
            )
        raise OutsideDomain(f"no point found in {MAX_ATTEMPTS} draws ({problem})")

    def _signed_where_defined(
        self, env: dict[str, Any], names: tuple[str, ...], placed: Any
    ) -> dict[str, Any]:
        """``env`` (a point with the :attr:`positive` leaves positive) with each of those leaves
        drawn with either sign again wherever the model keeps a value: drawn positive with
        X under log(X), a W of sqrt(W ⊙ W + 1) was compared at |W| alone, and a formula wrong
        for W < 0 passed (review43 #1). :attr:`kept_positive` names those kept positive."""
        kept = []
        for name in (n for n in names if n in self.positive):
            trial = {n: env[n] for n in names}
            trial[name] = self._leaf(name)
            try:
                if placed is not None:
                    self._place(trial, placed)
                self._forward(trial)
            except _Redraw:
                kept.append(name)
                continue
            env = trial
        self.kept_positive = tuple(kept)
        return env

    def leaves(self) -> dict[str, sp.Matrix]:
        """A random draw of the parameters and data (targets valid for their losses)."""
        assert self.model is not None
        return {name: self._leaf(name) for name in (*self.model.parameters, *self.model.data)}

    def forward_values(self, leaves: dict[str, sp.Matrix]) -> dict[str, Any]:
        """The forward values at ``leaves``, in equation order, up to the first that has none
        (a log of 0, an inverse of a singular matrix): every value before it is there, so the
        argument of the function that failed can be read (:mod:`.identity_zeros`)."""
        self.table.redraw()
        env: dict[str, Any] = dict(leaves)
        # env holds every value computed before one that has none
        with contextlib.suppress(_Redraw, NotExact, LostDigits, ArithmeticError, ValueError):
            self._forward(env)
        return env

    def _place(self, env: dict[str, Any], placed: Any) -> None:
        """Choose each placeable value's bias (in equation order) so that its first column is
        ``placed``; a forward pass after each choice, as a later value may read an earlier."""
        for name, bias in placeable(self.d).items():
            self._forward(env)
            first = env[name][:, 0] - env[bias][:, 0]
            chosen = env[bias].copy()
            chosen[:, 0] = first.applyfunc(lambda v: placed - v)
            env[bias] = chosen

    def _forward(self, env: dict[str, Any]) -> None:
        for name, expr in self.graph.forward.items():
            if name in self.graph.nodes:
                env[name] = self._value(expr, env)
                self._kinks(expr, env)
            elif isinstance(expr, MatrixSymbol) and expr.name in env:
                # a name for another value (p = 1/(1 + exp(-u)) names the internal _t4): a
                # formula may use it
                env[name] = env[expr.name]

    def _value(self, expr: Any, env: dict[str, Any]) -> sp.Matrix:
        try:
            value = self.evaluate(expr, env)
        except OutsideDomain as exc:
            raise _Redraw(str(exc), undefined=True) from None
        except ZeroDivisionError:  # Python's or SymPy's text is no user text
            raise _Redraw("a division by zero", undefined=True) from None
        except ValueError as exc:  # a singular matrix inverted
            if "invertible" in str(exc) or "singular" in str(exc).lower():
                # SymPy's own text ("Matrix det == 0; not invertible") is no user text
                raise _Redraw("an inverse of a singular matrix", undefined=True) from None
            raise
        # rationals (a float from the real table); infinite or undefined: a division by zero
        # with exact constants (shapecheck's comparison), a number such as -35 exp(-3)/6
        exact = getattr(self.table, "exact_constants", False)
        bad = next(
            (
                v
                for v in value
                if not (v.is_Number or (exact and v.is_number and v.is_comparable))
                or not v.is_finite
            ),
            None,
        )
        if bad is not None:
            if bad.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                # SymPy's zoo or nan is no user text
                raise _Redraw("a division by zero", undefined=True)
            if not_real(bad):
                # the true sqrt of a w below 0 (the tables drew it a value): no real value
                # here, another point; it read "your formula gives cannot be evaluated (1.5*I
                # is not a number)" (hostile39a #5)
                raise _Redraw("a value that is no real number", undefined=True)
            raise NotExact(f"{bad} is not a number")
        return value

    def _kinks(self, expr: Any, env: dict[str, Any]) -> None:
        """Redraw when an element-wise function with a kink is evaluated on it."""
        if not isinstance(expr, Elementwise) or not isinstance(expr.arg, MatrixSymbol):
            return
        points = breakpoints(expr.body, expr.variable)
        name = str(expr.arg.name)
        hits = {k for k, q in enumerate(env[name]) if q in points} if points else set()
        if self._probing is not None:
            self._probing.setdefault(name, set()).update(hits)
            return
        if hits and hits - self._always_at_kink().get(name, frozenset()):
            # the user's call as the printers write it (abs(A - B) at 0), never SymPy's class
            # names or the graph's internal values (Abs(_t) at [0])
            shown = MatrixSymbol(self.graph.argument_text(expr.arg.name), *expr.arg.shape)
            at = ", ".join(text(q) for q in sorted(points))
            raise _Redraw(f"{text(Elementwise(expr.function, shown))} at its kink {at}")

    def _always_at_kink(self) -> dict[str, frozenset[int]]:
        """Each kinked function's argument -> the entries (flat, row by row) at a kink at every
        one of :data:`KINK_PROBES` draws of the leaves: the diagonal of ``W - W^T`` under
        ``norm1``. Such an entry is constant, so the function of it is too and has derivative
        0, whatever the rule takes at the kink; every point landed there, and every formula,
        the tool's own gradient too, was "not the gradient" with none to compare (hostile48d
        #3). The probe draws from its own generator, so the points drawn after it are those
        drawn without it."""
        if self._constant_kinks is None:
            assert self.model is not None
            names = (*self.model.parameters, *self.model.data)
            saved = self.rng, self.table.rng
            probe = random.Random(f"kinks {sorted(self.sizes.items(), key=str)}")
            self.rng = self.table.rng = probe
            found: dict[str, set[int]] | None = None
            try:
                for _ in range(KINK_PROBES):
                    self._probing = {}
                    env: dict[str, Any] = {name: self._leaf(name) for name in names}
                    try:
                        self._forward(env)
                    except (_Redraw, NotExact, LostDigits, ArithmeticError, ValueError):
                        continue  # no value at this draw: it shows nothing constant
                    hits = self._probing
                    found = (
                        hits
                        if found is None
                        else {n: hits.get(n, set()) & e for n, e in found.items()}
                    )
            finally:
                self.rng, self.table.rng = saved
                self._probing = None
            self._constant_kinks = {n: frozenset(e) for n, e in (found or {}).items() if e}
        return self._constant_kinks

    # -- the oracle ----------------------------------------------------------------------------
    def oracle(self, env: dict[str, sp.Matrix], name: str, row: int, col: int) -> sp.Rational:
        """dJ/d name[row, col] by SymPy's diff, equation by equation.

        The entry becomes ``value + e`` with e a SymPy symbol; each equation that depends on it
        is evaluated in e and SymPy's ``diff`` gives each entry's derivative at e = 0; the entry
        goes on to the next equation as its first-order Taylor polynomial ``v + v' e``. That is
        the scalar chain rule, done by SymPy one equation at a time, and the derivative of J at
        e = 0 is exactly the derivative of the whole cost (which, differentiated in one piece,
        repeats every shared sub-expression: the 3-step RNN took 8 s that way).
        """
        assert self.model is not None
        e = sp.Dummy("e", real=True)  # real: abs(u)' is sign(u)
        values: dict[str, Any] = dict(env)
        leaf = env[name].copy()
        leaf[row, col] = leaf[row, col] + e
        values[name] = leaf
        moved = {name}
        for value_name, expr in self.graph.forward.items():
            node = self.graph.nodes.get(value_name)
            if node is None or not any(str(arg.name) in moved for arg in node.args):
                continue
            values[value_name] = self.evaluate(expr, values).applyfunc(
                lambda entry: _first_order(entry, e)
            )
            moved.add(value_name)
        return _first_order(values[self.model.cost][0, 0], e).coeff(e, 1)


def placeable(derivation: ModelDerivation) -> dict[str, str]:
    """The argument of an element-wise function -> the parameter that places it: one only
    added in the argument's equation (z = W x + b, or b broadcast over the columns), so that z
    is affine in it with slope 1 and b = v - (z - b) puts v in z's first column
    (:meth:`ModelCheck.point`)."""
    assert derivation.model is not None
    forward = derivation.graph.forward
    found: dict[str, str] = {}
    for expr in forward.values():
        if isinstance(expr, Elementwise) and isinstance(expr.arg, MatrixSymbol):
            name = str(expr.arg.name)
            bias = _added_parameter(forward.get(name), derivation.model.parameters)
            if bias is not None:
                found[name] = bias
    return found


def _added_parameter(expr: Any, parameters: Any) -> str | None:
    """The parameter added once in the sum ``expr`` (itself or broadcast by a ones row) and
    nowhere else in it, or None."""
    if not isinstance(expr, MatAdd):
        return None
    for term in expr.args:
        leaf = term
        if (
            isinstance(term, MatMul)
            and len(term.args) == 2
            and isinstance(term.args[1], OneMatrix)
        ):
            leaf = term.args[0]
        if not (isinstance(leaf, MatrixSymbol) and leaf.name in parameters):
            continue
        others = [other for other in expr.args if other is not term]
        if not any(leaf in other.atoms(MatrixSymbol) for other in others):
            return str(leaf.name)
    return None


def _first_order(entry: Any, e: sp.Symbol) -> Any:
    """``entry(0) + entry'(0) e``, both exact rationals (SymPy's ``diff``: the oracle's
    derivative is SymPy's own, independent of the derivation's rules)."""
    at = _exact(entry.xreplace({e: sp.Integer(0)}))
    slope = _exact(sp.diff(entry, e).xreplace({e: sp.Integer(0)}))
    return at + slope * e


def _exact(value: Any) -> sp.Rational:
    if not value.is_Rational:
        value = sp.nsimplify(value) if value.is_number else value
    if not value.is_Rational:
        raise NotExact(f"SymPy's diff gives {value}, not a rational number")
    return value


def no_value_anywhere(
    derivation: ModelDerivation, *, sizes: dict[str, int] | None = None, seed: int = 0
) -> ExactCheck | None:
    """The exact check's first step alone, for a model whose exact check is over its budget
    (:meth:`OracleWork.over`): a log, root, reciprocal, logdet or inverse of an argument 0 at
    every point by an identity of functions (:mod:`.identity_zeros`), at the check's small
    sizes. Its undecided result (``cost_undefined``), or ``None`` when none is; a forward
    pass in floats of 30 and 60 digits, not the oracle's differentiation."""
    chosen = model_sizes(derivation, sizes)
    undefined = _no_value_anywhere(derivation, chosen, seed)
    if undefined is None:
        return None
    result = ExactCheck({str(k): v for k, v in chosen.items()}, 0)
    result.undecided, result.cost_undefined = undefined, True
    return result


def _no_value_anywhere(
    derivation: ModelDerivation, chosen: dict[sp.Symbol, int], seed: int
) -> str | None:
    return identity_zero(derivation, lambda table: ModelCheck(derivation, chosen, seed, table))


def check_model_exact(
    derivation: ModelDerivation,
    *,
    trials: int = 3,
    sizes: dict[str, int] | None = None,
    seed: int = 0,
) -> ExactCheck:
    """See :func:`symbackprop.check.exact.check_exact` (a model's derivation)."""
    chosen = model_sizes(derivation, sizes)
    result = ExactCheck({str(k): v for k, v in chosen.items()}, trials)
    # an argument 0 by an identity of functions: the tables below would find it a value
    undefined = _no_value_anywhere(derivation, chosen, seed)
    if undefined is not None:
        result.undecided, result.cost_undefined = undefined, True
        return result
    check = ModelCheck(derivation, chosen, seed)
    other = other_model_sizes(derivation, chosen, sizes) if trials > 1 else None
    if other is not None:
        result.other_sizes = {str(k): v for k, v in other.items()}
    model = derivation.model
    assert model is not None
    checks = {0: check}
    trial = -1
    while result.begin_trial(trial + 1):
        trial += 1
        at = trial % 2 if other is not None else 0  # every other trial at the other sizes
        if at not in checks:
            checks[at] = ModelCheck(derivation, other or chosen, seed)
        check = checks[at]
        try:
            env = check.point()
        except (OutsideDomain, NotExact) as exc:
            if trial == 0:  # nothing compared, nothing found wrong
                result.undecided = str(exc)
                result.cost_undefined = isinstance(exc, CostUndefined)
            else:  # what the earlier trials compared (and found) stands
                result.trials = trial
            return result
        except Exception as exc:  # a corrupted adjoint must be reported, not raised
            note = f"an adjoint cannot be evaluated: {type(exc).__name__}: {exc}"
            result.mismatches.append(Mismatch("adjoint", 0, 0, None, None, trial, note))
            return result
        for name in model.parameters:
            _compare(result, check, env, name, trial)
    return result


def _compare(
    result: ExactCheck, check: ModelCheck, env: dict[str, sp.Matrix], name: str, trial: int
) -> None:
    shape = check.shape(name)
    try:
        got = check.evaluate(check.d.gradients[name], env)
    except Exception as exc:
        note = f"cannot be evaluated at sizes {result.sizes}: {type(exc).__name__}: {exc}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    if got.shape != shape:
        note = f"has shape {got.shape}, expected {shape}"
        result.mismatches.append(Mismatch(name, 0, 0, None, None, trial, note))
        return
    for i in range(shape[0]):
        for j in range(shape[1]):
            want = check.oracle(env, name, i, j)
            if not result.compared(name, want, got[i, j]):
                result.mismatches.append(Mismatch(name, i, j, want, got[i, j], trial))
