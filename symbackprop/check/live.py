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

from collections.abc import Callable
from typing import Any

import sympy as sp

from symbackprop.check.switches import switches
from symbackprop.core.rebuild import rebuilt
from symbackprop.records.kinks import breakpoints
from symbackprop.records.nodes import Elementwise, T, entrywise


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


#: the name of the mask a region's own atoms of its shape are replaced by (:func:`pieceless`)
HOLE = "_hole"


def pieceless(
    expr: Any, own: Callable[[Any], bool] | None = None, hole: tuple[Any, Any] | None = None
) -> Any:
    """``expr`` with every piecewise atom (an element-wise function with a kink or a jump:
    an indicator, relu, relu', abs; abs of a matrix) a matrix of ones: what is 0 there is 0
    whatever piece each atom takes. ``own``: only the atoms it holds for (those of one
    region's bases, :func:`owned_by`); the others keep their value. ``hole`` (a region's
    generic shape): an atom of that shape is the matrix :data:`HOLE` instead, whose value
    the caller gives (ones, or ones with 0 in the region's entries: :func:`holed`)."""

    def piecewise(node: Any) -> bool:
        if isinstance(node, Elementwise):
            found = bool(breakpoints(node.body, node.variable))
        else:
            found = isinstance(node, sp.Abs) and bool(getattr(node.args[0], "is_Matrix", False))
        return found and (own is None or own(node))

    def replaced(node: Any) -> Any:
        if hole is not None and tuple(node.shape) == tuple(hole):
            return sp.MatrixSymbol(HOLE, *hole)
        # the constant 1 applied to the atom's own argument: the evaluator's element-wise
        # path, as fast as the atom itself (a ones matrix inside a product took SymPy's
        # symbolic sums)
        return Elementwise(sp.Lambda(T, sp.Integer(1)), _arg(node))

    # outermost first: an atom inside an own atom (abs(w) in 1{abs(w) < 100}) goes with it;
    # SymPy's replace works from the leaves up, and the indicator of a replaced abs(w) was no
    # atom of the region any more (the right w ⊙ 1{abs(w) < 100} + w ⊙ 1{abs(w) >= 100} was
    # then "cannot decide")
    def stop(node: Any) -> Any:
        if piecewise(node):
            return replaced(node)
        return node if isinstance(node, sp.Lambda) else None  # a scalar body: no matrix atom

    return rebuilt(expr, stop)


#: (a region's bases, its generic shape) -> each value's and each side's :func:`pieceless` form
#: with a hole of that shape, and whether some atom took the hole
Forms = Callable[[frozenset[Any], tuple[Any, ...]], tuple[list[tuple[str, Any]], list[Any], bool]]


def smooth_forms(
    values: list[tuple[str, Any]], sides: list[Any], definitions: dict[str, Any]
) -> Forms:
    """The pieceless forms (:func:`pieceless`, :func:`owned_by`) of a derivation's named
    ``values`` (evaluated in order: z1, a1, ..., then the adjoints) and of the two ``sides``
    (the gradient and the formula), made once per region's bases and shape: what a network's
    and a model's ``smooth`` evaluate at a point."""
    made: dict[tuple[Any, ...], tuple[list[tuple[str, Any]], list[Any], bool]] = {}

    def forms(
        bases: frozenset[Any], shape: tuple[Any, ...]
    ) -> tuple[list[tuple[str, Any]], list[Any], bool]:
        key = (bases, tuple(shape))
        if key not in made:
            own = owned_by(bases, definitions)
            flat = [(name, pieceless(value, own, tuple(shape))) for name, value in values]
            ends = [pieceless(side, own, tuple(shape)) for side in sides]
            made[key] = flat, ends, uses_hole([value for _name, value in flat] + ends)
        return made[key]

    return forms


def holed(rows: int, cols: int, entries: list[int]) -> sp.Matrix:
    """Ones of ``rows`` x ``cols`` with 0 in the flat ``entries``: the region's own atoms
    switched off where the point lies in it."""
    out = sp.ones(rows, cols)
    for k in entries:
        out[k // cols, k % cols] = 0
    return out


def uses_hole(exprs: list[Any]) -> bool:
    """Whether one of ``exprs`` (made by :func:`pieceless` with a hole) holds :data:`HOLE`."""
    return any(
        isinstance(s, sp.MatrixSymbol) and s.name == HOLE
        for e in exprs
        for s in getattr(e, "free_symbols", ())
    )


def _arg(node: Any) -> Any:
    return node.args[0] if isinstance(node, sp.Abs) else node.arg


def owned_by(bases: frozenset[Any], definitions: dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a piecewise atom switches on one of ``bases`` (a region's base, and its
    partner's in a joint region): its switches map onto that base itself or onto a value it is
    a function of (:func:`~symbackprop.check.switches.switches` with a probe on the base, one
    base found for the two). Only such atoms are taken as 1 where a region's point is tested:
    relu'(z1) = 0 in an entry where W1 > 20 kills that entry for ``1{W1 < 20}`` (its
    comparison there is 0 = 0), and taken as 1 with it, the point counted as compared and a
    wrong ``... ⊙ 1{W1 < 20}`` passed. An atom whose switches are not found is no region's."""
    found: dict[Any, bool] = {}

    def own(node: Any) -> bool:
        if node not in found:
            found[node] = any(_switches_on(node, base, definitions) for base in bases)
        return found[node]

    return own


def _switches_on(node: Any, base: Any, definitions: dict[str, Any]) -> bool:
    alone = switches(node, definitions=definitions)
    if alone.unmapped or not alone.on:
        return False
    if base in alone.on:
        return len(alone.on) == 1
    probe = entrywise(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))), base)
    both = switches(node, probe, definitions=definitions)
    return not both.unmapped and len(both.on) == 1
