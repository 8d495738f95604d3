"""Indicators that couple two entries of one leaf (hostile18 S1-a).

The regions of a kinked value are searched one entry at a time, so a formula that differs from
the gradient only where two different entries of one leaf lie past their kinks together,
``... ⊙ (1 - 1{W > 20} ⊙ 1{W^T < -20})`` (W_ij above 20 with W_ji below -20) or ``1{W < -20}``
carried along a row by a matrix product, was compared only where each entry lay past its kink
alone, and passed "exactly". Now, after the regions, the formula is compared at points with
every entry of each kinked leaf on a random side of its kinks (the entries that stay on the
side they had at the live base point keep their value): points, not a proof, and the README
says so; a coupling through a value that is no leaf (Z1 = W1 X + b1) is not drawn so.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.crossings import MIXED_POINTS, _inside

LINEAR = "x : n x 1\ny : k x 1\nW : k x n\nsizes: n = 3, k = 2\nJ = mse(W x, y)\ndata: x, y\n"
SQUARE = """x : n x 1
y : 1 x 1
W : n x n
b : n x 1
w : n x 1
sizes: n = 3
a = relu(W x + b)
J = mse(w^T a, y)
data: x, y
"""
ROW = "(1 - 1{W > 20} ⊙ (1{W < -20} (0 x + 1) (0 x + 1)^T))"


def test_an_entry_keeps_its_value_on_its_own_side() -> None:
    rng = random.Random(1)
    twenty = sp.Integer(20)
    assert _inside((-sp.oo, twenty), sp.Rational(1, 3), rng) == sp.Rational(1, 3)
    moved = _inside((twenty, sp.oo), sp.Rational(1, 3), rng)
    assert 21 < moved < 22
    between = _inside((-twenty, twenty), sp.Integer(30), rng)
    assert -20 < between < 20
    assert MIXED_POINTS >= 8


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (LINEAR, f"((W x - y) x^T) ⊙ {ROW}"),
        pytest.param(
            SQUARE,
            "(((w (w^T a - y)) ⊙ 1{W x + b > 0}) x^T) ⊙ (1 - 1{W > 20} ⊙ 1{W^T < -20})",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_coupling_of_two_entries_is_a_difference(model: str, formula: str) -> None:
    """Each was exit 0 "equal ... with W below -20, W above 20"."""
    report = sb.check_formula(sb.Model.parse(model), "W", formula)
    assert report.exit_code == 1, report


@pytest.mark.slow
def test_the_network_twin_and_a_right_spelling() -> None:
    wrong = f"(((W2^T (a2 - y)) ⊙ 1{{a1 > 0}}) x^T) ⊙ {ROW.replace('W', 'W1')}"
    assert sb.check_formula("4-3:relu-1", "W1", wrong).exit_code == 1
    right = "((W x - y) x^T) ⊙ (1{W < 20} + 1{W >= 20})"
    report = sb.check_formula(sb.Model.parse(LINEAR), "W", right)
    assert report.exit_code == 0, report
    assert "on a random side of its kinks" in report.points
