"""The rules of a model's reductions and matrix functions: sum (all entries), rowsum, the
losses of any two values, tr, det, logdet, inv and a hand-written log(sum(exp(.)))."""

from __future__ import annotations

import functools

import sympy as sp
from sympy import Determinant, Identity, Integer, Inverse, MatrixSymbol, OneMatrix, Transpose

from symbackprop.core.candidates import Operand, bilinear_candidates, choose
from symbackprop.core.graph import Node
from symbackprop.core.lift import lift
from symbackprop.core.model_rewrites import free_letter
from symbackprop.core.rules.base import Adjoint, Context, Contribution, shape_of
from symbackprop.core.rules.model_base import (
    UNIT,
    LossForm,
    active,
    arg_text,
    decision,
    grad,
    grad_text,
    head,
    scalar,
    shown_math,
    taken,
    target,
    text_of,
)
from symbackprop.core.segments import Rel, Text, notation, words_with_m
from symbackprop.core.steps import Rule
from symbackprop.records import scalars
from symbackprop.records.losses import Loss
from symbackprop.records.nodes import SoftmaxOfAll

_SQUARE = (
    "; shapes alone do not decide here: the argument is square, so G, its transpose and "
    "their products with it all have its shape; the rule's form follows from "
)
#: the same for a 1 x 1 result of a square argument (det, logdet): G is 1 x 1, so what shapes
#: cannot decide is between the argument's inverse and its transpose (hostile reader 22)
_SQUARE_TO_NUMBER = (
    "; shapes alone do not decide here: the argument is square, so its inverse and the "
    "transpose of that both have its shape; the rule's form follows from "
)


def total_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = sum(A) = 1^T A 1: every entry counts once, dJ/dA = g 1 1^T (g = dJ/dout)."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    expr = scalar(up) * OneMatrix(*shape_of(a))
    segments = (
        *head(ctx, up.value, node.expr, f"sum({arg_text(ctx, a)})"),
        Text("every entry of "),
        shown_math(ctx, a),
        Text(" adds to the sum once, so "),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr),
        Text(", the "),
        UNIT,
        Text(" adjoint repeated over the shape of "),
        shown_math(ctx, a),
    )
    return [Contribution(a, expr, Rule.REDUCTION, "g 1 1^T", segments)]


def rowsum_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = rowsum(A) = A 1_c: dJ/dA = G 1_c^T, each row's adjoint repeated over its columns."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    cols = a.shape[1]
    ones = Operand("1", OneMatrix(cols, 1), (cols, Integer(1)))
    g = up.operand
    candidates = bilinear_candidates(g, ones, shape_of(a))
    chosen, others = choose(candidates, grad_text(ctx, a), ("@", g, ones.T))
    why = (
        Text("entry (i, j) of "),
        shown_math(ctx, a),
        Text(" adds to entry i of the row sums only, so it receives entry i of "),
        grad(ctx, up.value),
    )
    segments = (
        *head(ctx, up.value, node.expr, f"rowsum({arg_text(ctx, a)})"),
        Text("each entry of a row adds to that row's sum once; "),
        *target(ctx, a, up),
        *decision(chosen, others, candidates, why),
        Text(": each row's adjoint repeated over the columns of "),
        shown_math(ctx, a),
    )
    return [
        Contribution(
            a, chosen.expr, Rule.REDUCTION, chosen.text, segments, candidates=tuple(candidates)
        )
    ]


