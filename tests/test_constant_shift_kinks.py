"""A numeric constant peeled off a sum inside an indicator (review14 R4, R3).

``affine_parts`` took the constant off an argument of one non-constant term only, so
``1{W1 x + b1 - 0.01 > 0}`` (relu' shifted by 0.01: off for 0 < z1 < 0.01) stayed its own base
switching at 0, z1 was cut at 0 only, no point was searched in 0 < z1 < 0.01, and the wrong
formula passed "exactly" (exit 0, a false pass). The base is now the sum of the non-constant
terms, W1 x + b1, switching at 1/100, and through the bases of one shape z1 is cut there too.
A real numeric scale or shift (sqrt(2) z1, z1 + log(2)) is an affine map too.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import affine_parts

NET = "4-3:relu-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_a_constant_is_peeled_off_any_sum_and_real_scales_are_affine() -> None:
    w, x = sp.MatrixSymbol("W1", 3, 4), sp.MatrixSymbol("x", 4, 1)
    b, z = sp.MatrixSymbol("b1", 3, 1), sp.MatrixSymbol("z1", 3, 1)
    ones = sp.OneMatrix(3, 1)
    hundredth = sp.Rational(1, 100)
    assert affine_parts(w * x + b - hundredth * ones) == (w * x + b, 1, -hundredth, 0)
    assert affine_parts(2 * w * x + 2 * b + ones) == (w * x + b, 2, 1, 0)
    assert affine_parts(sp.sqrt(2) * z) == (z, sp.sqrt(2), 0, 0)
    assert affine_parts(z + sp.log(2) * ones) == (z, 1, sp.log(2), 0)
    assert affine_parts(w * x + b) is None  # nothing to peel: its own base


def test_relu_prime_shifted_by_a_constant_in_a_sum_is_not_the_gradient() -> None:
    # exit 0 "exactly" before: the band 0 < z1 < 1/100 was never searched
    report = sb.check_formula(NET, "W1", _w1("1{W1 x + b1 - 0.01 > 0}"))
    assert report.exit_code == 1, str(report)


def test_the_constant_on_both_sides_of_a_sum_is_still_relu_prime() -> None:
    assert sb.check_formula(NET, "W1", _w1("1{W1 x + b1 - 0.01 > -0.01}")).exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec", "wrt", "formula"),
    [
        (NET, "W1", _w1("1{W1 x > -b1 + 0.01}")),
        (NET, "W1", _w1("1{W1 x - 0.01 > -b1}")),
        ("4-3:relu-2:relu-1", "W2", "((W3^T delta3) ⊙ 1{W2 a1 > -b2 + 0.01}) a1^T"),
    ],
)
def test_more_constant_shifts_of_a_sum_are_not_the_gradient(
    spec: str, wrt: str, formula: str
) -> None:
    assert sb.check_formula(spec, wrt, formula).exit_code == 1


@pytest.mark.slow
def test_a_model_with_a_shifted_sum_is_not_the_gradient() -> None:
    model = sb.Model.parse(
        "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x + b)\nJ = mse(v h, y)\n"
    )
    for formula in (
        "((v^T (v h - y)) ⊙ 1{W x + b - 0.01 > 0}) x^T",
        "((v^T (v h - y)) ⊙ 1{W x > 0.01 - b}) x^T",
    ):
        assert sb.check_formula(model, "W", formula).exit_code == 1, formula
