"""What every rule reads and returns: the adjoint it receives, the contributions it sends.

A rule receives the adjoint G = dJ/d(out) of the value a node defines (:class:`Adjoint`) and
returns, for each argument, dJ/d(arg) as its kind gives it (:class:`Contribution`): the
arrangement shape analysis leaves among the kind's candidates, the reason as segments, the
cached values it reads and any scalar algebra done inside an element-wise product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.candidates import (
    Candidate,
    Operand,
)
from symbackprop.core.graph import ForwardGraph
from symbackprop.core.segments import Math, Segment, Text
from symbackprop.core.steps import Rule, Step

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
    show it (``delta3``, ``dJ/dA3``, ``W3^T delta3``). ``parts`` holds the contributions of a
    value read in several places when ``expr`` is their sum (not kept under a symbol), each as
    an adjoint of its own: an element-wise rule distributes its factor over them, so that a
    loss among them still cancels with the activation (bce(p, Y) + mse(p, Y) after a sigmoid).
    """

    value: MatrixSymbol
    expr: Any
    label: str
    shape: Shape
    scalar: ScalarForm | None = None
    show: Segment | None = None
    parts: tuple[Adjoint, ...] = ()

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
    #: ``expr`` before a stated assumption (Step.general); None: it assumes nothing
    general: Any = None


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

    def state_assumption(self, loss: Any, target: MatrixSymbol, at: MatrixSymbol) -> None:
        """The ``loss`` record's stated assumption on ``target`` as a step of its own,
        ``1_n^T Y`` (1 x the target's columns; n its rows), numbered beside the step of ``at``
        that uses it (softmax with cross-entropy, on a network or a model)."""
        stated = loss.assumption_on(target.name)
        # the target as mathematics ("each column of $Y$"), not a word of the sentence
        before, _, after = (loss.assumption or "").partition("{y}")
        said: tuple[Segment, ...] = (
            (Text(before), Math(target, str(target.name)), Text(after))
            if after
            else (Text(stated),)
        )
        self.state(
            Step(
                target=f"1_{target.shape[0]}^T {target.name}",
                expr=sp.OneMatrix(1, target.shape[1]),
                shape=(sp.Integer(1), target.shape[1]),
                rule=Rule.ASSUMPTION,
                candidates=(),
                segments=(Text(f"assumption stated by the {loss.name} loss: "), *said),
                layer=self.layer(at),
                uses=(target.name,),
                assumption=stated,
            )
        )


def shape_of(expr: Any) -> Shape:
    return tuple(expr.shape)  # type: ignore[return-value]
