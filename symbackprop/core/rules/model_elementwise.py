"""The rules of a model's element-wise nodes: A ⊙ B (a column broadcast over the m columns
sums back over them), f(A) entry by entry (G ⊙ f'(A)) and softmax of each column."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from symbackprop.core.algebra import bounded_simplify, lifts_derivative, verify_chain
from symbackprop.core.candidates import Operand, choose, elementwise_candidates
from symbackprop.core.graph import Node
from symbackprop.core.lift import is_liftable, lift
from symbackprop.core.model_graph import Broadcast, ElementFunction
from symbackprop.core.rules.base import Adjoint, Context, Contribution, shape_of
from symbackprop.core.rules.model_base import (
    LossForm,
    active,
    decision,
    head,
    target,
)
from symbackprop.core.segments import Grad, Prime, Rel, Segment, Text, math, notation
from symbackprop.core.steps import Rule, Step
from symbackprop.records import scalars
from symbackprop.records.nodes import T as _T

#: how the variable of an element-wise derivative is shown
_SHOWN = sp.Symbol("t", real=True)

_ENTRYWISE_WHY = (
    "entry (i, j) of the result depends on entry (i, j) of the argument only, so the chain "
    "rule multiplies entry by entry"
)


def _spread(symbol: MatrixSymbol, broadcast: bool, cols: Any) -> Operand:
    """The operand as the product reads it: a broadcast column as ``b 1_m^T``."""
    if not broadcast:
        return Operand(symbol.name, symbol, shape_of(symbol))
    spread = symbol * OneMatrix(1, cols)
    return Operand(f"{symbol.name} 1_m^T", spread, (symbol.shape[0], cols))


def hadamard_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = A ⊙ B: dJ/dA = G ⊙ B (summed over the m columns when A is a broadcast column)."""
    record: Broadcast = node.record
    left, right = node.args
    assert isinstance(left, MatrixSymbol) and isinstance(right, MatrixSymbol)
    out = up.value
    cols = out.shape[1]
    shown = head(ctx, out, node.expr, f"{left.name} ⊙ {right.name}")
    pairs = (
        (left, right, record.broadcast[1], record.broadcast[0]),
        (right, left, record.broadcast[0], record.broadcast[1]),
    )
    result = []
    for to, other, other_spread, own_spread in pairs:
        if not active(ctx, to):
            continue
        factor = _spread(other, other_spread, cols)
        g = up.operand
        if own_spread:
            product = HadamardProduct(up.expr, factor.expr)
            expr = product * OneMatrix(cols, 1)
            segments = (
                *shown,
                math(to),
                Text(" is broadcast over the m columns, so "),
                Grad(to),
                Rel(),
                math(expr, f"({up.label} ⊙ {factor.name}) 1_m"),
                Text(": the entry-wise product summed over the m columns, "),
                *target(to, up),
            )
            result.append(Contribution(to, expr, Rule.BIAS, "(G ⊙ B) 1_m", segments))
            continue
        candidates = elementwise_candidates(g, factor, shape_of(to))
        chosen, others = choose(candidates, f"dJ/d{to.name}", ("⊙", g, factor))
        segments = (
            *shown,
            *target(to, up),
            *decision(chosen, others, candidates, _ENTRYWISE_WHY),
        )
        result.append(
            Contribution(
                to,
                chosen.expr,
                Rule.ELEMENTWISE,
                chosen.text,
                segments,
                candidates=tuple(candidates),
                uses=(other.name,),
            )
        )
    return result


