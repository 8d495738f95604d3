"""An indicator evaluated at an irrational number takes its true value (review14 R3).

relu' written ``1{sqrt(2) z1 > 0}`` (right: it is 1{z1 > 0}) put the irrational number
sqrt(2) z1 into the exact check's table function of the indicator, which took a value only at
a SymPy Number: ``table_fn(-5*sqrt(2)/6)`` stayed unevaluated, and the formula was reported as
"not the gradient" with that unevaluated entry as its counterexample (exit 1; exit 2 "cannot
check" after trust14 66ae162). A plain function (an indicator, a power; no drawn value) is now
evaluated at any real number, so the right formulas pass exactly and the wrong twins (a band of
width 1/100 off) still fail.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.exact import Table
from symbackprop.records.nodes import T

NET = "4-3:relu-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_a_table_indicator_is_evaluated_at_an_irrational_number() -> None:
    step = Table(random.Random(0), {}).function(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))))
    assert step(-sp.Rational(5, 6) * sp.sqrt(2)) == 0
    assert step(sp.log(2) - sp.Rational(1, 2)) == 1


def test_relu_prime_with_an_irrational_scale_is_the_gradient_and_its_twin_is_not() -> None:
    assert sb.check_formula(NET, "W1", _w1("1{sqrt(2) z1 > 0}")).exit_code == 0
    assert sb.check_formula(NET, "W1", _w1("1{sqrt(2) z1 > 0.01}")).exit_code == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("indicator", "code"),
    [
        ("1{z1 + log(2) > log(2)}", 0),
        ("1{z1 - sqrt(2) > -sqrt(2)}", 0),
        ("1{sqrt(2) (W1 x + b1) - log(2) > -log(2)}", 0),
        ("1{z1 + log(2) > log(2) + 0.01}", 1),
        ("1{z1 - sqrt(2) > -sqrt(2) + 0.01}", 1),
        ("1{sqrt(2) z1 > -0.001}", 1),
        ("1{sqrt(2) (W1 x + b1) - log(2) > -log(2) + 0.001}", 1),
    ],
)
def test_irrational_shifts_and_scales(indicator: str, code: int) -> None:
    assert sb.check_formula(NET, "W1", _w1(indicator)).exit_code == code


@pytest.mark.slow
def test_a_model_with_an_irrational_shift() -> None:
    model = sb.Model.parse(
        "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x)\nJ = mse(v h, y)\n"
    )
    right = "((v^T (v h - y)) ⊙ 1{W x + log(2) > log(2)}) x^T"
    wrong = "((v^T (v h - y)) ⊙ 1{W x + log(2) > log(2.02)}) x^T"
    assert sb.check_formula(model, "W", right).exit_code == 0
    assert sb.check_formula(model, "W", wrong).exit_code == 1


def test_an_unorderable_plain_function_value_is_no_internal_error_and_no_false_fail() -> None:
    """review14 R10: evaluating a plain function at a number whose comparison meets zoo raised
    a TypeError (exit 3); a table value left unevaluated was read as a non-real number, so a
    right relu' with an irrational scale was 'not the gradient' (exit 1)."""
    wrong = sb.check_formula(
        "4-3:relu-1", "W1", "((W2^T delta2) ⊙ 1{abs(z1 - sqrt(2)) + z1 > sqrt(2)}) x^T"
    )
    assert wrong.exit_code in (1, 2)
    right = sb.check_formula("4-3:relu-1", "W1", "((W2^T delta2) ⊙ 1{relu(sqrt(2) z1) > 0}) x^T")
    assert right.exit_code in (0, 2), right.error
