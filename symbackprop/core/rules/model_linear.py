"""The rules of a model's linear nodes: the cost's seed, c1 A1 + c2 A2 + ... (a column
broadcast over the m columns sums back over them), A B, s A (s 1 x 1) and A^T."""

from __future__ import annotations

import sympy as sp
from sympy import Identity, MatrixSymbol, OneMatrix, Transpose

from symbackprop.core.candidates import Operand, bilinear_candidates, choose
from symbackprop.core.graph import Node
from symbackprop.core.model_graph import LinearTerms
from symbackprop.core.rules.base import Adjoint, Context, Contribution, shape_of
from symbackprop.core.rules.model_base import (
    UNIT,
    active,
    decision,
    head,
    target,
)
from symbackprop.core.segments import Grad, Rel, Segment, ShapeOf, Text, math, notation
from symbackprop.core.steps import Rule


def seed_rule(ctx: Context, node: Node) -> list[Contribution]:
    """J is the cost: dJ/dJ = 1, where the reverse walk starts."""
    (cost,) = node.args
    assert isinstance(cost, MatrixSymbol)
    if not active(ctx, cost):
        return []
    segments = (
        math(cost),
        Text(" is the cost (the last equation, "),
        UNIT,
        Text("): "),
        Grad(cost),
        Rel(),
        math(sp.Integer(1), "1"),
        Text(", where the reverse walk starts"),
    )
    return [Contribution(cost, Identity(1), Rule.SEED, "1", segments)]


def linear_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = c1 A1 + c2 A2 + ... (+ a number): dJ/dAi = ci G, summed over the m columns
    (G 1_m) for a column broadcast over them."""
    record: LinearTerms = node.record
    out = up.value
    shown = head(ctx, out, node.expr, sp.sstr(node.expr))
    result = []
    for arg, coeff, broadcast in zip(
        node.args, record.coefficients, record.broadcast, strict=True
    ):
        assert isinstance(arg, MatrixSymbol)
        if not active(ctx, arg):
            continue
        if not broadcast:
            expr = coeff * up.expr
            segments = (
                *shown,
                math(arg),
                Text(" enters with coefficient "),
                math(coeff),
                Text(", entry by entry, so "),
                Grad(arg),
                Rel(),
                math(expr, f"{sp.sstr(coeff)} {up.label}" if coeff != 1 else up.label),
                Text(", of the shape of "),
                math(arg),
            )
            result.append(Contribution(arg, expr, Rule.LINEAR, up.label, segments))
            continue
        ones = Operand("1_m", OneMatrix(1, ctx.m), (sp.Integer(1), ctx.m), transposed=True)
        upstream = up.operand
        candidates = bilinear_candidates(upstream, ones, shape_of(arg))
        chosen, others = choose(candidates, f"dJ/d{arg.name}", ("@", upstream, ones.T))
        expr = coeff * chosen.expr
        why = (
            Text(
                "each column of the broadcast is the same column, so its gradient is the sum of "
                "the upstream's columns: "
            ),
            notation("G 1_m", r"G \mathbf{1}_{m}"),
        )
        segments = (
            *shown,
            math(arg),
            Text(" is broadcast over the m columns as "),
            math(arg * OneMatrix(1, ctx.m), f"{arg.name} 1_m^T"),
            Text(", coefficient "),
            math(coeff),
            Text("; "),
            *target(arg, up),
            *decision(chosen, others, candidates, why),
            Text(": the sum over the m columns"),
        )
        result.append(
            Contribution(arg, expr, Rule.BIAS, chosen.text, segments, candidates=tuple(candidates))
        )
    return result


def matmul_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = A B: dJ/dA = G B^T and dJ/dB = A^T G (from d(A B) = dA B + A dB)."""
    left, right = node.args
    assert isinstance(left, MatrixSymbol) and isinstance(right, MatrixSymbol)
    out = up.value
    shown = head(ctx, out, node.expr, f"{left.name} {right.name}")
    g = up.operand
    a_op = Operand(left.name, left, shape_of(left))
    b_op = Operand(right.name, right, shape_of(right))
    result = []
    if active(ctx, left):
        candidates = bilinear_candidates(g, b_op, shape_of(left))
        chosen, others = choose(candidates, f"dJ/d{left.name}", ("@", g, b_op.T))
        why: tuple[Segment, ...] = (
            Text("d("),
            math(node.expr, f"{left.name} {right.name}"),
            Text(") = d"),
            math(left),
            Text(" "),
            math(right),
            Text(" gives "),
            Grad(left),
            notation("_ik = sum_j G_ij ", r"{}_{ik} = \sum_{j} G_{ij}"),
            math(right),
            notation("_kj", "{}_{kj}"),
            Text(", which is "),
            notation("G ", "G"),
            math(Transpose(right), f"{right.name}^T"),
        )
        segments = (
            *shown,
            *target(left, up),
            Text(" and "),
            math(right),
            Text(" is "),
            *_shape(right),
            *decision(chosen, others, candidates, why),
        )
        result.append(
            Contribution(
                left,
                chosen.expr,
                Rule.BILINEAR,
                chosen.text,
                segments,
                candidates=tuple(candidates),
                uses=(right.name,),
            )
        )
    if active(ctx, right):
        candidates = bilinear_candidates(g, a_op, shape_of(right))
        chosen, others = choose(candidates, f"dJ/d{right.name}", ("@", a_op.T, g))
        why = (
            Text("d("),
            math(node.expr, f"{left.name} {right.name}"),
            Text(") = "),
            math(left),
            Text(" d"),
            math(right),
            Text(" gives "),
            Grad(right),
            notation("_kj = sum_i ", r"{}_{kj} = \sum_{i}"),
            math(left),
            notation("_ik G_ij", "{}_{ik} G_{ij}"),
            Text(", which is "),
            math(Transpose(left), f"{left.name}^T"),
            notation(" G", "G"),
        )
        segments = (
            *shown,
            *target(right, up),
            Text(" and "),
            math(left),
            Text(" is "),
            *_shape(left),
            *decision(chosen, others, candidates, why),
        )
        result.append(
            Contribution(
                right,
                chosen.expr,
                Rule.BILINEAR,
                chosen.text,
                segments,
                candidates=tuple(candidates),
                uses=(left.name,),
            )
        )
    return result


