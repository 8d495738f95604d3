"""A threshold on det(X) beside the model's own switch on det(X) (review17 H1).

``J = abs(det(X))`` switches where its definition ``_t1 = det(X)`` is 0; a formula's
``1{det(X) > 0.001}`` switches where the 1 x 1 number det(X) is 1/1000. Both were left as
``Determinant(X)`` when written out, no relation between the two bases was found, each was
compared on both sides of its own switch only, and the band 0 < det(X) < 1/1000, where the
formula's sign is wrong, was no region: the wrong formula passed "exactly". Written out in the
leaves' entries (det of a small matrix is a polynomial in them) they are one base, cut at both.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import switches
from symbackprop.model import Model
from symbackprop.records.nodes import T, entrywise

ABS_DET = "X : n x n\nsizes: n = 3\nJ = abs(det(X))\ndata:\n"
THOUSANDTH = sp.Rational(1, 1000)


def test_a_threshold_on_det_lands_on_the_definition_of_det() -> None:
    X = sp.MatrixSymbol("X", 2, 2)
    t1 = sp.MatrixSymbol("_t1", 1, 1)
    written = sp.Piecewise((1, sp.Determinant(X) > THOUSANDTH), (0, True))
    own = entrywise(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))), t1)
    found = switches(written, own, definitions={"_t1": sp.Determinant(X) * sp.Identity(1)})
    assert found.on == {t1: {sp.Integer(0), THOUSANDTH}}
    assert not found.unmapped


@pytest.mark.slow
@pytest.mark.parametrize(
    ("formula", "exit_code"),
    [
        ("(1{det(X) > 0.001} - 1{det(X) < 0.001}) det(X) inv(X)^T", 1),
        ("(1{det(X) > -0.001} - 1{det(X) < -0.001}) det(X) inv(X)^T", 1),
        ("(1{det(X) > 0.001} - 1{det(X) <= 0.001}) det(X) inv(X)^T", 1),
        ("(1{det(X) > 0} - 1{det(X) < 0}) det(X) inv(X)^T", 0),
    ],
)
def test_a_shifted_sign_of_det_is_wrong_and_the_sign_itself_right(
    formula: str, exit_code: int
) -> None:
    report = sb.check_formula(Model.parse(ABS_DET), "X", formula)
    assert report.exit_code == exit_code, report


def test_a_trace_of_a_large_product_and_a_large_determinant_land_on_the_definition() -> None:
    """review17 H1b: the cap on writing out det(M) (n! products) stopped traces too, and a
    det(M) left as it stands was related to nothing, not even itself: tr(X W) of a 6 x 6
    product and det(X) of a 6 x 6 X beside their definitions were two bases each."""
    W, X = sp.MatrixSymbol("W", 2, 6), sp.MatrixSymbol("X", 6, 2)
    big = sp.MatrixSymbol("Y", 6, 6)
    t1, t2 = sp.MatrixSymbol("_t1", 1, 1), sp.MatrixSymbol("_t2", 1, 1)
    above = sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True)))
    found = switches(
        sp.Piecewise((1, sp.Trace(X * W) > THOUSANDTH), (0, True)),
        sp.Piecewise((1, sp.Determinant(big) > THOUSANDTH), (0, True)),
        entrywise(above, t1),
        entrywise(above, t2),
        definitions={
            "_t1": sp.Trace(W * X) * sp.Identity(1),
            "_t2": sp.Determinant(big) * sp.Identity(1),
        },
    )
    assert found.on == {t1: {sp.Integer(0), THOUSANDTH}, t2: {sp.Integer(0), THOUSANDTH}}
    assert not found.unmapped
