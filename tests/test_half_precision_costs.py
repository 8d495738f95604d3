"""The cost of float16 arrays is the float64 cost rounded, not inf (hostile39b #2).

float16's largest number is 65504. Generated modules summed the loss over the examples in
the arrays' dtype and then divided by m: at m = 20000 examples and a loss of 10 each the sum
was inf (the mean, 10, fits), and mse's d^2 / 2 was inf at |d| = 300 (45000 fits), in NumPy,
torch and JAX, networks and models; the gradients were right. A loss over float16 arrays is now
computed in float32 and rounded back to float16. Checked here against the float64
module on the same (float16-rounded) numbers, with no overflow warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework

M = 20_000
#: network, loss, and how far the data is scaled: every case's sum over m passes 65504
NETWORKS = [
    ("3-2:relu-4:softmax", "ce", 30.0),
    ("3-2-1:identity", "mse", 300.0),
    ("3-1", "bce", 30.0),
]
MSE_MODEL = "W : 1 x 3\nX : 3 x m\nY : 1 x m\nJ = mse(W X, Y)\ndata: X, Y\n"
CE_MODEL = "W : 4 x 3\nX : 3 x m\nY : 4 x m\nJ = ce(softmax(W X), Y)\ndata: X, Y\n"


def _data(rows_out: int, loss: str, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """float16-exact X (3, M) and Y (rows_out, M): one-hot for ce, 0/1 for bce."""
    rng = np.random.default_rng(3)
    # mse: targets far from the outputs (d^2 / 2 overflows); small inputs, so that a model's
    # gradient, (1/m) (t1 - Y) X^T, whose sum over m is taken before the 1/m, fits float16
    x_scale = 0.01 if loss == "mse" else scale
    X = (rng.standard_normal((3, M)) * x_scale).astype(np.float16).astype(np.float64)
    if loss == "ce":
        Y = np.zeros((rows_out, M))
        Y[rng.integers(0, rows_out, M), np.arange(M)] = 1.0
    elif loss == "bce":
        Y = (rng.random((1, M)) < 0.5).astype(np.float64)
    else:
        Y = (rng.standard_normal((1, M)) * scale).astype(np.float16).astype(np.float64)
    return X, Y


def _converter(backend: str, dtype: str) -> Callable[[np.ndarray], Any]:
    """float64 NumPy arrays -> the backend's arrays of ``dtype``."""
    if backend == "numpy":
        return lambda a: a.astype(dtype)
    if backend == "torch":
        torch = import_framework("torch")
        return lambda a: torch.tensor(a).to(getattr(torch, dtype))
    jnp = import_framework("jax.numpy")
    return lambda a: jnp.asarray(a, dtype=getattr(jnp, dtype))


def _compare(source: Any, X: np.ndarray, Y: np.ndarray, backend: str, dtype: str) -> None:
    """The 16-bit cost of ``source`` at (X, Y) is finite, within rounding of the float64 one
    (of the same module, from the same 16-bit parameters), and so are its gradients."""
    convert = _converter(backend, dtype)  # a skip first where the framework is missing
    wide = _converter(backend, "float64")
    module = sb.compile(source, backend=backend)
    drawn = sb.compile(source).init_params(1)  # NumPy float64, rounded to float16 below
    params = {k: np.asarray(v).astype(np.float16).astype(np.float64) for k, v in drawn.items()}
    half = {k: convert(v) for k, v in params.items()}
    exact = {k: wide(v) for k, v in params.items()}
    cost64, _ = module.loss_and_grads(exact, wide(X), wide(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        cost, grads = module.loss_and_grads(half, convert(X), convert(Y))
        cost_alone = getattr(module, "cost", None)  # torch's and JAX's 0-d cost
        if cost_alone is not None:
            cost_alone = cost_alone(half, convert(X), convert(Y))
    cost, cost64 = float(cost), float(cost64)
    assert np.isfinite(cost) and cost64 * M > 65504  # the sum over m would overflow float16
    tolerance = 5e-3
    assert abs(cost - cost64) <= tolerance * abs(cost64), (cost, cost64)
    if cost_alone is not None:
        assert float(cost_alone) == pytest.approx(cost, rel=tolerance)
        assert str(cost_alone.dtype).endswith(dtype)  # back in the arrays' dtype
    for grad in grads.values():  # in the arrays' dtype (the targets were cast for the loss only)
        assert (
            str(grad.dtype).endswith(dtype) and np.isfinite(np.asarray(grad.tolist(), float)).all()
        )


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(("spec", "loss", "scale"), NETWORKS)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_network_cost_in_float16_is_finite_and_right(
    spec: str, loss: str, scale: float, backend: str
) -> None:
    network = sb.Network.parse(spec, loss=loss)
    X, Y = _data(network.widths[-1], loss, scale)
    _compare(network, X, Y, backend, "float16")


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(
    ("text", "loss", "scale"), [(MSE_MODEL, "mse", 300.0), (CE_MODEL, "ce", 30.0)]
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_model_loss_in_float16_is_finite_and_right(
    text: str, loss: str, scale: float, backend: str
) -> None:
    X, Y = _data(4 if loss == "ce" else 1, loss, scale)
    _compare(sb.Model.parse(text), X, Y, backend, "float16")


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_l2_term_of_16_bit_weights_is_summed_in_float32(backend: str) -> None:
    """review40 #4: W1 of 120s has ||W1||^2 = 86400, past float16's 65504, while the cost
    (about 10800) fits: the float16 cost was inf."""
    convert = _converter(backend, "float16")
    wide = _converter(backend, "float64")
    network = sb.Network.parse("3-2-1", l2=1.0)
    module = sb.compile(network, backend=backend)
    params = sb.compile(network).init_params(0)
    params["W1"] = np.full((2, 3), 120.0)
    X, Y = np.ones((3, 4)), np.ones((1, 4))
    cost64, _ = module.loss_and_grads({k: wide(v) for k, v in params.items()}, wide(X), wide(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, _ = module.loss_and_grads(
            {k: convert(np.asarray(v)) for k, v in params.items()}, convert(X), convert(Y)
        )
    assert float(cost) == pytest.approx(float(cost64), rel=5e-3) and float(cost64) > 10_000


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_a_model_gradient_is_scaled_by_1_over_m_before_its_sum_over_m(backend: str) -> None:
    """hostile40a: a model's dW = (1/m) (t1 - Y) X^T was printed ``(t1 - Y) @ X.T / m``, and
    db ``(t1 - Y).sum(...) / m``: with W = 0, b = 0, X = 1 and Y = 5 at m = 20000 the float16
    sums are -100000 (inf) where the means, -5, fit. The mean is taken before the sum now."""
    text = "W : 1 x 3\nb : 1 x 1\nX : 3 x m\nY : 1 x m\nJ = mse(W X + b, Y)\ndata: X, Y\n"
    convert = _converter(backend, "float16")  # a skip first where the framework is missing
    module = sb.compile(sb.Model.parse(text), backend=backend)
    params = {"W": convert(np.zeros((1, 3))), "b": convert(np.zeros((1, 1)))}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        _, grads = module.loss_and_grads(
            params, convert(np.ones((3, M))), convert(np.full((1, M), 5.0))
        )
    # -5 within float16's rounding of 5 / m, summed m times
    assert np.asarray(grads["W"].tolist()) == pytest.approx(np.full((1, 3), -5.0), rel=2e-3)
    assert np.asarray(grads["b"].tolist()) == pytest.approx(np.full((1, 1), -5.0), rel=2e-3)
