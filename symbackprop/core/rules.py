"""One rule per node kind: the contributions a node sends back to its arguments.

A rule receives the adjoint G = dJ/d(out) of the value a node defines and returns, for each
argument, dJ/d(arg) as the rule kind gives it: the arrangement that shape analysis leaves among
the kind's candidates (:mod:`symbackprop.core.candidates`), the reason as segments
(:mod:`symbackprop.core.segments`), the cached values it reads, and any scalar algebra done
inside an element-wise product (verified before it is stored). Adding a node kind means adding
its node in :mod:`symbackprop.core.graph` and its rule here (and its emission per backend).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from symbackprop.core.algebra import bounded_simplify, lifts_derivative, verify_chain
from symbackprop.core.candidates import (
    Candidate,
    Operand,
    bilinear_candidates,
    elementwise_candidates,
    select,
)
from symbackprop.core.graph import LAMBDA, ForwardGraph, Kind, Node
from symbackprop.core.lift import hadamard_factors, is_liftable, lift
from symbackprop.core.segments import (
    Dim,
    Grad,
    Math,
    Prime,
    Rel,
    Segment,
    ShapeOf,
    Text,
    math,
)
from symbackprop.core.steps import Rule, Step
from symbackprop.records import scalars
from symbackprop.records.activations import Activation
from symbackprop.records.nodes import activation_of, derivative_of
from symbackprop.records.scalars import scalar_text

Shape = tuple[Any, Any]


@dataclass(frozen=True)
class ScalarForm:
    """An adjoint that is, entry by entry, one scalar formula: the loss's dL/da.

    The element-wise rule downstream multiplies it with g' on scalar symbols, so that
    cancellations (BCE with sigmoid: a - y) are derived by SymPy, not hard-coded.
    """

    dl: sp.Expr


@dataclass(frozen=True)
class Adjoint:
    """dJ/d(value) as the rules of the node defining ``value`` read it.

    ``expr`` is the delta symbol when the adjoint is stored as one; ``label`` is how candidates
    show it (``delta3``, ``dJ/dA3``, ``W3^T delta3``).
    """

    value: MatrixSymbol
    expr: Any
    label: str
    shape: Shape
    scalar: ScalarForm | None = None
    show: Segment | None = None

    @property
    def operand(self) -> Operand:
        """The adjoint as a factor of a rule's candidates."""
        return Operand(self.label, self.expr, self.shape, self.show)


@dataclass(frozen=True)
class Contribution:
    """One rule's share of dJ/d(``to``), with everything its step says."""

    to: MatrixSymbol
    expr: Any
    rule: Rule
    label: str
    segments: tuple[Segment, ...]
    candidates: tuple[Candidate, ...] = ()
    uses: tuple[str, ...] = ()
    algebra: tuple[Any, ...] = ()
    algebra_segments: tuple[Segment, ...] = ()
    scalar: ScalarForm | None = None
    show: Segment | None = None


@dataclass
class Context:
    """What every rule may read: the graph, and a way to state an assumption as a step."""

    graph: ForwardGraph
    state: Callable[[Step], None]

    @property
    def batch(self) -> bool:
        return self.graph.batch

    @property
    def m(self) -> Any:
        return self.graph.m

    def layer(self, symbol: MatrixSymbol) -> int:
        return self.graph.layers[symbol.name]


def _shape(expr: Any) -> Shape:
    return tuple(expr.shape)  # type: ignore[return-value]


