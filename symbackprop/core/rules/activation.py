"""The activations' rules: element-wise (G ⊙ g'(z)) and softmax (S^T g per column)."""

from __future__ import annotations

import dataclasses
import functools
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
from symbackprop.core.graph import Node
from symbackprop.core.lift import hadamard_factors, is_liftable, lift
from symbackprop.core.rules.base import (
    Adjoint,
    Context,
    Contribution,
    Shape,
    shape_of,
)
from symbackprop.core.segments import (
    Dim,
    Grad,
    Prime,
    Rel,
    Segment,
    ShapeOf,
    Text,
    math,
)
from symbackprop.core.steps import Rule
from symbackprop.core.textprint import text as expr_text
from symbackprop.records import scalars
from symbackprop.records.activations import Activation
from symbackprop.records.nodes import activation_of, derivative_of

#: an activation's derivative as text, printed once per activation rather than once per layer
scalar_text = functools.lru_cache(maxsize=256)(expr_text)


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
    shape = shape_of(z)
    d_scalar, d_matrix, uses = _derivative_factor(act, z, a, shape)
    factor = Operand(f"{act.name}'({z.name})", d_matrix, shape, Prime(act.name, act.latex, z))
    upstream = up.operand
    candidates = elementwise_candidates(upstream, factor, shape)
    select(candidates, f"dJ/d{z.name}", ("⊙", upstream, factor))  # the rule: G ⊙ g'(z)
    expr, algebra, algebra_segments, uses = _elementwise_product(
        ctx, act, z, a, up, d_scalar, d_matrix, uses
    )
    mean = (1 / ctx.m) if ctx.batch else None
    segments = _elementwise_reason(act, z, a, candidates, algebra_segments, mean)
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
    shape = shape_of(z)
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
                math(chain[0], f"({scalar_text(dl)}) * ({scalar_text(d_scalar)})"),
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
    mean: Any = None,
) -> tuple[Segment, ...]:
    shape = shape_of(z)
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
        # the algebra itself is the step's own line (algebra_segments), printed beside this
        # reason by every printer: said once there, pointed to here (it was said twice)
        out += [Text("; the scalar algebra inside ⊙ then simplifies the product")]
        if mean is not None:  # the algebra line is per entry of dL/da (hostile42b #2)
            out += [Text(", and the batch mean's "), math(mean, "1/m")]
            out += [Text(" stays a factor of every entry")]
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
    z_col = MatrixSymbol("z", n, 1)  # and of its argument
    candidates = [
        c
        if not (c.fits and c.text == "S g")
        else dataclasses.replace(
            c,
            equal="S^T g",
            notes=(
                Text("equal to "),
                math(jac.expr.T * col.expr, "S^T g"),
                Text(", because "),
                math(jac.expr, "S"),
                Text(" is symmetric ("),
                math(sp.Eq(jac.expr, jac.expr.T, evaluate=False), "S = S^T"),
                Text(")"),
            ),
        )
        for c in bilinear_candidates(col, jac, (n, 1))
    ]
    select(candidates, f"dJ/d{z.name}", ("@", jac.T, col))  # the rule: S^T g
    shape = shape_of(z)
    expr, chain, shown, general = _softmax_product(ctx, up, a, y, shape, z)
    segments: list[Segment] = [
        math(a),
        Rel(),
        math(node.expr, f"softmax({z.name})"),
        # the letters are mathematics too (set as math in LaTeX: newcomer27 #11)
        Text(" mixes the units of each example: per column, with "),
        math(col.expr, "g"),
        Text(" the column of "),
        Grad(a),
        Text(" ("),
        ShapeOf((n, sp.Integer(1))),
        Text(") and "),
        math(a_col, "a"),
        Text(" the column of "),
        math(a),
        Text(", the Jacobian of "),
        math(a_col, "a"),
        Text(" in "),
        math(z_col, "z"),
        Text(", "),
        math(jac.expr, "S"),
        Text(" = "),  # a definition: S names the Jacobian (no Rel, which is an equation)
        math(sp.DiagMatrix(a_col) - a_col * a_col.T, "diag(a) - a a^T"),
        Text(", is "),
        ShapeOf((n, n)),
        Text("; "),
        math(jac.expr.T * col.expr, "S^T g"),
        Text(" fits, and "),
        math(jac.expr * col.expr, "S g"),
        Text(" is the same vector because "),
        math(jac.expr, "S"),
        Text(" is symmetric, giving "),
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
            general=general,
        )
    ]


