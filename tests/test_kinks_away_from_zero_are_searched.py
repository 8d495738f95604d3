"""Hostile round 11, finding 13 (lines 1-6): wrong formulas whose kinks lie away from 0 passed
the network check ("✓ equals dJ/dW1 exactly").

``relu(z1 + 1)`` had its kink recorded in its own argument, so -1 < z1 < 0 (where
``relu(z1 + 1) - relu(z1)`` is not ``1{z1 > 0}``) was never a region nor a placed value; the
placed points put every layer at one value, so at z1 = -2/3 the second relu layer was dead too
and both sides were 0; and a point where the gradient is 0 (dead layers) counted as comparing
the sides of ``1{x > -5}`` and ``1{W1 < 20}``. Now an affine argument's kinks lie on its base,
each layer is placed alone with the others alive, and only a point with a nonzero gradient
reaches a region inside (the line search starts from such a point).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck import crossings
from symbackprop.apps.shapecheck.crossings import Crossed
from symbackprop.check import kinks
from symbackprop.check.exact import Evaluator, Table
from symbackprop.records.nodes import T, entrywise

NET = "4-3:relu-2:relu-1"
WRONG = [
    "((W2^T delta2) ⊙ (relu(z1 + 1) - relu(z1))) x^T",  # z1 + 1 on (-1, 0), truth 0
    "((W2^T delta2) ⊙ (relu(z1 + 0.5) - relu(z1)) / 0.5) x^T",
    "((W2^T delta2) ⊙ (relu(2 z1 + 1) - relu(2 z1))) x^T",
    "((W2^T delta2) ⊙ (abs(z1 + 1) - abs(z1) + 1)/2) x^T",
    "((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{x > -5})^T",
    "((W2^T delta2) ⊙ 1{z1 > 0}) x^T ⊙ 1{W1 < 20}",
]


def _relu(arg: sp.MatrixExpr) -> sp.MatrixExpr:
    return entrywise(sp.Lambda(T, sp.Max(T, 0)), arg)


def test_an_affine_arguments_kink_lies_on_its_base() -> None:
    """relu(z1 + 1) and relu(2 z1 + 1) kink at z1 = -1 and -1/2: regions of z1 itself."""
    z = sp.MatrixSymbol("z1", 3, 1)
    one = sp.OneMatrix(3, 1)
    assert kinks.kinks(_relu(z + one), _relu(2 * z + one)) >= {-1, sp.Rational(-1, 2)}
    cuts = {(r.arg, r.low, r.high) for r in kinks.regions(_relu(z + one), _relu(z))}
    assert cuts == {(z, -sp.oo, -1), (z, -1, 0), (z, 0, sp.oo)}


def test_a_dead_point_reaches_no_region_inside() -> None:
    x = sp.MatrixSymbol("x", 2, 1)
    sides = kinks.Sides(_relu(x + 5 * sp.OneMatrix(2, 1)))
    sides.see(lambda expr: sp.Matrix([-9, 1]), inside=False)
    assert len(sides.missing()) == 2  # x = -9 is below -5, but the gradient there was 0
    sides.see(lambda expr: sp.Matrix([-9, 1]))
    assert sides.missing() == []


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_relu_of_a_shifted_pre_activation_is_caught() -> None:
    report = sb.check_formula(NET, "W1", WRONG[0])
    assert report.equal is False and report.exit_code == 1


@pytest.mark.slow
@pytest.mark.parametrize("formula", WRONG[1:])
def test_kinks_away_from_zero_are_caught(formula: str) -> None:
    report = sb.check_formula(NET, "W1", formula)
    assert report.exit_code in (1, 2) and report.equal is not True


@pytest.mark.slow
@pytest.mark.parametrize(
    "formula",
    [
        "((W2^T delta2) ⊙ 1{z1 > 0}) x^T",
        "((W2^T delta2) ⊙ (1{z1 > 0} + relu(z1 + 1) - relu(z1 + 1))) x^T",
        # both pieces of 1{x > -5}: reached and compared on each side; at a drawn x_j = -5
        # exactly both indicators are 0, a difference on a set of measure zero, which is no
        # counterexample (review15 N11: exit 1 from the session-15 region search on)
        "((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{x > -5})^T"
        " + ((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{x < -5})^T",
    ],
)
def test_right_formulas_with_such_kinks_still_pass(formula: str) -> None:
    assert sb.check_formula(NET, "W1", formula).ok


@pytest.mark.slow
@pytest.mark.parametrize("threshold", ["1{x > -4.9}", "1{x > -5.1}"])
def test_a_threshold_beside_the_kink_still_fails(threshold: str) -> None:
    """Not every difference is on a switch: -4.9 is no switch of x beside 1{x < -5}."""
    formula = (
        f"((W2^T delta2) ⊙ 1{{z1 > 0}}) (x ⊙ {threshold})^T"
        " + ((W2^T delta2) ⊙ 1{z1 > 0}) (x ⊙ 1{x < -5})^T"
    )
    assert sb.check_formula(NET, "W1", formula).exit_code == 1


def _both_sides(x: sp.MatrixSymbol) -> sp.MatrixExpr:
    """x ⊙ 1{x > -5} + x ⊙ 1{x < -5}: x, except where an entry is -5 exactly."""
    above = entrywise(sp.Lambda(T, sp.Piecewise((1, T > -5), (0, True))), x)
    below = entrywise(sp.Lambda(T, sp.Piecewise((1, T < -5), (0, True))), x)
    return sp.HadamardProduct(x, above) + sp.HadamardProduct(x, below)


def test_a_difference_exactly_on_a_switch_is_no_counterexample() -> None:
    """review15 N11: a point with x_j = -5 exactly shows 0 against x_j; it lies on a switch
    of the base x, so it is nudged off (and compared there), never a counterexample; a
    point off every switch still shows its difference."""
    x = sp.MatrixSymbol("x", 2, 1)
    formula = _both_sides(x)
    sides = kinks.Sides(x, formula)

    def point_at(leaves: dict[str, sp.Matrix], digits: int) -> Evaluator:
        return Evaluator(dict(leaves), {}, Table(random.Random(0), {}))

    on = {"x": sp.Matrix([-5, 1])}
    assert sides.on_switch(point_at(on, 0))
    rng = random.Random(1)
    nudged = [crossings._off_switches(on, ["x"], rng)]
    row = crossings._compare([on], nudged, point_at, x, formula, sides, None, Crossed())
    assert row is None
    wrong = sp.HadamardProduct(x, entrywise(sp.Lambda(T, sp.Piecewise((1, T > -5), (0, True))), x))
    off = {"x": sp.Matrix([-6, 1])}
    assert not sides.on_switch(point_at(off, 0))
    row = crossings._compare([off], [[]], point_at, x, wrong, sides, None, Crossed())
    assert row is not None and row[:2] == (0, 0)


@pytest.mark.slow
def test_cli_exit_code_of_a_shifted_relu() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "shapecheck", NET, "--wrt", "W1", WRONG[0]],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
