"""Candidate arrangements and shape analysis: the "chain rule plus shapes" of the lecture.

A rule kind proposes the few ways two factors could combine (``G F``, ``G F^T``, ``F^T G``,
``G ⊙ F``, ...); :func:`select` keeps those whose shape, over generic dimensions, equals the
target's. Exactly one must survive. Candidates stay cheap (operands and an operator); the SymPy
expression of one is built only when asked for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sympy import HadamardProduct, MatAdd, MatMul, Transpose

from symbackprop.core import canonical
from symbackprop.core.segments import Dim, Segment, ShapeOf, Text, plain
from symbackprop.errors import InternalError

Shape = tuple[Any, Any]


@dataclass(frozen=True)
class Operand:
    """A named factor of a rule: its display name, SymPy expression and shape.

    ``show`` says how to display it when its expression is not the best name for it (the
    upstream dJ/dA3 is a long formula, shown as the gradient ``Grad(A3)``; a derivative
    factor as ``Prime``); ``transposed`` says that the operand is the transpose of ``name``.
    """

    name: str
    expr: Any
    shape: Shape
    show: Segment | None = None
    transposed: bool = False

    @property
    def label(self) -> str:
        """How candidates write it: ``a1``, ``a1^T``, ``(W3^T delta3)^T``."""
        if not self.transposed:
            return self.name
        return f"({self.name})^T" if " " in self.name else f"{self.name}^T"

    @property
    def compound(self) -> bool:
        """Whether it is a product or a sum written out (``W3^T delta3``), not a name, a
        transpose or a shown form: as a factor of a matrix product it is grouped, so that the
        arrangement reads as the two factors the rule multiplies (LaTeX printed
        ``W^[3]T δ^[3] softplus'(Z^[2])`` for ``(W3^T delta3) softplus'(Z2)``: hostile38c #15)."""
        return (
            not self.transposed
            and self.show is None
            and isinstance(self.expr, MatMul | MatAdd | HadamardProduct)
        )

    @property
    def T(self) -> Operand:  # noqa: N802 - mirrors the mathematical notation
        return Operand(
            self.name,
            Transpose(self.expr),
            (self.shape[1], self.shape[0]),
            self.show,
            not self.transposed,
        )


@dataclass(frozen=True)
class Candidate:
    """One proposed arrangement of two operands.

    ``op`` is ``"@"`` (matrix product) or ``"⊙"`` (element-wise product). ``shape`` is ``None``
    when the arrangement is undefined; ``notes`` says why it was rejected (empty when it fits),
    ``note`` is the same as plain text.
    ``equal`` names the survivor when this arrangement fits too and is the same matrix (softmax's
    symmetric Jacobian: S g = S^T g); it is then an equal form, neither a second survivor nor a
    rejected one, and ``note`` says why they are equal.
    """

    op: str
    left: Operand
    right: Operand
    shape: Shape | None
    fits: bool
    notes: tuple[Segment, ...]
    equal: str | None = None

    @property
    def note(self) -> str:
        """Why the arrangement was rejected (or is an equal form), as plain text."""
        return plain(self.notes)

    @property
    def text(self) -> str:
        sep = " ⊙ " if self.op == "⊙" else " "
        return f"{_wrap(self.left.label)}{sep}{_wrap(self.right.label)}"

    @functools.cached_property
    def expr(self) -> Any:
        if self.op == "⊙":
            return HadamardProduct(self.left.expr, self.right.expr)
        return canonical.product(self.left.expr, self.right.expr)


def _wrap(label: str) -> str:
    return f"({label})" if " " in label and not label.startswith("(") else label


def _product(left: Operand, right: Operand, target: Shape) -> Candidate:
    (r1, c1), (r2, c2) = left.shape, right.shape
    if c1 != r2:
        note = (Text("undefined: inner dimensions "), Dim(c1), Text(" and "), Dim(r2))
        return Candidate("@", left, right, None, False, (*note, Text(" differ")))
    shape = (r1, c2)
    fits = _same(shape, target)
    return Candidate("@", left, right, shape, fits, () if fits else _gives(shape, target))


def _gives(shape: Shape, target: Shape) -> tuple[Segment, ...]:
    return (Text("gives "), ShapeOf(shape), Text(", not "), ShapeOf(target))


def _hadamard(left: Operand, right: Operand, target: Shape) -> Candidate:
    if not _same(left.shape, right.shape):
        note = (Text("undefined: "), ShapeOf(left.shape), Text(" and "), ShapeOf(right.shape))
        return Candidate("⊙", left, right, None, False, (*note, Text(" differ")))
    fits = _same(left.shape, target)
    notes = () if fits else _gives(left.shape, target)
    return Candidate("⊙", left, right, left.shape, fits, notes)


def _same(first: Shape, second: Shape) -> bool:
    # Dimensions are distinct symbols (or 1), so structural equality is shape equality.
    return bool(first[0] == second[0] and first[1] == second[1])


def bilinear_candidates(g: Operand, f: Operand, target: Shape) -> list[Candidate]:
    """The eight products of the upstream gradient ``g`` and a factor ``f``, with transposes.

    Transposes of whole products are not separate candidates: (A B)^T = B^T A^T is already
    among the eight, so forms equal after pushing transposes to the leaves count once.
    """
    forms = {id(g): (g, g.T), id(f): (f, f.T)}  # each transpose built once
    out = []
    for first, second in ((g, f), (f, g)):
        for left in forms[id(first)]:
            for right in forms[id(second)]:
                out.append(_product(left, right, target))
    return out


def elementwise_candidates(g: Operand, f: Operand, target: Shape) -> list[Candidate]:
    """``g ⊙ f`` beside the matrix products a student might write instead."""
    g_t, f_t = g.T, f.T
    return [
        _hadamard(g, f, target),
        _hadamard(g_t, f_t, target),
        _product(g, f, target),
        _product(g, f_t, target),
        _product(f_t, g, target),
        _product(g_t, f, target),
    ]


def select(
    candidates: list[Candidate], target_label: str, answer: tuple[str, Operand, Operand]
) -> Candidate:
    """The single candidate that fits, which must be the rule's own ``answer``.

    ``answer`` is the arrangement the node kind's rule gives, ``(op, left, right)`` with the
    same operands the candidates were built from (e.g. ``("@", G, a.T)`` for dJ/dW of
    ``z = W a``). Shape analysis over generic dimensions must leave exactly that one: none,
    several, or another one is an :class:`InternalError` (a rule or a shape is wrong).
    """
    fitting = [c for c in candidates if c.fits and c.equal is None]
    if len(fitting) != 1:
        texts = ", ".join(c.text for c in fitting) or "none"
        raise InternalError(
            f"shape analysis for {target_label} must leave exactly one arrangement; "
            f"it left {len(fitting)} ({texts})"
        )
    survivor = fitting[0]
    if (survivor.op, survivor.left, survivor.right) != answer:
        raise InternalError(
            f"shape analysis for {target_label} left {survivor.text}, not the rule's answer"
        )
    return survivor


def choose(
    candidates: list[Candidate], target_label: str, answer: tuple[str, Operand, Operand]
) -> tuple[Candidate, list[Candidate]]:
    """The rule's ``answer`` among ``candidates``, and the other arrangements that fit too.

    In a model, a square value (an RNN's W, ``x^T A x``) or a 1 x 1 factor can make several
    arrangements fit, so shape analysis alone does not decide: the rule gives the answer and
    its step says so (the lecture's shape trick has a limit). ``answer`` must fit; otherwise
    a rule or a shape is wrong (:class:`InternalError`).
    """
    fitting = [c for c in candidates if c.fits and c.equal is None]
    for candidate in fitting:
        if (candidate.op, candidate.left, candidate.right) == answer:
            return candidate, [c for c in fitting if c is not candidate]
    raise InternalError(
        f"the rule's answer for {target_label} does not fit; "
        f"shape analysis left {', '.join(c.text for c in fitting) or 'none'}"
    )
