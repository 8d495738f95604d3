"""A bound on a matrix's rank from its shapes alone: a product is singular through a narrow one.

``A^T A`` of an r x c matrix A with r < c is c x c of rank at most r, so it is singular at
every point, whatever A holds; ``log(det(A^T A))`` and ``inv(A^T A)`` have no value anywhere
there. That is decided exactly from the shapes at given sizes (written out, a 5 x 5
determinant took a minute to expand, hostile31 F7), for a formula's expression and for a
model's values, whose definitions are followed through the model's graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp
from sympy import MatAdd, MatMul, MatrixSymbol, OneMatrix, Transpose, ZeroMatrix

from symbackprop.core.graph import ForwardGraph, Kind
from symbackprop.formula.ast import to_text

#: a matrix symbol -> the expression defining it (a model's value), or None for a leaf
Definition = Callable[[MatrixSymbol], Any]


def _no_definition(_symbol: MatrixSymbol) -> Any:
    return None


def rank_bound(
    expr: Any, sizes: Mapping[sp.Symbol, int], definition: Definition = _no_definition
) -> int | None:
    """An upper bound on the rank of the matrix expression ``expr`` (r x c) at ``sizes``:
    min(r, c), lowered by its products (a product's rank is at most its factors'), its sums (at
    most the sum of theirs), a ones matrix (1) and a zero matrix (0), following each symbol's
    ``definition``. ``None`` where a dimension has no size in ``sizes``."""
    memo: dict[Any, int] = {}

    def size(d: Any) -> int | None:
        return _size(d, sizes)

    def bound(e: Any) -> int | None:
        if e in memo:
            return memo[e]
        rows, cols = (size(d) for d in e.shape)
        if rows is None or cols is None:
            return None
        full = min(rows, cols)
        parts: list[int | None]
        if isinstance(e, ZeroMatrix):
            found: int | None = 0
        elif isinstance(e, OneMatrix):
            found = 1
        elif isinstance(e, Transpose):
            found = bound(e.arg)
        elif isinstance(e, MatMul):
            parts = [bound(f) for f in e.args if getattr(f, "is_Matrix", False)]
            found = None if None in parts else min([full, *(p for p in parts if p is not None)])
        elif isinstance(e, MatAdd):
            parts = [bound(term) for term in e.args]
            found = None if None in parts else sum(p for p in parts if p is not None)
        elif isinstance(e, MatrixSymbol) and definition(e) is not None:
            found = bound(definition(e))
        else:
            found = full
        if found is not None:
            found = min(found, full)
            memo[e] = found
        return found

    return bound(expr)


def singular_by_shape(
    expr: Any, sizes: Mapping[sp.Symbol, int], definition: Definition = _no_definition
) -> int | None:
    """The rank bound of the square ``expr`` at ``sizes`` where it is below the size (singular
    at every point), else ``None``."""
    found = rank_bound(expr, sizes, definition)
    rows = _size(expr.shape[0], sizes)
    if found is None or rows is None or found >= rows:
        return None
    return found


def _size(dim: Any, sizes: Mapping[sp.Symbol, int]) -> int | None:
    """A dimension's size at ``sizes`` (``None`` where it has none)."""
    value = sp.sympify(sp.sympify(dim, strict=True).xreplace(dict(sizes)), strict=True)
    return int(value) if value.is_Integer else None


def model_definition(graph: ForwardGraph) -> Definition:
    """A model value's defining expression, for the kinds that keep a rank low (products,
    transposes, scalings and sums); ``None`` for a leaf and for every other kind (an
    element-wise function of a rank-1 matrix may have full rank)."""
    kept = (Kind.MATMUL, Kind.TRANSPOSE, Kind.SCALE, Kind.LINEAR)

    def definition(symbol: MatrixSymbol) -> Any:
        node = graph.nodes.get(str(symbol.name))
        if node is None or node.kind not in kept or node.expr is None:
            return None
        return node.expr

    return definition


def undefined_at_sizes(graph: ForwardGraph, sizes: Mapping[sp.Symbol, int]) -> str | None:
    """Why the model has no value at ``sizes`` (a logdet or inverse of a value whose shapes
    make it singular at every point), or ``None``: the first such call, in the order of the
    forward pass."""
    definition = model_definition(graph)
    for node in graph.nodes.values():
        if node.kind not in (Kind.LOGDET, Kind.INVERSE):
            continue
        (arg,) = node.args
        if not isinstance(arg, MatrixSymbol):
            continue
        found = singular_by_shape(arg, sizes, definition)
        if found is None:
            continue
        n = _size(arg.shape[0], sizes)
        func = "logdet" if node.kind is Kind.LOGDET else "inv"
        sources = getattr(graph, "shown_sources", {})  # a model's: the value as written
        name = str(arg.name)
        text = to_text(sources[name]) if name in sources else name
        return (
            f"{func}({text}) is of a {n} x {n} matrix whose shapes bound its rank by {found}, "
            "so it is singular at every point"
        )
    return None
