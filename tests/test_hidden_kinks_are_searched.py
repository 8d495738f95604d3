"""Kinks written without abs or an indicator are searched too (hostile38b #1, #2).

``sqrt((W2 - 20)^2)`` is abs(W2 - 20), which SymPy keeps as a square root (W2 is no known real),
and the kink search never looked at it: a formula wrong only where W2 > 20 passed. ``abs(m -
30)`` of the batch size was no condition on m: ``(abs(m - 30) + m - 30) W2`` is 0 up to m = 30
and was compared at no larger m, so a formula wrong at every m > 30 passed "exactly".
"""

from __future__ import annotations

import pytest

import symbackprop as sb

TRUE_W2 = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"


@pytest.mark.parametrize(
    "wrong",
    [
        f"{TRUE_W2} ⊙ (sqrt((W2 - 20)^2) + W2 - 19)",
        f"{TRUE_W2} ⊙ (((W2 - 20)^2)^0.5 + W2 - 19)",
        f"{TRUE_W2} ⊙ (sqrt((W2 - 20) ⊙ (W2 - 20)) + W2 - 19)",
    ],
)
def test_a_square_root_of_a_square_is_a_kink(wrong: str) -> None:
    assert sb.check_formula("4-3-2-1", "W2", wrong).exit_code == 1


@pytest.mark.parametrize(
    "right",
    [f"{TRUE_W2} ⊙ (sqrt(W2 ⊙ W2) - abs(W2) + 1)", f"{TRUE_W2} ⊙ sqrt((W2 - 20)^4) / (W2 - 20)^2"],
)
def test_a_square_root_that_is_the_gradient_still_passes(right: str) -> None:
    assert sb.check_formula("4-3-2-1", "W2", right).exit_code == 0


def test_abs_of_the_batch_size_is_a_switch_of_m() -> None:
    wrong = "delta2 A1^T + (abs(m - 30) + m - 30) * W2"
    report = sb.check_formula("4-3-2-1", "W2", wrong, batch=True)
    assert report.exit_code == 1 and report.counterexample is not None
    assert report.counterexample.sizes["m"] == 31