# -- the cost: loss and penalty ----------------------------------------------------------------
def loss_rule(ctx: Context, node: Node) -> list[Contribution]:
    """J = L(a, y) (the mean over the m columns in batch form): dJ/da entry by entry."""
    loss = node.record
    a_l, y = node.args
    assert isinstance(a_l, MatrixSymbol) and isinstance(y, MatrixSymbol)
    shape = _shape(a_l)
    dl = loss.derivative
    upstream = lift(dl, {scalars.a: a_l, scalars.y: y, scalars.z: _z_of(ctx, a_l)}, shape)
    if ctx.batch:
        upstream = (1 / ctx.m) * upstream
    cost: tuple[Segment, ...] = (
        (Text("J = (1/m) sum over the m columns of L("), math(a_l), Text(", "), math(y), Text(")"))
        if ctx.batch
        else (Text("J = L("), math(a_l), Text(", "), math(y), Text(")"))
    )
    segments = (
        *cost,
        Text(f", {loss.description}, a sum over the output units of "),
        math(loss.formula),
        Text("; each unit's term depends on its own entry only, so "),
        Grad(a_l),
        Text(" is taken entry by entry: dL/da = "),
        math(dl),
        Text("; the mean over the batch contributes 1/m" if ctx.batch else ""),
        Text(". It has the shape of "),
        math(a_l),
        Text(", "),
        ShapeOf(shape),
        Text("."),
    )
    return [
        Contribution(
            to=a_l,
            expr=upstream,
            rule=Rule.LOSS,
            label=f"dJ/d{a_l.name}",
            segments=tuple(s for s in segments if not (isinstance(s, Text) and not s.text)),
            uses=(a_l.name, y.name),
            scalar=ScalarForm(dl),
            show=Grad(a_l),
        )
    ]


def penalty_rule(ctx: Context, node: Node) -> list[Contribution]:
    """(lambda/2m) sum_l ||W_l||_F^2 adds (lambda/m) W_l to dJ/dW_l (lambda W_l for one
    example)."""
    penalty, added = ("(lambda/2m)", "(lambda/m)") if ctx.batch else ("(lambda/2)", "lambda")
    out = []
    for w in node.args:
        assert isinstance(w, MatrixSymbol)
        share = (LAMBDA / ctx.m) * w
        out.append(
            Contribution(
                to=w,
                expr=share,
                rule=Rule.BILINEAR,
                label=f"{added} {w.name}",
                segments=(
                    Text("the L2 penalty "),
                    math(LAMBDA / (2 * ctx.m), penalty),
                    Text(" "),
                    Math(
                        sp.Symbol("sum_l ||W_l||_F^2"),
                        "sum_l ||W_l||_F^2",
                        r"\sum_l \lVert W^{[l]} \rVert_F^2",
                    ),
                    Text(" adds "),
                    math(share, f"{added} {w.name}"),
                    Text(", "),
                    ShapeOf(_shape(w)),
                    Text(" like "),
                    math(w),
                ),
            )
        )
    return out


def _z_of(ctx: Context, a_l: MatrixSymbol) -> Any:
    node = ctx.graph.nodes.get(a_l.name)
    return node.args[0] if node is not None else a_l


# -- activations -------------------------------------------------------------------------------
def _derivative_factor(act: Activation, z: Any, a: Any, shape: Shape) -> tuple[Any, Any, tuple]:
    """g'(z) as a scalar (an opaque symbol when not written out) and as a matrix, plus the
    cached values it reads."""
    if not lifts_derivative(act):
        return sp.Symbol("gprime", real=True), derivative_of(act, z), (z.name,)
    d = act.cached_derivative
    uses = tuple(
        name
        for name, present in ((a.name, act.derivative_uses_a), (z.name, act.derivative_uses_z))
        if present
    )
    return d, lift(d, {scalars.a: a, scalars.z: z}, shape), uses


def elementwise_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """a = g(z) entry by entry: dJ/dz = dJ/da ⊙ g'(z), the only arrangement that fits."""
    act: Activation = node.record
    z = node.args[0]
    assert isinstance(z, MatrixSymbol)
    a = up.value
    shape = _shape(z)
    d_scalar, d_matrix, uses = _derivative_factor(act, z, a, shape)
    factor = Operand(f"{act.name}'({z.name})", d_matrix, shape, Prime(act.name, act.latex, z))
    upstream = up.operand
    candidates = elementwise_candidates(upstream, factor, shape)
    select(candidates, f"dJ/d{z.name}", ("⊙", upstream, factor))  # the rule: G ⊙ g'(z)
    expr, algebra, algebra_segments, uses = _elementwise_product(
        ctx, act, z, a, up, d_scalar, d_matrix, uses
    )
    segments = _elementwise_reason(act, z, a, candidates, algebra_segments)
    return [
        Contribution(
            to=z,
            expr=expr,
            rule=Rule.ELEMENTWISE,
            label=f"dJ/d{z.name}",
            segments=segments,
            candidates=tuple(candidates),
            uses=uses,
            algebra=algebra,
            algebra_segments=algebra_segments,
        )
    ]


