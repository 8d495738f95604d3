"""An indicator whose switch is an irrational number switches there (trust14).

``breakpoints`` kept only rational switch points, so ``1{z1 > log(1.1)}`` looked smooth: no
region of z1 was cut at log(1.1), no pre-activation was placed below it, and relu' written so
(off only for 0 < z1 < 0.0953) passed, exit 0, a false pass; 1{softplus(z1) > log(2.1)} the
same (its switch on z1 is log(11/10)).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.kinks import straddling
from symbackprop.records.kinks import breakpoints

RELU = "4-3:relu-2-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_an_irrational_switch_is_a_breakpoint_and_is_straddled() -> None:
    t = sp.Symbol("t", real=True)
    kink = sp.log(sp.Rational(11, 10))
    assert breakpoints(sp.Piecewise((1, t > kink), (0, True)), t) == {kink}
    values = straddling(frozenset({sp.Integer(0), kink}))
    assert all(v.is_Rational for v in values)
    below, inside, above = values
    assert below < 0 < inside < kink < above


def test_relu_prime_with_an_irrational_threshold_is_not_the_gradient() -> None:
    report = sb.check_formula(RELU, "W1", _w1("1{z1 > log(1.1)}"))
    assert report.exit_code == 1, str(report)


@pytest.mark.slow
@pytest.mark.parametrize(
    "indicator",
    ["1{z1 > exp(-40)}", "1{z1 > sqrt(2)/100}"],
)
def test_more_irrational_thresholds_are_not_the_gradient(indicator: str) -> None:
    assert sb.check_formula(RELU, "W1", _w1(indicator)).exit_code == 1


@pytest.mark.slow
def test_the_right_threshold_written_irrationally_still_passes() -> None:
    assert sb.check_formula(RELU, "W1", _w1("1{z1 > log(1)}")).exit_code == 0
