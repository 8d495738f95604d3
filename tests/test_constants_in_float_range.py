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
from symbackprop.formula.float_range import outside_float_range
from symbackprop.model import Model

HEAD = "X : 3 x m\nY : 1 x m\n"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("J = mse(exp(1000) w^T X, Y)", "exp(1000)"),
        ("J = mse(exp(-1000) w^T X, Y) + sum(w)", "exp(-1000)"),
        ("J = mse(10^400 w^T X, Y)", "1000000000"),
        ("J = mse(exp(exp(exp(exp(5)))) + w^T X, Y)", "exp(exp(exp(exp(5))))"),
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


def test_the_range_test_is_exact_about_its_edges() -> None:
    x = sp.Symbol("x")
    assert outside_float_range(sp.exp(709) * x) is None
    assert outside_float_range(sp.exp(710) * x) == sp.exp(710)
    assert outside_float_range(sp.exp(-708) * x) is None
    assert outside_float_range(sp.exp(-746) * x) == sp.exp(-746)  # below the smallest subnormal
    assert outside_float_range(sp.Integer(0) * x + sp.pi) is None
    assert outside_float_range(sp.sqrt(-1) + x) is None  # complex: the caller's check