def _elementwise_product(
    ctx: Context,
    act: Activation,
    z: MatrixSymbol,
    a: MatrixSymbol,
    up: Adjoint,
    d_scalar: sp.Expr,
    d_matrix: Any,
    uses: tuple[str, ...],
) -> tuple[Any, tuple[Any, ...], tuple[Segment, ...], tuple[str, ...]]:
    shape = _shape(z)
    if act.is_identity:
        return up.expr, (), (), ()
    y = ctx.graph.y
    mapping = {scalars.a: a, scalars.z: z, scalars.y: y}
    coeff = (1 / ctx.m) if ctx.batch else None
    dl = up.scalar.dl if up.scalar is not None else None
    if dl is not None and lifts_derivative(act):
        product = dl * d_scalar
        simpler = bounded_simplify(product)
        if is_liftable(simpler) and sp.count_ops(simpler) < sp.count_ops(product):
            chain = (sp.Mul(dl, d_scalar, evaluate=False), simpler)
            verify_chain(chain)
            shown = (
                math(chain[0], f"({sp.sstr(dl)}) * ({sp.sstr(d_scalar)})"),
                Rel(),
                math(simpler),
            )
            lifted = lift(simpler, mapping, shape)
            expr = coeff * lifted if coeff is not None else lifted
            return expr, chain, shown, tuple(sorted(set(uses) | {y.name}))
    if dl is not None:
        parts = [lift(f, mapping, shape) for f in hadamard_factors(dl)]
        upstream: Any = parts[0] if len(parts) == 1 else HadamardProduct(*parts)
        if coeff is not None:
            upstream = coeff * upstream
    else:
        upstream = up.expr
    if lifts_derivative(act):
        factors = [lift(f, mapping, shape) for f in hadamard_factors(d_scalar)]
    else:
        factors = [d_matrix]
    return HadamardProduct(upstream, *factors), (), (), uses


def _elementwise_reason(
    act: Activation,
    z: MatrixSymbol,
    a: MatrixSymbol,
    candidates: list[Candidate],
    algebra: tuple[Segment, ...],
) -> tuple[Segment, ...]:
    shape = _shape(z)
    rejected = next(c for c in candidates if c.op == "@" and c.shape is None)
    inner_left, inner_right = rejected.left.shape[1], rejected.right.shape[0]
    out: list[Segment] = [
        math(a),
        Rel(),
        math(activation_of(act, z), f"{act.name}({z.name})"),
        Text(" acts entry by entry, so each entry of "),
        Grad(z),
        Text(" is the upstream entry times "),
        Prime(act.name, act.latex),
        Text(" at that entry; both factors are "),
        ShapeOf(shape),
        Text(", the target is "),
        ShapeOf(shape),
        Text(", and their matrix product is undefined (inner dimensions "),
        Dim(inner_left),
        Text(" and "),
        Dim(inner_right),
        Text(" differ), so only the element-wise product fits"),
    ]
    z_scalar = scalars.z
    if act.is_identity:
        out += [Text("; "), Prime(act.name, act.latex), Text(" = 1, so the upstream gradient")]
        out += [Text(" passes through unchanged")]
    elif lifts_derivative(act):
        derivative = act.cached_derivative
        out += [Text("; "), Prime(act.name, act.latex, z_scalar), Rel()]
        out.append(math(derivative, scalar_text(derivative)))
        if act.derivative_uses_a:
            out += [Text(", read from the cached "), math(a)]
    else:
        out += [Text("; "), Prime(act.name, act.latex, z_scalar), Rel()]
        out += [math(act.derivative, scalar_text(act.derivative)), Text(", from the cached ")]
        out.append(math(z))
    if algebra:
        out += [Text(". Scalar algebra inside ⊙: "), *algebra]
    return tuple(out)


