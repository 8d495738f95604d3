"""A matrix expression of concrete shape written out as an explicit matrix, node by node.

SymPy's ``doit`` leaves some nodes as they are (a number that is no Rational times an explicit
matrix, sqrt(2) M; an element-wise function of such a product; a product of matrix symbols),
and ``as_explicit`` of what is left builds every entry of a product as a ``Sum`` over its
index and evaluates that: a tenth of a second for a 3 x 1 times 1 x 3 product, most of a formula
check's time in the exact and numeric evaluators (perf16). Products, sums, transposes and
element-wise operations of explicit matrices are matrix arithmetic; :func:`explicit` does that
bottom up, with the same entries (each a sum of the same products), and leaves any other node
(an inverse, a determinant) to SymPy as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy import (
    Determinant,
    HadamardPower,
    HadamardProduct,
    Identity,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.entrywise import entrywise_product
from symbackprop.records.nodes import Elementwise

#: ``at(node)``: an explicit value for a node the caller evaluates itself (a leaf, a table's
#: function), or None for matrix arithmetic
At = Callable[[Any], "sp.ImmutableMatrix | None"]


class Unwalked(ValueError):
    """A node :func:`explicit` cannot evaluate in place from ``at`` and ``scalars`` (a number
    factor with a matrix in it, an inverse): the caller substitutes and evaluates as before."""


def _chain(factors: list[Any]) -> Any:
    """The product of explicit matrices, from the end where it costs fewer multiplications:
    ``W100 ... W2 b1`` from the right is 99 matrix-vector products, not 98 matrix products
    and one more (collapse's check of b' at 100 layers took 67 s: hostile36c #5). Exact
    arithmetic: the order changes the work, not the result."""
    first, last = factors[0], factors[-1]
    from_left = sum(first.rows * f.rows * f.cols for f in factors[1:])
    from_right = sum(f.rows * f.cols * last.cols for f in factors[:-1])
    out = last if from_right < from_left else first
    if from_right < from_left:
        for factor in reversed(factors[:-1]):
            out = factor * out
    else:
        for factor in factors[1:]:
            out = out * factor
    return out


def explicit(
    value: Any, at: At | None = None, scalars: dict[Any, Any] | None = None
) -> sp.ImmutableMatrix:
    """``value`` (a matrix expression of concrete shape, r x c) as an explicit r x c matrix.

    With ``at`` (and ``scalars``: each size and scalar symbol's value), ``value`` is walked as
    it stands: ``at`` gives each leaf's value (and each table function's), ``scalars`` are put
    into numbers and shapes, so the caller need not substitute the whole expression first
    (SymPy rebuilds and re-checks every node of it for that); a node that needs more raises
    :class:`Unwalked`."""
    if at is not None:
        found = at(value)
        if found is not None:
            return found
    walking = at is not None
    if isinstance(value, sp.MatrixBase):
        # an entry may still be a matrix expression's scalar of explicit matrices, a
        # det(X) or tr(X) written into a 1 x 1 matrix: done here, as doit did before
        if value.has(Determinant, Trace, MatrixElement):
            if walking and value.atoms(MatrixSymbol):
                # det(X) of a leaf the walk has not put in (review17 P1): substituted first
                raise Unwalked("a matrix symbol inside an explicit matrix")
            value = value.doit()
        return sp.ImmutableMatrix(value)
    if isinstance(value, (OneMatrix, ZeroMatrix, Identity)):
        return sp.ImmutableMatrix(value.xreplace(scalars or {}).as_explicit())
    if isinstance(value, MatrixSymbol) and not walking:
        return sp.ImmutableMatrix(value.as_explicit())
    if isinstance(value, MatMul):
        number = sp.Mul(*(a for a in value.args if not getattr(a, "is_Matrix", False)))
        if walking:
            number = number.xreplace(scalars or {})
            if number.free_symbols:
                raise Unwalked(str(number))
        if not number.is_Number:
            number = number.doit()  # det(A), an entry of a product: a number once done
        factors = [explicit(a, at, scalars) for a in value.args if getattr(a, "is_Matrix", False)]
        out = _chain(factors)
        return sp.ImmutableMatrix(out.applyfunc(lambda v: number * v)) if number != 1 else out
    if isinstance(value, MatAdd):
        terms = [explicit(a, at, scalars) for a in value.args]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return sp.ImmutableMatrix(total)
    if isinstance(value, Transpose):
        return sp.ImmutableMatrix(explicit(value.arg, at, scalars).T)
    if isinstance(value, HadamardProduct):
        return entrywise_product(*(explicit(a, at, scalars) for a in value.args))
    if isinstance(value, HadamardPower):
        exponent = value.exp.xreplace(scalars or {})
        if walking and exponent.free_symbols:
            raise Unwalked(str(exponent))
        base = explicit(value.base, at, scalars)
        return sp.ImmutableMatrix(base.applyfunc(lambda v: v**exponent))
    if walking:
        raise Unwalked(type(value).__name__)
    if isinstance(value, Elementwise):
        return sp.ImmutableMatrix(explicit(value.arg).applyfunc(callable_of(value.function)))
    done = value.doit()
    return sp.ImmutableMatrix(done if isinstance(done, sp.MatrixBase) else done.as_explicit())


def callable_of(function: sp.Lambda) -> Any:
    """The function class F itself where ``function`` is t -> F(t) (a table's function):
    calling a Lambda checks its arguments and replaces its variable, a third of the time of
    the table's own lookup; F(v) is what that replacement builds."""
    body = function.expr
    if isinstance(body, sp.Function) and body.args == function.variables:
        return type(body)
    return function
