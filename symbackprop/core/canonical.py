"""SymPy's canonical matrix products and sums, built directly in the simple cases.

``A * B`` on SymPy matrix expressions is ``MatMul(A, B).doit()``: a rewrite system (ten
rules, applied until nothing changes) that asks symbolic questions about shapes (is this
1 x 1, is that square), each an ``Eq`` on dimension symbols. It costs about a millisecond per
product, and a deep derivation builds a few per layer: most of its time. In the cases a
dense network's derivation meets (symbols, their transposes, ones matrices, a leading scalar)
no rule applies but the shape check and the ordering of a sum, so :func:`product` and
:func:`total` build that result directly; anything else goes through SymPy's operators. The
result is the same SymPy object either way (``tests/test_canonical.py`` compares them), so
every printed output is unchanged.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import sympy as sp
from sympy import MatAdd, MatMul, MatrixExpr, MatrixSymbol, OneMatrix, Transpose
from sympy.core.basic import Basic
from sympy.core.sorting import default_sort_key


def _factor(expr: Any) -> Any:
    """``expr`` as SymPy's deep ``doit`` leaves it, when it is a simple factor; else None.

    Simple: a matrix symbol, its transpose, or a ones matrix (or its transpose) that is not
    literally 1 x 1 (that one is an identity, which a product drops).
    """
    if isinstance(expr, MatrixSymbol):
        return expr
    if isinstance(expr, Transpose):
        inner = expr.arg
        if isinstance(inner, MatrixSymbol):
            return expr
        if isinstance(inner, OneMatrix):
            return _factor(OneMatrix(inner.shape[1], inner.shape[0]))
        return None
    if isinstance(expr, OneMatrix):
        return None if expr.shape[0] == 1 and expr.shape[1] == 1 else expr
    return None


def product(*args: Any) -> Any:
    """``args[0] * args[1] * ...`` as SymPy gives it; a scalar may come first.

    Direct when the matrices are simple factors whose shapes chain (structurally), no two
    neighbours are equal (SymPy would write a power) and no two ones matrices meet (SymPy
    would merge them); otherwise SymPy's own product.
    """
    coeff: Any = sp.Integer(1)
    matrices = list(args)
    if matrices and not isinstance(matrices[0], MatrixExpr):
        coeff = matrices.pop(0)  # a SymPy scalar takes the direct way, anything else SymPy's
    factors = [_factor(f) for f in matrices]
    if not factors or not _plain_scalar(coeff) or any(f is None for f in factors):
        return functools.reduce(operator.mul, args)
    for left, right in zip(factors, factors[1:], strict=False):
        if (
            left.shape[1] != right.shape[0]
            or left == right
            or (isinstance(left, OneMatrix) and isinstance(right, OneMatrix))
        ):
            return functools.reduce(operator.mul, args)
    if coeff == 1:
        return factors[0] if len(factors) == 1 else Basic.__new__(MatMul, *factors)
    return Basic.__new__(MatMul, coeff, *factors)


def _plain_scalar(coeff: Any) -> bool:
    """A nonzero commutative scalar: SymPy keeps it in front, unchanged."""
    return (
        isinstance(coeff, sp.Expr)
        and not isinstance(coeff, MatrixExpr)
        and bool(coeff.is_commutative)
        and coeff != 0
    )


def _term_matrix(term: Any) -> Any:
    """The matrix part of a canonical term (``c X`` -> ``X``), or None if not a simple one."""
    if _factor(term) is term:
        return term
    if isinstance(term, MatMul):
        args = list(term.args)
        coeff = args.pop(0) if not isinstance(args[0], MatrixExpr) else sp.Integer(1)
        if coeff != 1 and not _plain_scalar(coeff):
            return None
        if product(coeff, *args) != term:
            return None
        return args[0] if len(args) == 1 else MatMul(*args)
    return None


def total(*terms: Any) -> Any:
    """``terms[0] + terms[1] + ...`` as SymPy gives it.

    Direct when every term is a simple factor or a canonical product of them (a scalar in
    front allowed), the shapes agree and no two terms share their matrix part (SymPy would
    collect them); the sum is then SymPy's, ordered by ``default_sort_key``. Otherwise
    SymPy's own sum.
    """
    if len(terms) < 2:
        return functools.reduce(operator.add, terms)
    matrices = [_term_matrix(t) for t in terms]
    shape = terms[0].shape
    if (
        any(m is None for m in matrices)
        or len(set(matrices)) != len(matrices)
        or any(t.shape[0] != shape[0] or t.shape[1] != shape[1] for t in terms)
    ):
        return functools.reduce(operator.add, terms)
    return Basic.__new__(MatAdd, *sorted(terms, key=sort_key))


@functools.lru_cache(maxsize=8192)
def _leaf_key(leaf: Any) -> Any:
    return default_sort_key(leaf)


_MATMUL_CLASS_KEY = MatMul.class_key()
_ONE_KEY = sp.S.One.sort_key()


def sort_key(term: Any) -> Any:
    """``default_sort_key(term)``, built from memoised keys of its factors when ``term`` is a
    simple factor or a canonical product of them (a layer's symbols recur in several terms,
    and SymPy recomputes every key from the leaves up)."""
    if _factor(term) is term:
        return _leaf_key(term)
    if isinstance(term, MatMul):
        # Expr.sort_key of a MatMul: its coefficient is 1 and its factors are the commutative
        # arguments (the scalar in front) followed by the matrices in order
        scalars = [arg for arg in term.args if not isinstance(arg, MatrixExpr)]
        matrices = [arg for arg in term.args if isinstance(arg, MatrixExpr)]
        if len(scalars) <= 1 and all(_factor(m) is m for m in matrices):
            keys = tuple(_leaf_key(arg) for arg in (*scalars, *matrices))
            return _MATMUL_CLASS_KEY, (len(keys), keys), _ONE_KEY, sp.S.One
    return default_sort_key(term)
