"""Two wrong thresholds that passed (hostile49c, left at sessions 49 and 50).

* Batch form: for ``relu(w^T X - 4 c)`` the formula ``X 1{w^T X - 5 c > 0}^T`` switches on
  ``X^T w - 5 1 c^T`` (m x 1, the transpose pushed inside), beside the model's 1 x m
  ``w^T X - 4 c 1^T``. Two shapes, so no joint region was searched, and ``c 1^T`` (a 1 x 1
  leaf repeated over the columns) was no linear term. The two differ only for 4c < w^T x_j < 5c.
* A quadratic shift: ``1{w^T x > v^T x + 0.01 w^T w}`` for relu(w^T x - v^T x) differs only
  in a band 0.01 |w|^2 wide; the model's names for w^T and v^T kept its terms apart from the
  formula's, and w^T w (two factors of one leaf) made the pair look linear to the wedge search
  while the plane search (one leaf of each term moving) could not take it.
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

#: each case takes 0.5-1 s (the line searches)
pytestmark = pytest.mark.slow

BATCH_SHIFT = (
    "X : n x m\nw : n x 1\nc : 1 x 1\nsizes: n = 3\nJ = sum(relu(w^T X - 4 c))\ndata: X\n"
)
HINGE = "x : n x 1\nw : n x 1\nv : n x 1\nsizes: n = 3\nJ = relu(w^T x - v^T x)\ndata: x\n"
QUADRATIC = (
    "x : n x 1\nw : n x 1\nv : n x 1\nsizes: n = 3\nJ = relu(w^T x - v^T x - w^T w)\ndata: x\n"
)


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (BATCH_SHIFT, "X 1{w^T X - 5 c > 0}^T"),
        (BATCH_SHIFT, "X 1{w^T X - 4.001 c > 0}^T"),
        (HINGE, "1{w^T x > v^T x + 0.01 w^T w} x"),
        (HINGE, "1{x^T w > x^T v + 0.01 w^T w} x"),
        (QUADRATIC, "1{w^T x > v^T x + 1.01 w^T w} (x - 2 w)"),
    ],
)
def test_a_wrong_threshold_fails(model: str, formula: str) -> None:
    report = sb.check_formula(Model.parse(model), "w", formula)
    assert report.exit_code == 1 and report.equal is False, (report.error, report.points)


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (BATCH_SHIFT, "X 1{w^T X - 4 c > 0}^T"),
        (BATCH_SHIFT, "X 1{w^T X > 4 c}^T"),
        (HINGE, "1{w^T x > v^T x} x"),
        (QUADRATIC, "1{w^T x > v^T x + w^T w} (x - 2 w)"),
        (QUADRATIC, "1{x^T w - x^T v - w^T w > 0} (x - 2 w)"),
    ],
)
def test_the_right_threshold_passes(model: str, formula: str) -> None:
    report = sb.check_formula(Model.parse(model), "w", formula)
    assert report.exit_code == 0 and report.equal, report.error
