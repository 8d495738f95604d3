"""Regions per canonical base (review14 R12, R6).

A switch of a square or an abs lands on its inner value at every preimage (z1 ⊙ z1 = 3 at
z1 = -sqrt(3), sqrt(3)), a name defined as an affine map or a power is followed to its base
(_t2 = W x - 1/2 switches where W x = 1/2), and each base is cut only at its own switches.
Before, z1 ⊙ z1 was its own base, cut at z1's raw switch values (sqrt(2): a value of z1, not of
z1 ⊙ z1), and the band 2 < z1^2 < 3 where ``1{z1 ⊙ z1 > 3}`` is wrong beside relu(z1 ⊙ z1 - 2)
was in no region: the wrong formula passed "exactly". Every wrong formula here is exit 1; the
right ones are never exit 1.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import switches
from symbackprop.model import Model
from symbackprop.records.nodes import T, entrywise
from symbackprop.spec import Network

#: review14 R12's model twin: g'(u) = 2 u 1{u^2 > 2}
SQUARE = "x : 3 x 1\nW : 2 x 3\nu = W x\nh = relu(u ⊙ u - 2)\nJ = sum(h)\n"
#: review14 R6: a relu whose argument is shifted by a constant, and a ball
SHIFTED = "x : 3 x 1\ny : 1 x 1\nW : 2 x 3\nv : 1 x 2\nh = relu(W x - 0.5)\nJ = mse(v h, y)\n"
BALL = "W : 2 x 3\nJ = relu(sum(W ⊙ W) - 0.5)\n"


def _above(arg: sp.MatrixExpr, value: sp.Expr) -> sp.MatrixExpr:
    return entrywise(sp.Lambda(T, sp.Piecewise((1, value < T), (0, True))), arg)


def test_a_square_switches_on_its_inner_value_at_both_roots() -> None:
    z = sp.MatrixSymbol("z1", 3, 1)
    found = switches(_above(sp.HadamardPower(z, 2), sp.Integer(3)), _above(z, sp.Integer(0)))
    assert found.on == {z: {-sp.sqrt(3), sp.sqrt(3), sp.Integer(0)}}
    assert not found.unmapped


def test_a_value_that_is_a_function_of_another_switches_on_it() -> None:
    """(u + 1) ⊙ (u - 1) = u ⊙ u - 1 and (W x) ⊙ u = u ⊙ u (u = W x): their switches land on
    abs(u) (every atom here is an even function of u), beside h = relu(_t1 - 2)'s (_t1 = u ⊙ u)
    at sqrt(2); with relu'(u) beside them, on u at both roots."""
    W, x = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("x", 3, 1)
    u, t1, t2 = (sp.MatrixSymbol(name, 2, 1) for name in ("u", "_t1", "_t2"))
    ones = sp.OneMatrix(2, 1)
    defs = {"u": W * x, "_t1": sp.HadamardProduct(u, u), "_t2": t1 - 2 * ones}
    product = sp.HadamardProduct(u + ones, u - ones)
    found = switches(
        _above(product, sp.Integer(2)),
        _above(sp.HadamardProduct(W * x, u), sp.Integer(5)),
        _above(t2, sp.Integer(0)),
        definitions=defs,
    )
    absolute = entrywise(sp.Lambda(T, sp.Abs(T)), u)
    assert found.on == {absolute: {sp.sqrt(v) for v in (2, 3, 5)}} and not found.unmapped
    both = switches(
        _above(product, sp.Integer(2)),
        _above(sp.HadamardProduct(W * x, u), sp.Integer(5)),
        _above(t2, sp.Integer(0)),
        _above(u, sp.Integer(0)),
        definitions=defs,
    )
    root = {sp.sqrt(v) * s for v in (2, 3, 5) for s in (-1, 1)}
    assert both.on == {u: root | {sp.Integer(0)}} and not both.unmapped


def test_the_model_twin_of_a_square_beside_an_abs_threshold() -> None:
    """sqrt(2) < |u| < 3/2: the gradient is 2 u x^T there, the formula 0."""
    model = Model.parse(SQUARE)
    wrong = sb.check_formula(model, "W", "(2 u ⊙ 1{abs(u) > 1.5}) x^T")
    assert wrong.exit_code == 1 and wrong.counterexample is not None, str(wrong)
    assert sb.check_formula(model, "W", "(2 u ⊙ 1{u ⊙ u > 2}) x^T").exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "formula",
    [
        "(2 u ⊙ 1{u ⊙ u > 2.0001}) x^T",
        "(2 u ⊙ 1{abs(u) > 1.5}) x^T",
        "(2 u ⊙ 1{u ⊙ u > 3}) x^T",
        # a square written as a product of two values of u, or of u and its definition
        "(2 u ⊙ 1{(u + 1) ⊙ (u - 1) > 1.0001}) x^T",
        "(2 u ⊙ 1{(W x) ⊙ u > 2.0001}) x^T",
        "(2 u ⊙ 1{u ⊙ (W x) - 2 > 0.0001}) x^T",
        "(2 u ⊙ 1{(u + 1) ⊙ (u + 1) - 2 u > 3.0001}) x^T",
        "(2 u ⊙ 1{(u ⊙ u) ⊙ (u ⊙ u) > 4.0004}) x^T",
    ],
)
def test_the_model_twin_wrong_thresholds_fail(formula: str) -> None:
    report = sb.check_formula(Model.parse(SQUARE), "W", formula)
    assert report.exit_code == 1 and report.counterexample is not None, str(report)


