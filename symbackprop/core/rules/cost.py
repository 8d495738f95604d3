"""The cost's rules: the loss (dJ/da entry by entry) and the weight-decay penalty."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.canonical import product
from symbackprop.core.graph import LAMBDA, Node
from symbackprop.core.lift import lift
from symbackprop.core.rules.base import (
    Context,
    Contribution,
    ScalarForm,
    shape_of,
)
from symbackprop.core.segments import (
    Grad,
    Math,
    Segment,
    ShapeOf,
    Text,
    math,
    notation,
    words_with_m,
)
from symbackprop.core.steps import Rule
from symbackprop.records import scalars


def loss_rule(ctx: Context, node: Node) -> list[Contribution]:
    """J = L(a, y) (the mean over the m columns in batch form): dJ/da entry by entry."""
    loss = node.record
    a_l, y = node.args
    assert isinstance(a_l, MatrixSymbol) and isinstance(y, MatrixSymbol)
    shape = shape_of(a_l)
    dl = loss.derivative
    upstream = lift(dl, {scalars.a: a_l, scalars.y: y, scalars.z: _z_of(ctx, a_l)}, shape)
    if ctx.batch:
        upstream = (1 / ctx.m) * upstream
    # the plain text reads as before; LaTeX, Markdown and the web page typeset the mathematics,
    # the loss as the Cost section writes it (\mathcal{L})
    loss_of = (math(a_l), notation(", ", ", "), math(y), notation(")", ")"))
    cost: tuple[Segment, ...] = (
        (
            notation("J = (1/m)", r"J = \frac{1}{m}"),
            *words_with_m(" sum over the m columns of "),
            notation("L(", r"\mathcal{L}("),
            *loss_of,
        )
        if ctx.batch
        else (notation("J = L(", r"J = \mathcal{L}("), *loss_of)
    )
    described: tuple[Segment, ...] = (
        Text(f", {loss.description}, a sum over the output units of "),
    )
    if getattr(ctx.graph.cost, "penalty", None) is not None:
        # J holds the weight decay too (hostile reader 23: "J = L(a2, y)" beside it was false)
        cost = (*cost, Text(" + the L2 penalty, which does not depend on "), math(a_l))
        described = (
            Text("; "),
            notation("L", r"\mathcal{L}"),
            Text(f" is {loss.description}, a sum over the output units of "),
        )
    segments = (
        *cost,
        *described,
        math(loss.formula),
        Text("; each unit's term depends on its own entry only, so "),
        Grad(a_l),
        Text(" is taken entry by entry: "),
        notation("dL/da = ", r"\partial \mathcal{L} / \partial a ="),
        math(dl),
        *(
            (Text("; the mean over the batch contributes "), notation("1/m", r"\tfrac{1}{m}"))
            if ctx.batch
            else ()
        ),
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
    # the text printer's name of LAMBDA, as its formulas show it (λ W3), not the symbol's
    penalty, added = ("(λ/2m)", "(λ/m)") if ctx.batch else ("(λ/2)", "λ")
    out = []
    for w in node.args:
        assert isinstance(w, MatrixSymbol)
        share = product(LAMBDA / ctx.m, w)
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
                    ShapeOf(shape_of(w)),
                    Text(" like "),
                    math(w),
                ),
            )
        )
    return out


def _z_of(ctx: Context, a_l: MatrixSymbol) -> Any:
    node = ctx.graph.nodes.get(a_l.name)
    return node.args[0] if node is not None else a_l
