"""A matrix divided by a scalar relu or indicator has a value wherever that is not 0.

``M / 1{sum(w ⊙ w) > -1}`` (1 at every point) and ``M / relu(sum(w ⊙ w) + 1)`` were refused
as "undefined in every entry" (hostile48d #6): the divisor's sum was written out and the
quotient's zero piece (1/0 where the indicator is 0) counted as no value everywhere, though a
division by ``relu(s + 100)`` of a scalar s had been read right (hostile33b #3).
"""

from __future__ import annotations

import pytest
from example_models import LOGISTIC_L2

import symbackprop as sb
from symbackprop.model import Model

RIGHT = "(X (p - Y)^T / m + lam w)"


@pytest.mark.parametrize(
    "formula",
    [
        f"{RIGHT} / 1{{sum(w ⊙ w) > -1}}",
        pytest.param(
            f"{RIGHT} / relu(sum(w ⊙ w) + 1) * relu(sum(w ⊙ w) + 1)", marks=pytest.mark.slow
        ),
    ],
)
def test_a_right_formula_divided_by_a_piece_that_is_not_0_passes(formula: str) -> None:
    report = sb.check_formula(Model.parse(LOGISTIC_L2), "w", formula)
    assert report.error is None, report.error
    assert report.exit_code == 0 and report.equal
    assert any("divides by" in note for note in report.notes)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_wrong_one_divided_so_fails() -> None:
    report = sb.check_formula(Model.parse(LOGISTIC_L2), "w", f"{RIGHT} / relu(sum(w ⊙ w) + 1)")
    assert report.error is None and report.exit_code == 1 and report.equal is False
