"""A condition on several sizes written as numbers together is no pass.

``sum(exp(W1 - W1))`` counts W1's entries, n1 n0; ``1{sum(exp(W1 - W1)) > 1000}`` switches on
the curve n1 n0 = 1000, which no one size's switches place, and the formula (twice the
gradient at the network's own 784 x 128) passed at the small sizes compared (hostile48a #3).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.written_sizes import joint_switches


@pytest.mark.parametrize(
    ("network", "batch", "formula"),
    [
        ("784-128-10", False, "delta1 x^T ⊙ (1 + 1{sum(exp(W1 - W1)) > 1000})"),
        ("4-3-2-1", True, "delta1 X^T ⊙ (1 + 1{sum(exp(Y - Y)) > 100})"),
    ],
)
def test_a_condition_on_a_count_of_entries_is_not_decided(
    network: str, batch: bool, formula: str
) -> None:
    report = sb.check_formula(network, "W1", formula, batch=batch)
    assert report.exit_code == 2 and not report.equal
    assert "in a condition on them together" in str(report.error)


def test_a_count_that_never_crosses_is_compared() -> None:
    """1{n1 n0 > 0} holds at every size: compared, and the formula (twice the gradient) fails."""
    report = sb.check_formula("784-128-10", "W1", "delta1 x^T ⊙ (1 + 1{sum(exp(W1 - W1)) > 0})")
    assert report.exit_code == 1 and report.equal is False


def test_joint_switches_name_the_sizes_of_a_changing_condition_only() -> None:
    n0, n1 = sp.symbols("n0 n1", integer=True, positive=True)
    fresh = {n0: sp.Dummy(), n1: sp.Dummy()}
    changing = sp.Piecewise((1, n0 * n1 > 1000), (0, True))
    constant = sp.Piecewise((1, n0 * n1 > 0), (0, True))
    assert joint_switches(changing, fresh) == [n0, n1]
    assert joint_switches(constant, fresh) == []
