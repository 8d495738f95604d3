"""A bound on a matrix's rank from its shapes alone: a product is singular through a narrow one.

``A^T A`` of an r x c matrix A with r < c is c x c of rank at most r, so it is singular at
every point, whatever A holds; ``log(det(A^T A))`` and ``inv(A^T A)`` have no value anywhere
there. That is decided exactly from the shapes at given sizes (written out, a 5 x 5
determinant took a minute to expand, hostile31 F7), for a formula's expression and for a
model's values, whose definitions are followed through the model's graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp
from sympy import (
    HadamardPower,
    HadamardProduct,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Transpose,
    ZeroMatrix,
)

from symbackprop.core.graph import ForwardGraph, Kind
from symbackprop.core.no_value import has_no_value
from symbackprop.formula.ast import to_text
from symbackprop.records.nodes import T

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

    flat: dict[Any, Any] = {}

    def resolved(e: Any) -> Any:
        """``e`` with each defined symbol replaced by its definition (two computations of
        W^T W are one matrix to the rank), flattened (``doit``: 2 W^T W + W^T W is 3 W^T W).
        Built from the definitions up, each written out and flattened once (memoized, no
        recursion): a chain B_k = B_{k-1} + det(A) A, each sum written out whole to the
        chain's start, made one bound of its sums take minutes (hostile50b #1)."""
        stack = [e]
        while stack:
            top = stack[-1]
            if top in flat:
                stack.pop()
                continue
            defined = {s: definition(s) for s in top.atoms(MatrixSymbol)}
            defined = {s: d for s, d in defined.items() if d is not None}
            pending = [d for d in defined.values() if d not in flat]
            if pending:
                stack.extend(pending)
                continue
            written = top.xreplace({s: flat[d] for s, d in defined.items()}) if defined else top
            flat[top] = written.doit()
            stack.pop()
        return flat[e]

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
            found = _sum_bound(e, bound, resolved)
        elif isinstance(e, HadamardProduct):  # rank(A ⊙ B) <= rank(A) rank(B)
            parts = [bound(f) for f in e.args]
            found = None if None in parts else math.prod(p for p in parts if p is not None)
        elif isinstance(e, HadamardPower) and e.exp.is_Integer and e.exp > 0:
            base = bound(e.base)
            found = None if base is None else base ** int(e.exp)
        elif isinstance(e, MatrixSymbol) and definition(e) is not None:
            found = bound(definition(e))
        else:
            found = full
        if found is not None:
            found = min(found, full)
            memo[e] = found
        return found

    return bound(expr)


def _sum_bound(
    e: MatAdd, bound: Callable[[Any], int | None], resolved: Callable[[Any], Any]
) -> int | None:
    """A bound on a sum's rank: the sum of its distinct terms' (a term and its multiples are
    one: W^T W + W^T W, W^T W - 0.5 W^T W), and at most a first or last factor all its terms
    share (B A + B A B A = B (A + A B A): at most B's rank)."""
    matrices: dict[Any, Any] = {}
    for term in e.args:
        whole = resolved(term)  # flat: (1/2) (W^T W) as (1/2) W^T W
        part = whole.as_coeff_mmul()[1] if isinstance(whole, MatMul) else whole
        matrices.setdefault(part, term)
    parts = [bound(term) for term in matrices.values()]
    if None in parts:
        return None
    found = sum(p for p in parts if p is not None)
    factors = [
        [f for f in part.args if getattr(f, "is_Matrix", False)]
        if isinstance(part, MatMul)
        else [part]
        for part in matrices
    ]
    for end in (0, -1):
        shared = {fs[end] for fs in factors}
        if len(shared) == 1 and all(len(fs) > 1 for fs in factors):
            (factor,) = shared
            own = bound(factor)
            if own is not None:
                found = min(found, own)
    return found


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
    kept = (Kind.MATMUL, Kind.TRANSPOSE, Kind.SCALE, Kind.LINEAR, Kind.HADAMARD)

    def definition(symbol: MatrixSymbol) -> Any:
        node = graph.nodes.get(str(symbol.name))
        if node is None or node.expr is None:
            return None
        if node.kind is Kind.FUNCTION:  # an element-wise power A^k: rank at most rank(A)^k
            body = getattr(node.record, "body", None)
            (arg,) = node.args
            if (
                isinstance(body, sp.Pow)
                and body.base == T
                and body.exp.is_Integer
                and body.exp > 0
                and isinstance(arg, MatrixSymbol)
            ):
                return HadamardPower(arg, body.exp)
            return None
        return node.expr if node.kind in kept else None

    return definition


def no_value_text(sizes: str, problem: str) -> str:
    """The sentence for a model with no value at the sizes ``sizes`` (``"r = 2, c = 3"``; ""
    for a model of numeric shapes, which has none to name: "no value at : ..." read as a
    bug, hostile38c #6), ``problem`` saying why (:func:`undefined_at_sizes`)."""
    where = f" at {sizes}" if sizes else ""
    return f"the model has no value{where}: {problem}"


def undefined_at_sizes(graph: ForwardGraph, sizes: Mapping[sp.Symbol, int]) -> str | None:
    """Why the model has no value at ``sizes`` (a logdet or inverse of a value whose shapes
    make it singular at every point), or ``None``: the first such call, in the order of the
    forward pass."""
    definition = model_definition(graph)
    sources = getattr(graph, "shown_sources", {})  # a model's: each value as written

    def shown(symbol: MatrixSymbol) -> str:
        name = str(symbol.name)
        return to_text(sources[name]) if name in sources else name

    for node in graph.nodes.values():
        arg = node.args[0] if node.args else None
        if not isinstance(arg, MatrixSymbol):
            continue
        if node.kind in (Kind.LOGDET, Kind.INVERSE):
            matrix, call = arg, "logdet" if node.kind is Kind.LOGDET else "inv"
            said = f"{call}({shown(arg)}) is"
        elif node.kind is Kind.FUNCTION and _no_value_at_zero(node.record):
            # log(det(W^T W)), 1 / det(...): the determinant is 0 at every point
            inner = graph.nodes.get(str(arg.name))
            if inner is None or inner.kind is not Kind.DET:
                continue
            (matrix,) = inner.args
            if not isinstance(matrix, MatrixSymbol):
                continue
            said = (
                f"det({shown(matrix)}), which the model takes the log of or divides by, is the "
                "determinant"
            )
        else:
            continue
        found = singular_by_shape(matrix, sizes, definition)
        if found is None:
            continue
        n = _size(matrix.shape[0], sizes)
        return (
            f"{said} of a {n} x {n} matrix whose shapes bound its rank by {found}, so it is "
            "singular at every point"
        )
    return None


def _no_value_at_zero(function: Any) -> bool:
    """Whether an element-wise function has no value at 0 (log, a negative power)."""
    body = getattr(function, "body", None)
    if not isinstance(body, sp.Expr):
        return False
    at_zero = body.subs(T, 0)
    return has_no_value(at_zero) or at_zero.is_finite is False
