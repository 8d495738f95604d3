"""A model's expression in the formula language, in the names a formula may use.

What ``shapecheck`` shows as the truth must parse back (and be equal): the model's own names,
``d<name>`` for the adjoint kept under ``dJ/d<name>`` (:mod:`symbackprop.apps.shapecheck.model`
reads it so), and nothing internal. So an internal value ``_tN`` is replaced by its definition
in the model's names, the adjoint of an internal value (``dJ/d(W^T)#2``, which no formula can
name) by the expression it stands for, and the result is printed by the one formula printer,
:func:`symbackprop.render.formula.to_formula`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.model_derivation import internal_definitions
from symbackprop.core.rules.model_base import unit_entries
from symbackprop.core.substitute import substituted, substituted_within
from symbackprop.render.formula import to_formula


def model_formula(d: Any, expr: Any) -> str:
    """``expr``, an expression of the model derivation ``d``, in the formula language.

    Raises ``ValueError`` where the language has no form for a node.
    """
    graph = d.graph
    # the names a formula reads as something else (the typer's: values, constants, m)
    taken = set(graph.symbols) | {eq.name for eq in d.model.equations} | {"m"}
    written: dict[Any, Any] = {}  # adjoint symbol -> what the formula writes for it
    for name, symbol in graph.deltas.items():
        alias = f"d{name}"
        if not name.startswith("_") and alias not in taken and name in d.adjoints:
            written[symbol] = MatrixSymbol(alias, *symbol.shape)
    full: dict[Any, Any] = {}
    for step in d.steps:  # in step order: a step reads only the adjoints before it
        if step.delta is not None and step.delta not in written:
            full[step.delta] = _bounded(step.expr, full)
    out = _bounded(expr, full)
    out = _bounded(out, internal_definitions(graph))
    out = unit_entries(substituted(out, written))
    return to_formula(_checked(transposes_inward(out), out))


def _checked(tidy: Any, out: Any) -> Any:
    """``tidy`` where SymPy's own ``doit`` (which moves transposes onto factors and drops
    identities too) gives it the same form as ``out``, else ``out``: every truth printed is
    checked by SymPy first (norm2's 2 sqrt(s) ⊙ 1/(2 sqrt(s)) keeps its transposes)."""
    if tidy is out:
        return out
    try:
        same = bool(tidy.doit() == out.doit())
    except (TypeError, ValueError, AttributeError):  # a node SymPy cannot evaluate
        same = False
    return tidy if same else out


def _bounded(expr: Any, rule: dict[Any, Any]) -> Any:
    """``expr`` with ``rule`` substituted; ``ValueError`` where SymPy could not size the
    result in reasonable time (:func:`~symbackprop.core.substitute.substituted_within`)."""
    written = substituted_within(expr, rule)
    if written is None:
        raise ValueError("written out in the model's names it is too large to print")
    return written


def transposes_inward(expr: Any) -> Any:
    """``expr`` with each transpose of a product moved onto the product's factors, scalars
    first: ``((1/2) (x^T A^T))^T`` is ``(1/2) A x`` and ``((A X^T) B)^T`` is ``B^T X A^T``, as
    one writes a gradient by hand (the derivation keeps the transpose its rule placed). The
    same matrix: (P Q)^T = Q^T P^T, (P^T)^T = P and I P = P. A transpose of anything else (a
    sum, an element-wise product, a function) stays where it is, its inside tidied; a product
    none of whose factors changed keeps its grouping."""
    if isinstance(expr, sp.Transpose):
        return _transposed(expr.arg)
    if isinstance(expr, sp.MatrixExpr) and expr.args:
        args = [transposes_inward(arg) if isinstance(arg, sp.Basic) else arg for arg in expr.args]
        if all(new is old for new, old in zip(args, expr.args, strict=True)):
            return expr
        if isinstance(expr, sp.MatMul):
            changed = [
                new if new is old else _Kept(new) for new, old in zip(args, expr.args, strict=True)
            ]
            return _product(*_factors(changed))
        return expr.func(*args)
    return expr


class _Kept:
    """A factor whose own product was rewritten: flattened into its parent product."""

    def __init__(self, value: Any):
        self.value = value


def _transposed(inner: Any) -> Any:
    """The transpose of ``inner``, moved inward (:func:`transposes_inward`)."""
    if isinstance(inner, sp.Transpose):
        return transposes_inward(inner.arg)
    if isinstance(inner, sp.MatMul):
        scalars, matrices = _factors([_Kept(arg) for arg in inner.args])
        flipped = [  # a 1 x 1 value's entry is a number: its own transpose
            _Kept(_transposed(factor) if getattr(factor, "is_Matrix", False) else factor)
            for factor in reversed(matrices)
        ]
        more_scalars, more_matrices = _factors(flipped)
        return _product([*scalars, *more_scalars], more_matrices)
    if isinstance(inner, sp.Identity):
        return inner
    if isinstance(inner, sp.OneMatrix):  # 1_n^T is the ones row, not a transpose
        return sp.OneMatrix(inner.shape[1], inner.shape[0])
    return sp.Transpose(transposes_inward(inner))


def _factors(args: list[Any]) -> tuple[list[Any], list[Any]]:
    """The numeric factors (numbers and sizes) and the other factors of a product's
    ``args``, in order; an arg marked :class:`_Kept` that is a product is flattened into
    them."""
    scalars: list[Any] = []
    matrices: list[Any] = []
    for arg in args:
        value = arg.value if isinstance(arg, _Kept) else arg
        if isinstance(arg, _Kept) and isinstance(value, sp.MatMul) and not _entry_factor(value):
            more_scalars, more_matrices = _factors([_Kept(inner) for inner in value.args])
            scalars += more_scalars
            matrices += more_matrices
        elif getattr(value, "is_Matrix", False) or value.has(MatrixSymbol):
            matrices.append(value)
        else:
            scalars.append(value)
    return scalars, matrices


def _entry_factor(product: Any) -> bool:
    """Whether ``product`` has a factor that is a 1 x 1 value's entry (s^T of a 1 x 1 s): such
    a product stays one factor, since two such entries side by side print as a power
    (s^T^2)."""
    return any(
        not getattr(arg, "is_Matrix", False) and arg.has(MatrixSymbol) for arg in product.args
    )


def _product(scalars: list[Any], matrices: list[Any]) -> Any:
    """The product of ``scalars`` and then ``matrices``; an identity beside another matrix
    factor is left out (I P = P)."""
    kept = [factor for factor in matrices if not isinstance(factor, sp.Identity)]
    if any(getattr(factor, "is_Matrix", False) for factor in kept):
        matrices = kept  # else an identity keeps the product a matrix (tr(w) I_1)
    if not scalars and len(matrices) == 1:
        return matrices[0]
    return sp.MatMul(*scalars, *matrices)