def softmax_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """a = softmax(z) per column: dJ/dz = S^T g with S = diag(a) - a a^T, symmetric."""
    z = node.args[0]
    assert isinstance(z, MatrixSymbol)
    a, y = up.value, ctx.graph.y
    n = z.shape[0]
    col = Operand("g", MatrixSymbol("g", n, 1), (n, 1))
    jac = Operand("S", MatrixSymbol("S", n, n), (n, n))
    a_col = MatrixSymbol("a", n, 1)  # one column of the activation
    candidates = [
        c
        if not (c.fits and c.text == "S g")
        else dataclasses.replace(
            c,
            equal="S^T g",
            notes=(
                Text("equal to "),
                math(jac.expr.T * col.expr, "S^T g"),
                Text(", because S is symmetric ("),
                math(sp.Eq(jac.expr, jac.expr.T, evaluate=False), "S = S^T"),
                Text(")"),
            ),
        )
        for c in bilinear_candidates(col, jac, (n, 1))
    ]
    select(candidates, f"dJ/d{z.name}", ("@", jac.T, col))  # the rule: S^T g
    shape = _shape(z)
    expr, chain, shown = _softmax_product(ctx, node, up, a, y, shape, z)
    segments: list[Segment] = [
        math(a),
        Rel(),
        math(node.expr, f"softmax({z.name})"),
        Text(" mixes the units of each example: per column, with g the column of "),
        Grad(a),
        Text(" ("),
        ShapeOf((n, sp.Integer(1))),
        Text(") and a the column of "),
        math(a),
        Text(", the Jacobian "),
        math(jac.expr, "S"),
        Text(" = da/dz = "),
        math(sp.DiagMatrix(a_col) - a_col * a_col.T, "diag(a) - a a^T"),
        Text(" is "),
        ShapeOf((n, n)),
        Text("; "),
        math(jac.expr.T * col.expr, "S^T g"),
        Text(" fits, and "),
        math(jac.expr * col.expr, "S g"),
        Text(" is the same vector because S is symmetric, giving "),
        math(
            HadamardProduct(a_col, col.expr - OneMatrix(n, 1) * (a_col.T * col.expr)),
            "a ⊙ (g - 1 (a^T g))",
        ),
    ]
    if chain:
        segments.append(Text("; the scalar algebra then cancels, using the assumption above"))
    return [
        Contribution(
            to=z,
            expr=expr,
            rule=Rule.SOFTMAX,
            label=f"dJ/d{z.name}",
            segments=tuple(segments),
            candidates=tuple(candidates),
            uses=(a.name, y.name),
            algebra=chain,
            algebra_segments=shown,
        )
    ]


