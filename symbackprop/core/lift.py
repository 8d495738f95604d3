"""Lifting scalar algebra back to matrices.

The engine simplifies what sits inside an element-wise product with SymPy on scalar symbols
(``(-y/a + (1-y)/(1-a)) * a*(1-a)`` becomes ``a - y``) and then lifts the result to matrix
expressions: each scalar symbol becomes its matrix, ``*`` becomes ``⊙``, a constant c becomes
c times a ones matrix, and any other function of one mapped symbol becomes an entry-wise
:class:`~symbackprop.records.nodes.Elementwise` (of several, an InternalError).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, OneMatrix

from symbackprop.core.canonical import product, sort_key
from symbackprop.errors import InternalError
from symbackprop.records.nodes import entrywise

Shape = tuple[Any, Any]


def lift(expr: sp.Expr, mapping: dict[sp.Symbol, Any], shape: Shape) -> Any:
    """Lift the scalar ``expr`` to a matrix expression of ``shape``.

    ``mapping`` sends each scalar symbol to a matrix expression of that shape.
    """
    return _lift(expr, mapping, shape, in_sum=False)


def _canonical(args: list[Any]) -> list[Any]:
    # the order SymPy's MatAdd/HadamardProduct ``doit`` gives, without its shape validation
    # (a few milliseconds per call, with symbolic dimensions: most of a deep derivation)
    return sorted(args, key=sort_key)


def _lift(expr: sp.Expr, mapping: dict[sp.Symbol, Any], shape: Shape, *, in_sum: bool) -> Any:
    if expr in mapping:
        return mapping[expr]
    if expr.is_Number:
        return product(expr, OneMatrix(*shape)) if expr != 1 else OneMatrix(*shape)
    if isinstance(expr, sp.Add):
        # canonical order, like any hand-written a - y, so results compare equal
        terms = [_lift(term, mapping, shape, in_sum=True) for term in expr.args]
        return MatAdd(*_canonical(terms))
    if isinstance(expr, sp.Mul):
        coeff, factors = expr.as_coeff_mul()
        lifted = [_lift(factor, mapping, shape, in_sum=in_sum) for factor in factors]
        if in_sum:
            lifted = _canonical(lifted)
        body = lifted[0] if len(lifted) == 1 else HadamardProduct(*lifted)
        return body if coeff == 1 else product(coeff, body)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        return HadamardPower(_lift(expr.base, mapping, shape, in_sum=in_sum), expr.exp)
    free = [sym for sym in expr.free_symbols if sym in mapping]
    if len(free) == 1 and expr.free_symbols == {free[0]}:
        t = sp.Dummy("t", real=True)
        return entrywise(sp.Lambda(t, expr.xreplace({free[0]: t})), mapping[free[0]])
    raise InternalError(f"cannot lift {expr} to a matrix expression")


def hadamard_factors(expr: sp.Expr) -> list[sp.Expr]:
    """The factors of a scalar product, constants first, in a stable order."""
    if isinstance(expr, sp.Mul):
        coeff, factors = expr.as_coeff_mul()
        return ([coeff] if coeff != 1 else []) + list(factors)
    return [expr]


def is_liftable(expr: sp.Basic) -> bool:
    """True for +, *, integer powers of symbols and numbers (a clean element-wise formula)."""
    if expr.is_Number or expr.is_Symbol:
        return True
    if isinstance(expr, sp.Pow):
        return bool(expr.exp.is_Integer) and is_liftable(expr.base)
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(is_liftable(arg) for arg in expr.args)
    return False
