"""A kink shifted by a small multiple of a leaf (``1{z1 + b1/1000 > 0}`` written for relu'):
it differs from ``1{z1 > 0}`` only where z1 lies between 0 and -b1/1000, a different value in
each entry, which neither the random points nor the pre-activations placed at -1/2 and 1/2
reach, so the wrong formula passed ("✓ equals dJ/dW1 exactly", exit 0). The base z1 is now cut
half the shift's spread either side of the kink (z1 = -1/2000, 1/2000) where pre-activations are
placed, and the shifted argument is a base of its own whose two sides are searched on lines.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check import kinks
from symbackprop.records.nodes import T, entrywise

NET = "4-3:relu-2:relu-1"


def _relu(arg: sp.MatrixExpr) -> sp.MatrixExpr:
    return entrywise(sp.Lambda(T, sp.Max(T, 0)), arg)


def test_a_leaf_shifted_kink_is_placed_near_the_kink_and_searched_as_its_own_base() -> None:
    z, b = sp.MatrixSymbol("z1", 3, 1), sp.MatrixSymbol("b1", 3, 1)
    spread = sp.Rational(1, 1000)
    # the placed pre-activations: z1 half the shift's spread either side of the kink
    assert kinks.kinks(_relu(z + spread * b)) == {0, -spread / 2, spread / 2}
    # the regions: z1 + b1/1000 is no affine map of z1 alone, so it is its own base
    # (check/switches.py), searched on lines either side of its switch at 0
    cuts = {(r.arg, r.low, r.high) for r in kinks.regions(_relu(z + spread * b))}
    assert cuts == {(z + spread * b, -sp.oo, 0), (z + spread * b, 0, sp.oo)}
    assert {r.arg for r in kinks.regions(_relu(z + b))} == {z + b}


def test_a_kink_shifted_by_a_thousandth_of_the_bias_is_caught() -> None:
    report = sb.check_formula(NET, "W1", "((W2^T delta2) ⊙ 1{z1 + b1/1000 > 0}) x^T")
    assert report.equal is False and report.exit_code == 1, report.error


@pytest.mark.slow
def test_a_relu_derivative_shifted_by_a_millionth_of_the_bias_is_caught() -> None:
    report = sb.check_formula(NET, "W1", "((W2^T delta2) ⊙ relu'(z1 + b1/10^6)) x^T")
    assert report.equal is False and report.exit_code == 1, report.error
