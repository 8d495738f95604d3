"""A derivation step as data: what it computes, how, from which candidates, and why.

``Step.reason`` and ``Step.target`` are plain-text views for people and for JSON; printers
read the data beside them (``wrt``, ``segments``, ``algebra``, ``candidates``) and print each
part in their own syntax.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from symbackprop.core.candidates import Candidate
from symbackprop.core.segments import Segment, plain

Shape = tuple[Any, Any]


class Rule(enum.StrEnum):
    """The rule kind a step applies (a ``str``: ``step.rule == "bilinear"`` holds)."""

    LOSS = "loss"
    ELEMENTWISE = "elementwise"
    SOFTMAX = "softmax"
    ASSUMPTION = "assumption"
    BILINEAR = "bilinear"
    BIAS = "bias"
    #: a column broadcast over the m columns and multiplied entry-wise (a model's scale
    #: gamma ⊙ N): a sum over the batch as for a bias, but nothing is added
    BROADCAST = "broadcast"
    # a model's rules (core.rules.model_*)
    SEED = "seed"
    LINEAR = "linear"
    TRANSPOSE = "transpose"
    REDUCTION = "reduction"
    MATRIX_FUNCTION = "matrix_function"


#: a network's target, single example and batch: data backward is given, not a cached value
NETWORK_TARGETS = frozenset({"y", "Y"})


@dataclass(frozen=True)
class Step:
    """One step of the derivation.

    ``target`` is what the step computes (``"dJ/dW2"``; an assumption step states
    ``"1^T y"``), ``expr`` its matrix expression in terms of earlier deltas, ``shape`` the
    symbolic shape, ``rule`` the rule kind, ``candidates`` the arrangements considered,
    ``reason`` (plain text) why the survivor is the only one that fits; ``segments`` is that
    reason as data. ``wrt`` is the MatrixSymbol J is differentiated with respect to (``None``
    for an assumption, whose text is ``assumption``). ``uses`` lists the forward values read
    from the cache. ``algebra`` is the chain of scalar expressions simplified inside an
    element-wise product (each ``=`` verified by SymPy before it is stored) and
    ``algebra_segments`` the way it is shown. ``delta`` is the MatrixSymbol the result is kept
    under (``stores`` its name). ``number`` is the 1-based position every printer shows.
    ``derivation`` is the model derivation the step belongs to (``None`` for a network's): a
    model's internal values are named there, so a step shown alone (a notebook) reads it.
    ``general`` is ``expr`` before a stated assumption, for any value of what the assumption
    constrains (softmax with cross-entropy: ``(S ⊙ 1 1^T Y - Y) / m`` beside ``(S - Y) / m``,
    equal where each column of Y sums to 1); ``None`` where the step assumes nothing
    (:attr:`for_any_target` is then ``expr``). A backend that cannot check the assumption
    writes this form.
    """

    target: str
    expr: Any
    shape: Shape
    rule: Rule
    candidates: tuple[Candidate, ...]
    segments: tuple[Segment, ...]
    layer: int
    uses: tuple[str, ...] = ()
    algebra: tuple[Any, ...] = ()
    algebra_segments: tuple[Segment, ...] = ()
    number: int = 0
    wrt: Any = None
    delta: Any = None
    assumption: str | None = None
    derivation: Any = field(default=None, compare=False, repr=False)
    general: Any = None
    #: the term the candidates arrange where it is not ``expr``: a sum of paths' first term
    #: (residual's dJ/da1 = W2^T dJ/d(W2 a1) + dJ/dh arranges W2^T dJ/d(W2 a1))
    judged: Any = field(default=None, compare=False, repr=False)

    @property
    def cached(self) -> tuple[str, ...]:
        """The values of :attr:`uses` read from the forward cache: a network's target y (Y)
        is not among them, as its backward takes Y (``backward(params, cache, Y)``); a
        model's forward takes its data, and its cache holds what backward reads of them."""
        if self.derivation is not None:
            return self.uses
        return tuple(name for name in self.uses if name not in NETWORK_TARGETS)

    @property
    def targets_read(self) -> tuple[str, ...]:
        """The network targets :attr:`uses` reads (``("y",)``), given to backward as data."""
        if self.derivation is not None:
            return ()
        return tuple(name for name in self.uses if name in NETWORK_TARGETS)

    @property
    def for_any_target(self) -> Any:
        """The step's expression with no stated assumption: :attr:`general`, else ``expr``."""
        return self.expr if self.general is None else self.general

    @property
    def reason(self) -> str:
        """Why the step has its form, as one line of plain text."""
        return plain(self.segments)

    @property
    def algebra_text(self) -> str | None:
        """The scalar algebra inside an element-wise product as plain text (``None``: none)."""
        return plain(self.algebra_segments) if self.algebra_segments else None

    @property
    def stores(self) -> str | None:
        """The name of the delta the result is kept under (``"delta3"``), if any; in a model,
        as every printer shows it (``"dJ/d(w^T h + c)"``, not the graph's ``"dJ/d_t5"``)."""
        if self.delta is None:
            return None
        name = str(self.delta.name)
        graph = getattr(self.derivation, "graph", None)
        return name if graph is None else str(graph.symbol_text(name))

    @property
    def per_column(self) -> bool:
        """Whether the surviving arrangement is of one column of the step's value (softmax in
        batch form: ``S^T g`` is n x 1 for an n x m dJ/dZ), so that it equals the value only
        column by column and a printer must say so rather than set the two equal."""
        chosen = self.chosen
        if chosen is None or chosen.shape is None:
            return False
        return tuple(chosen.shape) != tuple(self.shape)

    @property
    def equal_forms(self) -> tuple[Candidate, ...]:
        """The arrangements that fit too and are the same matrix as the survivor (``S g``
        beside ``S^T g``: S is symmetric); empty where the survivor is the only fit."""
        return tuple(c for c in self.candidates if c.equal is not None)

    @property
    def chosen(self) -> Candidate | None:
        """The surviving candidate (``None`` for steps with a single possible form): where
        shapes alone leave two (W h and W^T h for a square W), the one the rule keeps, the
        step's own expression; the printers underbraced the first that fit, W h under a
        result W^T h (lecturer43 #1), and under a sum of paths W2 dJ/d(W2 a1), the first that
        fit, for W2^T dJ/d(W2 a1) (hostile46c #2)."""
        fitting = [c for c in self.candidates if c.fits and c.equal is None]
        judged = self.expr if self.judged is None else self.judged
        kept = [c for c in fitting if c.expr == judged]
        return kept[0] if kept else fitting[0] if fitting else None
