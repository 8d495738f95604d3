"""Hostile test 12, finding 12: an indicator with a number on the left, or two matrices.

``1{0 < z1}`` is relu' read from the other side (``1{z1 > 0}``) and ``1{z1 > W1 x}``
compares two n1 x 1 matrices entry by entry; neither is a shape error. The verdict then
says whether the formula is the gradient (exact rationals), and the indicator the verdict
prints parses back to the same value.
"""

from __future__ import annotations

import re

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck.typing_ import FormulaShapeError

NET = sb.Network.parse("4-3:relu-2:relu-1")


@pytest.mark.parametrize(
    "condition",
    [
        "0 < z1",
        *(
            pytest.param(c, marks=pytest.mark.slow)
            for c in ("W1 x > -b1", "0 <= z1", "0 >= -z1", "-b1 < W1 x")
        ),
        pytest.param("z1 > 0 z1", marks=pytest.mark.slow),
    ],
)
def test_a_right_relu_derivative_from_either_side_is_the_gradient(condition: str) -> None:
    report = sb.check_formula(NET, "W1", f"((W2^T delta2) ⊙ 1{{{condition}}}) x^T")
    assert report.error is None, report.error
    assert report.ok and report.exit_code == 0 and report.method == "exact"


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    ("condition", "printed"),
    [
        ("0 > z1", "1{z1 < 0}"),
        pytest.param("0 >= z1", "1{z1 <= 0}", marks=pytest.mark.slow),
        ("z1 > W1 x", "1{z1 - W1 x > 0}"),
    ],
)
def test_a_wrong_comparison_is_not_the_gradient_and_its_printed_form_parses_back(
    condition: str, printed: str
) -> None:
    formula = f"((W2^T delta2) ⊙ 1{{{condition}}}) x^T"
    report = sb.check_formula(NET, "W1", formula)
    assert not isinstance(report.error, FormulaShapeError), report.error
    assert report.exit_code == 1 and report.equal is False
    assert report.counterexample is not None
    quoted = [q for note in report.notes for q in re.findall(r"'(1\{[^']*\})'", note)]
    assert printed in quoted, report.notes
    again = sb.check_formula(NET, "W1", formula.replace(f"1{{{condition}}}", printed))
    assert again.error is None and again.equal is False
    assert again.counterexample is not None
    assert again.counterexample.yours == report.counterexample.yours


def test_two_matrices_of_different_shapes_are_a_shape_error() -> None:
    report = sb.check_formula(NET, "W1", "((W2^T delta2) ⊙ 1{z1 > W1}) x^T")
    assert isinstance(report.error, FormulaShapeError)
    assert "(n1 x 1) > (n1 x n0): an element-wise comparison needs equal shapes" in str(
        report.error.message
    )


def test_a_model_reads_the_mirror_and_the_matrix_comparison() -> None:
    model = sb.Model.parse("W : n x d\nX : d x m\nsizes: n = 3, d = 4\nJ = sum(relu(W X))")
    for formula in ("1{0 < W X} X^T", "1{W X > 0 W X} X^T"):
        report = sb.check_formula(model, "W", formula)
        assert report.ok, (formula, report.error, report.counterexample)
    wrong = sb.check_formula(model, "W", "1{0 > W X} X^T")
    assert wrong.exit_code == 1 and wrong.equal is False
