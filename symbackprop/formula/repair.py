"""Repair a formula by shape analysis: arrange the factors a student wrote so the shapes fit.

The factors of the formula's top-level product chain (``(a3 - y) W3^T a2(1 - a2) a1^T`` has
five) are combined by a dynamic program over subsets of factors: for every subset it keeps the
shapes reachable with matrix products (either order, each factor possibly transposed) and
element-wise products. That is 3^k combinations of subsets, not k! orderings; it is capped at
:data:`MAX_FACTORS` factors. Equivalent arrangements (⊙ is commutative) are kept in one
canonical order: the order the student wrote the factors in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sympy import HadamardProduct, MatMul, Transpose, preorder_traversal

#: the most factors a repair search will arrange (3^8 = 6561 subset splits)
MAX_FACTORS = 8
#: arrangements kept per (subset, shape); equal ones collapse to one canonical form
_KEEP = 12

Shape = tuple[Any, Any]


@dataclass(frozen=True)
class _Entry:
    expr: Any
    first: int  # the smallest index of a factor it uses: orders ⊙ chains like the student
    parts: tuple[tuple[Any, int], ...]  # ⊙ operands with their first index, else empty

    @property
    def key(self) -> str:
        return str(self.expr)


def arrangements(factors: list[tuple[Any, Shape]], target: Shape) -> list[Any]:
    """Every kept arrangement of all ``factors`` (expression, shape) whose shape is ``target``.

    Ordered by fewest transposes first, then shortest.
    """
    count = len(factors)
    if count == 0 or count > MAX_FACTORS:
        return []
    table: dict[int, dict[Shape, dict[str, _Entry]]] = {}
    for index, (expr, shape) in enumerate(factors):
        cell: dict[Shape, dict[str, _Entry]] = {}
        _add(cell, shape, _Entry(expr, index, ()))
        flipped = (shape[1], shape[0])
        _add(cell, flipped, _Entry(_transpose(expr), index, ()))
        table[1 << index] = cell
    for mask in sorted(range(1, 1 << count), key=lambda m: bin(m).count("1")):
        if bin(mask).count("1") < 2:
            continue
        cell = {}
        sub = (mask - 1) & mask
        while sub:
            other = mask ^ sub
            for left_shape, lefts in table[sub].items():
                for right_shape, rights in table[other].items():
                    for left in lefts.values():
                        for right in rights.values():
                            _combine(cell, left_shape, left, right_shape, right, sub < other)
            sub = (sub - 1) & mask
        table[mask] = cell
    found = table[(1 << count) - 1].get(target, {})
    return sorted((e.expr for e in found.values()), key=_cost)


def _combine(
    cell: dict[Shape, dict[str, _Entry]],
    left_shape: Shape,
    left: _Entry,
    right_shape: Shape,
    right: _Entry,
    hadamard_too: bool,
) -> None:
    first = min(left.first, right.first)
    if left_shape[1] == right_shape[0]:
        product = _matmul(left.expr, right.expr)
        _add(cell, (left_shape[0], right_shape[1]), _Entry(product, first, ()))
    if hadamard_too and left_shape == right_shape:
        parts = list(left.parts or ((left.expr, left.first),))
        parts += list(right.parts or ((right.expr, right.first),))
        parts.sort(key=lambda p: p[1])
        expr = HadamardProduct(*(p[0] for p in parts))
        _add(cell, left_shape, _Entry(expr, first, tuple(parts)))


def _add(cell: dict[Shape, dict[str, _Entry]], shape: Shape, entry: _Entry) -> None:
    bucket = cell.setdefault(shape, {})
    if entry.key not in bucket and len(bucket) < _KEEP:
        bucket[entry.key] = entry


def _matmul(left: Any, right: Any) -> Any:
    # MatMul(...) without doit(): doit would re-sort the operands of a ⊙ inside it
    args = [*_operands(left), *_operands(right)]
    return MatMul(*args)


def _operands(expr: Any) -> list[Any]:
    return list(expr.args) if isinstance(expr, MatMul) else [expr]


def _transpose(expr: Any) -> Any:
    if isinstance(expr, Transpose):
        return expr.arg
    return expr.T


def _cost(expr: Any) -> tuple[int, int]:
    transposes = sum(1 for node in preorder_traversal(expr) if isinstance(node, Transpose))
    return transposes, len(str(expr))