def _softmax_product(
    ctx: Context,
    up: Adjoint,
    a_l: MatrixSymbol,
    y: MatrixSymbol,
    shape: Shape,
    z: MatrixSymbol,
) -> tuple[Any, tuple[Any, ...], tuple[Segment, ...], Any]:
    """dJ/dz, its verified scalar chain and how that is shown, and dJ/dz before the loss's
    stated assumption (for any target: the column sum s kept, lifted as ``1 1^T y``), or
    ``None`` where none was used."""
    a, y_s, s = scalars.a, scalars.y, scalars.s
    loss = ctx.graph.loss
    if up.scalar is not None:
        dl = up.scalar.dl
        weighted = bounded_simplify(a * dl)  # a_k g_k, per unit
        if weighted.free_symbols <= {y_s} and bounded_simplify(weighted.diff(y_s, 2)) == 0:
            # sum_j a_j g_j = (d weighted / dy) * sum_j y_j when weighted is linear in y
            column_sum = weighted.diff(y_s) * s + weighted.subs(y_s, 0)
            raw = weighted - a * column_sum
            # g, a column of dJ/dA, is dL/da over m in batch form (J is the mean): the chain
            # shown carries that 1/m (it was a s - y for (a s - y)/m: hostile reader 23)
            per = 1 / ctx.m if ctx.batch else sp.Integer(1)
            j, k = sp.symbols("j k", integer=True, positive=True)
            n = z.shape[0]  # the layer's width, as the shapes name it (n1), not a bare n
            per_unit = sp.Indexed("a", j) * sp.Indexed("g", j)
            column = a * (sp.Symbol("g", real=True) - sp.Sum(per_unit, (j, 1, n)))
            targets = sp.Sum(sp.Indexed("y", k), (k, 1, n))
            shown: list[Segment] = [
                math(column, "a ⊙ (g - sum_j a_j g_j)"),
                Rel(),
                math(per * raw),
                Text(" with "),
                math(sp.Eq(s, targets, evaluate=False), "s = sum_k y_k"),
            ]
            with_s = raw
            assume: dict[Any, Any] = {s: sp.Integer(1)} if loss.assumption else {}
            final = bounded_simplify(raw.subs(assume))
            # before the assumption, for any target (None where it assumes nothing)
            general = _for_any_target(with_s, a_l, y, shape, ctx) if assume else None
            if (
                s not in final.free_symbols
                and is_liftable(final)
                and (general is not None or not assume)
            ):
                if assume:
                    ctx.state_assumption(loss, y, z)
                chain: tuple[Any, ...] = (per * with_s, per * final)
                if s in with_s.free_symbols:
                    shown += [Text("; "), math(sp.Eq(s, 1, evaluate=False), "s = 1")]
                    shown += [Text(" by the stated assumption, so "), math(chain[0])]
                shown += [Rel(), math(chain[1])]
                verify_chain(chain, assume)
                lifted = lift(final, {a: a_l, y_s: y}, shape)
                expr = (1 / ctx.m) * lifted if ctx.batch else lifted
                return expr, chain, tuple(shown), general
    n = z.shape[0]
    ones_col = OneMatrix(n, 1)
    inner = HadamardProduct(a_l, up.expr)
    return HadamardProduct(a_l, up.expr - ones_col * (ones_col.T * inner)), (), (), None


def _for_any_target(
    with_s: Any, a_l: MatrixSymbol, y: MatrixSymbol, shape: Shape, ctx: Context
) -> Any:
    """dJ/dz (``shape``) from the per-unit ``with_s`` (a, y and s, the column sum of y) with
    s kept: each row of a column reads its column's sum, ``1 1^T y`` (n x n ones times y),
    so ``(A ⊙ 1 1^T Y - Y) / m`` for ce; ``None`` where it does not lift entry by entry."""
    a, y_s, s = scalars.a, scalars.y, scalars.s
    general = bounded_simplify(with_s)
    if not is_liftable(general):
        return None
    verify_chain((with_s, general))  # for every value of s, not only 1
    n = y.shape[0]
    lifted = lift(general, {a: a_l, y_s: y, s: OneMatrix(n, n) * y}, shape)
    return (1 / ctx.m) * lifted if ctx.batch else lifted
