"""The vocabulary of the index view: the cost J, the index symbols, entries and dJ/d(entry).

Indices are 1-based; a column vector (n x 1) has one index (``a1[j]``), every other matrix two
(``Z2[k, t]``, t the example).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import Derivative, IndexedBase, MatrixSymbol

#: the cost J, as the differentiated symbol of every dJ/d(entry)
J = sp.Symbol("J")
#: i, j the entry computed; k, s summed; p inside a forward definition; t an example (column)
i, j, k, p, s, t = sp.symbols("i j k p s t", integer=True, positive=True)


def entry(symbol: MatrixSymbol, row: Any, col: Any = None) -> Any:
    """The (row, col) entry of ``symbol`` as an Indexed: one index for a column vector."""
    base = IndexedBase(symbol.name)
    if symbol.shape[1] == 1:
        return base[row]
    return base[row, col]


def grad(symbol: MatrixSymbol, row: Any, col: Any = None) -> Any:
    """dJ/d(entry) as an unevaluated Derivative."""
    return Derivative(J, entry(symbol, row, col))
