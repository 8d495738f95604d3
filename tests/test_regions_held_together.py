"""A formula that differs from the gradient only where two piecewise values of different
leaves are in their rare pieces at once was compared in each piece apart, and passed
(hostile42d #2: (1 + 1{sum(W1) > 3} ⊙ 1{sum(W2) > 3}) G, twice the gradient there). From the
point found in one piece, a line moving only the other value's leaves reaches both."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model

G = "((W2^T delta2) * a1 * (1 - a1)) x^T"
MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.mark.parametrize(
    "both",
    [
        "1{sum(W1) > 3} * 1{sum(W2) > 3}",
        # 2 s each: the slow suite
        pytest.param("1{sum(W1) > 30} * 1{sum(W2) < -30}", marks=pytest.mark.slow),
        pytest.param("1{sum(W1) > 30} * 1{sum(b1) > 30}", marks=pytest.mark.slow),
    ],
)
@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_difference_where_two_pieces_hold_at_once_is_found(both: str) -> None:
    report = sb.check_formula("3-2-1", "W1", f"(1 + {both}) {G}")
    assert report.exit_code == 1, (report.error, report.points)


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_the_right_formula_says_where_it_was_compared_together() -> None:
    both = "1{sum(W1) > 30} * 1{sum(W2) < -30}"
    report = sb.check_formula("3-2-1", "W1", f"(1 + {both} - {both}) {G}")
    assert report.ok, report.error
    assert "each apart, and at " in (report.points or "")
    assert "more with two such values in their pieces at once" in (report.points or "")


@pytest.mark.slow  # a model's comparison: 3 s
def test_a_model_formula_wrong_where_two_pieces_hold_at_once() -> None:
    model = Model.from_file(MODELS / "quadratic.model")
    wrong = "0.5 (A + A^T) x + 1{sum(A) > 5} * 1{sum(x) > 3} A x"
    assert sb.check_formula(model, "x", wrong).exit_code == 1
