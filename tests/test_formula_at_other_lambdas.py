"""A formula that reads λ is compared at the network's own λ and across decades of λ too.

The random points draw λ between 1/13 and 97 (a formula of the gradient is right at every λ),
so a switch of λ outside that range was never crossed: ``relu(0.001 - λ) W2`` added to the
gradient passed at ``--l2 0.0001``, where it is 11 times the decay term (hostile48a #1).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.check import lambda_sides
from symbackprop.core.derivation import LAMBDA

RIGHT = "delta2 a1^T + lambda W2"


def test_lambda_sides_straddle_each_switch() -> None:
    """One λ between 0 and the first switch, one between each two, one beyond the last."""
    pieces = sp.Piecewise((1, LAMBDA > 3), (0, True)) + sp.Abs(LAMBDA - 5) + sp.Abs(LAMBDA + 1)
    assert lambda_sides(pieces) == [sp.Rational(3, 2), 4, 10]


@pytest.mark.parametrize(
    ("l2", "formula", "said"),
    [
        pytest.param(
            1e-4,
            f"{RIGHT} + relu(0.001 - lambda) W2",
            "λ = 0.0001 (the network's own --l2)",
            marks=pytest.mark.slow,  # over 1 s of the default suite's time (2026-12-07)
        ),
        (2000, "delta2 a1^T + lambda W2 ⊙ (1 + 1{lambda > 1000})", "λ = 2000 (the network's"),
        pytest.param(
            0.5,
            "delta2 a1^T + lambda W2 ⊙ (1 + 1{lambda > 100})",
            "λ = 200;",  # beyond its switch (review48 #4)
            marks=pytest.mark.slow,
        ),
        # switches between the fixed values 1/999983, 1/997, 997 and 999983 (review48 #4)
        pytest.param(
            0.01, f"{RIGHT} + relu(0.0000001 - lambda) W2", "λ = 5e-08;", marks=pytest.mark.slow
        ),
        (0.01, f"{RIGHT} + 1{{lambda > 100000}} W2", "λ = 200000;"),
    ],
)
def test_a_formula_wrong_at_some_lambda_fails(l2: float, formula: str, said: str) -> None:
    network = sb.Network.parse("4-3-2-1", l2=l2)
    report = sb.check_formula(network, "W2", formula)
    assert report.exit_code == 1 and report.equal is False
    assert any(said in note for note in report.notes), report.notes


@pytest.mark.parametrize("formula", [RIGHT, "delta2 a1^T + W2 ⊙ relu(lambda)"])
def test_a_right_formula_in_lambda_passes(formula: str) -> None:
    report = sb.check_formula(sb.Network.parse("4-3-2-1", l2=1e-4), "W2", formula)
    assert report.exit_code == 0 and report.equal
