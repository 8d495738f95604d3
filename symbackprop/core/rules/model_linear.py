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
    grad,
    grad_text,
    head,
    shown_math,
    target,
    text_of,
)
from symbackprop.core.segments import Math, Rel, Segment, ShapeOf, Text, notation, words_with_m
from symbackprop.core.steps import Rule
from symbackprop.core.textprint import scaled_text, unit


def seed_rule(ctx: Context, node: Node) -> list[Contribution]:
    """J is the cost: dJ/dJ = 1, where the reverse walk starts."""
    (cost,) = node.args
    assert isinstance(cost, MatrixSymbol)
    if not active(ctx, cost):
        return []
    segments = (
        shown_math(ctx, cost),
        Text(" is the cost (the last equation, "),
        UNIT,
        Text("): "),
        grad(ctx, cost),
        Rel(),
        shown_math(ctx, sp.Integer(1), "1"),
        Text(", where the reverse walk starts"),
    )
    return [Contribution(cost, Identity(1), Rule.SEED, "1", segments)]


def linear_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = c1 A1 + c2 A2 + ... (+ a number): dJ/dAi = ci G, summed over the m columns
    (G 1_m) for a column broadcast over them."""
    record: LinearTerms = node.record
    out = up.value
    shown = head(ctx, out, node.expr, None)
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
                shown_math(ctx, arg),
                Text(" enters with coefficient "),
                shown_math(ctx, coeff),
                Text(", entry by entry, so "),
                grad(ctx, arg),
                Rel(),
                # times the seed dJ/dJ = 1 it is the number alone: "0.3", not "0.3 1"
                shown_math(ctx, expr, None if unit(up.expr) else _times(coeff, up.label)),
                Text(", of the shape of "),
                shown_math(ctx, arg),
            )
            result.append(Contribution(arg, expr, Rule.LINEAR, up.label, segments))
            continue
        ones = Operand("1_m", OneMatrix(1, ctx.m), (sp.Integer(1), ctx.m), transposed=True)
        upstream = up.operand
        candidates = bilinear_candidates(upstream, ones, shape_of(arg))
        chosen, others = choose(candidates, grad_text(ctx, arg), ("@", upstream, ones.T))
        expr = coeff * chosen.expr
        why = (
            Text(
                "each column of the broadcast is the same column, so its gradient is the sum of "
                "the upstream's columns: "
            ),
            Math(up.expr, up.label),  # the upstream itself (G in the docstring)
            Text(" "),
            notation("1_m", r"\mathbf{1}_{m}"),
        )
        segments = (
            *shown,
            shown_math(ctx, arg),
            *words_with_m(" is broadcast over the m columns as "),
            shown_math(ctx, arg * OneMatrix(1, ctx.m), f"{text_of(ctx, arg)} 1_m^T"),
            Text(", coefficient "),
            shown_math(ctx, coeff),
            Text("; "),
            *target(ctx, arg, up),
            *decision(chosen, others, candidates, why),
            *words_with_m(": the sum over the m columns"),
        )
        result.append(
            Contribution(arg, expr, Rule.BIAS, chosen.text, segments, candidates=tuple(candidates))
        )
    return result


def _times(coeff: sp.Expr, label: str) -> str:
    """``coeff label`` as the printers write a coefficient: ``(1 + exp(2)) dJ/dJ`` and
    ``(3/2) exp(1) dJ/dh`` in brackets where the formula language needs them (``1 + exp(2)
    dJ/dJ`` would read the last term alone times the adjoint)."""
    return scaled_text(coeff, label)


def matmul_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = A B: dJ/dA = G B^T and dJ/dB = A^T G (from d(A B) = dA B + A dB)."""
    left, right = node.args
    assert isinstance(left, MatrixSymbol) and isinstance(right, MatrixSymbol)
    out = up.value
    shown = head(ctx, out, node.expr, f"{text_of(ctx, left)} {text_of(ctx, right)}")
    g = up.operand
    a_op = Operand(text_of(ctx, left), left, shape_of(left))
    b_op = Operand(text_of(ctx, right), right, shape_of(right))
    result = []
    if active(ctx, left):
        candidates = bilinear_candidates(g, b_op, shape_of(left))
        chosen, others = choose(candidates, grad_text(ctx, left), ("@", g, b_op.T))
        why: tuple[Segment, ...] = (
            Text("d("),
            shown_math(ctx, node.expr, f"{text_of(ctx, left)} {text_of(ctx, right)}"),
            Text(") = d"),
            shown_math(ctx, left),
            Text(" "),
            shown_math(ctx, right),
            Text(" gives "),
            grad(ctx, left),
            notation("_ik = sum_j (", r"{}_{ik} = \sum_{j} \bigl("),
            grad(ctx, out),
            notation(")_ij ", r"\bigr)_{ij}"),
            shown_math(ctx, right),
            notation("_kj", "{}_{kj}"),
            Text(", which is "),
            grad(ctx, out),
            Text(" "),
            shown_math(ctx, Transpose(right), f"{text_of(ctx, right)}^T"),
        )
        segments = (
            *shown,
            *target(ctx, left, up),
            Text(" and "),
            shown_math(ctx, right),
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
        chosen, others = choose(candidates, grad_text(ctx, right), ("@", a_op.T, g))
        why = (
            Text("d("),
            shown_math(ctx, node.expr, f"{text_of(ctx, left)} {text_of(ctx, right)}"),
            Text(") = "),
            shown_math(ctx, left),
            Text(" d"),
            shown_math(ctx, right),
            Text(" gives "),
            grad(ctx, right),
            notation("_kj = sum_i ", r"{}_{kj} = \sum_{i}"),
            shown_math(ctx, left),
            notation("_ik (", r"{}_{ik} \bigl("),
            grad(ctx, out),
            notation(")_ij", r"\bigr)_{ij}"),
            Text(", which is "),
            shown_math(ctx, Transpose(left), f"{text_of(ctx, left)}^T"),
            Text(" "),
            grad(ctx, out),
        )
        segments = (
            *shown,
            *target(ctx, right, up),
            Text(" and "),
            shown_math(ctx, left),
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
    shown = head(ctx, out, node.expr, f"{text_of(ctx, s)} {text_of(ctx, a)}")
    rows, cols = shape_of(a)
    result = []
    if active(ctx, s):
        expr = OneMatrix(1, rows) * sp.HadamardProduct(up.expr, a) * OneMatrix(cols, 1)
        segments = (
            *shown,
            shown_math(ctx, s),
            Text(" is "),
            UNIT,
            Text(
                " and multiplies every entry like a number, so its gradient is the "
                "sum over all entries of "
            ),
            shown_math(ctx, sp.HadamardProduct(up.expr, a), f"{up.label} ⊙ {text_of(ctx, a)}"),
            Text(": "),
            shown_math(ctx, expr, f"1^T ({up.label} ⊙ {text_of(ctx, a)}) 1"),
            Text(", "),
            UNIT,
            Text(" like "),
            shown_math(ctx, s),
        )
        result.append(
            Contribution(s, expr, Rule.REDUCTION, "1^T (G ⊙ A) 1", segments, uses=(a.name,))
        )
    if active(ctx, a):
        expr = s[0, 0] * up.expr
        segments = (
            *shown,
            shown_math(ctx, s),
            Text(" is "),
            UNIT,
            Text(" and multiplies every entry of "),
            shown_math(ctx, a),
            Text(" like a number, so "),
            grad(ctx, a),
            Rel(),
            shown_math(ctx, expr, f"{text_of(ctx, s)} {up.label}"),
            Text(" (a product with a "),
            UNIT,
            Text(" factor is no matrix product to arrange)"),
        )
        result.append(
            Contribution(a, expr, Rule.LINEAR, f"{text_of(ctx, s)} G", segments, uses=(s.name,))
        )
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
        *head(ctx, out, node.expr, f"{text_of(ctx, a)}^T"),
        Text("entry (i, j) of "),
        shown_math(ctx, a),
        Text(" is entry (j, i) of "),
        shown_math(ctx, out),
        Text(", so "),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr, f"({up.label})^T"),
    )
    return [Contribution(a, expr, Rule.TRANSPOSE, f"({up.label})^T", segments)]
