"""A formula with a piece in a bias is compared where every bias is 0, as training starts.

``delta1 ⊙ (1{b1 > 0} + 1{b1 < 0})`` is the gradient wherever no bias is 0 and 0 where one is:
at the usual initialization the biases would never move. The random points never draw a bias
of exactly 0, and it passed (hostile48a #6).
"""

from __future__ import annotations

import pytest

import symbackprop as sb


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_formula_zero_at_zero_biases_fails_with_a_note() -> None:
    report = sb.check_formula("4-3-2-1", "b1", "delta1 ⊙ (1{b1 > 0} + 1{b1 < 0})")
    assert report.exit_code == 1 and report.equal is False
    assert any("where every bias is 0" in note for note in report.notes)


@pytest.mark.parametrize(
    ("network", "wrt", "formula"),
    [
        pytest.param("4-3-2-1", "b1", "delta1 ⊙ (1{b1 >= 0} + 1{b1 < 0})", marks=pytest.mark.slow),
        ("4-3:relu-2:relu-1", "W1", "(W2^T (W3^T (a3 - y) ⊙ 1{z2 > 0}) ⊙ 1{W1 x + b1 > 0}) x^T"),
    ],
)
def test_a_right_formula_with_a_piece_in_a_bias_passes(
    network: str, wrt: str, formula: str
) -> None:
    report = sb.check_formula(network, wrt, formula)
    assert report.exit_code == 0 and report.equal
