"""A model's constants must be float64 numbers: SymPy keeps exp(1000) exact, but a generated
module would compute with inf (and exp(-1000) with 0), so such a model is refused in one line,
naming the constant, before any code is written (hostile round 13, finding 1)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.formula.float_range import OutOfRange, outside_float_range
from symbackprop.model import Model

HEAD = "X : 3 x m\nY : 1 x m\n"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("J = mse(exp(1000) w^T X, Y)", "exp(1000)"),
        ("J = mse(exp(-1000) w^T X, Y) + sum(w)", "exp(-1000)"),
        ("J = mse(10^400 w^T X, Y)", "about 1.00E+400"),
        ("J = mse(((exp(800) + 1)/(exp(800) + 2)) w^T X, Y)", "1 + exp(800)"),
        (
            "J = mse(exp(exp(exp(exp(5)))) + w^T X, Y)",
            "exp(exp(exp(exp(5)))), which computes exp(exp(exp(5))) on the way",
        ),
    ],
)
def test_a_constant_past_the_float_range_is_refused_in_one_line(line: str, shown: str) -> None:
    start = time.process_time()  # the 4-deep exponential must not be evaluated to its digits
    with pytest.raises(SpecError) as info:
        sb.codegen(Model.parse(HEAD + line))
    assert time.process_time() - start < 5.0
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("line 3: the constant ")
    assert shown in message and "outside the float64 range" in message
    assert "on the way is" not in message  # the aside is closed by a comma


def test_constants_inside_the_float_range_are_kept() -> None:
    """exp(700) and exp(-700) fit a float64: the module computes a finite cost and its
    gradient is exp(-700) + exp(700) X (exp(700) X^T w - Y^T) / m, at w = 0 and m = 2."""
    module = sb.compile(Model.parse(HEAD + "J = mse(exp(700) w^T X, Y) + exp(-700) sum(w)"))
    X = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])
    Y = np.array([[1e-300, 2e-300]])
    cost, grads = module.loss_and_grads({"w": np.zeros((3, 1))}, X, Y)
    assert np.isfinite(cost)
    expected = np.exp(-700) - np.exp(700) * (X @ Y.T) / 2  # mse = sum of squares / (2 m)
    np.testing.assert_allclose(grads["w"], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("constant", "value"),
    [("1/(1 + exp(-800))", 1.0), ("log(10^400)", 400 * np.log(10)), ("log(1 + exp(800))", 800.0)],
)
def test_a_constant_whose_value_fits_is_kept(constant: str, value: float) -> None:
    """The value is what counts, not a part SymPy keeps exact (exp(-800) rounds to 0 on the
    way to 1; log(10^400) is one float to the printer): review 13 R6."""
    module = sb.compile(Model.parse(f"x : 3 x 1\nW : 2 x 3\nJ = sum(W x) * {constant}\n"))
    x = np.array([[1.0], [2.0], [-1.0]])
    cost, grads = module.loss_and_grads({"W": np.ones((2, 3))}, x)
    np.testing.assert_allclose(cost, 4.0 * value, rtol=1e-14)
    np.testing.assert_allclose(grads["W"], np.tile(x.T, (2, 1)) * value, rtol=1e-14)


def test_a_custom_activations_constant_is_held_to_the_same_range() -> None:
    """--define g=z*exp(-1000) was 0.0 * z in the module, and its derivative printed as 0.0
    (review 13 R7)."""
    with pytest.raises(SpecError, match=r"constant exp\(-1000\), outside the float64 range"):
        sb.Network.parse("4-3:g-1", loss="mse", define={"g": "z*exp(-1000)"})


def test_the_range_test_is_exact_about_its_edges() -> None:
    x = sp.Symbol("x")
    assert outside_float_range(sp.exp(709) * x) is None
    assert outside_float_range(sp.exp(710) * x) == OutOfRange(sp.exp(710), sp.exp(710))
    assert outside_float_range(sp.exp(-708) * x) is None
    # below the smallest subnormal
    assert outside_float_range(sp.exp(-746) * x) == OutOfRange(sp.exp(-746), sp.exp(-746))
    assert outside_float_range(sp.Integer(0) * x + sp.pi) is None
    assert outside_float_range(sp.sqrt(-1) + x) is None  # complex: the caller's check


@pytest.mark.parametrize(
    "constant",
    ["exp(-400) * exp(-400) * 10^300 * 10^300", "exp(400) * exp(400)"],
)
def test_no_inf_literal_reaches_generated_code(constant: str) -> None:
    """The printer regroups a product of constants (10^600 / exp(800)): whatever it prints
    must be a float64, else one SpecError (review 13 R12: a bare inf, NameError, exit 3)."""
    with pytest.raises(SpecError, match="outside the float64 range"):
        sb.codegen(Model.parse(f"x : 3 x 1\nW : 2 x 3\ndata: x\nJ = sum(W x) * {constant}\n"))


def test_a_constant_too_large_to_format_is_named_in_one_line() -> None:
    """sigmoid(-10^400) is about e^(-10^400): no decimal format writes it (review 13 R15:
    InvalidOperation, exit 3)."""
    with pytest.raises(SpecError) as info:
        sb.derive(Model.parse("x : 3 x 1\nW : 2 x 3\ndata: x\nJ = sum(W x) * sigmoid(-10^400)\n"))
    assert "\n" not in str(info.value) and "sigmoid(-1000" in str(info.value)


@pytest.mark.parametrize(
    "product",
    [
        "sum(W x) * exp(400) * (1 + exp(400)) / exp(400)",
        "exp(400) * sum(W x) * (1 + exp(400)) / exp(400)",
        "sum(W x) exp(400) (1 + exp(400)) / exp(400)",
        "sum(W x) / exp(-400) / exp(400) * (1 + exp(400))",
    ],
)
def test_in_range_constants_of_a_product_are_multiplied_before_the_data(product: str) -> None:
    """Each constant fits and so does their product, 1 + e^400 (about 5.2e173), but factor by
    factor the module computed s e^400 (1 + e^400) on the way: inf, so the cost was inf and
    `check` exited 2 (review 13 R16). The numbers of the chain are multiplied exactly first."""
    model = Model.parse(f"x : 3 x 1\nW : 2 x 3\ndata: x\nJ = {product}\n")
    module = sb.compile(model)
    x = np.array([[1.0], [2.0], [-1.0]])
    W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    cost, grads = module.loss_and_grads({"W": W}, x)
    c = float(1 + sp.exp(400))
    np.testing.assert_allclose(cost, c * (W @ x).sum(), rtol=1e-14)
    np.testing.assert_allclose(grads["W"], c * np.tile(x.T, (2, 1)), rtol=1e-14)
    assert sb.gradcheck(module, {"W": W}, x).ok


def test_constants_between_matrices_are_gathered_where_the_first_stood() -> None:
    """X * c1 ⊙ Y * c2: the two numbers multiply to 1 before either meets the data (e^-400 X
    times e^400 Y was 0 times inf in float64 where X ⊙ Y is 1e-300)."""
    model = Model.parse(
        "x : 3 x 1\nw : 3 x 1\ndata: x\nJ = sum(x * exp(-400) ⊙ w * exp(400) ⊙ w)\n"
    )
    module = sb.compile(model)
    x = np.array([[1e-300], [2.0], [-1.0]])
    w = np.array([[1.0], [0.5], [3.0]])
    cost, grads = module.loss_and_grads({"w": w}, x)
    np.testing.assert_allclose(cost, float(np.sum(x * w * w)), rtol=1e-14)
    np.testing.assert_allclose(grads["w"], 2 * x * w, rtol=1e-14)
