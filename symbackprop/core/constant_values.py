"""Values of a model that are one number in every entry at every point (``w - w``, ``0 ⊙ W``).

Such a value is written with the model's names but does not depend on them. A function
that has no value at that number (``log(w - w)``, ``x / (w - w)``, ``sqrt(w - w - 1)``) makes
the model undefined everywhere, however the value is used afterwards: SymPy folds
``0 * sum(log(w - w))`` to 0, and the generated code would compute a cost that the model, as
written, does not have. The model graph refuses such a model when it builds it
(:func:`undefined_function`, :func:`undefined_loss`; a logdet or an inverse of 0 there).

Only what the structure of the graph shows is found here (like terms that cancel, also through
transposes, ``w^T - w^T``; a factor that is 0; a sum of a constant); ``tr(W W^T) - tr(W^T W)``
is also 0 everywhere, which only a point shows (the exact check then finds no point to compare
at, and ``check`` cannot decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.graph import Kind
from symbackprop.formula.decimals import number_phrase
from symbackprop.records import scalars
from symbackprop.records.nodes import T

#: the most terms an affine form keeps (beyond, a value of a long chain of sums stands for
#: itself: the search stays linear in the number of equations)
MAX_TERMS = 32


@dataclass(frozen=True)
class Affine:
    """A value as c1 V1 + c2 V2 + ... + c in the values that are no such sum themselves:
    ``terms`` maps (value, repeated over the m columns, transposed) to its coefficient."""

    terms: dict[tuple[str, bool, bool], sp.Expr]
    constant: sp.Expr = sp.Integer(0)

    @property
    def is_constant(self) -> bool:
        return not self.terms


def affine_form(
    name: str, kind: Kind, args: tuple[MatrixSymbol, ...], record: Any, known: dict[str, Affine]
) -> Affine:
    """The affine form of the value ``name`` a node of ``kind`` defines from ``args``; when
    its terms are empty, the structure shows it is one number in every entry at every point.

    ``known``: the forms of the values defined so far (a leaf is missing: itself);
    ``record``: the node's record (a ``LinearTerms`` for LINEAR, an ``ElementFunction`` for
    FUNCTION). Like terms merge through nested sums and transposes: ``2 w - w - w``,
    ``w^T - w^T`` and ``w - w^T^T`` are 0.
    """
    forms = [known.get(str(arg.name), _itself(str(arg.name))) for arg in args]
    if kind is Kind.TRANSPOSE:
        (form,) = forms
        if form.is_constant or any(repeated for _, repeated, _ in form.terms):
            # a column repeated over m, transposed, is no transpose of a term: its own
            value = form.constant if form.is_constant else None
            return _itself(name) if value is None else Affine({}, value)
        flipped = {(base, False, not t): c for (base, _, t), c in form.terms.items()}
        return Affine(flipped, form.constant)
    if kind is Kind.LINEAR:
        terms: dict[tuple[str, bool, bool], sp.Expr] = {}
        constant = record.constant
        for form, coeff, repeated in zip(
            forms, record.coefficients, record.broadcast, strict=True
        ):
            constant = constant + coeff * form.constant
            for (base, inner, transposed), c in form.terms.items():
                key = (base, inner or repeated, transposed)
                terms[key] = terms.get(key, sp.Integer(0)) + coeff * c
        kept = {key: c for key, c in terms.items() if not _zero(c)}
        if len(kept) > MAX_TERMS:  # a long chain of sums: its own term, kept linear in size
            return _itself(name)
        return Affine(kept, constant)
    value = _constant(kind, args, record, [f.constant if f.is_constant else None for f in forms])
    return _itself(name) if value is None else Affine({}, value)


def _itself(name: str) -> Affine:
    """The form of a value that is no sum: itself, once."""
    return Affine({(name, False, False): sp.Integer(1)})


def _constant(
    kind: Kind, args: tuple[MatrixSymbol, ...], record: Any, given: list[sp.Expr | None]
) -> sp.Expr | None:
    """The number in every entry of a node's value from its arguments' (``None``: not one
    number everywhere), where the node is no sum and no transpose."""
    if kind in (Kind.HADAMARD, Kind.SCALE, Kind.MATMUL):
        if any(value == 0 for value in given):  # a factor 0 makes every entry 0
            return sp.Integer(0)
        if kind is not Kind.MATMUL and all(value is not None for value in given):
            return sp.Mul(*given)
        return None
    value = given[0] if given else None
    if value is None:
        return None
    rows, cols = args[0].shape
    if kind is Kind.FUNCTION:
        return record.body.xreplace({T: value})  # type: ignore[no-any-return]
    if kind is Kind.TOTAL:
        return value * rows * cols  # type: ignore[no-any-return]
    if kind is Kind.ROWSUM:
        return value * cols  # type: ignore[no-any-return]
    if kind is Kind.TRACE:
        return value * rows  # type: ignore[no-any-return]
    if kind is Kind.DET and value == 0:
        return sp.Integer(0)
    return None


def undefined_function(
    name: str, body: sp.Expr, derivative: sp.Expr, at: sp.Expr
) -> tuple[str, str] | None:
    """Why ``name`` (f(t) = ``body``, f'(t) = ``derivative``) applied entry by entry to a value
    that is ``at`` everywhere has no value, or no derivative for the chain rule, at any point,
    or ``None``: the words after the call (``is a log of 0 at every point``) and an aside
    after the value's description (``, where sqrt's slope is not finite``)."""
    value = body.xreplace({T: at})
    if first_bad(value):
        if name == "log" and at == 0:
            return "is a log of 0 at every point", ""
        if name.startswith("^") and at == 0:
            return "is a division by 0 at every point", ""
        shown = number_phrase(at)  # -0.1 as written, not -1/10
        return f"is {name} of {shown} at every point", f", and {name}({shown}) is no real number"
    slope = derivative.xreplace({T: at})
    if first_bad(slope):
        # sqrt(w - w) is 0 everywhere, yet the chain rule would multiply sqrt's infinite
        # slope at 0 by w - w's 0: the code's gradient would be a NaN
        return "has no derivative at any point", f", where {name}'s slope is not finite"
    return None


def undefined_loss(formula: sp.Expr, at: sp.Expr) -> bool:
    """Whether a loss (``formula`` in the scalars a and y) of an output that is ``at``
    everywhere has no value for a target 0 or 1: it takes a log of 0 (bce of 0 or of 1)."""
    return any(first_bad(formula.xreplace({scalars.a: at, scalars.y: y})) for y in (0, 1))


def _zero(coefficient: sp.Expr) -> bool:
    """Whether a coefficient (a number, or a function of m: 1/m - 1/m) is 0."""
    if coefficient.is_Number:
        return bool(coefficient == 0)
    return bool(sp.expand(coefficient) == 0)


def first_bad(expr: Any) -> str | None:
    """What is wrong with the numbers inside ``expr``, in words (for the error message), or
    ``None`` when they are finite and real. A number SymPy cannot call real is evaluated:
    ``(-1)^(1/3)`` has no ``I`` in it but is complex."""
    if expr.has(sp.I):
        return "complex"
    if expr.has(sp.nan):
        return "undefined"
    if expr.has(sp.zoo, sp.oo, -sp.oo):
        return "infinite"
    real = expr.is_extended_real if isinstance(expr, sp.Expr) and expr.is_number else True
    if real is False or (real is None and sp.im(expr.evalf(30)) != 0):
        return "complex"
    return None
