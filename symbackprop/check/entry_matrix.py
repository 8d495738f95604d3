"""The matrix expression whose (i, j) entry a written-out scalar is.

A formula's ``sum(M)`` is SymPy's sum of M's entries, each written out: ``sum(relu(W1 x -
100))`` sums ``relu(Sum(W1[i, k] x[k, 0], k) - 100)`` over i. Where a piecewise function sits in
such a summand, the switch finder (:mod:`symbackprop.check.switches`) needs it as the matrix it
applies to (relu of ``W1 x - 100``, switching where W1 x = 100) to place points either side;
:func:`matrix_of_entry` reads the summand back as that matrix, or says it cannot (None).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.records.nodes import Elementwise, T

#: an index of an entry: a summation symbol, or the 0 of a dimension of size 1
Index = Any


def matrix_of_entry(body: Any, index: tuple[Index, Index], shape: tuple[Any, Any]) -> Any:
    """A matrix expression E of ``shape`` (rows x cols) with ``E[i, j] == body`` for the entry
    ``index`` = (i, j), each a summation symbol or 0 where its size is 1; None where ``body`` is
    not read so (a product summed along no chain, an index used two ways)."""
    try:
        return _matrix(body, tuple(index), tuple(shape), _dummies(body, index))
    except _NotAnEntry:
        return None


class _NotAnEntry(Exception):
    """``body`` is not an entry of a matrix expression this module can name."""


def _dummies(body: Any, index: tuple[Index, Index]) -> frozenset[Any]:
    """The index symbols: the entry's own and every summation index inside ``body``."""
    own = {i for i in index if isinstance(i, sp.Symbol)}
    bound = {limit[0] for s in body.atoms(sp.Sum) for limit in s.limits}
    return frozenset(own | bound)


def _reads(expr: Any, dummies: frozenset[Any]) -> frozenset[Any]:
    return frozenset(expr.free_symbols) & dummies


def _matrix(body: Any, index: tuple[Index, Index], shape: tuple[Any, Any], dummies: Any) -> Any:
    rows, cols = shape
    if not _reads(body, dummies):
        return body * sp.OneMatrix(rows, cols)  # the same number in every entry
    if isinstance(body, MatrixElement):
        parent, i, j = body.args
        if (i, j) == index and tuple(parent.shape) == (rows, cols):
            return parent
        if (j, i) == index and tuple(parent.shape) == (cols, rows):
            return parent.T
        raise _NotAnEntry
    if isinstance(body, sp.Add):
        return sp.MatAdd(*(_matrix(t, index, shape, dummies) for t in body.args)).doit()
    if isinstance(body, sp.Mul):
        number, varying = body.as_independent(*dummies, as_Add=False)
        outer = _outer(sp.Mul.make_args(varying), index, shape, dummies)
        if outer is not None:
            return outer if number == 1 else number * outer
        factors = [_matrix(f, index, shape, dummies) for f in sp.Mul.make_args(varying)]
        product = factors[0] if len(factors) == 1 else sp.HadamardProduct(*factors)
        return product if number == 1 else number * product
    if isinstance(body, sp.Sum):
        return _summed(body, index, shape, dummies)
    if isinstance(body, sp.Piecewise):
        return _pieces(body, index, shape, dummies)
    # a function of one entry (relu(...), 1{... > 0}, a power): the function applied to the
    # matrix of the one part of it that varies with the entry, read largest first
    for part in sp.preorder_traversal(body):
        if part is body or not isinstance(part, sp.Expr) or part.is_Boolean:
            continue  # a condition or a piece of a Piecewise is no value to replace
        if not _reads(part, dummies):
            continue
        try:
            rest = body.xreplace({part: T})
        except (TypeError, ValueError):  # a rebuilt node that refuses T
            continue
        if not _reads(rest, dummies):
            return Elementwise(sp.Lambda(T, rest), _matrix(part, index, shape, dummies))
    raise _NotAnEntry


def _pieces(
    body: sp.Piecewise, index: tuple[Index, Index], shape: tuple[Any, Any], dummies: Any
) -> Any:
    """A piecewise entry as indicators of matrices: ``Y[0, i]`` where ``Y[0, i] (w^T x_i + c)
    < 0``, else 0 (SymPy's merge of ``Y ⊙ 1{Y ⊙ (w^T X + c) < 0}`` summed over the columns) is
    ``Y ⊙ 1{Y ⊙ (w^T X + c) < 0}``; a condition of several comparisons is the element-wise
    product of their indicators. Read only as a function of one varying part, such an entry
    was no entry at all, and its pieces switched nowhere: a hinge written with the margin 0
    for 1 passed (hostile51a #1)."""
    *pieces, (otherwise, last) = body.args
    if last is not sp.true:
        raise _NotAnEntry
    out = _matrix(otherwise, index, shape, dummies)
    for value, condition in reversed(pieces):  # the first piece whose condition holds
        mask = _indicator(condition, index, shape, dummies)
        here = mask if value == 1 else HadamardProduct(mask, _matrix(value, index, shape, dummies))
        if not _is_zero(out):
            here = sp.MatAdd(here, HadamardProduct(sp.MatAdd(sp.OneMatrix(*shape), -mask), out))
        out = here
    return out


