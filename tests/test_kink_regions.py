"""A formula's indicators are compared on every piece, wherever its kink lies (hostile8 #2, #3).

Placing the pre-activations either side of the kinks reaches only values with an added bias;
``check/kinks.py``'s regions and line search reach the pieces of any other value (data,
parameters, activations, a relu argument without bias), and a piece no point reaches is "cannot
decide" (exit 2), never a ✓.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck import crossings
from symbackprop.check import kinks
from symbackprop.records.nodes import T, entrywise

ROOT = Path(__file__).resolve().parents[1]
#: hostile8's relunob.model: a relu whose argument has no bias
RELU_NO_BIAS = "X : 3 x m\nW : 2 x 3\nY : 1 x m\nv : 2 x 1\nH = relu(W X)\nJ = mse(v^T H, Y)\n"
RELU_NO_BIAS += "data: X, Y\n"


def _indicator(arg: sp.MatrixExpr, kink: sp.Rational) -> sp.MatrixExpr:
    return entrywise(sp.Lambda(T, sp.Piecewise((1, kink < T), (0, True))), arg)


def test_one_value_written_two_ways_is_one_base_cut_at_both_switches() -> None:
    """1{W X > 3/10} beside relu'(_t) (_t = W X) differs only between 0 and 3/10: W X written
    out is the name _t, one base cut at 0 and 3/10 (review14 R6: not by sharing raw switch
    values between every base of one shape)."""
    W, X, t = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("_t", 2, 2)
    exprs = (_indicator(W * X, sp.Rational(3, 10)), _indicator(t, sp.Integer(0)))
    found = kinks.regions(*exprs, definitions={"_t": W * X})
    assert {(r.arg, r.low, r.high) for r in found} == {
        (t, -sp.oo, 0),
        (t, 0, sp.Rational(3, 10)),
        (t, sp.Rational(3, 10), sp.oo),
    }
    sides = kinks.Sides(*exprs, definitions={"_t": W * X})
    sides.see(lambda expr: sp.Matrix([[1, -1], [2, 5]]))  # never between 0 and 3/10
    assert {(r.arg, r.low, r.high) for r in sides.missing()} == {(t, 0, sp.Rational(3, 10))}


def test_bases_of_one_shape_not_one_value_keep_their_own_switches() -> None:
    """W X and _t = W X - 1/2 differ by a constant: _t's switch 0 is W X's 1/2, so 1{W X > 9/20}
    beside relu'(_t) leaves the band 9/20 < W X < 1/2 as a region (review14 R6); an unrelated
    base of the same shape (V X) is cut only at its own switch."""
    W, X = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("X", 3, 2)
    V, t = sp.MatrixSymbol("V", 2, 3), sp.MatrixSymbol("_t", 2, 2)
    half = sp.Rational(1, 2)
    exprs = (
        _indicator(W * X, sp.Rational(9, 20)),
        _indicator(t, sp.Integer(0)),
        _indicator(V * X, sp.Integer(3)),
    )
    found = kinks.regions(*exprs, definitions={"_t": W * X - half * sp.OneMatrix(2, 2)})
    assert {(r.arg, r.low, r.high) for r in found} == {
        (W * X, -sp.oo, sp.Rational(9, 20)),
        (W * X, sp.Rational(9, 20), half),
        (W * X, half, sp.oo),
        (V * X, -sp.oo, 3),
        (V * X, 3, sp.oo),
    }


def test_a_line_through_the_leaves_reaches_a_piece_no_point_reached() -> None:
    x = sp.MatrixSymbol("x", 2, 1)
    region = kinks.Region(x, -sp.oo, sp.Integer(-5))
    base = {"x": sp.Matrix([1, 2]), "y": sp.Matrix([0, 1])}

    def value_at(leaves: dict[str, sp.Matrix]) -> kinks.Evaluate:
        return lambda expr: leaves["x"]

    outside, inside = kinks.crossing(region, base, ["x"], value_at, random.Random(0))
    assert any(v < -5 for v in inside["x"]) and all(v > -5 for v in outside["x"])
    assert inside["y"] == base["y"]  # a target never moves
    gap = max(abs(a - b) for a, b in zip(inside["x"], outside["x"], strict=True))
    assert gap < 1  # either side of the kink, close to it
    never = kinks.Region(x, sp.Integer(10**9), sp.oo)
    assert kinks.crossing(never, base, ["y"], value_at, random.Random(0)) == []


WRONG = [
    ("4-3-1", "W1", "delta1 (x ⊙ 1{x > -5})^T"),
    ("4-3-1", "W1", "(delta1 ⊙ 1{W1 x > -50}) x^T"),
    ("4-3-1", "W1", "delta1 x^T ⊙ 1{W1 > -50}"),
    ("4-3-1", "W1", "(delta1 ⊙ 1{a1 < 0.9999}) x^T"),
    ("logistic_l2", "w", "(1/m) X ((p - Y) ⊙ 1{p < 0.9999})^T + lam w"),
    ("logistic_l2", "w", "(1/m) X (p - Y)^T + lam (w ⊙ 1{abs(w) < 10})"),
    ("relunob", "W", "(v (1/m) (v^T H - Y) ⊙ 1{W X > 0.3}) X^T"),
    ("relunob", "W", "(v (1/m) (v^T H - Y) ⊙ 1{W X > -0.2}) X^T"),
    ("relunob", "W", "(v (1/m) (v^T H - Y) ⊙ 1{H > 0.05}) X^T"),
]


def _source(name: str) -> object:
    if name == "relunob":
        return sb.Model.parse(RELU_NO_BIAS)
    if name == "logistic_l2":
        return sb.Model.from_file(ROOT / "examples" / "models" / "logistic_l2.model")
    return sb.Network.parse(name)


@pytest.mark.slow
@pytest.mark.parametrize(("source", "wrt", "formula"), WRONG)
def test_an_indicator_beyond_the_random_points_is_never_a_pass(
    source: str, wrt: str, formula: str
) -> None:
    """hostile8 #2 and #3: each was "✓ exactly", exit 0. Now a counterexample beyond the
    kink (exit 1), or "cannot decide" where no point there can be compared (exit 2)."""
    report = sb.check_formula(_source(source), wrt, formula)  # type: ignore[arg-type]
    assert not report.ok and report.exit_code in (1, 2), report.points
    if report.exit_code == 2:
        assert "cannot decide" in str(report.error)
        assert "W1 below -50" in str(report.error)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "wrt", "formula"),
    [
        ("relunob", "W", "(v (1/m) (v^T H - Y) ⊙ 1{W X > 0}) X^T"),
        ("4-3:relu-1", "W1", "(W2^T delta2 ⊙ 1{a1 > 0}) x^T"),
        (
            "logistic_l2",
            "w",
            "(1/m) X (p - Y)^T + lam (w ⊙ 1{abs(w) < 100}) + lam (w ⊙ 1{abs(w) >= 100})",
        ),
    ],
)
def test_the_right_gradient_still_passes_and_says_where_it_was_compared(
    source: str, wrt: str, formula: str
) -> None:
    report = sb.check_formula(_source(source), wrt, formula)  # type: ignore[arg-type]
    assert report.ok, (report.error, report.counterexample)
    if "100" in formula:  # a piece reached only on a line through the leaves is named
        assert "abs(w) above 100 (on lines through the leaves" in (report.points or "")


class _Searches:
    """Spies on the kink search: the regions' levels when it starts, the regions searched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.levels: dict[tuple[str, object, object], int] = {}
        self.searched: list[tuple[str, object, object]] = []
        across, crossing = crossings.across, crossings.crossing

        def spy_across(sides: kinks.Sides, *args: object, **kw: object) -> crossings.Crossed:
            self.levels.update({_key(r): level for r, level in sides.reached.items()})
            return across(sides, *args, **kw)  # type: ignore[arg-type]

        def spy_crossing(region: kinks.Region, *args: object) -> list[dict[str, sp.Matrix]]:
            self.searched.append(_key(region))
            return crossing(region, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(crossings, "across", spy_across)
        monkeypatch.setattr(crossings, "crossing", spy_crossing)


def _key(region: kinks.Region) -> tuple[str, object, object]:
    return str(region.arg), region.low, region.high


def test_a_right_relu_derivative_written_with_its_output_needs_no_line_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """relu's output a1 = relu(z1): 1{a1 > 0} switches where z1 does, at 0 (a1 < 0 holds no
    value and is no region), and the random points reach z1 on both sides of 0, so no line
    through the leaves is searched (each search is up to 150 forward passes in SymPy), and the
    right formula passes."""
    spy = _Searches(monkeypatch)
    report = sb.check_formula("4-3:relu-1", "W1", "(W2^T delta2 ⊙ 1{a1 > 0}) x^T")
    assert report.ok, (report.error, report.counterexample)
    assert spy.searched == []


@pytest.mark.slow
def test_the_skip_keeps_a_near_kink_wrong_formula_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """1{H > 0.05} for relu'(W X) (H = relu(W X)): H's switches lie on W X, whose region
    between 0 and 1/20 is searched and finds the difference."""
    spy = _Searches(monkeypatch)
    model = sb.Model.parse(RELU_NO_BIAS)
    wrong = sb.check_formula(model, "W", "(v (1/m) (v^T H - Y) ⊙ 1{H > 0.05}) X^T")
    assert not wrong.ok and wrong.exit_code == 1 and wrong.counterexample is not None
    # H = relu(W X) switches where W X does (at 0 and 1/20): one base, its band searched
    assert ("_t1", 0, sp.Rational(1, 20)) in spy.searched
    assert {key[0] for key in spy.searched} == {"_t1"}
    assert sb.check_formula(model, "W", "(v (1/m) (v^T H - Y) ⊙ 1{H > 0}) X^T").ok
