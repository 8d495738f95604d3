"""core.canonical builds exactly what SymPy's ``*`` and ``+`` give, only faster."""

from __future__ import annotations

import functools
import operator

import pytest
import sympy as sp
from sympy import MatrixSymbol, OneMatrix, Transpose

from symbackprop.core.canonical import product, sort_key, total

n1, n2, m = (sp.Symbol(s, integer=True, positive=True) for s in ("n1", "n2", "m"))
W = MatrixSymbol("W", n1, n2)
V = MatrixSymbol("V", n1, n2)
A = MatrixSymbol("A", n2, m)
B = MatrixSymbol("B", n2, m)
b = MatrixSymbol("b", n1, 1)
D = MatrixSymbol("delta", n1, m)
S = MatrixSymbol("S", n1, n1)
c = MatrixSymbol("c", 1, 1)

PRODUCTS = [
    (W, A),
    (b, OneMatrix(1, m)),
    (D, Transpose(A)),
    (D, Transpose(OneMatrix(1, m))),
    (Transpose(W), D),
    (sp.Integer(1) / m, A),
    (sp.Integer(-1), A),
    (sp.Integer(2), OneMatrix(n1, m)),
    (sp.Integer(1), A),
    (sp.Symbol("lambda", positive=True) / m, W),
    (S, S),  # a power
    (S, S, W),
    (OneMatrix(n1, m), OneMatrix(m, n2)),  # merged ones
    (OneMatrix(1, 1), c),  # an identity
    (sp.Integer(0), A),  # zero
    (sp.Integer(2), W + V),  # distributed
    (W, A + B),  # not simple: SymPy's own
    (c, c),
    (Transpose(Transpose(W)), A),
    (Transpose(OneMatrix(1, 1)), c),
]


@pytest.mark.parametrize("args", PRODUCTS, ids=str)
def test_product_is_sympys(args: tuple) -> None:
    assert product(*args) == functools.reduce(operator.mul, args)


SUMS = [
    (W * A, b * OneMatrix(1, m)),
    (OneMatrix(n2, m), -1 * A),
    (A, B),
    (B, A),
    (A, A),  # collected
    (A, -1 * A),  # cancelled
    (2 * A, 3 * A),
    (A, B, -1 * A),
    (A, Transpose(Transpose(B))),
    (A, A + B),  # flattened
    (Transpose(OneMatrix(m, n2)), A),
    (W * A, (sp.Symbol("lambda", positive=True) / m) * W * A),
]


@pytest.mark.parametrize("terms", SUMS, ids=str)
def test_total_is_sympys(terms: tuple) -> None:
    assert total(*terms) == functools.reduce(operator.add, terms)


def test_shape_errors_are_sympys() -> None:
    P, Q = MatrixSymbol("P", 2, 3), MatrixSymbol("Q", 2, 3)
    with pytest.raises(sp.ShapeError):
        product(P, Q)
    with pytest.raises(sp.ShapeError):
        total(P, Transpose(Q))


@pytest.mark.parametrize(
    "term",
    [
        W,
        Transpose(W),
        OneMatrix(n1, m),
        W * A,
        b * OneMatrix(1, m),
        -1 * A,
        (sp.Integer(1) / m) * A,
        (sp.Symbol("lambda", positive=True) / m) * W,
        D * Transpose(A),
        Transpose(W) * D,
        W + V,  # not a product: SymPy's own key
        S * S,
    ],
    ids=str,
)
def test_sort_key_is_sympys(term: object) -> None:
    assert sort_key(term) == sp.default_sort_key(term)
