"""A switch written on a value where the gradient's switch reads a function of it: the
exact comparison's tables forget the order of a function's values, so it cannot decide.

``relu(exp(u) - 2)`` switches where exp(u) > 2, that is where u > log(2); the right formula
``exp(u) ⊙ 1{u > log(2)}`` reads u, the gradient's switch reads the table value of exp(u),
and at a table value no real exp gives the two disagree. That was an exact counterexample
that does not exist (hostile16 #3, exit 1); the true functions decide it now. Wrong
thresholds on u or on exp(u) still fail, and the gradient's own switch stays exact."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

EXPU = "x : 3 x 1\nW : 2 x 3\nu = W x\nh = relu(exp(u) - 2)\nJ = sum(h)\n"
TANHU = "x : 3 x 1\nW : 2 x 3\nu = W x\nh = relu(tanh(u) - 0.5)\nJ = sum(h)\n"


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (EXPU, "(exp(u) ⊙ 1{u > log(2)}) x^T"),
        pytest.param(
            TANHU,
            "((1 - tanh(u) ⊙ tanh(u)) ⊙ 1{u > log(3)/2}) x^T",
            marks=pytest.mark.slow,  # the same walk as exp's, through another table
        ),
    ],
)
def test_a_right_switch_on_the_argument_passes(model: str, formula: str) -> None:
    report = sb.check_formula(Model.parse(model), "W", formula)
    assert report.exit_code == 0, str(report)
    assert report.method == "numeric"  # the tables cannot relate u and exp(u)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_gradients_own_switch_is_decided_exactly() -> None:
    model = Model.parse(EXPU)
    report = sb.check_formula(model, "W", "(exp(u) ⊙ 1{exp(u) > 2}) x^T")
    assert report.exit_code == 0 and report.method == "exact", str(report)
    off = sb.check_formula(model, "W", "((1 + exp(-130)) exp(u) ⊙ 1{exp(u) > 2}) x^T")
    assert off.exit_code == 1, str(off)


@pytest.mark.slow
@pytest.mark.parametrize(
    "formula",
    [
        "(exp(u) ⊙ 1{u > 0.7}) x^T",
        "(exp(u) ⊙ 1{u > 0.69}) x^T",
        "(exp(u) ⊙ 1{u > log(2.0001)}) x^T",
        "(exp(u) ⊙ 1{exp(u) > 2.0001}) x^T",
    ],
)
def test_wrong_thresholds_still_fail(formula: str) -> None:
    assert sb.check_formula(Model.parse(EXPU), "W", formula).exit_code == 1
