"""Whether a point inside a region compared anything there (review14 R5).

A region of a kinked value counts as compared at a point only where the gradient or the formula
is not 0 in the entries that the value's entries inside the region reach: relu'(z1) ⊙ ... beside
``(x ⊙ 1{abs(x) > 0.001})^T`` differs for 0 < |x_j| < 0.001 in column j, and a point with
x_j = 0 exactly lies in the region "abs(x) below 1/1000" with column j 0 on both sides (the
factor x_j itself); another point must be found. Which entries an entry of the value reaches is
read from the shapes: a dimension of the value that is a dimension of the gradient (z1's n1
rows are dJ/dW1's rows; x's n0 rows are its columns); where none is, every entry.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symbackprop.check.interpret import breakpoints
from symbackprop.records.nodes import Elementwise, T


def live(
    arg_shape: tuple[Any, Any],
    out_shape: tuple[Any, Any],
    entries: list[int],
    arg_cols: int,
    outputs: list[sp.MatrixBase],
) -> bool:
    """Whether some matrix of ``outputs`` (the gradient and the formula, explicit, of the
    generic shape ``out_shape``) is not 0 in an entry that one of ``entries`` (flat indices of
    a value of the generic shape ``arg_shape`` with ``arg_cols`` columns) reaches."""
    rows, cols = outputs[0].shape
    for k in entries:
        i, j = divmod(k, arg_cols)
        picked = _reached(arg_shape, out_shape, i, j)
        for out in outputs:
            for r in range(rows):
                for c in range(cols):
                    reached = picked is None or r in picked[0] or c in picked[1]
                    if reached and out[r, c] != 0:
                        return True
    return False


def _reached(arg_shape: tuple[Any, Any], out_shape: tuple[Any, Any], i: int, j: int) -> Any:
    """``(rows, columns)`` of the output that entry (i, j) of the value reaches, None for
    every entry."""
    ar, ac = arg_shape
    orow, ocol = out_shape
    rows: set[int] = set()
    columns: set[int] = set()
    if ar != 1 and ar == orow:
        rows.add(i)
    if ar != 1 and ar == ocol:
        columns.add(i)
    if ac != 1 and ac == ocol:
        columns.add(j)
    if ac != 1 and ac == orow:
        rows.add(j)
    if not rows and not columns:
        return None
    return rows, columns


def pieceless(expr: Any) -> Any:
    """``expr`` with every piecewise atom (an element-wise function with a kink or a jump:
    an indicator, relu, relu', abs; abs of a matrix) a matrix of ones: what is 0 there is 0
    whatever piece each atom takes."""

    def piecewise(node: Any) -> bool:
        if isinstance(node, Elementwise):
            return bool(breakpoints(node.body, node.variable))
        return isinstance(node, sp.Abs) and bool(getattr(node.args[0], "is_Matrix", False))

    # the constant 1 applied to the atom's own argument: the evaluator's element-wise path,
    # as fast as the atom itself (a ones matrix inside a product took SymPy's symbolic sums)
    return expr.replace(
        piecewise, lambda node: Elementwise(sp.Lambda(T, sp.Integer(1)), _arg(node))
    )


def _arg(node: Any) -> Any:
    return node.args[0] if isinstance(node, sp.Abs) else node.arg
