"""Structure helpers shared by the text, LaTeX and MathML expression printers.

They only look at an expression's shape in the tree (which terms are negative, which factors
are divisions); they never simplify or otherwise redo mathematics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.records.nodes import Elementwise, LogSumExp, Softmax
from symbackprop.records.scalars import indicator_pieces


def split_coeff(expr: Any) -> tuple[sp.Expr, list[Any]]:
    """A matrix product as (scalar coefficient, matrix factors). A factor that is a number
    times a ones matrix (``MatMul(1, 1_2)``, an expanded adjoint of ``sum(W x)``) gives its
    number to the coefficient and stays a ones matrix: printed alone it read ``(1) x^T``, a
    1 x 2 row for a 2 x 2 gradient (hostile32)."""
    if isinstance(expr, MatMul):
        coeff, matrices = expr.as_coeff_matrices()
        factors: list[Any] = []
        for matrix in matrices:
            inner = matrix.as_coeff_matrices() if isinstance(matrix, MatMul) else None
            if inner is not None and len(inner[1]) == 1 and isinstance(inner[1][0], OneMatrix):
                coeff *= inner[0]
                factors.append(inner[1][0])
            else:
                factors.append(matrix)
        return coeff, factors
    return sp.Integer(1), [expr]


Printed = TypeVar("Printed")


def product_factors(
    expr: Any, ones: Callable[[Any], Printed], wrap: Callable[[Any], Printed]
) -> tuple[sp.Expr, list[Printed]]:
    """A matrix product as (scalar coefficient, each matrix factor printed): a ones matrix by
    the printer's ``ones`` (``1_m``, ``1_m^T`` in a product, never the number 1), any other
    factor by its ``wrap`` (bracketed unless atomic). The text, LaTeX and MathML printers
    join the factors in their own syntax."""
    coeff, matrices = split_coeff(expr)
    return coeff, [ones(f) if isinstance(f, OneMatrix) else wrap(f) for f in matrices]


def with_coefficient(coeff: sp.Expr, body: str, show: Any) -> str:
    """``body`` scaled by ``coeff``: ``-body`` for -1, else the sign first, then ``show(|c|)``.

    ``show`` prints the positive coefficient in the printer's own syntax (parenthesised text,
    a LaTeX fraction), so both printers share one rule for signs.
    """
    if coeff == 1:
        return body
    if coeff == -1:
        return f"-{body}"
    sign = ""
    if coeff.could_extract_minus_sign():
        sign, coeff = "-", -coeff
    return f"{sign}{show(coeff)} {body}"


def signed_term(term: Any) -> tuple[bool, Any]:
    """``(negative, term without its minus sign)`` for one term of a sum.

    The sign of an element-wise function whose body is negative (``-1/A^2``, the derivative of
    ``A^-1``) is the term's: ``3 A^2 - 1/A^2``, never ``3 A^2 + -1/A^2``.
    """
    coeff, matrices = split_coeff(term)
    if len(matrices) == 1 and _negative_body(matrices[0]):
        factor = matrices[0]
        coeff, matrices = (
            -coeff,
            [Elementwise(sp.Lambda(factor.variable, -factor.body), factor.arg)],
        )
        if not coeff.could_extract_minus_sign():
            return False, matrices[0] if coeff == 1 else MatMul(coeff, *matrices)
    if coeff.could_extract_minus_sign():
        coeff = -coeff
        rest = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        if coeff == 1:
            return True, rest
        return True, MatMul(coeff, *matrices)
    return False, term


def _negative_body(factor: Any) -> bool:
    """Whether ``factor`` is an element-wise function whose body has a negative coefficient."""
    return isinstance(factor, Elementwise) and bool(factor.body.as_coeff_Mul()[0].is_negative)


def ordered_terms(expr: MatAdd) -> list[tuple[bool, Any]]:
    """The terms of a sum in reading order: ones-matrices (the ``1`` of ``1 - a``) first,
    then positive terms, then negative ones; each as ``(negative, term)``."""
    terms = [signed_term(t) for t in expr.args]
    ones = [t for t in terms if isinstance(t[1], OneMatrix) and not t[0]]
    # a term with a scalar coefficient (the L2 term (lambda/m) W) reads best after the others
    positive = sorted(
        (t for t in terms if not t[0] and t not in ones),
        key=lambda t: split_coeff(t[1])[0] != 1,
    )
    negative = [t for t in terms if t[0]]
    return ones + positive + negative


def division_parts(expr: HadamardProduct) -> tuple[list[Any], list[Any]]:
    """Element-wise numerator and denominator factors (``HadamardPower(x, -k)`` divides)."""
    num: list[Any] = []
    den: list[Any] = []
    for factor in expr.args:
        if isinstance(factor, HadamardPower) and factor.exp.is_negative:
            exp = -factor.exp
            den.append(factor.base if exp == 1 else HadamardPower(factor.base, exp))
        else:
            num.append(factor)
    return num, den


def of_a_matrix(part: Any, placeholder: sp.Symbol, argument: Any) -> bool:
    """Whether ``part`` of the scalar body of an element-wise function (its variable
    ``placeholder``) is, with the function's ``argument`` put in, a function of a matrix: the
    argument is not 1 x 1 and ``part`` reads it. Then a power of it is printed element-wise
    (:func:`entrywise_power`) and ``exp`` as ``\\exp(A)``: in the printed notation ``A^{2}`` is
    the matrix square, ``A^{-1}`` the inverse and ``e^{A}`` the matrix exponential."""
    return tuple(argument.shape) != (1, 1) and bool(part.has(placeholder))


#: the variable of an element-wise function's scalar body while a printer prints that body
#: (its text replaced by the argument's afterwards); shared by the text, LaTeX and MathML
#: printers
BODY_VARIABLE = sp.Symbol("ARGPLACEHOLDER")


def reads_the_matrix(part: Any, argument: Any) -> bool:
    """Whether ``part`` of the body a printer is printing (``argument`` the function's
    argument, None outside a body) is a matrix there (:func:`of_a_matrix`, the variable
    :data:`BODY_VARIABLE`): it multiplies an indicator or another such part with ``⊙``."""
    return argument is not None and of_a_matrix(part, BODY_VARIABLE, argument)


def entrywise_power(power: sp.Pow, placeholder: sp.Symbol, argument: Any) -> bool:
    """Whether ``power`` is printed ``A^{\\odot k}`` (see :func:`of_a_matrix`): not a root
    (``\\sqrt{A}`` is a function of A, written as the equations write it); a negative power is
    the fraction of the positive one (entry by entry, as ``/`` is)."""
    exp = power.exp
    root = exp.is_Rational and abs(exp.p) == 1 and exp.q != 1  # type: ignore[attr-defined]
    return of_a_matrix(power.base, placeholder, argument) and not root


def entrywise_product(
    mul: sp.Mul, placeholder: sp.Symbol, argument: Any
) -> tuple[sp.Expr, list[Any], list[Any]] | None:
    """A product in the scalar body of an element-wise function (its variable ``placeholder``)
    as (scalar part, numerator, denominator), where two or more of its factors read a matrix
    ``argument`` (:func:`of_a_matrix`): those factors multiply entry by entry, so a printer
    joins them with ``⊙`` (``h ⊙ (1 - h)``; ``h (1 - h)`` would be the matrix product). The
    denominator holds the positive powers of the factors that divide. ``None`` where at most
    one factor reads the matrix: a number times it prints as it is."""
    if not of_a_matrix(mul, placeholder, argument):
        return None
    scalar: list[Any] = []
    num: list[Any] = []
    den: list[Any] = []
    for factor in mul.args:
        if not factor.has(placeholder):
            scalar.append(factor)
        elif isinstance(factor, sp.Pow) and factor.exp.is_negative:
            den.append(sp.Pow(factor.base, -factor.exp))
        else:
            num.append(factor)
    if len(num) < 2 and len(den) < 2:
        return None
    return sp.Mul(*scalar), num, den


def reads_as_sum(factor: Any) -> bool:
    """Whether ``factor`` of a product prints as a sum, so it takes brackets there: a sum, or a
    piecewise value other than one indicator (``1{z > 0} + (1/100) 1{z <= 0}``; a product
    beside it unbracketed would read its first term alone)."""
    if isinstance(factor, sp.Add):
        return True
    if not isinstance(factor, sp.Piecewise):
        return False
    pieces = indicator_pieces(factor)
    if pieces is None:
        return True
    terms = [value for value, _ in pieces if value != 0]
    return terms != [1]


def is_atom(expr: Any) -> bool:
    """True for things printed without parentheses in any context (a symbol, its transpose)."""
    if isinstance(expr, Transpose):
        return is_atom(expr.arg)
    return isinstance(expr, sp.MatrixSymbol) or bool(getattr(expr, "is_Atom", False))


def ones_kind(expr: OneMatrix) -> tuple[str, Any] | None:
    """``('col', k)`` for a k x 1 ones vector, ``('row', k)`` for 1 x k, else ``None``."""
    rows, cols = expr.shape
    if cols == 1 and rows != 1:
        return "col", rows
    if rows == 1 and cols != 1:
        return "row", cols
    return None


def is_call(expr: Any) -> bool:
    """True for a node that carries its own brackets when printed: g(z), g'(z), 1{z > 0},
    softmax(z) (a printer wraps it in no further parentheses)."""
    return isinstance(expr, (Softmax, LogSumExp)) or (
        isinstance(expr, Elementwise)
        and (
            expr.activation_name is not None
            or expr.derivative_name is not None
            or expr.indicator is not None
            or isinstance(expr.body, sp.Piecewise)
        )
    )