def loss_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = L(A, Y) summed over the entries (over m in batch form: the mean of the columns'
    losses): dJ/dA = g (1/m) dL/da entry by entry."""
    record: Loss = node.record
    a, y = node.args
    assert isinstance(a, MatrixSymbol) and isinstance(y, MatrixSymbol)
    if not active(ctx, a):
        return []
    shape = shape_of(a)
    dl = record.derivative
    entrywise = lift(dl, {scalars.a: a, scalars.y: y}, shape)
    coeff = scalar(up) / ctx.m if ctx.batch else scalar(up)
    expr = coeff * entrywise
    # the examples are the columns of the argument, or its rows (X : m x n, Y : m x 1)
    along = "rows" if a.shape[0] == ctx.m and a.shape[1] != ctx.m else "columns"
    mean = f"the mean over the m {along} of " if ctx.batch else ""
    segments = (
        *head(ctx, up.value, node.expr, f"{record.name}({arg_text(ctx, a)}, {arg_text(ctx, y)})"),
        *words_with_m(f"{mean}{record.description}, a sum over the entries of "),
        shown_math(ctx, record.formula),
        Text("; each entry's term depends on its own entry only, so "),
        grad(ctx, a),
        Text(" is taken entry by entry: "),
        notation("dL/da", r"\partial L / \partial a"),
        Rel(),
        shown_math(ctx, dl),
        *(
            (Text(", times "), notation("1/m", r"\tfrac{1}{m}"), Text(" for the mean"))
            if ctx.batch
            else ()
        ),
        Text(", of the shape of "),
        shown_math(ctx, a),
    )
    return [
        Contribution(
            a,
            expr,
            Rule.LOSS,
            grad_text(ctx, a),
            tuple(s for s in segments if not (isinstance(s, Text) and not s.text)),
            uses=(a.name, y.name),
            scalar=LossForm(dl, y, coeff, record),
        )
    ]


def trace_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = tr(A): dJ/dA = g I."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    expr = scalar(up) * Identity(a.shape[0])
    segments = (
        *head(ctx, up.value, node.expr, f"tr({arg_text(ctx, a)})"),
        Text("only the diagonal entries add to the trace, so "),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr),
    )
    return [Contribution(a, expr, Rule.MATRIX_FUNCTION, "g I", segments)]


def det_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = det(A): dJ/dA = g det(A) A^-T (Jacobi's formula)."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    expr = scalar(up) * Determinant(a) * Transpose(Inverse(a))
    segments = (
        *head(ctx, up.value, node.expr, f"det({arg_text(ctx, a)})"),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr, f"{up.label} det({arg_text(ctx, a)}) inv({arg_text(ctx, a)})^T"),
        Text(_SQUARE_TO_NUMBER + "Jacobi's formula "),
        notation(
            "d det(A) = det(A) tr(A^-1 dA)",
            r"d \det A = \det A \, \operatorname{tr}(A^{-1} \, dA)",
        ),
        # true only where A has an inverse; the gradient adj(A)^T exists at every A, but this
        # form (and the code written from it) has no value at a singular one (hostile27 #1)
        Text(", for an invertible "),
        shown_math(ctx, a),
        Text(" (at a singular one the gradient is the transposed adjugate, which this form "),
        Text("cannot evaluate)"),
    )
    # det(A) is the cached value itself, which the code reads, and so is A, inverted (a
    # parameter is left out of the list by the engine; hostile42b #6 missed inv(X) here)
    uses = (up.value.name, a.name)
    return [Contribution(a, expr, Rule.MATRIX_FUNCTION, "g det(A) A^-T", segments, uses=uses)]


def logdet_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = log det(A): dJ/dA = g A^-T."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    expr = scalar(up) * Transpose(Inverse(a))
    segments = (
        *head(ctx, up.value, node.expr, f"logdet({arg_text(ctx, a)})"),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr, f"{up.label} inv({arg_text(ctx, a)})^T"),
        Text(_SQUARE_TO_NUMBER),
        notation("d log det(A) = tr(A^-1 dA)", r"d \log\det A = \operatorname{tr}(A^{-1} \, dA)"),
    )
    # the code inverts the cached A (a parameter is left out of the list by the engine)
    return [Contribution(a, expr, Rule.MATRIX_FUNCTION, "g A^-T", segments, uses=(a.name,))]


def logsumexp_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = log(sum(exp(A))) over every entry: dJ/dA = g exp(A) / sum(exp(A)) (a softmax of
    all the entries at once; each backend computes it with max(A) subtracted first)."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    _derivative_checked()
    letter = free_letter("u", taken(ctx))
    expr = scalar(up) * SoftmaxOfAll(a)
    shown = text_of(ctx, a)
    segments = (
        *head(ctx, up.value, node.expr, f"log(sum(exp({arg_text(ctx, a)})))"),
        Text("each entry of "),
        shown_math(ctx, a),
        Text(" is in the sum once, and "),
        # in a letter the model does not use (a model's own u is another value: review43 #5)
        notation(
            _DERIVATIVE_TEXT.replace("{u}", letter), _DERIVATIVE_LATEX.replace("{u}", letter)
        ),
        Text(", so "),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr, f"{up.label} exp({shown})/sum(exp({shown}))"),
        Text(", of the shape of "),
        shown_math(ctx, a),
    )
    return [Contribution(a, expr, Rule.REDUCTION, "g exp(A)/sum(exp(A))", segments)]


#: the derivative in a letter ``{u}`` that is none of the model's names (:func:`free_letter`)
_DERIVATIVE_TEXT = "d/d{u}_k log(sum_i exp({u}_i)) = exp({u}_k)/sum_i exp({u}_i)"
_DERIVATIVE_LATEX = (
    r"\frac{\partial}{\partial {u}_k} \log \sum_i e^{{u}_i} = "
    r"\frac{e^{{u}_k}}{\sum_i e^{{u}_i}}"
)


@functools.cache
def _derivative_checked() -> None:
    """The derivative the step states, checked by SymPy's diff once (on three entries)."""
    u = sp.symbols("u1:4", real=True)
    exps = [sp.exp(v) for v in u]
    if sp.simplify(sp.diff(sp.log(sp.Add(*exps)), u[0]) - exps[0] / sp.Add(*exps)) != 0:
        raise ArithmeticError(f"{_DERIVATIVE_TEXT.replace('{u}', 'u')} does not hold")


def inverse_rule(ctx: Context, node: Node, up: Adjoint) -> list[Contribution]:
    """out = inv(A): dJ/dA = -A^-T G A^-T (from d(A^-1) = -A^-1 dA A^-1)."""
    (a,) = node.args
    assert isinstance(a, MatrixSymbol)
    if not active(ctx, a):
        return []
    out = up.value
    expr = -Transpose(out) * up.expr * Transpose(out)
    segments = (
        *head(ctx, out, node.expr, f"inv({arg_text(ctx, a)})"),
        grad(ctx, a),
        Rel(),
        shown_math(ctx, expr, f"-{text_of(ctx, out)}^T {up.label} {text_of(ctx, out)}^T"),
        Text(_SQUARE),
        notation("d(A^-1) = -A^-1 dA A^-1", r"d(A^{-1}) = -A^{-1} \, dA \, A^{-1}"),
    )
    return [Contribution(a, expr, Rule.MATRIX_FUNCTION, "-B^T G B^T", segments, uses=(out.name,))]
