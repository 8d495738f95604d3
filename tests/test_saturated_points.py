"""A point where rounding takes the gradient's digits is evaluated again with more digits
(review 13 R10; trust14).

A random point of 4-3:softplus-2-1 has z2 = 148: sigmoid'(z2) = a2 (1 - a2) is 0 in 50 digits
and 5.6e-65 in 100, so the numeric check said "cannot decide" (exit 2) for every formula that
needs it, right ones included. The same point is now evaluated along numeric.LADDER (50, 100,
200, 400 digits) until two precisions agree; it is never replaced by another point (a redraw
shifted every later point, and relu' written 1{softplus(z1) > log(2.1)} passed once so).
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck import numeric
from symbackprop.check.accuracy import LostDigits

SIGMOID_FOR_SOFTPLUS_PRIME = "((W2^T delta2) ⊙ sigmoid(z1)) x^T"


def _saturated(z: int) -> Any:
    """``at(digits)`` for a 1 x 1 "gradient" 1 - sigmoid(z) computed in ``digits`` digits
    from a rounded sigmoid(z), a "formula" exp(-z) / (1 + exp(-z)), which keeps its digits,
    and twice the gradient."""

    def at(digits: int) -> Any:
        a = sp.Float(sp.N(1 / (1 + sp.exp(-z)), digits), digits)
        kept = sp.Float(sp.N(sp.exp(-z) / (1 + sp.exp(-z)), digits), digits)
        values = {"gradient": 1 - a, "formula": kept}
        values["gradient * 2"] = 2 * values["gradient"]
        return lambda key: sp.Matrix([[values[key]]])

    return at


def test_the_ladder_climbs_until_two_precisions_agree() -> None:
    # z = 150: 1 - a is 7e-66, 0 in 50 digits, its 35 digits only from 200 on
    assert numeric.difference(_saturated(150), "gradient", "formula") is None
    found = numeric.difference(_saturated(150), "gradient", "gradient * 2")
    assert found is not None and found[:2] == (0, 0)


def test_where_no_two_precisions_agree_the_check_cannot_decide() -> None:
    def at(digits: int) -> Any:
        drifting = sp.Float(sp.Rational(1, 3) + sp.Rational(1, 10 ** (digits // 20)), digits)
        return lambda _key: sp.Matrix([[drifting]])

    with pytest.raises(LostDigits, match="200-digit arithmetic and .* in 400-digit"):
        numeric.difference(at, "gradient", "formula")


def test_a_formula_that_lost_its_own_digits_climbs_too() -> None:
    """Where the formula alone differs at 50 digits and its own value moves at 100, the
    difference is no verdict: 100 digits are tried (here both agree from 200 on)."""

    def at(digits: int) -> Any:
        exact = sp.Rational(1, 3)
        formula = exact + (sp.Float(10, digits) ** (40 - digits) if digits < 100 else 0)
        values = {"gradient": sp.Float(exact, digits), "formula": sp.Float(formula, digits)}
        return lambda key: sp.Matrix([[values[key]]])

    assert numeric.difference(at, "gradient", "formula") is None


def test_softplus_prime_written_as_sigmoid_is_the_gradient() -> None:
    report = sb.check_formula("4-3:softplus-2-1", "W1", SIGMOID_FOR_SOFTPLUS_PRIME)
    assert (report.exit_code, report.method) == (0, "numeric"), str(report)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec", "formula", "code"),
    [
        ("4-3:softplus-2-1", "((W2^T delta2) ⊙ sigmoid(1.0001 z1)) x^T", 1),
        ("4-3:relu-2-1", "((W2^T delta2) ⊙ 1{exp(z1) > 1}) x^T", 0),
        ("4-3:relu-2-1", "((W2^T delta2) ⊙ 1{sigmoid(z1) > 0.5}) x^T", 0),
        ("4-3:relu-2-1", "((W2^T delta2) ⊙ 1{sigmoid(z1) > 0.51}) x^T", 1),
        ("4-3:relu-2-1", "((W2^T delta2) ⊙ 1{log(1 + exp(z1)) > log(2.1)}) x^T", 1),
        ("4-3-2-1", "((W2^T delta2) ⊙ (1 + tanh(z1/2))/2 ⊙ (1 - a1)) x^T", 0),
        ("4-3-2-1", "((W2^T delta2) ⊙ (1 + tanh(z1/2.0001))/2 ⊙ (1 - a1)) x^T", 1),
    ],
)
def test_review13_r10_lines(spec: str, formula: str, code: int) -> None:
    assert sb.check_formula(spec, "W1", formula).exit_code == code


def test_a_value_beyond_1e1233_is_not_evaluated() -> None:
    """A line's far point of logistic_l2.model gave p = sigmoid(-1.5e6) = 8e-678455; its exact
    rational has 2.2 million bits and log(p) took seconds per entry, the search minutes (it
    hung the slow suite at 02294f1). Such a value is LostDigits (the point is not compared,
    the line turns back), in the ordinary range it is its exact rational."""
    from symbackprop.check.accuracy import exact, value

    tiny = sp.Float(sp.exp(-sp.Integer(1_500_000)).evalf(20))
    with pytest.raises(LostDigits, match="beyond what the numeric check evaluates"):
        exact(tiny)
    with pytest.raises(LostDigits):
        value(sp.log(tiny, evaluate=False), 15, "log")
    assert exact(sp.Float("1e-300")) == sp.Rational(sp.Float("1e-300"))
    assert exact(sp.Float("-2.5e1000")) < 0
