"""The linear nodes' rules: a sum passes dJ/dz to each term; a product W a gives G a^T and
W^T G; a column broadcast over the batch gives G 1_m (a sum over the columns)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import MatrixSymbol, OneMatrix

from symbackprop.core.candidates import (
    Operand,
    bilinear_candidates,
    select,
)
from symbackprop.core.graph import Kind, Node
from symbackprop.core.rules.base import (
    Adjoint,
    Context,
    Contribution,
    shape_of,
)
from symbackprop.core.segments import (
    Grad,
    Rel,
    ShapeOf,
    Text,
    math,
    words_with_m,
)
from symbackprop.core.steps import Rule


def sum_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """z = t1 + t2 + ...: each term receives dJ/dz itself; its own kind says what follows."""
    out: list[Contribution] = []
    for term in node.args:
        if isinstance(term, MatrixSymbol):
            out += _direct_term(term, up)
        else:
            out += TERM_RULES[term.kind](ctx, term, up)
    return out


def _direct_term(b: MatrixSymbol, up: Adjoint) -> list[Contribution]:
    """z = ... + b with b of z's shape (a single example's bias): dJ/db = dJ/dz."""
    z, shape = up.value, shape_of(b)
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
    b_shape = shape_of(b)
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
                *words_with_m(" over its m columns"),
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
    w_shape = shape_of(w)
    a_op = Operand(prev.name, prev, shape_of(prev))
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
                ShapeOf(shape_of(prev)),
                Text(f"; of the {len(candidates)} arrangements only "),
                math(chosen.expr, chosen.text),
                Text(" is "),
                ShapeOf(w_shape),
                *(words_with_m(" (the product sums over the m examples)") if ctx.batch else ()),
            ),
            candidates=tuple(candidates),
            uses=(prev.name,),
        )
    )
    if prev.name in ctx.graph.data:
        return out  # no gradient for the data
    target = shape_of(prev)
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
                Text(" is reused as computed above, not recomputed"),
            ),
            candidates=tuple(candidates),
        )
    )
    return out


#: the rule of each kind that defines a named value (the engine dispatches on this table)


#: the rule of each kind that appears as a term of a sum
TERM_RULES: dict[Kind, Callable[[Context, Node, Adjoint], list[Contribution]]] = {
    Kind.PRODUCT: product_rule,
    Kind.BROADCAST: broadcast_rule,
}
