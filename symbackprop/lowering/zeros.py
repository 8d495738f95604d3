"""Structural zeros, made exact before any code is printed.

A step activation's derivative is the number 0, and ``G ⊙ 0`` printed as ``G * 0.0`` is NaN
wherever G is infinite (an overflowing upstream term), where the true value is 0. Here a
product with a zero factor *is* zero (``G ⊙ 0``, ``0 X^T``, ``W^T 0``), a sum drops its zero
terms, and the plans substitute a zero value into what reads it, so the code writes zeros of
the target's shape and dtype and never multiplies by one. Every rewrite holds for all finite
values; it is the meaning of the derivation's expression, not an approximation.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatAdd, MatMul, Transpose, ZeroMatrix


def exact_zeros(expr: Any) -> Any:
    """``expr`` with every product that has a zero factor replaced by a zero matrix of its
    shape (and zero terms dropped from sums, transposes of zeros made zeros), bottom up."""
    if not getattr(expr, "is_Matrix", False) or not expr.has(ZeroMatrix, sp.S.Zero):
        return expr
    if isinstance(expr, (sp.MatrixSymbol, ZeroMatrix)):
        return expr
    args = [exact_zeros(arg) for arg in expr.args]
    if isinstance(expr, (HadamardProduct, MatMul)):
        if any(is_zero(arg) for arg in args):
            return ZeroMatrix(*expr.shape)
        return expr.func(*args) if args != list(expr.args) else expr
    if isinstance(expr, MatAdd):
        terms = [arg for arg in args if not is_zero(arg)]
        if not terms:
            return ZeroMatrix(*expr.shape)
        return terms[0] if len(terms) == 1 else MatAdd(*terms)
    if isinstance(expr, Transpose) and is_zero(args[0]):
        return ZeroMatrix(*expr.shape)
    return expr.func(*args) if args != list(expr.args) else expr


def is_zero(expr: Any) -> bool:
    """True for a zero matrix and for the number 0 (a coefficient)."""
    return isinstance(expr, ZeroMatrix) or expr == sp.S.Zero
