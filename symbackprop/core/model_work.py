"""The multiply-adds of one forward and backward pass of a model, counted from its graph.

``check`` refuses a network whose finite differences would run for minutes
(:func:`symbackprop.core.memory.check_work`); a model had no such count, and ``check`` of
``logdet(A A^T) + tr(inv(A))`` at n = 3000 ran 278 s before it answered (hostile41a #3).
Counted per value of the graph at the sizes given, forward and backward together:

* a product (r x k)(k x c): 3 r k c (one product forward, two backward);
* an inverse, det or logdet of an n x n matrix: 3 n^3 (a factorisation forward, an inverse
  and its products backward);
* anything else: :data:`PER_ENTRY` per entry of its value (element-wise functions, sums,
  transposes: passes of NumPy over fresh arrays, forward and backward, each entry about as slow
  as 150 multiply-adds of a matrix product).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from symbackprop.core.graph import Kind

#: the multiply-adds an entry of an element-wise value counts for, forward and backward:
#: measured on tanh, exp and sigmoid of a 100 x m X (review41 #3: counted at 30, a
#: check of 60 s was taken for 7 s; the limit, 2e11, is about 10 s of matrix products)
PER_ENTRY = 150.0
#: the kinds that factorise a square matrix
_CUBIC = (Kind.INVERSE, Kind.DET, Kind.LOGDET)


def model_multiply_adds(graph: Any, sizes: Mapping[str, int]) -> float:
    """Multiply-adds of one forward and one backward pass of ``graph`` (a
    :class:`~symbackprop.core.model_graph.ModelGraph`) with every dimension at its size in
    ``sizes`` (dimension name -> size; a dimension not named counts as 1)."""
    by_name = {str(name): int(size) for name, size in sizes.items()}

    def size(dim: Any) -> int:
        value = sp.Integer(dim) if isinstance(dim, int) else dim  # a SymPy size otherwise
        known = {s: by_name.get(str(s), 1) for s in value.free_symbols}
        return max(1, int(value.xreplace(known)))

    def shape(arg: Any) -> tuple[int, int]:
        name = str(getattr(arg, "name", arg))
        symbol = graph.symbols.get(name, arg)
        rows, cols = symbol.shape
        return size(rows), size(cols)

    total = 0.0
    for value, node in graph.nodes.items():
        rows, cols = shape(graph.symbols[value])
        if node.kind is Kind.MATMUL and len(node.args) == 2:
            (r, k), (_, c) = shape(node.args[0]), shape(node.args[1])
            total += 3.0 * r * k * c
        elif node.kind in _CUBIC and node.args:
            n, _ = shape(node.args[0])
            total += 3.0 * n**3
        else:
            total += PER_ENTRY * rows * cols
    return total


__all__ = ["PER_ENTRY", "model_multiply_adds"]