def _shape(symbol: MatrixSymbol) -> tuple[ShapeOf]:
    return (ShapeOf(shape_of(symbol)),)


def scale_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = s A with s 1 x 1: dJ/dA = s G and dJ/ds = sum of the entries of G ⊙ A."""
    s, a = node.args
    assert isinstance(s, MatrixSymbol) and isinstance(a, MatrixSymbol)
    out = up.value
    shown = head(ctx, out, node.expr, f"{s.name} {a.name}")
    rows, cols = shape_of(a)
    result = []
    if active(ctx, s):
        expr = OneMatrix(1, rows) * sp.HadamardProduct(up.expr, a) * OneMatrix(cols, 1)
        segments = (
            *shown,
            math(s),
            Text(" is "),
            UNIT,
            Text(
                " and multiplies every entry like a number, so its gradient is the "
                "sum over all entries of "
            ),
            math(sp.HadamardProduct(up.expr, a), f"{up.label} ⊙ {a.name}"),
            Text(": "),
            math(expr, f"1^T ({up.label} ⊙ {a.name}) 1"),
            Text(", "),
            UNIT,
            Text(" like "),
            math(s),
        )
        result.append(
            Contribution(s, expr, Rule.REDUCTION, "1^T (G ⊙ A) 1", segments, uses=(a.name,))
        )
    if active(ctx, a):
        expr = s[0, 0] * up.expr
        segments = (
            *shown,
            math(s),
            Text(" is "),
            UNIT,
            Text(" and multiplies every entry of "),
            math(a),
            Text(" like a number, so "),
            Grad(a),
            Rel(),
            math(expr, f"{s.name} {up.label}"),
            Text(" (a product with a "),
            UNIT,
            Text(" factor is no matrix product to arrange)"),
        )
        result.append(Contribution(a, expr, Rule.LINEAR, f"{s.name} G", segments, uses=(s.name,)))
    return result


def transpose_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = A^T: dJ/dA = G^T (entry (i, j) of A is entry (j, i) of out)."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    out = up.value
    expr = Transpose(up.expr)
    segments = (
        *head(ctx, out, node.expr, f"{a.name}^T"),
        Text("entry (i, j) of "),
        math(a),
        Text(" is entry (j, i) of "),
        math(out),
        Text(", so "),
        Grad(a),
        Rel(),
        math(expr, f"({up.label})^T"),
    )
    return [Contribution(a, expr, Rule.TRANSPOSE, f"({up.label})^T", segments)]