@pytest.mark.slow
@pytest.mark.parametrize(
    "formula", ["(2 u ⊙ 1{(W x) ⊙ u > 2}) x^T", "(2 u ⊙ 1{(u + 1) ⊙ (u - 1) > 1}) x^T"]
)
def test_the_model_twin_right_thresholds_written_otherwise(formula: str) -> None:
    assert sb.check_formula(Model.parse(SQUARE), "W", formula).exit_code in (0, 2)


def _square_net(kink: int) -> Network:
    return Network.parse("4-3:g-1", define={"g": f"relu(z*z - {kink})"})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kink", "threshold", "code"),
    [
        (2, "3", (1,)),
        (2, "2.0001", (1,)),
        (2, "2.5", (1,)),
        (3, "2.5", (1,)),
        (2, "2", (0, 2)),
        (3, "3", (0, 2)),
    ],
)
def test_a_custom_square_activation_with_irrational_kinks(
    kink: int, threshold: str, code: tuple[int, ...]
) -> None:
    """g = relu(z^2 - k): g'(z) = 2 z 1{z^2 > k}, kinks at +-sqrt(k)."""
    formula = f"((W2^T delta2) ⊙ (2 z1 ⊙ 1{{z1 ⊙ z1 > {threshold}}})) x^T"
    report = sb.check_formula(_square_net(kink), "W1", formula)
    assert report.exit_code in code, str(report)


@pytest.mark.slow
def test_a_constant_shift_is_no_shared_cut() -> None:
    """1{W x > 0.45} beside relu(W x - 0.5) is wrong on 9/20 < W x < 1/2, a region of W x."""
    model = Model.parse(SHIFTED)
    wrong = sb.check_formula(model, "W", "((v^T (v h - y)) ⊙ 1{W x > 0.45}) x^T")
    assert wrong.exit_code == 1, str(wrong)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "formula", "code"),
    [
        (SHIFTED, "((v^T (v h - y)) ⊙ 1{W x > 0.4999}) x^T", (1,)),
        (SHIFTED, "((v^T (v h - y)) ⊙ 1{W x - 0.5 > 0.01}) x^T", (1,)),
        (SHIFTED, "((v^T (v h - y)) ⊙ 1{W x > 0.5}) x^T", (0, 2)),
        (BALL, "2 W * 1{norm2(W) > 0.5}", (1, 2)),
        (BALL, "2 W * 1{sum(W ⊙ W) > 0.4999}", (1, 2)),
        (BALL, "2 W * 1{norm2(W) > 0.7071}", (1, 2)),
        (BALL, "2 W * 1{sqrt(sum(W ⊙ W)) > 0.7071}", (1, 2)),
        (BALL, "2 W * 1{exp(sum(W ⊙ W)) > 1.6487}", (1, 2)),
        (BALL, "2 W * 1{sum(W ⊙ W) > 0.5}", (0, 2)),
        (BALL, "2 W * 1{norm2(W) > sqrt(0.5)}", (0, 2)),
        # review15 N1: a wrong threshold on a value unrelated to the ball's (no line reaches
        # the ball: exit 2; with the line toward the origin these passed "exactly")
        (BALL, "2 W * 1{sum(W ⊙ W) + 0.001 sum(W) > 0.5}", (1, 2)),
        (BALL, "2 W * 1{sum(W ⊙ W) - 0.001 norm1(W) > 0.5}", (1, 2)),
        (SHIFTED, "((v^T (v h - y)) ⊙ 1{W x + 0.001 W x ⊙ W x > 0.5}) x^T", (1,)),
    ],
)
def test_review14_r6_lines(model: str, formula: str, code: tuple[int, ...]) -> None:
    assert sb.check_formula(Model.parse(model), "W", formula).exit_code in code


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("name", ["u", pytest.param("U", marks=pytest.mark.slow)])
def test_a_cube_beside_its_value_is_one_base_whatever_the_names(name: str) -> None:
    """review15 N2: relu(u ⊙ u ⊙ u - 2) beside 1{u > 1.25} (wrong on 1.25 < u < 2^(1/3)) passed
    "exactly" when the value was named u and not U: the bases were merged only when the later
    one in the order of their names was a function of the earlier one."""
    model = Model.parse(
        f"x : 3 x 1\nW : 2 x 3\n{name} = W x\nh = relu({name} ⊙ {name} ⊙ {name} - 2)\nJ = sum(h)"
    )
    u = name
    wrong = sb.check_formula(model, "W", f"(3 {u} ⊙ {u} ⊙ 1{{{u} > 1.25}}) x^T")
    assert wrong.exit_code == 1, str(wrong)
    right = sb.check_formula(model, "W", f"(3 {u} ⊙ {u} ⊙ 1{{{u} ⊙ {u} ⊙ {u} > 2}}) x^T")
    assert right.exit_code == 0, str(right)
