"""A thin wedge between two nearly equal linear arguments is compared (review14 R11).

relu' written ``1{W1 x + 0.99999 b1 > 0}`` differs from ``1{z1 > 0}`` only in an entry where
z1 = W1 x + b1 and W1 x + 0.99999 b1 have opposite signs: a wedge about 1e-5 |b1| wide around
z1 = 0. Each argument was cut at its own switch 0 only, random points reached both sides of
each, and the check said "equal, exactly" (exit 0). Two bases of one shape, linear in the same
leaves' terms and not proportional, now have a joint region for every pair of their pieces
(check/joint.py), and a point inside each is solved for in a plane of the leaves; right
spellings of z1 (the same terms, proportional coefficients) have none.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.joint import joint_pairs, linear_form

NET = "4-3:relu-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_a_linear_argument_is_written_in_its_leaves_terms() -> None:
    w, x, b = sp.MatrixSymbol("W1", 4, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("b1", 4, 1)
    z = sp.MatrixSymbol("z1", 4, 1)
    a = sp.MatrixSymbol("a1", 4, 1)
    defs = {"z1": w * x + b, "a1": sp.HadamardProduct(z, z)}
    assert linear_form(z + sp.Rational(1, 10**5) * w * x, defs) == {
        w * x: 1 + sp.Rational(1, 10**5),
        b: 1,
    }
    assert linear_form(a, defs) is None
    # the same value scaled (2 W1 x + 2 b1 against z1) has no joint region; a near one has
    # one for each pair of pieces
    assert joint_pairs({z: {0}, 2 * w * x + 2 * b: {0}}, defs) == []
    near = joint_pairs({z: {0}, w * x + sp.Rational(99999, 10**5) * b: {0}}, defs)
    assert len(near) == 4


def test_a_thin_wedge_between_two_arguments_is_found() -> None:
    assert sb.check_formula(NET, "W1", _w1("1{W1 x + 0.99999 b1 > 0}")).exit_code == 1
    right = sb.check_formula(NET, "W1", _w1("1{W1 x + b1 > 0}"))
    assert right.exit_code == 0, right.error


@pytest.mark.slow
@pytest.mark.parametrize(
    ("indicator", "code"),
    [
        ("1{sqrt(2) W1 x + 1.4142 b1 > 0}", 1),
        ("1{1.00001 W1 x + b1 > 0}", 1),
        ("1{W1 x + b1 + 0.00001 b1 > 0}", 1),
        ("1{z1 + 0.00001 W1 x > 0}", 1),
        ("1{z1 + 0.00001 b1 > 0}", 1),
        ("1{W1 x + 0.9 b1 > 0}", 1),
        ("1{z1 > 0}", 0),
        ("1{sqrt(2) W1 x + sqrt(2) b1 > 0}", 0),
        ("1{2 W1 x + 2 b1 - 1 > -1}", 0),
    ],
)
def test_wedges_and_right_spellings(indicator: str, code: int) -> None:
    report = sb.check_formula(NET, "W1", _w1(indicator))
    assert report.exit_code == code, report.error


@pytest.mark.slow
def test_a_wedge_in_the_second_layer() -> None:
    net = "4-3:relu-2:relu-1"
    wrong = "((W3^T delta3) ⊙ 1{W2 a1 + 0.99999 b2 > 0}) a1^T"
    assert sb.check_formula(net, "W2", wrong).exit_code == 1
    right = sb.check_formula(net, "W2", "((W3^T delta3) ⊙ 1{W2 a1 + b2 > 0}) a1^T")
    assert right.exit_code == 0, right.error


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_transposed_leaf_is_a_leaf_term() -> None:
    """review15 N4: ``W x + 0.01 v^T`` (v : 1 x 2) beside relu(W x - 0.5): a wedge of width
    0.01 |v| between the two arguments; v^T moves with v, so it is a term like any leaf."""
    w, x, v = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("v", 1, 2)
    assert linear_form(w * x + sp.Rational(1, 100) * v.T, {}) == {
        w * x: 1,
        v.T: sp.Rational(1, 100),
    }
    model = sb.Model.parse(
        "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x - 0.5)\nJ = mse(v h, y)"
    )
    wrong = "((v^T (v h - y)) ⊙ 1{W x + 0.01 v^T > 0.5}) x^T"
    assert sb.check_formula(model, "W", wrong).exit_code == 1
