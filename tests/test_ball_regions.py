"""A kink of a sum of squares (review 13 R14; trust14, review14 R6).

``J = relu(sum(W ⊙ W) - 0.5)`` switches on the sphere |W|^2 = 1/2; random points (entries up to
9) lie outside it, and the lines of ``crossing`` that move away from the point miss the ball; a
line toward the origin reaches it. With that line, wrong thresholds once passed (R6): the regions
were cut at every same-shape base's raw switches, and the band between W x = 9/20 and the
shifted relu's W x = 1/2 (or |W|^2 between 1/4 and 1/2 for norm2(W) > 1/2) was no region. Each
base is now cut at its own switches, every related value's mapped onto it (sum(W ⊙ W) for
norm2(W), W x for W x - 1/2), but a value unrelated to the ball's (sum(W ⊙ W) + 0.001 sum(W))
is still cut only at its own switches, and with the line its wrong threshold passed (review15
N1): the line is out again, and the ball's formulas are "cannot decide" (exit 2), never a pass;
the shifted relu's are decided without it (exit 1 and 0). The base reads
W[0, 0]**2 + ... + W[1, 2]**2 as a sum of W's squares, not SymPy's Matrix.
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


#: review14 R6: with a line toward the origin the ball was reached, and wrong thresholds between
#: two bases that differ by a constant passed "exactly" (W x in (0.45, 0.5) for relu(W x - 0.5))
RELU_SHIFTED = "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x - 0.5)\nJ = mse(v h, y)\n"


@pytest.mark.slow  # 13 s: the search for the ball (the area keeps its cheap default above)
def test_a_threshold_inside_the_ball_is_never_a_pass() -> None:
    model = Model.parse(BALL)
    # no line reaches the ball (the line toward the origin is out again: review15 N1), so the
    # right formula cannot be decided, and no wrong one passes
    right = sb.check_formula(model, "W", "2 W * 1{sum(W ⊙ W) > 0.5}")
    assert right.exit_code in (0, 2), str(right)
    far = sb.check_formula(model, "W", "2 W * 1{sum(W ⊙ W) > 50}")  # differs on 1/2 < |W|^2 < 50
    assert far.exit_code == 1, str(far)
    for wrong in (
        "2 W * 1{sum(W ⊙ W) > 0.4}",
        "2 W * 1{norm2(W) > 0.5}",
        "2 W * 1{sum(W ⊙ W) + 0.001 sum(W) > 0.5}",
    ):
        assert sb.check_formula(model, "W", wrong).exit_code in (1, 2), wrong
    shifted = Model.parse(RELU_SHIFTED)
    for wrong in ("1{W x > 0.45}", "1{W x - 0.5 > 0.01}"):
        formula = f"((v^T (v h - y)) ⊙ {wrong}) x^T"
        assert sb.check_formula(shifted, "W", formula).exit_code == 1, wrong


@pytest.mark.slow
@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("1{sum(W ⊙ W) - 1/2 > 0} ⊙ W + 1{sum(W ⊙ W) - 1/2 > 0} ⊙ W", (0, 2)),  # its truth
        ("2 W * 1{sum(W ⊙ W) > 0}", (1, 2)),
        ("2 W", (1, 2)),
    ],
)
def test_more_formulas_on_the_ball(formula: str, code: tuple[int, ...]) -> None:
    assert sb.check_formula(Model.parse(BALL), "W", formula).exit_code in code
