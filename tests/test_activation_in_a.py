"""An activation's derivative written in its output a (``Activation.derivative_in_a``, issue
13): checked by SymPy branch by branch when the record is built, and read by the backward pass
instead of the pre-activation, so a relu layer caches A only and runs in place."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.records.activations import ACTIVATIONS, Activation
from symbackprop.records.scalars import a, z

RELU = ACTIVATIONS["relu"]


@pytest.mark.parametrize(
    "wrong",
    [
        sp.Piecewise((1, a >= 0), (0, True)),  # relu'(0) would be 1
        sp.Piecewise((1, a > 0), (sp.Rational(1, 100), True)),  # leaky_relu's slope
        sp.Piecewise((1, z > 0), (0, True)),  # not in a
        a,
    ],
)
def test_a_wrong_derivative_in_a_cannot_be_written(wrong: sp.Expr) -> None:
    with pytest.raises(ValueError, match="relu"):
        Activation("relu", RELU.latex, RELU.formula, derivative_in_a=wrong)


def test_the_check_reads_each_branch() -> None:
    half = sp.Piecewise((z, z > 0), (z / 2, True))
    right = sp.Piecewise((1, a > 0), (sp.Rational(1, 2), True))
    assert Activation("half_a", "h", half, derivative_in_a=right).cached_derivative == right
    with pytest.raises(ValueError, match=r"for z in Interval.open\(0, oo\)"):
        Activation("half_b", "h", half, derivative_in_a=sp.Piecewise((1, a < 0), (0.5, True)))


@pytest.mark.slow  # SymPy's as_set of exp(z) - 1 > 0 and simplify of tanh: seconds under load
def test_the_check_works_on_a_transcendental_branch_and_on_a_smooth_g() -> None:
    elu = sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True))
    right = sp.Piecewise((1, a > 0), (a + 1, True))  # elu'(z) = e^z = a + 1 for z <= 0
    assert Activation("elu_a", "e", elu, derivative_in_a=right).cached_derivative == right
    with pytest.raises(ValueError, match=r"for z in Interval\(-oo, 0\)"):
        Activation("elu_b", "e", elu, derivative_in_a=sp.Piecewise((1, a > 0), (a, True)))
    with pytest.raises(ValueError, match="Reals"):
        Activation("tanh_b", "t", sp.tanh(z), derivative_in_a=1 - a)


def test_relu_and_leaky_relu_read_a_only() -> None:
    for name in ("relu", "leaky_relu"):
        act = ACTIVATIONS[name]
        assert act.derivative_uses_a and not act.derivative_uses_z


def test_relu_layers_cache_a_only_and_run_in_place() -> None:
    net = sb.Network.parse("5-4:relu-3:relu-2:softmax", loss="ce")
    assert [e.name for e in sb.cache_plan(net)] == ["X", "A1", "A2", "Z3", "A3"]  # Z3: the cost
    numpy_code = sb.codegen(net)
    assert 'CACHE_READS = ("X", "A1", "A2", "A3")' in numpy_code
    assert "A1 = np.maximum(Z1, zeros, out=Z1)" in numpy_code
    assert "dZ1 *= A1 > 0" in numpy_code and "Z1 > 0" not in numpy_code
    torch_code = sb.codegen(net, backend="torch")
    assert "A2 = torch.relu_(Z2)" in torch_code and 'cache["Z2"]' not in torch_code
    # the gradient check watches A's sign for kink crossings (Z is gone; A flips with it)
    assert sb.compile(net).kinked == ("A1", "A2")
    text = sb.to_text(sb.derive(net, batch=True))
    assert "(W2^T delta2) ⊙ 1{A1 > 0}" in text and "read from the cached A1" in text


def test_relu_prime_at_zero_stays_zero_in_the_numpy_module() -> None:
    """A row of Z1 exactly 0 (zero row of W1 and b1): A1's row is 0 and 1{A1 > 0} is 0 there,
    so that row's gradients are exactly 0, as relu'(0) = 0 says."""
    module = sb.compile(sb.Network.parse("3-4:relu-2:softmax", loss="ce"))
    params = module.init_params(seed=2)
    params["W1"][1] = 0.0
    X = np.random.default_rng(0).standard_normal((3, 5))
    Y = np.eye(2)[:, [0, 1, 1, 0, 1]]
    _, grads = module.loss_and_grads(params, X, Y)
    assert not grads["W1"][1].any() and not grads["b1"][1].any()
    assert grads["W1"][0].any() or grads["W1"][2].any()
