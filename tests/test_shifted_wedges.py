"""A value beside itself plus a small further term is compared in the wedge between them
(review15 N10).

``1{z1 + 0.001 sum(W1) > 0}`` written for relu'(z1) differs from ``1{z1 > 0}`` only in an entry
where z1 and z1 + 0.001 sum(W1) have opposite signs: a wedge about 0.001 |sum(W1)| wide. The
further term is no function of z1 (so the two are two bases) and not linear in the leaves as
joint.py takes them (sum(W1) is a SymPy Sum times ones; b1 ⊙ b1 and W1 x ⊙ W1 x are products),
so each base was cut at its own 0 only, random points reached both sides of each, and the
check said "equal, exactly" (exit 0). Such a pair now has a joint region for every pair of
pieces, searched on lines that follow one entry of both values (check/wedges.py).
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check import wedges
from symbackprop.check.kinks import Sides
from symbackprop.records.nodes import T, entrywise

NET = "4-3:relu-1"


def _w1(indicator: str) -> str:
    return f"((W2^T delta2) ⊙ {indicator}) x^T"


def test_a_value_shifted_by_a_further_term_is_paired_with_it() -> None:
    w, x, b = sp.MatrixSymbol("W1", 4, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("b1", 4, 1)
    z = sp.MatrixSymbol("z1", 4, 1)
    defs = {"z1": w * x + b}
    squared = z + sp.Rational(1, 1000) * sp.HadamardProduct(b, b)
    pairs = wedges.shifted_pairs({z: {0}, squared: {0}}, defs, set())
    assert {(u, v) for u, _pu, v, _pv, _leaves in pairs} == {(z, squared)}
    assert pairs[0][4] == ("W1", "b1", "x")
    # z1 + b1 ⊙ b1 / 1000 >= z1: z1 above 0 with it below 0 is empty, no region (a right
    # formula's search there would end undecided); the other three pairings are regions
    assert {(pu, pv) for _u, pu, _v, pv, _leaves in pairs} == {
        ((-sp.oo, 0), (-sp.oo, 0)),
        ((-sp.oo, 0), (0, sp.oo)),
        ((0, sp.oo), (0, sp.oo)),
    }
    # a further term of either sign (W1 x ⊙ b1) leaves all four
    mixed = z + sp.Rational(1, 1000) * sp.HadamardProduct(w * x, b)
    assert len(wedges.shifted_pairs({z: {0}, mixed: {0}}, defs, set())) == 4
    # the same terms scaled, or no term shared, or a linear shift (joint.py's): no such pair
    assert wedges.shifted_pairs({z: {0}, 2 * w * x + 2 * b: {0}}, defs, set()) == []
    other = sp.HadamardProduct(w * x, w * x) + sp.HadamardProduct(b, b)
    assert wedges.shifted_pairs({z: {0}, other: {0}}, defs, set()) == []
    # a shared term, the rest scaled otherwise (review16 T2): every pair of pieces
    sharing = w * x + sp.Rational(1, 1000) * sp.HadamardProduct(b, b)
    assert len(wedges.shifted_pairs({z: {0}, sharing: {0}}, defs, set())) == 4
    linear = z + sp.Rational(1, 1000) * b
    assert wedges.shifted_pairs({z: {0}, linear: {0}}, defs, set()) == []
    # Sides gives each pair of pieces a joint region, searched on lines (linear=False)
    relu = entrywise(sp.Lambda(T, sp.Max(0, T)), z)
    indicator = entrywise(sp.Lambda(T, sp.Piecewise((1, T > 0), (0, True))), squared)
    sides = Sides(relu, indicator, definitions=defs)
    assert sum(1 for r in sides.reached if r.joint is not None and not r.linear) == 3


def test_products_of_sums_are_multiplied_out() -> None:
    """b1 ⊙ (1 + 0.001 b1) is b1 + 0.001 b1 ⊙ b1 and (W1 + 0.001 W1 ⊙ W1) x is
    W1 x + 0.001 (W1 ⊙ W1) x: each is z1's terms plus one more, so the pair is searched
    (review16 T2: each was one term, no pair, "equal, exactly")."""
    w, x, b = sp.MatrixSymbol("W1", 4, 3), sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("b1", 4, 1)
    z = sp.MatrixSymbol("z1", 4, 1)
    defs = {"z1": w * x + b}
    c = sp.Rational(1, 1000)
    ones = sp.OneMatrix(4, 1)
    hadamard = w * x + sp.HadamardProduct(b, ones + c * b)
    matmul = (w + c * sp.HadamardProduct(w, w)) * x + b
    for shifted in (hadamard, matmul):
        pairs = wedges.shifted_pairs({z: {0}, shifted: {0}}, defs, set())
        assert {(u, v) for u, _pu, v, _pv, _leaves in pairs} == {(z, shifted)}
    # the squares are never negative: z1 above 0 with the other below 0 is no region
    assert len(wedges.shifted_pairs({z: {0}, hadamard: {0}}, defs, set())) == 3
    # z1 ⊙ (1 + b1 ⊙ b1) has z1's sign in every entry: the two pairs of opposite signs are
    # empty; z1 ⊙ (1 + 0.001 b1) changes sign where b1 < -1000: all four are regions
    same_sign = sp.HadamardProduct(z, ones + sp.HadamardProduct(b, b))
    assert len(wedges.shifted_pairs({z: {0}, same_sign: {0}}, defs, set())) == 2
    either = sp.HadamardProduct(z, ones + c * b)
    assert len(wedges.shifted_pairs({z: {0}, either: {0}}, defs, set())) == 4


def test_a_name_for_an_elementwise_product_is_written_out() -> None:
    """batch_norm.model's truth: ``gamma ⊙ N + beta`` beside the derivation's _t8 = _t7 + beta
    with _t7 = gamma ⊙ N is one value written two ways, no pair (a pair of its pieces of
    opposite signs is empty, and its search made the tool's own truth "cannot decide")."""
    n, m = 4, 3
    gamma, beta = sp.MatrixSymbol("gamma", n, 1), sp.MatrixSymbol("beta", n, 1)
    big_n = sp.MatrixSymbol("N", n, m)
    t7, t8 = sp.MatrixSymbol("_t7", n, m), sp.MatrixSymbol("_t8", n, m)
    ones = sp.OneMatrix(1, m)
    product = sp.HadamardProduct(gamma * ones, big_n)
    defs = {"_t7": product, "_t8": t7 + beta * ones}
    assert wedges.shifted_pairs({product + beta * ones: {0}, t8: {0}}, defs, set()) == []
    # shifted by a further term never negative it is still paired, in three pairs of pieces
    shifted = product + beta * ones + sp.Rational(1, 1000) * sp.HadamardProduct(big_n, big_n)
    assert len(wedges.shifted_pairs({shifted: {0}, t8: {0}}, defs, set())) == 3


def test_the_line_search_lands_between_two_close_crossings() -> None:
    """One entry: u = t - 1 and v = u + 1/1000 cross 0 a thousandth apart; the doubling
    steps over both, the halving lands between them (u below 0, v above 0)."""
    below, above = (-sp.oo, sp.Integer(0)), (sp.Integer(0), sp.oo)

    def positions(t: sp.Rational) -> list[tuple[int | None, int | None]]:
        u = t - 1 - sp.Rational(1, 3)
        v = u + sp.Rational(1, 1000)
        return [(wedges.position(u, below), wedges.position(v, above))]

    t = wedges.along(positions, 12)
    assert t is not None
    u = t - 1 - sp.Rational(1, 3)
    assert u < 0 < u + sp.Rational(1, 1000)


@pytest.mark.slow
@pytest.mark.parametrize(
    "indicator",
    [
        "1{z1 + 0.001 sum(W1) > 0}",
        "1{z1 + 0.001 sum(b1) > 0}",
        "1{z1 + 0.001 b1 ⊙ b1 > 0}",
        "1{z1 + 0.001 W1 x ⊙ W1 x > 0}",
        "1{z1 - 0.001 b1 ⊙ b1 > 0}",
        # the same shifts spelled as products of sums, or scaled and shifted (review16 T2)
        "1{W1 x + b1 ⊙ (1 + 0.001 b1) > 0}",
        "1{(W1 + 0.001 W1 ⊙ W1) x + b1 > 0}",
        "1{W1 x + 0.999 b1 + 0.001 sum(W1) > 0}",
        "1{z1 ⊙ (1 + 0.001 b1) > 0}",
        # wrong only where z1 > 0 and z1 + 0.001 sum(W1) < 0 (sum(W1) < 0 there)
        "1{z1 + 0.001 sum(W1) > 0} ⊙ 1{z1 > 0}",
    ],
)
def test_wedges_of_a_shifted_value_fail(indicator: str) -> None:
    report = sb.check_formula(NET, "W1", _w1(indicator))
    assert report.exit_code == 1, report.error


@pytest.mark.slow
@pytest.mark.parametrize(
    "indicator",
    [
        "1{z1 > 0}",
        "1{W1 x + b1 > 0}",
        "1{sqrt(2) W1 x + sqrt(2) b1 > 0}",
        # z1 > 0 makes z1 + b1 ⊙ b1 > 0: right; its empty pairing is no region
        "1{z1 > 0} ⊙ 1{z1 + b1 ⊙ b1 > 0}",
        # z1 times a positive factor has z1's sign
        "1{z1 ⊙ (1 + b1 ⊙ b1) > 0}",
    ],
)
def test_right_spellings_still_pass(indicator: str) -> None:
    report = sb.check_formula(NET, "W1", _w1(indicator))
    assert report.exit_code == 0, report.error


@pytest.mark.slow
def test_a_models_shifted_value() -> None:
    model = sb.Model.parse(
        "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x)\nJ = mse(v h, y)"
    )
    wrong = "((v^T (v h - y)) ⊙ 1{W x + 0.001 sum(W) > 0}) x^T"
    assert sb.check_formula(model, "W", wrong).exit_code == 1
    right = sb.check_formula(model, "W", "((v^T (v h - y)) ⊙ 1{W x > 0}) x^T")
    assert right.exit_code == 0, right.error
