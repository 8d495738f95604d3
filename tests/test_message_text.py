"""shapecheck's messages print a kink's base and its edges in the formula language, or in the
printers' plain text where the language has none: never SymPy's own text (hostile16 4c:
"no point compared had Matrix([[Sum(z1[_i_1, 0], (_i_1, 0, n1 - 1))]]) below 0", "x^T x
below E").

The bases and edges are drawn from the values the switch search hands the messages: explicit
1 x 1 matrices of index sums, traces, determinants and written-out entries, the numbers e,
2^(1/3), log 2, and functions, sums, products and powers of them.
"""

from __future__ import annotations

import re

import sympy as sp
from hypothesis import strategies as st
from hypothesis_twins import twins
from sympy import Determinant, ImmutableMatrix, MatrixSymbol, Sum, Trace

import symbackprop as sb
from symbackprop.apps.shapecheck.check import _text
from symbackprop.apps.shapecheck.model import show
from symbackprop.check.kinks import Region

#: SymPy's text that a message must never show
FORBIDDEN = re.compile(r"Matrix\(|Sum\(|Trace\(|Determinant\(|_i_|\*\*|\bE\b|Identity|OneMatrix")

n1 = sp.Symbol("n1", integer=True, positive=True)
z1 = MatrixSymbol("z1", n1, 1)
W = MatrixSymbol("W", 2, 3)
x = MatrixSymbol("x", 3, 1)
A = MatrixSymbol("A", 2, 2)
i = sp.Symbol("_i_1", integer=True)
k = sp.Symbol("_i_2", integer=True)

LEAVES = [
    Sum(z1[i, 0], (i, 0, n1 - 1)),
    Sum(Sum(W[i, k] * x[k, 0], (k, 0, 2)), (i, 0, 1)),
    Trace(W * W.T),
    Determinant(A),
    sp.Add(*(W[a, b] ** 2 for a in range(2) for b in range(3))),
    W[0, 0] * x[0, 0] + W[0, 1] * x[1, 0],
    sp.E,
    2 ** sp.Rational(1, 3),
    sp.log(2),
    sp.Rational(5001, 10000),
]

numbers = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
        st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
        st.tuples(inner, st.sampled_from([2, -1, sp.Rational(1, 2)])).map(lambda p: p[0] ** p[1]),
        inner.map(sp.exp),
        inner.map(sp.Abs),
        inner.map(lambda v: -v),
    ),
    max_leaves=3,
)


def _clean(text: str) -> None:
    assert not FORBIDDEN.search(text), text


@twins(numbers, st.booleans(), examples=75)
def test_a_base_or_edge_is_never_printed_in_sympys_text(number: sp.Expr, wrapped: bool) -> None:
    shown = ImmutableMatrix([[number]]) if wrapped else number
    _clean(_text(shown))


MODEL = sb.Model.parse("W : 2 x 3\nx : 3 x 1\nJ = relu(sum(W ⊙ W) - 0.5) + sum(W x)\ndata: x\n")


def test_a_models_messages_print_no_sympy_text() -> None:
    text = show(sb.derive(MODEL))
    for number in LEAVES[:6]:
        region = Region(ImmutableMatrix([[number]]), -sp.oo, sp.E)
        _clean(region.describe(text))
        assert region.describe(text).endswith("below exp(1)")
