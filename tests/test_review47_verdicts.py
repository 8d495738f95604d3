"""Session 47's verdicts: passes that were not ones, found reviewing session 46's changes."""

from __future__ import annotations

import pytest

import symbackprop as sb

CE_MODEL = (
    "X : n x m\nY : k x m\nW : k x n\nsizes: n = 3, k = 4\nS = softmax(W X + b)\nJ = ce(S, Y)\n"
)


@pytest.mark.parametrize(
    "formula",
    [
        pytest.param("(a3 - y + 1{y <= 0}) a2^T", marks=pytest.mark.slow),
        "(a3 - y ⊙ 1{y < 1}) a2^T",
    ],
)
def test_a_formula_wrong_at_a_hard_label_fails(formula: str) -> None:
    """review47 #1: the regions of a bce target outside [0, 1] are open (y below 0), so a
    formula wrong exactly at the labels 0 or 1 agreed at every point compared and passed once
    those regions needed no point. The targets are compared at 0 and 1 too."""
    report = sb.check_formula("4-3-2-1", "W3", formula)
    assert report.exit_code == 1 and report.equal is False
    assert any("hard targets" in note for note in report.notes)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_right_formula_is_also_compared_at_hard_labels() -> None:
    """review47 #1: relu(y) is y at 0 and 1, so it still passes, the points sentence saying
    the targets were 0 and 1 at two points."""
    report = sb.check_formula("4-3-2-1", "W3", "(a3 - relu(y)) a2^T")
    assert report.exit_code == 0 and report.equal
    assert "2 with every entry of y 0 or 1 (hard targets)" in (report.points or "")


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_models_formula_wrong_on_one_hot_targets_fails() -> None:
    """review47 #1, a model: Y ⊙ 1{Y < 1} is wrong in every one-hot column, and passed."""
    model = sb.Model.parse(CE_MODEL)
    wrong = sb.check_formula(model, "W", "(1/m)(S - Y ⊙ 1{Y < 1}) X^T")
    assert wrong.exit_code == 1 and wrong.equal is False
    right = sb.check_formula(model, "W", "(1/m)(S - relu(Y)) X^T")
    assert right.exit_code == 0 and right.equal


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_right_formula_of_a_steep_activation_is_not_called_wrong() -> None:
    """hostile47a #3: hs = sigmoid(100 z) at z1 near 4: the derivation's a1 (1 - a1) is 0 in
    50 and 100 digits, the formula's 100 sigmoid(100 z1) sigmoid(-100 z1) keeps its 2e-181,
    and the right formula was "not the gradient". Both below the rounding unit, the entry is
    compared at more digits, or the check cannot decide; a wrong factor still fails."""
    net = sb.Network.parse("4-3:hs-1", define={"hs": "sigmoid(100*z)"})
    right = "((W2^T (a2 - y)) ⊙ 100 sigmoid(100 z1) ⊙ sigmoid(-100 z1)) x^T"
    report = sb.check_formula(net, "W1", right)
    assert report.equal is not False and report.exit_code in (0, 2), report.error
    wrong = sb.check_formula(net, "W1", right.replace("100 sigmoid(100", "200 sigmoid(100"))
    assert wrong.exit_code == 1 and wrong.equal is False


@pytest.mark.parametrize(
    "formula",
    [
        "(a3 - y) a2^T * (1 + sum(1{x > 20}))",
        pytest.param("(a3 - y) a2^T * (1 + sum(1{W1 > 20}))", marks=pytest.mark.slow),
        "(a3 - y) a2^T * (1 + sum(1{x > 20} ⊙ x))",
    ],
)
def test_a_sum_of_a_piecewise_value_is_compared_past_its_switch(formula: str) -> None:
    """hostile47a #1: a sum over the entries of 1{x > 20} read its pieces through dummy
    indices, which no switch was found for: twice the gradient wherever an input exceeds 20,
    the formula passed at the random points. The sum switches where its matrix does."""
    report = sb.check_formula("4-3-2-1", "W3", formula)
    assert report.exit_code == 1 and report.equal is False


def test_a_sum_of_a_switch_that_holds_nowhere_still_passes() -> None:
    """The same search, where the formula is right past the switch: 0 sum(relu(x - 20))."""
    report = sb.check_formula("4-3-2-1", "W3", "(a3 - y) a2^T * (1 + 0 sum(relu(x - 20)))")
    assert report.exit_code == 0 and report.equal


@pytest.mark.parametrize(
    ("spec", "wrt", "formula", "loss"),
    [
        ("4-3-3:softmax", "W2", "(a2 - y) a1^T * (1 + sum(1{y >= 1}))", "ce"),
        ("4-3-3:softmax", "W2", "(a2 - y) a1^T * (1 + 1{sum(y ⊙ y) >= 1})", "ce"),
        ("4-3-2-1", "W3", "(a3 - y) a2^T * (1 + sum(1{y ⊙ (1 - y) <= 0}))", "bce"),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_formula_wrong_at_every_hard_target_fails(
    spec: str, wrt: str, formula: str, loss: str
) -> None:
    """hostile47a #1, #2: wrong at every one-hot or 0/1 target, these passed or were "cannot
    decide" (no point drawn inside (0, 1) has sum(y ⊙ y) >= 1); hard targets decide them."""
    report = sb.check_formula(sb.Network.parse(spec, loss=loss), wrt, formula)
    assert report.exit_code == 1 and report.equal is False


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_hyperbolic_constant_factor_is_decided_in_seconds() -> None:
    """hostile47a #4: (tanh(1) + exp(-200)) times the gradient ran for minutes (SymPy's
    simplify wrote the ratio as a polynomial in e of degree 400 and factored it); it is read
    to 60 digits instead. A factor exactly 1 written with tanh still passes."""
    gradient = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"
    wrong = sb.check_formula("4-3-2-1", "W2", f"(tanh(1) + exp(-200)) {gradient}")
    assert wrong.exit_code == 1 and wrong.equal is False
    one = "(tanh(1) - (exp(2) - 1)/(exp(2) + 1) + 1)"
    right = sb.check_formula("4-3-2-1", "W2", f"{one} {gradient}")
    assert right.exit_code == 0 and right.equal
