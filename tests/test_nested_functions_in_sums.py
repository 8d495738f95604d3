"""A nest of functions inside a sum is read at a point without SymPy's assumptions on each level.

``sum(tanh^8(W2))`` in a formula ran for minutes: reading it at a point put the point's values
in while the sum's indices were still symbols, and SymPy asked each tanh of the nest whether it
is real, in work exponential in the depth. Counted here (no wall-clock limit): the Python calls
of the reading grow with the nest (0.55 to 6.2 million calls from depth 3 to 6 before; 55 to
96 thousand now).
"""

from __future__ import annotations

import cProfile
import pstats

import sympy as sp
from sympy.functions.elementary.hyperbolic import tanh

from symbackprop.apps.shapecheck.at_sizes import number_at_a_point
from symbackprop.apps.shapecheck.sums import entry_sums
from symbackprop.records.nodes import Elementwise, T


def _calls(depth: int) -> int:
    """Python calls made reading sum(tanh^depth(W2)) at a point, W2 2 x 3."""
    n1, n2 = sp.symbols("n1 n2", integer=True, positive=True)
    value: sp.MatrixExpr = sp.MatrixSymbol("W2", n2, n1)
    for _ in range(depth):  # as the formula language builds tanh(tanh(...(W2)))
        value = Elementwise(sp.Lambda(T, tanh(T)), value)
    total = entry_sums((sp.OneMatrix(1, n2) * value * sp.OneMatrix(n1, 1))[0, 0])
    profile = cProfile.Profile()
    profile.enable()
    number = number_at_a_point(total, {n1: 3, n2: 2})
    profile.disable()
    assert number is not None and number.is_number
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def test_reading_a_nest_in_a_sum_grows_with_the_nest_only() -> None:
    shallow, deep = _calls(3), _calls(6)
    assert deep <= 3 * shallow, (shallow, deep)


def test_a_sum_whose_bound_names_an_outer_index_is_written_out_from_the_inside() -> None:
    """review48 #6: the bounds were made ints before checking they are numbers."""
    from symbackprop.apps.shapecheck.sums import unrolled

    n = sp.Symbol("n", integer=True, positive=True)
    i, k = sp.symbols("i k", integer=True)
    w = sp.MatrixSymbol("W", n, 3)
    written = unrolled(sp.Sum(w[i, k], (k, 0, 2), (i, 0, n - 1)))
    assert written == sp.Sum(w[i, 0] + w[i, 1] + w[i, 2], (i, 0, n - 1))
