"""A wrong threshold of a relu or abs of a 1 x 1 value made of two products (hostile49c #1).

On a margin ranking loss ``relu(1 + v^T x - w^T x)`` the wrong ``-1{1.2 v^T x + 1 > w^T x} x``
passed: the model names the transposes (``_t1 = v^T``), so its base ``_t1 x - _t3 x`` and the
formula's ``1.2 x^T v - x^T w`` (SymPy turns a 1 x 1 product round) shared no term, and no
joint region, where one is above its switch and the other below, was searched. A name for a
transposed leaf is the leaf now, a 1 x 1 product one term with its transpose, and a product
with a sum in it (``(w - 1.2 v)^T x``) is spread into its terms.
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

RANKING = "x : n x 1\nw : n x 1\nv : n x 1\nsizes: n = 3\nJ = relu(1 + v^T x - w^T x)\ndata: x\n"
HINGE = "x : n x 1\nw : n x 1\nv : n x 1\nsizes: n = 3\nJ = relu(w^T x - v^T x)\ndata: x\n"
ABS = "x : n x 1\nw : n x 1\nv : n x 1\nsizes: n = 3\nJ = abs(w^T x - v^T x)\ndata: x\n"
SHIFT = "x : n x 1\nw : n x 1\nc : 1 x 1\nsizes: n = 3\nJ = relu(w^T x - 4 c)\ndata: x\n"


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        pytest.param(RANKING, "-1{1.2 v^T x + 1 > w^T x} x", marks=pytest.mark.slow),
        pytest.param(HINGE, "1{w^T x > 1.2 v^T x} x", marks=pytest.mark.slow),
        pytest.param(HINGE, "1{w^T x > 0.8 v^T x} x", marks=pytest.mark.slow),
        pytest.param(HINGE, "1{(w - 1.2 v)^T x > 0} x", marks=pytest.mark.slow),
        pytest.param(ABS, "(2 1{w^T x > 1.2 v^T x} - 1) x", marks=pytest.mark.slow),
        pytest.param(SHIFT, "1{w^T x > 5 c} x", marks=pytest.mark.slow),
    ],
)
def test_a_wrong_threshold_fails(model: str, formula: str) -> None:
    report = sb.check_formula(Model.parse(model), "w", formula)
    assert report.exit_code == 1 and report.equal is False, report.points


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        (RANKING, "-1{v^T x + 1 > w^T x} x"),
        pytest.param(HINGE, "1{(w - v)^T x > 0} x", marks=pytest.mark.slow),
        pytest.param(ABS, "(2 1{w^T x > v^T x} - 1) x", marks=pytest.mark.slow),
        pytest.param(SHIFT, "1{w^T x > 4 c} x", marks=pytest.mark.slow),
    ],
)
def test_the_right_threshold_passes(model: str, formula: str) -> None:
    report = sb.check_formula(Model.parse(model), "w", formula)
    assert report.exit_code == 0 and report.equal, report.error
