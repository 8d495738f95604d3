"""What the rules of a model's nodes share: which arguments get a contribution, how a step
says whether shape analysis decided, and the contribution record itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import Basic, HadamardProduct, MatrixSymbol, OneMatrix, Transpose
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.candidates import Candidate
from symbackprop.core.model_graph import ModelGraph
from symbackprop.core.rules.base import Adjoint, Context, ScalarForm, shape_of
from symbackprop.core.segments import Grad, Math, Rel, Segment, ShapeOf, Text, math, notation
from symbackprop.core.textprint import text as expr_text

#: a 1 x 1 shape, named as a shape in a reason (printed in math by every printer)
UNIT = ShapeOf((1, 1))


def active(ctx: Context, symbol: MatrixSymbol) -> bool:
    """Whether ``symbol`` depends on a parameter (data and constants get no adjoint)."""
    graph = ctx.graph
    assert isinstance(graph, ModelGraph)
    return symbol.name in graph.active


def scalar(up: Adjoint) -> Any:
    """The entry of a 1 x 1 adjoint, which multiplies like a number (1 for dJ/dJ)."""
    return unit_entries(up.expr[0, 0])


def unit_entries(expr: Any) -> Any:
    """``expr`` with the entry of every 1 x 1 constant (``(1/200) I`` once dJ/dJ = I is
    substituted) written as the number it is."""
    return expr.replace(
        lambda e: isinstance(e, MatrixElement) and not e.parent.atoms(MatrixSymbol),
        lambda e: e.parent.as_explicit()[0, 0],
    )


def text_of(ctx: Context, symbol: Any) -> str:
    """A value's name in a reason's plain text: the model's own name, or the formula an
    internal value stands for (``(w^T h + c)``); never an internal name."""
    return ctx.graph.symbol_text(str(symbol.name))


def arg_text(ctx: Context, symbol: Any) -> str:
    """A value as a function's argument, inside the call's own brackets: ``W x + b``."""
    return ctx.graph.argument_text(str(symbol.name))


def shown_math(ctx: Context, expr: Any, text: str | None = None) -> Math:
    """``expr`` with its plain text: ``text`` when given (written with :func:`text_of`), else
    the plain-text printer's, with every internal value and adjoint symbol named as
    :func:`text_of` names it."""
    if text is not None:
        return Math(expr, text)
    if isinstance(expr, MatrixSymbol):
        return Math(expr, text_of(ctx, expr))
    if not isinstance(expr, Basic) or not any(
        str(s.name).startswith(("_", "dJ/d_")) for s in expr.atoms(MatrixSymbol)
    ):
        return math(expr)
    renamed = {
        s: MatrixSymbol(text_of(ctx, s), *s.shape)
        for s in expr.atoms(MatrixSymbol)
        if str(s.name).startswith(("_", "dJ/d_"))
    }
    return Math(expr, expr_text(expr.xreplace(renamed)))


def grad_text(ctx: Context, symbol: Any) -> str:
    """dJ/d(symbol) in plain text: ``dJ/dh``, ``dJ/d(w^T h + c)``."""
    return "dJ/d" + ctx.graph.target_text(str(symbol.name))


def grad(ctx: Context, symbol: MatrixSymbol) -> Grad:
    """dJ/d(symbol), saying what an internal value is: ``dJ/d(w^T h + c)``."""
    name = str(symbol.name)
    text = ctx.graph.target_text(name)
    return Grad(symbol, None if text == name else text)


def head(ctx: Context, out: MatrixSymbol, expr: Any, text: str | None) -> tuple[Segment, ...]:
    """``out = <its definition>; `` at the start of a reason, ``text`` written with
    :func:`text_of` (``None``: SymPy's, see :func:`shown_math`); an internal value reads as
    the formula it stands for (``(v^T h3) = v^T h3``: a printer may leave that out). A value
    the graph rewrote into a stable form names the identity (checked by SymPy) after it."""
    graph = ctx.graph
    identity = graph.rewrites.get(str(out.name)) if isinstance(graph, ModelGraph) else None
    by: tuple[Segment, ...] = ()
    if identity is not None:  # in letters that are none of the model's names and sizes
        by = (Text(" (as "), notation(*identity.shown(taken(ctx))), Text(")"))
    return (shown_math(ctx, out), Rel(), shown_math(ctx, expr, text), *by, Text("; "))


def taken(ctx: Context) -> set[str]:
    """A model's names and the names of its sizes: an identity stated beside them is stated in
    other letters (:func:`~symbackprop.core.model_rewrites.in_free_letters`)."""
    graph = ctx.graph
    model = graph.model if isinstance(graph, ModelGraph) else None
    return {*model.shapes, *model.dimensions} if model is not None else set()


def target(ctx: Context, to: MatrixSymbol, up: Adjoint) -> tuple[Segment, ...]:
    """``dJ/dA must be r x c like A; G is ...``."""
    return (
        grad(ctx, to),
        Text(" must be "),
        ShapeOf(shape_of(to)),
        Text(" like "),
        shown_math(ctx, to),
        Text("; "),
        Math(up.expr, up.label),
        Text(" is "),
        ShapeOf(up.shape),
    )


def decision(
    chosen: Candidate,
    others: list[Candidate],
    candidates: list[Candidate],
    why: str | tuple[Segment, ...],
) -> tuple[Segment, ...]:
    """Whether shape analysis left the rule's answer alone, said honestly; every arrangement
    and name is a segment of its own (a printer shows each in its notation)."""
    if not others:
        return (
            Text(f"; of the {len(candidates)} arrangements only "),
            Math(chosen.expr, chosen.text),
            Text(" has that shape"),
        )
    # arrangements that print as one value are one value: listed once (a 1 x 1 factor 1
    # simplified away made "X and X both have that shape": hostile reader 22)
    distinct: list[Candidate] = []
    keys = [*_value_keys(chosen.expr)]
    for other in others:
        own = _value_keys(other.expr)
        if not any(key in keys for key in own):
            keys.extend(own)
            distinct.append(other)
    because = (Text(why),) if isinstance(why, str) else why
    if not distinct:
        count = len(others) + 1
        return (
            Text("; both" if count == 2 else f"; all {count}"),
            Text(" arrangements with that shape are "),
            Math(chosen.expr, chosen.text),
            Text(" once simplified; the rule's form is right because "),
            *because,
        )
    others = distinct
    fits: list[Segment] = []
    for index, other in enumerate(others):  # A and B; A, B and C
        fits += [Text(" and " if index == len(others) - 1 else ", "), Math(other.expr, other.text)]
    return (
        Text("; shapes alone do not decide here: "),
        Math(chosen.expr, chosen.text),
        *fits,
        # a square factor (G or G^T beside it), a square result (a row times a column: the
        # product or its transpose's) or a 1 x 1 factor (it commutes) lets two of them fit
        Text(f" {'both' if len(others) == 1 else 'all'} have that shape (a square factor or "),
        Text("result, or a "),
        UNIT,
        Text(" factor, lets them fit); the rule's form is right because "),
        *because,
    )


def _value_keys(expr: Any) -> list[Any]:
    """The forms one value takes: ``expr`` as it prints (:func:`_one_by_one_free`) and, for a
    1 x 1 value, its transpose's, which is the same number (``G 1_m`` and ``1_m^T G^T`` for a
    1 x m G: "shapes alone do not decide" between them told a student one was wrong, hostile44b
    #2)."""
    keys = [_one_by_one_free(expr)]
    if tuple(expr.shape) == (1, 1):
        keys.append(_one_by_one_free(expr.T))
    return keys


def _one_by_one_free(expr: Any) -> Any:
    """``expr`` as its value prints: a 1 x 1 transpose is the value itself, and a 1 x 1
    identity or ones factor of an element-wise product is no factor (``I_1 ⊙ (1/u)`` prints
    as ``1/u``)."""

    def unit(node: Any) -> bool:
        return isinstance(node, (sp.Identity, OneMatrix)) and node.shape == (1, 1)

    def simpler(node: Any) -> Any:
        if isinstance(node, Transpose) and node.arg.shape == (1, 1):
            return node.arg
        if isinstance(node, HadamardProduct):
            kept = [a for a in node.args if not unit(a)]
            if len(kept) < len(node.args):
                return kept[0] if len(kept) == 1 else HadamardProduct(*kept)
        return node

    before = None
    while before != expr:  # to a fixed point: a removed factor can expose a transpose
        before, expr = expr, expr.replace(lambda n: simpler(n) is not n, simpler)
    return expr


@dataclass(frozen=True)
class LossForm(ScalarForm):
    """A loss's adjoint dJ/dA = ``coeff`` dL/da(A, ``target``) entry by entry, kept as scalar
    algebra so that the activation below it can cancel with it (sigmoid and bce: a - y)."""

    target: Any = None
    coeff: Any = 1
    loss: Any = None


@dataclass(frozen=True)
class FunctionForm(ScalarForm):
    """A function's adjoint dJ/dA = ``upstream`` ⊙ f'(a) entry by entry, with ``dl`` = f'(a)
    (log's 1/a, sqrt's 1/(2 sqrt(a))) kept as scalar algebra, so that the activation defining A
    can cancel with it (log of a sigmoid: (1/a) a(1 - a) = 1 - a, finite where the sigmoid
    rounds to 0). ``name`` is the function as the steps name it (``log``, ``(·)^(1/2)``)."""

    upstream: Any = None
    name: tuple[Segment, ...] = ()
