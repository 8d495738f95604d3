"""The index view of a derivation: each step written entry by entry, then collected into
matrix form (``dJ/dW2_ij = sum_k dJ/dz2_k dz2_k/dW2_ij = delta2_i a1_j``, hence
``dJ/dW2 = delta2 a1^T``).

Every fact is data: SymPy scalar expressions over ``IndexedBase`` entries (``W2[i, j]``),
``Sum``, ``KroneckerDelta`` (the indicator [k = i]) and ``Derivative`` (``Derivative(J,
W2[i, j])`` is dJ/dW2_ij). Printers print them (:mod:`symbackprop.render.indices`); before
any of them is returned, :mod:`symbackprop.core.index_check` verifies every equality on a
small concrete instance in exact rational arithmetic, and a failure is an internal error.

Conventions: indices are 1-based; a column vector (n x 1) has one index (``a1[j]``), every
other matrix two (``Z2[k, t]``, t the example). The upstream gradient of a step is kept
general (any cost J that depends on the step's output): the check draws it at random.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import Derivative, KroneckerDelta, MatrixSymbol, OneMatrix, Sum

from symbackprop.core.graph import LAMBDA
from symbackprop.core.index_terms import J, entry, grad, i, j, k, p, s, t
from symbackprop.core.segments import Grad, Math, Prime, Segment, Text
from symbackprop.core.steps import Step
from symbackprop.core.textprint import text as expr_text
from symbackprop.records import scalars

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


@dataclass(frozen=True)
class IndexEquation:
    """``sides[0] = sides[1] = ...``, for every value of the free indices in ``ranges``
    (index -> its upper bound, a dimension). ``notes`` says why (segments). ``cost`` is the J
    the check uses (an expression in entries; ``None``: a random linear function of the
    step's output, ``upstream``); ``onehot`` names a target whose columns the check draws
    one-hot (an assumption the notes state)."""

    sides: tuple[Any, ...]
    ranges: tuple[tuple[Any, Any], ...]
    notes: tuple[Segment, ...] = ()
    cost: Any = None
    onehot: str | None = None


@dataclass(frozen=True)
class MatrixForm:
    """The conclusion, ``Grad(wrt) = expr`` in matrix form; ``shows`` maps a placeholder
    MatrixSymbol's name to what it stands for (a gradient or g'(Z)), and ``entries`` to its
    entry (an index expression in ``i``, ``j``) for the check."""

    wrt: Any
    expr: Any
    notes: tuple[Segment, ...] = ()
    shows: dict[str, Segment] = field(default_factory=dict)
    entries: dict[str, Any] = field(default_factory=dict)
    cost: Any = None
    onehot: str | None = None


@dataclass(frozen=True)
class IndexStep:
    """One step's index view: the forward definitions it reads (entry-wise), the equalities,
    and the matrix form they collect into. ``upstream`` is the MatrixSymbol whose gradient the
    step receives (its output: z for W, b and a; a for z; ``None`` for the loss), and
    ``delta`` the symbol that names that gradient where it has one (delta2)."""

    step: Step
    definitions: tuple[IndexEquation, ...]
    equations: tuple[IndexEquation, ...]
    matrix: MatrixForm | None
    upstream: Any = None
    delta: Any = None
    activations: dict[str, Any] = field(default_factory=dict)


def _sum(expr: Any, *limits: tuple[Any, Any]) -> Any:
    """A Sum over ``limits`` (index, upper bound), innermost last; 1-based."""
    for index, top in reversed(limits):
        expr = Sum(expr, (index, 1, top))
    return expr


def _mul(*factors: Any) -> Any:
    """A product kept in the order written (the printers print it so); ones left out."""
    factors = tuple(f for f in factors if f != 1)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def _add(*terms: Any) -> Any:
    """A sum kept in the order written; zeros left out."""
    terms = tuple(term for term in terms if term != 0)
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def _say(*parts: Any) -> tuple[Segment, ...]:
    """Notes from words (str) and mathematics (SymPy objects)."""
    out: list[Segment] = []
    for part in parts:
        if isinstance(part, str):
            out.append(Text(part))
        elif isinstance(part, (Grad, Prime)):
            out.append(part)
        else:
            out.append(Math(part, expr_text(part)))
    return tuple(out)


class IndexBuilder:
    """Builds the index view of each step of one network derivation."""

    def __init__(self, d: Derivation) -> None:
        self.d = d
        self.g = d.graph
        self.batch = d.batch
        self.m = self.g.m

    def cols(self, symbol: MatrixSymbol) -> tuple[Any, ...]:
        """The column index of an entry in batch form (t), nothing for a column vector."""
        return (t,) if symbol.shape[1] != 1 else ()

    def linear_definition(self, layer: int) -> IndexEquation:
        """z_k = sum_p W_kp a_p + b_k (Z_kt = sum_p W_kp A_pt + b_k)."""
        g = self.g
        z, w, a, b = g.z(layer), g.W(layer), g.a(layer - 1), g.b(layer)
        c = self.cols(z)
        rhs = _add(
            _sum(_mul(entry(w, k, p), entry(a, p, *c)), (p, g.dims[layer - 1])), entry(b, k)
        )
        ranges = ((k, g.dims[layer]),) + ((t, self.m),) if c else ((k, g.dims[layer]),)
        notes = _say("the forward pass, one entry at a time")
        if c:
            notes += _say("; the bias entry ", entry(b, k), " is added to every column")
        return IndexEquation((entry(z, k, *c), rhs), ranges, notes)

    def penalty(self, w: MatrixSymbol) -> tuple[Any, Any]:
        """(the L2 term of J in entries, its derivative at W_ij), or (0, 0) without L2."""
        if not self.d.network.l2:
            return sp.Integer(0), sp.Integer(0)
        rows, cols = w.shape
        cost = LAMBDA / (2 * self.m) * _sum(entry(w, i, j) ** 2, (i, rows), (j, cols))
        return cost, LAMBDA / self.m * entry(w, i, j)

    # -- one builder per rule kind -------------------------------------------------------
    def weight(self, step: Step) -> IndexStep:
        layer = step.layer
        g = self.g
        z, w, a, delta = g.z(layer), g.W(layer), g.a(layer - 1), self.d.delta_symbols[layer]
        c = self.cols(z)
        sums = ((k, g.dims[layer]),) + (((t, self.m),) if c else ())
        l2_cost, l2 = self.penalty(w)
        sides = (
            grad(w, i, j),
            _add(
                _sum(_mul(grad(z, k, *c), Derivative(entry(z, k, *c), entry(w, i, j))), *sums), l2
            ),
            _add(
                _sum(_mul(entry(delta, k, *c), KroneckerDelta(k, i), entry(a, j, *c)), *sums), l2
            ),
            _add(_sum(_mul(entry(delta, i, *c), entry(a, j, *c)), *sums[1:]), l2),
        )
        notes = _say(
            "the chain rule sums over every entry of ",
            z,
            " that ",
            entry(w, i, j),
            " reaches; ",
            entry(w, i, j),
            " appears only in row ",
            i,
            " of ",
            z,
            ", with factor ",
            entry(a, j, *c),
            ", so only ",
            sp.Eq(k, i, evaluate=False),
            " is left",
        )
        if c:
            notes += _say("; every example ", t, " contributes")
        hence = _say(
            "entry ",
            (i, j),
            " of ",
            delta * a.T,
            " is ",
            _sum(_mul(entry(delta, i, *c), entry(a, j, *c)), *sums[1:]),
            ": the transpose puts the index ",
            j,
            " of ",
            a,
            " in the column",
        )
        # with L2, J also depends on W directly: the check's J is delta . z plus the penalty
        linear = _sum(entry(delta, k, *c) * entry(z, k, *c), *sums)
        cost = linear + l2_cost if l2_cost else None
        eq = IndexEquation(sides, ((i, w.shape[0]), (j, w.shape[1])), notes, cost=cost)
        matrix = MatrixForm(w, step.expr, hence, cost=cost)
        return IndexStep(step, (self.linear_definition(layer),), (eq,), matrix, z, delta)

    def bias(self, step: Step) -> IndexStep:
        layer = step.layer
        g = self.g
        z, b, delta = g.z(layer), g.b(layer), self.d.delta_symbols[layer]
        c = self.cols(z)
        sums = ((k, g.dims[layer]),) + (((t, self.m),) if c else ())
        sides = (
            grad(b, i),
            _sum(_mul(grad(z, k, *c), Derivative(entry(z, k, *c), entry(b, i))), *sums),
            _sum(_mul(entry(delta, k, *c), KroneckerDelta(k, i)), *sums),
            _sum(entry(delta, i, *c), *sums[1:]),
        )
        notes = _say(
            "the bias entry ",
            entry(b, i),
            " is added to row ",
            i,
            " of ",
            z,
            " with factor 1, so only ",
            sp.Eq(k, i, evaluate=False),
            " is left",
        )
        if c:
            notes += _say(
                "; it is added to every column, so each example ",
                t,
                " contributes and the batch is summed",
            )
            hence = _say("summing each row of ", delta, " over the columns is ", step.expr)
        else:
            hence = _say("there is one example: the gradient of the bias is the delta itself")
        eq = IndexEquation(sides, ((i, b.shape[0]),), notes)
        matrix = MatrixForm(b, step.expr, hence)
        return IndexStep(step, (self.linear_definition(layer),), (eq,), matrix, z, delta)

    def backward(self, step: Step) -> IndexStep:
        """dJ/da[l-1] = W[l]^T delta[l]: the delta recursion's transpose."""
        layer = step.layer + 1
        g = self.g
        z, w, a, delta = g.z(layer), g.W(layer), g.a(layer - 1), self.d.delta_symbols[layer]
        c = self.cols(z)
        inner = ((k, g.dims[layer]),) + (((s, self.m),) if c else ())
        zk = entry(z, k, s) if c else entry(z, k)
        sides = (
            grad(a, j, *c),
            _sum(_mul(Derivative(J, zk), Derivative(zk, entry(a, j, *c))), *inner),
            _sum(
                _mul(
                    entry(delta, k, *((s,) if c else ())),
                    entry(w, k, j),
                    KroneckerDelta(s, t) if c else 1,
                ),
                *inner,
            ),
            _sum(_mul(entry(w, k, j), entry(delta, k, *c)), (k, g.dims[layer])),
        )
        notes = _say(
            entry(a, j, *c),
            " feeds every unit ",
            k,
            " of layer ",
            layer,
            " through the weight ",
            entry(w, k, j),
            ", so the sum runs down column ",
            j,
            " of ",
            w,
        )
        if c:
            notes += _say("; example ", t, " reaches only column ", t, " of ", z)
        hence = _say(
            "column ",
            j,
            " of ",
            w,
            " is row ",
            j,
            " of ",
            w.T,
            ": the sum is entry ",
            *((j,) if not c else ("(", j, ", ", t, ")")),  # a batch: column t too
            " of ",
            step.expr,
            ", so the recursion multiplies by the transpose",
        )
        ranges = ((j, a.shape[0]),) + (((t, self.m),) if c else ())
        eq = IndexEquation(sides, ranges, notes)
        matrix = MatrixForm(a, step.expr, hence)
        return IndexStep(step, (self.linear_definition(layer),), (eq,), matrix, z, delta)

    def elementwise(self, step: Step) -> IndexStep:
        layer = step.layer
        g = self.g
        z, a = g.z(layer), g.a(layer)
        act = g.activation(layer)
        fn = sp.Function(act.name)
        c = self.cols(z)
        cs = (s,) if c else ()
        sums = ((k, g.dims[layer]),) + (((s, self.m),) if c else ())
        prime = Derivative(fn(entry(z, i, *c)), entry(z, i, *c))
        ak = entry(a, k, *cs)
        sides = (
            grad(z, i, *c),
            _sum(_mul(Derivative(J, ak), Derivative(ak, entry(z, i, *c))), *sums),
            _sum(
                _mul(
                    Derivative(J, ak),
                    KroneckerDelta(k, i),
                    KroneckerDelta(s, t) if c else 1,
                    prime,
                ),
                *sums,
            ),
            _mul(grad(a, i, *c), prime),
        )
        definition = IndexEquation(
            (entry(a, k, *((t,) if c else ())), fn(entry(z, k, *((t,) if c else ())))),
            ((k, g.dims[layer]),) + (((t, self.m),) if c else ()),
            _say("the activation acts on each entry alone"),
        )
        notes = _say(
            "the Jacobian of ",
            a,
            " with respect to ",
            z,
            " is diagonal: ",
            ak,
            " depends on ",
            entry(z, k, *cs),
            " alone, so every term with ",
            sp.Ne(k, i, evaluate=False),
            # in batch form the other examples' terms vanish too (hostile reader 23)
            *((" or ", sp.Ne(s, t, evaluate=False)) if c else ()),
            " vanishes",
        )
        grad_a = MatrixSymbol("_grad_" + a.name, *a.shape)
        gprime = MatrixSymbol("_prime_" + z.name, *z.shape)
        hence = _say(
            "a diagonal Jacobian times the upstream gradient multiplies entry by entry: ",
            "the Hadamard product",
        )
        matrix = MatrixForm(
            z,
            sp.HadamardProduct(grad_a, gprime),
            hence,
            shows={grad_a.name: Grad(a), gprime.name: Prime(act.name, act.latex, z)},
            entries={
                grad_a.name: grad(a, i, j) if c else grad(a, i),
                gprime.name: (
                    Derivative(fn(entry(z, i, j)), entry(z, i, j))
                    if c
                    else Derivative(fn(entry(z, i)), entry(z, i))
                ),
            },
        )
        ranges = ((i, z.shape[0]),) + (((t, self.m),) if c else ())
        eq = IndexEquation(sides, ranges, notes)
        return IndexStep(step, (definition,), (eq,), matrix, a, None, {act.name: act})

    def softmax(self, step: Step) -> IndexStep:
        layer = step.layer
        g = self.g
        z, a, y = g.z(layer), g.a(layer), g.y
        n = g.dims[layer]
        c = self.cols(z)
        definition = IndexEquation(
            (entry(a, k, *c), sp.exp(entry(z, k, *c)) / _sum(sp.exp(entry(z, p, *c)), (p, n))),
            ((k, n),) + (((t, self.m),) if c else ()),
            _say("softmax: every output depends on every entry of its column"),
        )
        jac = _mul(entry(a, k, *c), _add(KroneckerDelta(k, i), -entry(a, i, *c)))
        jacobian = IndexEquation(
            (Derivative(entry(a, k, *c), entry(z, i, *c)), jac),
            ((k, n), (i, n)) + (((t, self.m),) if c else ()),
            _say(
                "the softmax Jacobian is full, not diagonal: ",
                entry(a, k, *c),
                " depends on every ",
                entry(z, i, *c),
            ),
        )
        chain = IndexEquation(
            (
                grad(z, i, *c),
                _sum(_mul(grad(a, k, *c), Derivative(entry(a, k, *c), entry(z, i, *c))), (k, n)),
                _sum(_mul(grad(a, k, *c), jac), (k, n)),
                _mul(
                    entry(a, i, *c),
                    _add(grad(a, i, *c), -_sum(_mul(entry(a, k, *c), grad(a, k, *c)), (k, n))),
                ),
            ),
            ((i, n),) + (((t, self.m),) if c else ()),
            _say("each column is its own softmax, so the sum runs over the units ", k, " only"),
        )
        equations = [jacobian, chain]
        matrix = None
        if self.g.loss.name == "ce":
            cost = -_sum(entry(y, k, *c) * sp.log(entry(a, k, *c)), (k, n))
            if c:
                cost = _sum(cost, (t, self.m)) / self.m
            upstream = -entry(y, k, *c) / (self.m * entry(a, k, *c))
            equations.append(
                IndexEquation(
                    (
                        grad(z, i, *c),
                        _sum(_mul(upstream, jac), (k, n)),
                        _mul(
                            1 / self.m,
                            _add(
                                _mul(entry(a, i, *c), _sum(entry(y, k, *c), (k, n))),
                                -entry(y, i, *c),
                            ),
                        ),
                        _mul(1 / self.m, _add(entry(a, i, *c), -entry(y, i, *c))),
                    ),
                    ((i, n),) + (((t, self.m),) if c else ()),
                    _say(
                        "with cross-entropy ",
                        Grad(a),
                        " has entries ",
                        upstream.subs(k, i),
                        "; the last equality uses that each column of ",
                        y,
                        " sums to 1 (one-hot or a probability vector)",
                    ),
                    cost=cost,
                    onehot=y.name,
                )
            )
            matrix = MatrixForm(
                z,
                step.expr,
                _say("entry by entry, a minus y: ", step.expr),
                cost=cost,
                onehot=y.name,
            )
        else:  # any other loss: the chain's last line, with dJ/da a matrix of its own
            grad_a = MatrixSymbol("_grad_" + a.name, *a.shape)
            # the ones matrix repeats each column's sum of a ⊙ dJ/da in every row
            column_sums = sp.MatMul(OneMatrix(n, n), sp.HadamardProduct(a, grad_a))
            matrix = MatrixForm(
                z,
                sp.HadamardProduct(a, sp.MatAdd(grad_a, -column_sums)),
                _say(
                    "entry (i, t) of the ones matrix times "
                    if c
                    else "entry i of the ones matrix times ",
                    a,
                    " ⊙ ",
                    Grad(a),
                    " is the sum over k of its column t" if c else " is the sum over k",
                    ", the same in every row i",
                ),
                shows={grad_a.name: Grad(a)},
                entries={grad_a.name: grad(a, i, j) if c else grad(a, i)},
            )
        return IndexStep(step, (definition,), tuple(equations), matrix, a, None)

    def loss(self, step: Step) -> IndexStep:
        layer = step.layer
        g = self.g
        a, y = g.a(layer), g.y
        n = g.dims[layer]
        c = self.cols(a)

        def term(row: Any, col: Any = None) -> Any:
            args = (col,) if c else ()
            return g.loss.formula.subs(
                {scalars.a: entry(a, row, *args), scalars.y: entry(y, row, *args)},
                simultaneous=True,
            )

        cost = _sum(term(k, s), (k, n), *(((s, self.m),) if c else ())) / self.m
        lhs = grad(a, i, *c)
        local = g.loss.derivative.subs(
            {scalars.a: entry(a, i, *c), scalars.y: entry(y, i, *c)}, simultaneous=True
        )
        sides = (lhs, Derivative(cost, entry(a, i, *c)), local / self.m)
        notes = _say(
            "the cost sums the loss over the entries",
            " and averages over the examples" if c else "",
            # the bracket is the loss part of J alone (hostile42b #7)
            " (its L2 penalty does not depend on " if self.d.network.l2 else "",
            *((a, ")") if self.d.network.l2 else ()),
            "; only the term of ",
            entry(a, i, *c),
            " depends on it",
        )
        ranges = ((i, n),) + (((t, self.m),) if c else ())
        eq = IndexEquation(sides, ranges, notes, cost=cost)
        hence = _say(
            "every entry has the same formula, so the matrix form applies it entry by entry"
        )
        matrix = MatrixForm(a, step.expr, hence, cost=cost)
        return IndexStep(step, (), (eq,), matrix, None, None)
