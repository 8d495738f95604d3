"""A piece of a squared length, and a model's parameter at 0 (hostile48d #7).

``1{Y Y^T < 0}`` is never 1, yet the check searched for a point with ``Y Y^T`` below 0 and
said it found none, "the check cannot decide": a squared length (``v^T v``, ``x^T A^T A x``)
has no such region. ``(X (p - Y)^T / m + lam w) * 1{w^T w > 0}`` is the gradient wherever w
is not 0 and 0 where it is, where training may start w: the formula is compared where each
parameter a piece reads is 0, as a network's biases are.
"""

from __future__ import annotations

import pytest
from example_models import LOGISTIC_L2

import symbackprop as sb
from symbackprop.model import Model

RIGHT = "(X (p - Y)^T / m + lam w)"


def _check(formula: str) -> sb.FormulaReport:  # type: ignore[name-defined]
    return sb.check_formula(Model.parse(LOGISTIC_L2), "w", formula)


@pytest.mark.parametrize(
    "formula",
    [
        f"{RIGHT} + 1{{Y Y^T < 0}} w",
        pytest.param(f"{RIGHT} * 1{{w^T w >= 0}}", marks=pytest.mark.slow),
    ],
)
def test_a_piece_of_a_squared_length_below_0_is_no_region(formula: str) -> None:
    report = _check(formula)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.equal


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
@pytest.mark.parametrize("gram", ["w^T w", "w^T X X^T w"])
def test_a_formula_that_is_0_where_w_is_fails(gram: str) -> None:
    report = _check(f"{RIGHT} * 1{{{gram} > 0}}")
    assert report.exit_code == 1 and report.equal is False
    assert any("where w is 0 in every entry" in note for note in report.notes)
    found = report.counterexample
    assert found is not None and found.yours == 0 and found.truth != 0
