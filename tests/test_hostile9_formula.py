"""Hostile round 9: a formula off by a relative 1e-40 passed shapecheck as "equal to 35 digits"
although the exact comparison, which decides there, saw the difference."""

from __future__ import annotations

from typing import Any

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck.check import _activations, _exact_decides, _typer
from symbackprop.core.derivation import Derivation
from symbackprop.formula.parser import parse
from symbackprop.model import Model

TINY = "(1 + 1/(10^20 * 10^20))"


@pytest.mark.slow
@pytest.mark.parametrize(
    "formula",
    [
        f"(a2 - y) a1^T * {TINY}",
        "(a2 - y) (a1 ⊙ (1 + 0.1^20 * 0.1^20 * z1))^T",
    ],
)
def test_a_formula_off_by_1e40_in_the_networks_values_is_wrong(formula: str) -> None:
    report = sb.check_formula("4-3-1", "W2", formula)
    assert report.equal is False and report.exit_code == 1 and report.method == "exact"
    assert report.counterexample is not None and report.counterexample.exact
    # 12 digits of each value look alike: the sentence gives the difference
    assert ", which differ by " in str(report.counterexample)


@pytest.mark.slow
def test_the_derivative_of_the_networks_own_activation_is_decided_exactly() -> None:
    report = sb.check_formula("4-3-1", "b1", f"W2^T (a2 - y) * sigmoid'(z1) * {TINY}")
    assert report.equal is False and report.method == "exact"


@pytest.mark.slow
def test_another_function_for_the_same_value_still_passes_numerically_and_says_so() -> None:
    """softplus'(z) is sigmoid(z): the tables draw them apart, only the true functions agree."""
    net = sb.Network.parse("3-2:softplus-1")
    report = sb.check_formula(net, "b1", "W2^T (a2 - y) * sigmoid(z1)")
    assert report.ok and report.method == "numeric" and report.digits == 35
    assert any("a relative difference below 1e-35 would not be seen" in n for n in report.notes)
    assert any("nor one confined to a region no point reached" in n for n in report.notes)


@pytest.mark.parametrize(
    ("spec", "formula", "decides"),
    [
        pytest.param(*("4-3-1", "(W2^T (a2 - y)) x^T", True), marks=pytest.mark.slow),
        ("4-3-1", "(W2^T (a2 - y) ⊙ sigmoid'(z1)) x^T", True),
        ("4-3-1", "(a2 - y) sigmoid(z1)^T", True),  # sigmoid(z1^T) to SymPy: the same values
        pytest.param(
            *("4-3:relu-1", "(W2^T (a2 - y) ⊙ relu(-z1)) x^T", True), marks=pytest.mark.slow
        ),  # rational: exact anyway
        ("4-3-1", "(W2^T (a2 - y) ⊙ sigmoid(-z1)) x^T", False),  # 1 - sigmoid(z1)
        pytest.param(*("4-3-1", "(W2^T (a2 - y) ⊙ exp(z1)) x^T", False), marks=pytest.mark.slow),
        pytest.param(
            *("4-3-1", "(W2^T (a2 - y) ⊙ tanh'(z1)) x^T", False), marks=pytest.mark.slow
        ),  # rational in sigmoid(2 z1)
        pytest.param(*("4-3-1", "(W2^T (a2 - y) ⊙ sqrt(a1)) x^T", False), marks=pytest.mark.slow),
        pytest.param(
            *("4-3:softplus-1", "(W2^T (a2 - y) ⊙ softplus'(z1)) x^T", True),
            marks=pytest.mark.slow,
        ),
        ("4-3:softplus-1", "(W2^T (a2 - y) ⊙ sigmoid(z1)) x^T", False),
    ],
)
def test_when_the_exact_comparison_decides(spec: str, formula: str, decides: bool) -> None:
    derivation = sb.derive(spec)
    assert _exact_decides(derivation, _typed(derivation, formula), "W1") is decides


@pytest.mark.slow
def test_a_custom_activation_drawn_at_random_leaves_it_to_the_true_functions() -> None:
    """swish = z sigmoid(z) is algebraic in sigmoid(z), which its derivative reads: the tables
    forget that, so an exact difference is not the verdict."""
    net = sb.Network.parse("3-2:swish-1", define={"swish": "z*sigmoid(z)"})
    derivation = sb.derive(net)
    assert _exact_decides(derivation, _typed(derivation, "(a2 - y) a1^T"), "W2") is False


def _typed(derivation: Derivation, formula: str) -> Any:
    """The formula as SymPy reads it (parsed and typed, not compared)."""
    tree = parse(formula, functions=_activations(derivation))
    return _typer(derivation, formula).type(tree).expr


ONE = "X : n0 x m\nY : 1 x m\nU : n1 x n0\nsizes: n0 = 3, n1 = 2\nh = tanh(U X + b)\n"
ONE += "J = mse(v^T h + c, Y)\n"


@pytest.mark.slow
@pytest.mark.parametrize("h", ["h", "tanh(U X + b)"])
def test_a_models_formula_off_by_1e40_is_wrong(h: str) -> None:
    formula = f"((v ((v^T h + c - Y)/m)) ⊙ (1 - {h}^2)) X^T * {TINY}"
    report = sb.check_formula(Model.parse(ONE), "U", formula)
    assert report.equal is False and report.exit_code == 1 and report.method == "exact"
