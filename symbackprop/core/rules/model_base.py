"""What the rules of a model's nodes share: which arguments get a contribution, how a step
says whether shape analysis decided, and the contribution record itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sympy import MatrixSymbol
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.candidates import Candidate
from symbackprop.core.model_graph import ModelGraph
from symbackprop.core.rules.base import Adjoint, Context, ScalarForm, shape_of
from symbackprop.core.segments import Aside, Grad, Rel, Segment, ShapeOf, Text, math

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


def head(ctx: Context, out: MatrixSymbol, expr: Any, text: str) -> tuple[Segment, ...]:
    """``out = <its definition>; `` at the start of a reason; an internal value also says
    which part of its equation it is (``_t5 = _t4 + c 1_m^T, that is w^T h + c; ``)."""
    graph = ctx.graph
    assert isinstance(graph, ModelGraph)
    shown = graph.texts.get(out.name)
    that_is = (Aside(f", that is {shown}"),) if shown is not None and shown != text else ()
    return (math(out), Rel(), math(expr, text), *that_is, Text("; "))


def target(to: MatrixSymbol, up: Adjoint) -> tuple[Segment, ...]:
    """``dJ/dA must be r x c like A; G is ...``."""
    return (
        Grad(to),
        Text(" must be "),
        ShapeOf(shape_of(to)),
        Text(" like "),
        math(to),
        Text("; "),
        math(up.expr, up.label),
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
            math(chosen.expr, chosen.text),
            Text(" has that shape"),
        )
    fits: list[Segment] = []
    for index, other in enumerate(others):  # A and B; A, B and C
        fits += [Text(" and " if index == len(others) - 1 else ", "), math(other.expr, other.text)]
    because = (Text(why),) if isinstance(why, str) else why
    return (
        Text("; shapes alone do not decide here: "),
        math(chosen.expr, chosen.text),
        *fits,
        Text(f" {'both' if len(others) == 1 else 'all'} have that shape (a square value or a "),
        UNIT,
        Text(" factor lets them fit); the rule's form is right because "),
        *because,
    )


@dataclass(frozen=True)
class LossForm(ScalarForm):
    """A loss's adjoint dJ/dA = ``coeff`` dL/da(A, ``target``) entry by entry, kept as scalar
    algebra so that the activation below it can cancel with it (sigmoid and bce: a - y)."""

    target: Any = None
    coeff: Any = 1
    loss: Any = None
