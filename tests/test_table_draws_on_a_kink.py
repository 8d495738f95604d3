"""An exact point whose table draws a function's value on a kink is no counterexample.

The exact check draws sigmoid's values from k/20, so sigmoid(w) = 1/2 is drawn often; a custom
``f = relu(sigmoid(z) - 0.5)`` and a formula's ``1{sigmoid(w) >= 0.5}`` both sit on their kink
there, where they differ on a set of measure zero, and the right formula was "not the gradient
... (exactly, at random rational inputs)" (hostile49c #4). Such a point is drawn again, as a
point with a leaf on a switch is.
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

CUSTOM = "x : n x 1\nsizes: n = 3\nJ = sum(f(w)) + x^T w\ndata: x\n"


@pytest.mark.parametrize(
    ("define", "formula", "right"),
    [
        ("relu(sigmoid(z) - 0.5)", "sigmoid'(w) ⊙ 1{sigmoid(w) >= 0.5} + x", True),
        pytest.param(
            "relu(sigmoid(z) - 0.5)",
            "sigmoid'(w) ⊙ 1{sigmoid(w) >= 0.6} + x",
            False,
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "abs(exp(z) - 2)", "exp(w) ⊙ (2 1{exp(w) > 2} - 1) + x", True, marks=pytest.mark.slow
        ),
        pytest.param(
            "relu(2*exp(z) - 4)", "2 exp(w) ⊙ 1{exp(w) >= 2} + x", True, marks=pytest.mark.slow
        ),
    ],
)
def test_a_kink_drawn_by_the_tables_is_drawn_again(define: str, formula: str, right: bool) -> None:
    model = Model.parse(CUSTOM, define={"f": define})
    report = sb.check_formula(model, "w", formula)
    assert report.exit_code == (0 if right else 1), str(report.counterexample)