def function_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = f(A) entry by entry: dJ/dA = G ⊙ f'(A) (f' = f for exp: the output itself)."""
    fn: ElementFunction = node.record
    (arg,) = node.args
    assert isinstance(arg, MatrixSymbol)
    if not active(ctx, arg):
        return []
    out = up.value
    shape = shape_of(arg)
    reuse = fn.derivative == fn.body  # exp: the cached output is its own derivative
    matrix = out if reuse else fn.apply_derivative(arg)
    latex = fn.activation.latex if fn.activation is not None else rf"\operatorname{{{fn.name}}}"
    factor = Operand(
        out.name if reuse else f"{fn.name}'({arg.name})",
        matrix,
        shape,
        None if reuse else Prime(fn.name, latex, arg),
    )
    g = up.operand
    candidates = elementwise_candidates(g, factor, shape)
    chosen, others = choose(candidates, f"dJ/d{arg.name}", ("⊙", g, factor))
    cancelled = _cancel(fn, arg, out, up)
    expr, algebra, shown = cancelled if cancelled is not None else (chosen.expr, (), ())
    segments = (
        *head(ctx, out, node.expr, f"{fn.name}({arg.name})"),
        *(
            (notation(fn.name, rf"t \mapsto t^{{{fn.name[1:]}}}"), Text(" acts"))
            if fn.name.startswith("^")  # a power, named by its exponent
            else (Text(f"{fn.name} acts"),)
        ),
        Text(" entry by entry with derivative "),
        math(fn.derivative.xreplace({_T: _SHOWN})),
        *(
            (Text(f" (= {fn.name} itself, so the cached "), math(out), Text(" is reused)"))
            if reuse
            else ()
        ),
        Text("; "),
        *target(arg, up),
        *decision(chosen, others, candidates, _ENTRYWISE_WHY),
    )
    uses = (out.name,) if reuse else (arg.name,)
    if cancelled is not None:
        segments = (
            *segments,
            Text("; the loss's "),
            notation("dL/da", r"\partial L / \partial a"),
            Text(" times the derivative, simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
        )
        assert isinstance(up.scalar, LossForm)
        uses = tuple(dict.fromkeys((*uses, out.name, up.scalar.target.name)))
    return [
        Contribution(
            arg,
            expr,
            Rule.ELEMENTWISE,
            chosen.text,
            segments,
            candidates=tuple(candidates),
            uses=uses,
            algebra=algebra,
            algebra_segments=shown,
        )
    ]


def _cancel(
    fn: ElementFunction, z: MatrixSymbol, a: MatrixSymbol, up: Adjoint
) -> tuple[Any, tuple[Any, ...], tuple[Segment, ...]] | None:
    """A loss's dL/da times an activation's g', simplified by SymPy on scalar symbols and
    lifted back (bce after sigmoid: a - y), when that makes it smaller; else ``None``.
    The cancellation is derived and its equality verified, never hard-coded."""
    act = fn.activation
    loss = up.scalar
    if act is None or not isinstance(loss, LossForm) or not lifts_derivative(act):
        return None
    derivative = act.cached_derivative
    product = loss.dl * derivative
    simpler = bounded_simplify(product)
    if not is_liftable(simpler) or sp.count_ops(simpler) >= sp.count_ops(product):
        return None
    chain = (sp.Mul(loss.dl, derivative, evaluate=False), simpler)
    verify_chain(chain)
    shown = (
        math(chain[0], f"({sp.sstr(loss.dl)}) * ({sp.sstr(derivative)})"),
        Rel(),
        math(simpler),
    )
    mapping = {scalars.a: a, scalars.z: z, scalars.y: loss.target}
    expr = loss.coeff * lift(simpler, mapping, shape_of(z))
    return expr, chain, shown


def softmax_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """S = softmax(Z) per column: dJ/dZ = S ⊙ (G - 1 1^T (S ⊙ G)), the Jacobian-vector
    product diag(s) - s s^T of each column."""
    (z,) = node.args
    assert isinstance(z, MatrixSymbol)
    if not active(ctx, z):
        return []
    s = up.value
    rows = z.shape[0]
    weighted = HadamardProduct(s, up.expr)
    expr = HadamardProduct(s, up.expr - OneMatrix(rows, rows) * weighted)
    segments = (
        *head(ctx, s, node.expr, f"softmax({z.name})"),
        Text("each column's Jacobian is "),
        notation("diag(s) - s s^T", r"\operatorname{diag}(s) - s s^{\top}"),
        Text(" (symmetric), so each column of "),
        Grad(z),
        Text(" is "),
        notation("s ⊙ (g - (s^T g) 1)", r"s \odot (g - (s^{\top} g) \mathbf{1})"),
        Text(": "),
        math(expr, f"{s.name} ⊙ ({up.label} - 1 1^T ({s.name} ⊙ {up.label}))"),
        Text(", of the shape of "),
        math(z),
    )
    cancelled = _cancel_softmax(ctx, z, s, up)
    algebra: tuple[Any, ...] = ()
    shown: tuple[Segment, ...] = ()
    if cancelled is not None:
        expr, algebra, shown = cancelled
        segments = (
            *segments,
            Text("; with the loss's "),
            notation("dL/da", r"\partial L / \partial a"),
            Text(", simplified on scalars: "),
            *shown,
            Text(", lifted back entry by entry"),
        )
    return [
        Contribution(
            z,
            expr,
            Rule.SOFTMAX,
            "S ⊙ (G - 1 1^T (S ⊙ G))",
            segments,
            uses=(s.name,),
            algebra=algebra,
            algebra_segments=shown,
        )
    ]


def _cancel_softmax(
    ctx: Context, z: MatrixSymbol, s: MatrixSymbol, up: Adjoint
) -> tuple[Any, tuple[Any, ...], tuple[Segment, ...]] | None:
    """softmax under a loss whose a_k dL/da_k is linear in y (ce: -y): each column gives
    a ⊙ (g - sum_j a_j g_j) = a (sum_k y_k) - y, which is a - y under the loss's stated
    assumption (each column of y sums to 1), stated as a step. ``None`` otherwise."""
    form = up.scalar
    if not isinstance(form, LossForm) or form.loss is None or not form.loss.assumption:
        return None
    a, y, total = scalars.a, scalars.y, scalars.s
    weighted = bounded_simplify(a * form.dl)
    if not weighted.free_symbols <= {y} or bounded_simplify(weighted.diff(y, 2)) != 0:
        return None
    raw = weighted - a * (weighted.diff(y) * total + weighted.subs(y, 0))
    final = bounded_simplify(raw.subs(total, 1))
    if total in final.free_symbols or not is_liftable(final):
        return None
    target = form.target
    ctx.state(
        Step(
            target="s = 1^T " + target.name,
            expr=OneMatrix(1, target.shape[1]),
            shape=(sp.Integer(1), target.shape[1]),
            rule=Rule.ASSUMPTION,
            candidates=(),
            segments=(
                Text(f"assumption stated by the {form.loss.name} loss: {form.loss.assumption}"),
            ),
            layer=ctx.layer(z),
            uses=(target.name,),
            assumption=form.loss.assumption,
        )
    )
    chain = (raw, final)
    verify_chain(chain, {total: sp.Integer(1)})
    shown = (
        math(raw),
        Text(" with "),
        notation("s = sum_k y_k", r"s = \sum_{k} y_{k}"),
        Text("; "),
        notation("s = 1", "s = 1"),
        Text(" by the stated assumption, so "),
        math(raw),
        Rel(),
        math(final),
    )
    expr = form.coeff * lift(final, {a: s, y: target}, shape_of(z))
    return expr, chain, shown
