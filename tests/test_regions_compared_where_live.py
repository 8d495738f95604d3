"""A region counts as compared only where the two sides could differ there (review14 R5).

``((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{abs(x) > 0.001})^T`` differs from dJ/dW1 wherever
0 < |x_j| < 0.001; the line search reached "abs(x) below 1/1000" at x_j = 0 exactly (a round
step of the doubling), where column j is 0 on both sides because of the factor x_j, and the
formula passed "exactly". ``1{b1 > -100}`` and ``1{W1 x > -100}`` beside relu' differ only where
z1 > 0 in the same entry; the line reaching b1 < -100 moved one entry of b1, relu' was 0 there.
Now a point inside a region counts only where the gradient or the formula, with every
piecewise atom taken as 1, is not 0 in the entries the region reaches (check/live.py), the
line search returns a point the halving put inside (never the doubling's round step), and
z1 > 0 with b1 < -100 in one entry is a joint region of two linear values (check/joint.py).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.live import live, pieceless

NET = "4-3:relu-1"


def test_the_entries_a_value_reaches_are_read_from_the_shapes() -> None:
    n0, n1 = sp.Symbol("n0"), sp.Symbol("n1")
    gradient = sp.Matrix([[1, 0, 2], [0, 0, 3]])  # n1 x n0 = 2 x 3: column 1 is 0
    # x^T (1 x n0): its entry 1 reaches column 1 only
    assert not live((1, n0), (n1, n0), [1], 3, [gradient])
    assert live((1, n0), (n1, n0), [0], 3, [gradient])
    # z1 (n1 x 1): its entry 1 reaches row 1
    assert live((n1, 1), (n1, n0), [1], 1, [gradient])
    # a 1 x 1 value reaches every entry
    assert live((1, 1), (n1, n0), [0], 1, [sp.zeros(2, 3), gradient])


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_pieceless_takes_every_piecewise_atom_as_one() -> None:
    report = sb.check_formula(NET, "W1", "((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{abs(x) > 0.001})^T")
    assert report.exit_code == 1
    written = pieceless(report.expression)
    assert "z1 > 0" not in str(written) and "0.001" not in str(written)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("wrt", "formula", "code"),
    [
        ("b1", "(W2^T delta2) ⊙ 1{z1 > 0} ⊙ 1{b1 > -100}", 1),
        ("b1", "(W2^T delta2) ⊙ 1{z1 > 0} ⊙ 1{W1 x > -100}", 1),
        ("b1", "(W2^T delta2) ⊙ 1{z1 > 0} ⊙ (1{b1 > -100} + 1{b1 <= -100})", 0),
        ("W1", "((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{abs(x) >= 0})^T", 0),
    ],
)
def test_another_atoms_zero_is_no_comparison(wrt: str, formula: str, code: int) -> None:
    report = sb.check_formula(NET, wrt, formula)
    assert report.exit_code == code, report.error


@pytest.mark.slow
def test_an_abs_band_names_no_impossible_region() -> None:
    """abs(z1 - 1) is never below 0: the band's message named "abs(-1 + z1) below 0". The band
    itself (0.999 < z1 < 1.001) is not reached yet (exit 2, honest; abs(w)'s switches are not
    put on w, whose far side a line may not reach: test_kink_regions' logistic_l2 line)."""
    formula = "(W2^T delta2) ⊙ (1{z1 > 0} - 1{z1 > 0} ⊙ 1{abs(z1 - 1) < 0.001})"
    report = sb.check_formula(NET, "b1", formula)
    assert report.exit_code in (1, 2)
    assert "below 0" not in str(report.error or "")