def _softmax_product(
    ctx: Context,
    node: Node,
    up: Adjoint,
    a_l: MatrixSymbol,
    y: MatrixSymbol,
    shape: Shape,
    z: MatrixSymbol,
) -> tuple[Any, tuple[Any, ...], tuple[Segment, ...]]:
    a, y_s, s = scalars.a, scalars.y, scalars.s
    loss = ctx.graph.loss
    if up.scalar is not None:
        dl = up.scalar.dl
        weighted = bounded_simplify(a * dl)  # a_k g_k, per unit
        if weighted.free_symbols <= {y_s} and bounded_simplify(weighted.diff(y_s, 2)) == 0:
            # sum_j a_j g_j = (d weighted / dy) * sum_j y_j when weighted is linear in y
            column_sum = weighted.diff(y_s) * s + weighted.subs(y_s, 0)
            raw = weighted - a * column_sum
            j, k, n = sp.symbols("j k n", integer=True, positive=True)
            per_unit = sp.Indexed("a", j) * sp.Indexed("g", j)
            column = a * (sp.Symbol("g", real=True) - sp.Sum(per_unit, (j, 1, n)))
            targets = sp.Sum(sp.Indexed("y", k), (k, 1, n))
            shown: list[Segment] = [
                math(column, "a ⊙ (g - sum_j a_j g_j)"),
                Rel(),
                math(raw),
                Text(" with "),
                math(sp.Eq(s, targets, evaluate=False), "s = sum_k y_k"),
            ]
            with_s = raw
            assume: dict[Any, Any] = {}
            if loss.assumption:
                ctx.state(
                    Step(
                        target="s = 1^T " + y.name,
                        expr=OneMatrix(1, ctx.m),
                        shape=(sp.Integer(1), ctx.m),
                        rule=Rule.ASSUMPTION,
                        candidates=(),
                        segments=(
                            Text(f"assumption stated by the {loss.name} loss: {loss.assumption}"),
                        ),
                        layer=ctx.layer(z),
                        uses=(y.name,),
                        assumption=loss.assumption,
                    )
                )
                assume = {s: sp.Integer(1)}
                raw = raw.subs(s, 1)
            final = bounded_simplify(raw)
            if s not in final.free_symbols and is_liftable(final):
                chain: tuple[Any, ...] = (with_s, final)
                if s in with_s.free_symbols:
                    shown += [Text("; "), math(sp.Eq(s, 1, evaluate=False), "s = 1")]
                    shown += [Text(" by the stated assumption, so "), math(with_s)]
                shown += [Rel(), math(final)]
                verify_chain(chain, assume)
                lifted = lift(final, {a: a_l, y_s: y}, shape)
                expr = (1 / ctx.m) * lifted if ctx.batch else lifted
                return expr, chain, tuple(shown)
    n = z.shape[0]
    ones_col = OneMatrix(n, 1)
    inner = HadamardProduct(a_l, up.expr)
    return HadamardProduct(a_l, up.expr - ones_col * (ones_col.T * inner)), (), ()


# -- linear nodes: a sum of a product and a (broadcast) bias -------------------------------------
def sum_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """z = t1 + t2 + ...: each term receives dJ/dz itself; its own kind says what follows."""
    out: list[Contribution] = []
    for term in node.args:
        if isinstance(term, MatrixSymbol):
            out += _direct_term(ctx, term, up)
        else:
            out += TERM_RULES[term.kind](ctx, term, up)
    return out


def _direct_term(ctx: Context, b: MatrixSymbol, up: Adjoint) -> list[Contribution]:
    """z = ... + b with b of z's shape (a single example's bias): dJ/db = dJ/dz."""
    z, shape = up.value, _shape(b)
    delta = up.label
    return [
        Contribution(
            to=b,
            expr=up.expr,
            rule=Rule.BIAS,
            label=delta,
            segments=(
                math(z),
                Text(" = ... + "),
                math(b),
                Text(" adds "),
                math(b),
                Text(" directly, so "),
                Grad(b),
                Rel(),
                math(up.expr, delta),
                Text(", "),
                ShapeOf(shape),
                Text(" like "),
                math(b),
                Text("; a single example needs no sum over columns"),
            ),
        )
    ]


def broadcast_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """b 1_m^T repeats the column b over the m columns: dJ/db = dJ/dz 1_m, a sum over them."""
    (b,) = node.args
    assert isinstance(b, MatrixSymbol)
    b_shape = _shape(b)
    ones = Operand("1_m", OneMatrix(1, ctx.m), (sp.Integer(1), ctx.m), transposed=True)
    upstream = up.operand
    candidates = bilinear_candidates(upstream, ones, b_shape)
    chosen = select(candidates, f"dJ/d{b.name}", ("@", upstream, ones.T))  # the rule: G 1_m
    return [
        Contribution(
            to=b,
            expr=chosen.expr,
            rule=Rule.BIAS,
            label=chosen.text,
            segments=(
                math(b),
                Text(" is broadcast over the batch as "),
                math(node.expr, f"{b.name} 1_m^T"),
                Text("; "),
                Grad(b),
                Text(" must be "),
                ShapeOf(b_shape),
                Text(" and only "),
                math(chosen.expr, chosen.text),
                Text(" is: the sum of "),
                math(up.expr, up.label),
                Text(" over its m columns"),
            ),
            candidates=tuple(candidates),
        )
    ]


