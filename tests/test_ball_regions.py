"""A kink of a sum of squares is reached on the line to the origin (review 13 R14; trust14).

``J = relu(sum(W ⊙ W) - 0.5)`` switches on the sphere |W|^2 = 1/2; random points (entries up to
9) lie outside it, and the lines of ``crossing`` move away from the point, so no point reached
the ball: every formula, its own printed truth included, was "cannot check" (exit 2), and the
message named the base as SymPy's ``Matrix([[W[0, 0]**2 + ...]])``. The line p0 (1 - t)
reaches it, and W[0, 0]**2 + ... + W[1, 2]**2 is read as sum(W ⊙ W).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import switches
from symbackprop.model import Model

BALL = "W : 2 x 3\nJ = relu(sum(W ⊙ W) - 0.5)\n"


def test_the_switch_of_a_sum_of_squares_is_on_sum_w_w() -> None:
    w = sp.MatrixSymbol("W", 2, 3)
    total = sp.Add(*(w[i, j] ** 2 for i in range(2) for j in range(3)))
    found = switches(sp.Piecewise((1, total > sp.Rational(1, 2)), (0, True)))
    (base,) = found.on
    assert not isinstance(base, sp.ImmutableMatrix)
    assert base == sp.OneMatrix(1, 2) * sp.HadamardProduct(w, w) * sp.OneMatrix(3, 1)
    assert found.on[base] == {sp.Rational(1, 2)}


def test_the_right_threshold_passes_and_a_wrong_one_fails() -> None:
    model = Model.parse(BALL)
    right = sb.check_formula(model, "W", "2 W * 1{sum(W ⊙ W) > 0.5}")
    assert right.exit_code == 0, str(right)
    assert right.points is not None and "Matrix" not in right.points
    assert sb.check_formula(model, "W", "2 W * 1{sum(W ⊙ W) > 0.4}").exit_code == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("1{sum(W ⊙ W) - 1/2 > 0} ⊙ W + 1{sum(W ⊙ W) - 1/2 > 0} ⊙ W", 0),  # its printed truth
        ("2 W * 1{sum(W ⊙ W) > 0}", 1),
        ("2 W", 1),
    ],
)
def test_more_formulas_on_the_ball(formula: str, code: int) -> None:
    assert sb.check_formula(Model.parse(BALL), "W", formula).exit_code == code