def _is_zero(matrix: Any) -> bool:
    return isinstance(matrix, sp.ZeroMatrix) or (
        isinstance(matrix, sp.MatMul) and matrix.args[0] == 0
    )


#: the comparisons an indicator of a matrix is written with, as functions of T (the
#: difference of the two sides)
_COMPARED = (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)


def _indicator(
    condition: Any, index: tuple[Index, Index], shape: tuple[Any, Any], dummies: Any
) -> Any:
    """``1{condition}`` of an entry as a matrix: ``1{M > 0}`` for ``lhs > rhs`` with M the
    matrix of lhs - rhs, the product of such for an ``And``, its complement's for an ``Or``."""
    if isinstance(condition, sp.And):
        return sp.HadamardProduct(*(_indicator(c, index, shape, dummies) for c in condition.args))
    if isinstance(condition, sp.Or):  # 1 - (1 - 1{a}) ⊙ (1 - 1{b}): SymPy's fold of sums
        ones = sp.OneMatrix(*shape)
        missed = [sp.MatAdd(ones, -_indicator(c, index, shape, dummies)) for c in condition.args]
        return sp.MatAdd(ones, -HadamardProduct(*missed))
    if not isinstance(condition, _COMPARED):
        raise _NotAnEntry  # a Not, an equality: no verdict rests on it
    body = sp.Piecewise((1, condition.func(T, 0)), (0, True))
    difference = _matrix(condition.lhs - condition.rhs, index, shape, dummies)
    return Elementwise(sp.Lambda(T, body), difference)


def _outer(
    factors: tuple[Any, ...], index: tuple[Index, Index], shape: tuple[Any, Any], dummies: Any
) -> Any:
    """The outer product ``u v^T`` whose (i, j) entry is the product of ``factors``, where each
    reads the row index i alone or the column index j alone and both kinds are there
    (``x[i, 0] x[j, 0]`` is an entry of ``x x^T``); else None. Read as an element-wise product
    of entries, it was no entry at all, and ``sum(relu(x x^T - 100))`` switched nowhere: a
    formula wrong only where an entry of x x^T is above 100 passed (review48 #5)."""
    (i, j), (rows, cols) = index, shape
    if not (isinstance(i, sp.Symbol) and isinstance(j, sp.Symbol)) or i == j:
        return None
    of_row = [f for f in factors if _reads(f, dummies) == {i}]
    of_col = [f for f in factors if _reads(f, dummies) == {j}]
    if not of_row or not of_col or len(of_row) + len(of_col) != len(factors):
        return None
    column = _matrix(sp.Mul(*of_row), (i, 0), (rows, 1), dummies)
    row = _matrix(sp.Mul(*of_col), (0, j), (1, cols), dummies)
    return sp.MatMul(column, row)


def _summed(body: sp.Sum, index: tuple[Index, Index], shape: tuple[Any, Any], dummies: Any) -> Any:
    """A sum over inner indices of a product: the matrix product along its chain of indices
    (``Sum(A[i, k] B[k, l] C[l, j], k, l)`` is A B C), element-wise factors of the entry itself
    beside it."""
    sizes = {}
    for k, low, high in body.limits:
        if low != 0:
            raise _NotAnEntry
        sizes[k] = high + 1
    inner = set(sizes)
    factors = list(sp.Mul.make_args(body.function))
    number = sp.Mul(*(f for f in factors if not _reads(f, dummies)))
    factors = [f for f in factors if _reads(f, dummies)]
    outside = [f for f in factors if not _reads(f, dummies) & inner]
    chain = [f for f in factors if _reads(f, dummies) & inner]
    (i, j), (rows, cols) = index, shape
    # walk from i to j: each factor reads the index it starts at and the one it ends at
    links, here, here_size, left = [], i, rows, list(chain)
    while left:
        ends = []
        for f in left:
            read = _reads(f, dummies)
            start = {here} if isinstance(here, sp.Symbol) else set()
            if not start <= read:
                continue
            nxt = read - start
            if len(nxt) == 1 and next(iter(nxt)) in inner:
                ends.append((f, next(iter(nxt))))
            elif len(left) == 1 and nxt == ({j} if isinstance(j, sp.Symbol) else set()):
                ends.append((f, j))  # the last link ends at j (or at the 0 of a size 1)
        if len(ends) != 1:
            raise _NotAnEntry
        f, end = ends[0]
        end_size = sizes.get(end, cols)
        links.append(_matrix(f, (here, end), (here_size, end_size), dummies))
        left.remove(f)
        inner.discard(end)
        here, here_size = end, end_size
    if inner or here != j or not links:
        raise _NotAnEntry  # an index summed beside the chain (a trace-like sum), or no chain
    product = links[0] if len(links) == 1 else sp.MatMul(*links)
    if outside:
        beside = (_matrix(f, index, shape, dummies) for f in outside)
        product = sp.HadamardProduct(product, *beside)
    return product if number == 1 else number * product
