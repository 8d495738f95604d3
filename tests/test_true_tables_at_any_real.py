"""The numeric check's true functions take a value at any real number (review14 R10).

relu' written ``1{relu(sqrt(2) z1) > 0}`` or ``1{relu(a1 + exp(-3)) > exp(-3)}`` (both right)
put an irrational number into relu's table of the true functions, which took a value only at a
SymPy Number: ``table_relu(-5*sqrt(2)/6)`` stayed unevaluated, and the check said "cannot
decide" with that internal name in its message (exit 2). The true functions (relu, softplus,
sigmoid, exp) are now evaluated at any real numeric argument, as a plain function (an
indicator) already was; a value SymPy still cannot evaluate is "cannot decide" in words, never
a table's name. ``1{abs(z1) + z1 > 0}`` (relu' again) switches where its sum of functions of z1
does, at z1 = 0; its switches were not found (exit 2).
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.exact import RealTable
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.nodes import T

NET = "4-3:relu-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_a_true_table_is_evaluated_at_an_irrational_number() -> None:
    table = RealTable(random.Random(0), dict(ACTIVATIONS))
    relu = table.function(sp.Lambda(T, ACTIVATIONS["relu"].function(T)))
    assert relu(-sp.Rational(5, 6) * sp.sqrt(2)) == 0
    assert abs(relu(sp.exp(-3)) - sp.exp(-3)) < sp.Float("1e-25")
    softplus = table.function(sp.Lambda(T, ACTIVATIONS["softplus"].function(T)))
    assert abs(softplus(sp.sqrt(2)) - sp.log(1 + sp.exp(sp.sqrt(2)))) < sp.Float("1e-25")


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_relu_of_an_irrational_argument_is_relu_prime_and_its_twin_is_not() -> None:
    right = sb.check_formula(NET, "W1", _w1("1{relu(sqrt(2) z1) > 0}"))
    assert right.exit_code == 0, right.error
    assert sb.check_formula(NET, "W1", _w1("1{relu(sqrt(2) z1) > 0.001}")).exit_code == 1


def test_a_sum_of_functions_of_z1_switches_where_it_does() -> None:
    right = sb.check_formula(NET, "W1", _w1("1{abs(z1) + z1 > 0}"))
    assert right.exit_code == 0, right.error


@pytest.mark.slow
@pytest.mark.parametrize(
    ("indicator", "code"),
    [
        ("1{relu(a1 + exp(-3)) > exp(-3)}", 0),
        ("1{relu(a1 + exp(-3)) > exp(-3) + 0.001}", 1),
        ("1{abs(z1 + exp(-3)) + z1 > exp(-3)}", 0),
        ("1{abs(z1 - 1) + 2 z1 > 1}", 0),
        ("1{abs(z1 - 1) + 2 z1 > 1.01}", 1),
        ("1{abs(z1) + z1 > 0.01}", 1),
        ("1{softplus(sqrt(2) z1) > log(2)}", 0),
    ],
)
def test_irrational_arguments_of_stock_activations(indicator: str, code: int) -> None:
    report = sb.check_formula(NET, "W1", _w1(indicator))
    assert report.exit_code == code, report.error


def _fuzz_lines(seed: int, count: int) -> list[str]:
    """Indicators of relu/abs/softplus/sigmoid/exp of z1, a1, W1 x + b1 with irrational
    constants (review14's fuzz generator, smaller)."""
    rng = random.Random(seed)
    consts = ["exp(-3)", "sqrt(2)", "log(2)", "0.5", "sqrt(3)/10", "-exp(-2)"]
    values = ["z1", "a1", "W1 x + b1", "b1"]

    def atom(depth: int = 0) -> str:
        if depth > 1 or rng.random() < 0.3:
            return rng.choice(values)
        inner, c = atom(depth + 1), rng.choice(consts)
        return rng.choice(
            [
                f"abs({inner} - {c})",
                f"relu({inner} - {c})",
                f"sqrt(2) ({inner})",
                f"softplus({inner})",
                f"sigmoid({inner})",
                f"({inner} + {atom(depth + 1)})",
            ]
        )

    return [f"1{{{atom()} {rng.choice(['>', '<'])} {rng.choice(consts)}}}" for _ in range(count)]


@pytest.mark.slow
@pytest.mark.parametrize("indicator", _fuzz_lines(15, 16))
def test_no_table_name_reaches_a_message(indicator: str) -> None:
    report = sb.check_formula(NET, "W1", _w1(indicator))
    assert report.exit_code in (0, 1, 2)
    assert "table_" not in str(report.error or "")
    assert "table_" not in str(report.counterexample or "")