def product_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """z = W a + ...: dJ/dW and dJ/da, each the one product of dJ/dz and the other factor
    (with transposes) that has the shape of what it differentiates."""
    w, prev = node.args
    assert isinstance(w, MatrixSymbol) and isinstance(prev, MatrixSymbol)
    z = up.value
    d_op = up.operand
    head = (math(z), Rel(), math(node.expr, f"{w.name} {prev.name}"), Text(" + ...; "))
    out = []
    w_shape = _shape(w)
    a_op = Operand(prev.name, prev, _shape(prev))
    candidates = bilinear_candidates(d_op, a_op, w_shape)
    chosen = select(candidates, f"dJ/d{w.name}", ("@", d_op, a_op.T))  # the rule: G a^T
    out.append(
        Contribution(
            to=w,
            expr=chosen.expr,
            rule=Rule.BILINEAR,
            label=chosen.text,
            segments=(
                *head,
                Grad(w),
                Text(" must have the shape of "),
                math(w),
                Text(", "),
                ShapeOf(w_shape),
                Text(". "),
                math(up.expr, up.label),
                Text(" is "),
                ShapeOf(up.shape),
                Text(" and "),
                math(prev),
                Text(" is "),
                ShapeOf(_shape(prev)),
                Text(f"; of the {len(candidates)} arrangements only "),
                math(chosen.expr, chosen.text),
                Text(" is "),
                ShapeOf(w_shape),
                *((Text(" (the product sums over the m examples)"),) if ctx.batch else ()),
            ),
            candidates=tuple(candidates),
            uses=(prev.name,),
        )
    )
    if prev.name in ctx.graph.data:
        return out  # no gradient for the data
    target = _shape(prev)
    w_op = Operand(w.name, w, w_shape)
    candidates = bilinear_candidates(d_op, w_op, target)
    chosen = select(candidates, f"dJ/d{prev.name}", ("@", w_op.T, d_op))  # the rule: W^T G
    out.append(
        Contribution(
            to=prev,
            expr=chosen.expr,
            rule=Rule.BILINEAR,
            label=chosen.text,
            segments=(
                *head,
                Grad(prev),
                Text(" must have the shape of "),
                math(prev),
                Text(", "),
                ShapeOf(target),
                Text(". "),
                math(w),
                Text(" is "),
                ShapeOf(w_shape),
                Text(" and "),
                math(up.expr, up.label),
                Text(" is "),
                ShapeOf(up.shape),
                Text("; only "),
                math(chosen.expr, chosen.text),
                Text(" is "),
                ShapeOf(target),
                Text(". "),
                math(up.expr, up.label),
                Text(" is reused from the step before, not recomputed"),
            ),
            candidates=tuple(candidates),
        )
    )
    return out


#: the rule of each kind that defines a named value (the engine dispatches on this table)
VALUE_RULES: dict[Kind, Callable[[Context, Node, Adjoint], list[Contribution]]] = {
    Kind.SUM: sum_rule,
    Kind.ELEMENTWISE: elementwise_rule,
    Kind.SOFTMAX: softmax_rule,
}
#: ... of each kind that appears as a term of a sum
TERM_RULES: dict[Kind, Callable[[Context, Node, Adjoint], list[Contribution]]] = {
    Kind.PRODUCT: product_rule,
    Kind.BROADCAST: broadcast_rule,
}
#: ... and of each kind the cost is made of
COST_RULES: dict[Kind, Callable[[Context, Node], list[Contribution]]] = {
    Kind.LOSS: loss_rule,
    Kind.PENALTY: penalty_rule,
}
