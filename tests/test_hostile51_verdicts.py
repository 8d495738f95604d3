"""Verdicts of the formula checker that hostile51a and hostile51b found wrong (session 51)."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

#: RMS norm's epsilon inside a root, of a 1 x 1 value: z z is never below 0
RMS = "x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = (z ⊙ z + 0.01)^-0.5\ndata: x\n"
NORM_HINGE = "x : n x 1\nw : n x 1\nsizes: n = 3\nJ = relu(norm2(w) w^T x - 1)\ndata: x\n"
TRACE_HINGE = "x : n x 1\nw : n x 1\nA : n x n\nsizes: n = 3\nJ = relu(w^T x - tr(A))\ndata: x\n"


@pytest.mark.slow  # 1-2 s each
@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("-x (z ⊙ (z ⊙ z + 0.01)^-1.5)^T", 0),
        ("-x (z ⊙ (z ⊙ z + 0.011)^-1.5)^T", 1),
    ],
)
def test_a_square_of_a_one_by_one_value_has_no_region_below_zero(formula: str, code: int) -> None:
    """hostile51b #3: "no point compared had z z below -0.01: the check cannot decide" (exit
    2) of the right formula; the model writes z ⊙ z of a 1 x 1 z as z[0, 0] z."""
    report = sb.check_formula(Model.parse(RMS), "w", formula)
    assert report.exit_code == code, report.error


@pytest.mark.slow  # 1-2 s each
@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (NORM_HINGE, "1{norm2(w) w^T x > 1} (norm2(w) x + (w^T x / norm2(w)) w)"),
        (TRACE_HINGE, "1{w^T x > tr(A)} x"),
    ],
)
def test_a_scalar_factor_in_a_one_by_one_product_is_no_internal_error(
    model: str, formula: str
) -> None:
    """hostile51a #3: this session's 1 x 1 products written one way (x^T v as v^T x) took
    the transpose of tr(A) and of norm2(w)'s entry: AttributeError, exit 3 on right formulas."""
    report = sb.check_formula(Model.parse(model), "w", formula)
    assert report.exit_code == 0 and report.equal, report.error
