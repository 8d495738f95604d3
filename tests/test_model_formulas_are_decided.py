"""Hand-written gradients of models are decided, exactly where the exact check runs.

A model's name for another value (``p = 1/(1 + exp(-u))`` names an internal value) may be used
in a formula: it is evaluated like any other value (it raised KeyError, exit 3: review 13 R1).
A counterexample states its sizes in words, not as a Python dict."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck.check import Counterexample
from symbackprop.model import Model

LOGIT = "x : 3 x 1\ny : 1 x 1\nw : 1 x 3\nu = w x\np = 1/(1 + exp(-u))\nJ = mse(p, y)\n"


def test_a_right_formula_through_the_alias_is_the_gradient() -> None:
    report = sb.check_formula(Model.parse(LOGIT), "w", "((p - y) ⊙ p ⊙ (1 - p)) x^T")
    assert report.exit_code == 0, str(report)


def test_a_wrong_formula_through_the_alias_is_not() -> None:
    report = sb.check_formula(Model.parse(LOGIT), "w", "2 (p - y) x^T")
    assert report.exit_code == 1, str(report)
    assert report.counterexample is not None
    assert "sizes" not in str(report.counterexample)  # no sizes in this model, no "{}"


def test_a_counterexample_names_its_sizes_in_words() -> None:
    found = Counterexample("W2", 0, 0, 1, 2, {"n0": 3, "n1": 2}, True)
    assert str(found).endswith("random rational function values, at sizes n0=3, n1=2)")


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_pole_of_a_one_by_one_value_without_a_real_root_is_no_switch() -> None:
    """1 + exp(-u) has no real zero: (1 + exp(-u))^-2 never switches, so the written-out
    gradient (and the printed truth pasted back) is compared and decided, and a formula off
    by 1 + 1e-58 is not the gradient (review 13 R2: both were "cannot decide", exit 2)."""
    model = Model.parse(LOGIT)
    right = "((1/(1 + exp(-u)) - y) ⊙ exp(-u) ⊙ (1 + exp(-u))^-2) x^T"
    assert sb.check_formula(model, "w", right).exit_code == 0
    assert sb.check_formula(model, "w", f"(1 + 1/10^58) {right}").exit_code == 1
    truth = sb.check_formula(model, "w", "0").truth
    assert truth is not None
    assert sb.check_formula(model, "w", truth).exit_code == 0


def test_the_lectures_chain_rule_form_in_a_model_is_the_gradient() -> None:
    """1/(1 - h1) is a pole of a sigmoid output that is never 1, not a kink: the lecture's
    bce form is decided exactly (review 13 R4: exit 2 before the Identity(1) shift)."""
    model = Model.parse("x : 3 x 1\ny : 1 x 1\nW1 : 1 x 3\nh1 = sigmoid(W1 x)\nJ = bce(h1, y)\n")
    report = sb.check_formula(model, "W1", "((-y/h1 + (1-y)/(1-h1)) ⊙ h1 ⊙ (1-h1)) x^T")
    assert report.exit_code == 0, str(report)
    assert report.method == "exact"


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_a_model_written_in_exps_is_decided_exactly() -> None:
    """p = exp(u)/(1 + exp(u)) and the formula in the model's own exps (review 13 R5)."""
    model = Model.parse(
        "x : 3 x 1\ny : 1 x 1\nw : 1 x 3\nu = w x\np = exp(u)/(1 + exp(u))\nJ = sum((p - y)^2)\n"
    )
    right = "(2 (exp(u)/(1 + exp(u)) - y) ⊙ exp(u) ⊙ (1 + exp(u))^-2) x^T"
    report = sb.check_formula(model, "w", right)
    assert (report.exit_code, report.method) == (0, "exact"), str(report)
    assert sb.check_formula(model, "w", f"(1 + 1/10^58) {right}").exit_code == 1


@pytest.mark.parametrize(
    "cost",
    [
        "sum(-y ⊙ log(sigmoid(u)) - (1 - y) ⊙ log(sigmoid(-u)))",
        "sum(y ⊙ softplus(-u) + (1 - y) ⊙ softplus(u))",
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_function_at_u_and_at_minus_u_is_no_exact_verdict(cost: str) -> None:
    """sigmoid(-u) = 1 - sigmoid(u): two random tables would call the right gradient wrong
    "exactly" (review 13 R11, R13); the true functions decide, and a doubled one is wrong."""
    model = Model.parse(f"x : 3 x 1\ny : 1 x 1\nw : 1 x 3\nu = w x\nJ = {cost}\n")
    assert sb.check_formula(model, "w", "(sigmoid(u) - y) x^T").exit_code == 0
    assert sb.check_formula(model, "w", "2 (sigmoid(u) - y) x^T").exit_code == 1


#: a relu whose kink reaches W's gradient alone: dJ/dv = x whatever the sign of W x
KINK_ELSEWHERE = (
    "x : n x 1\nW : n x n\nv : n x 1\nsizes: n = 3\nJ = sum(relu(W x)) + v^T x\ndata: x\n"
)


@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("x", 0),
        ("x + relu(W x) - relu(W x)", 0),
        ("2 x", 1),
        ("x ⊙ 1{W x > -5}", 1),  # its own kink: searched, and wrong where W x < -5
        ("x + relu(-100 - W x)", 1),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_kink_that_reaches_another_gradient_alone_is_not_searched(
    formula: str, code: int
) -> None:
    """hostile37c #3: every adjoint's kinks were to be reached, also those no point could
    compare for this gradient, so dJ/dv = x was "cannot decide" (exit 2) with a false "no point
    compared had W x below 0"."""
    report = sb.check_formula(Model.parse(KINK_ELSEWHERE), "v", formula)
    assert report.exit_code == code, str(report)
    assert "cannot decide" not in str(report)


def test_a_counterexample_in_a_model_without_functions_draws_no_function_values() -> None:
    """hostile38c #13: quadratic.model's counterexample said "random rational function
    values", and the model has no function."""
    quadratic = Model.parse("x : n x 1\nA : n x n\nsizes: n = 3\nJ = 0.5 x^T A x\ndata:\n")
    found = sb.check_formula(quadratic, "x", "A x").counterexample
    assert found is not None and found.exact
    assert str(found).endswith("(exactly, at random rational inputs, at sizes n=3)")
    logistic = sb.check_formula(Model.parse(LOGIT), "w", "2 (p - y) x^T").counterexample
    assert logistic is not None and "random rational function values" in str(logistic)
