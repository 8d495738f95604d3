"""norm2 at a zero argument: the generated gradient is the one torch.linalg.norm's autograd
gives (0, the subgradient), not NaN (1/(2 sqrt(0)) times 2 A = 0 was inf * 0).

J = norm2(W X - Y) at W X = Y, and least squares norm2(A x - y)^2 at an exact fit (a smooth
cost whose gradient 2 A^T (A x - y) is 0 there): NumPy without a warning, torch against
torch.linalg.norm's autograd, JAX (slow: it compiles) against the same.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

NORM2 = "W : 2 x 3\nX : 3 x m\nY : 2 x m\nJ = norm2(W X - Y)\ndata: X, Y\n"
SQUARED = "A : 3 x 2\nx : 2 x 1\ny : 3 x 1\nJ = norm2(A x - y)^2\ndata: y\n"
_X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, -6.0]])
_W = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])


def _cases() -> list[tuple[str, dict[str, np.ndarray], list[np.ndarray]]]:
    """(model, params, data) where the norm's argument is exactly 0."""
    a = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    x = np.array([[2.0], [-4.0]])
    return [
        (NORM2, {"W": _W}, [_X, _W @ _X]),
        (NORM2, {"W": np.zeros((2, 3))}, [_X, np.zeros((2, 2))]),
        (SQUARED, {"A": a, "x": x}, [a @ x]),
    ]


def _torch_reference(text: str, params: dict[str, np.ndarray], data: list[np.ndarray]) -> dict:
    torch = import_framework("torch")
    tracked = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    if text == NORM2:
        X, Y = (torch.tensor(d) for d in data)
        cost = torch.linalg.norm(tracked["W"] @ X - Y)
    else:
        (y,) = (torch.tensor(d) for d in data)
        cost = torch.linalg.norm(tracked["A"] @ tracked["x"] - y) ** 2
    cost.backward()
    return {k: v.grad.numpy() for k, v in tracked.items()}


def test_numpy_and_torch_gradients_at_a_zero_norm_are_torch_autograds() -> None:
    torch = import_framework("torch")
    for text, params, data in _cases():
        want = _torch_reference(text, params, data)
        assert all(np.all(g == 0) for g in want.values())  # the reference: 0, not NaN
        module = sb.compile(Model.parse(text))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no 0.5 / 0 evaluated, no inf * 0
            cost, grads = module.loss_and_grads(params, *data)
        assert cost == 0.0
        for name, value in want.items():
            np.testing.assert_array_equal(grads[name], value)
        module = sb.compile(Model.parse(text), backend="torch")
        tensors = {k: torch.tensor(v) for k, v in params.items()}
        _, grads = module.loss_and_grads(tensors, *(torch.tensor(d) for d in data))
        for name, value in want.items():
            np.testing.assert_array_equal(grads[name].numpy(), value)
    # away from 0 the gradient is unchanged: (W X - Y) X^T / norm2(W X - Y)
    y = _W @ _X + np.array([[1.0, -2.0], [0.5, 3.0]])
    _, grads = sb.compile(Model.parse(NORM2)).loss_and_grads({"W": _W}, _X, y)
    residual = _W @ _X - y
    np.testing.assert_allclose(grads["W"], residual @ _X.T / np.linalg.norm(residual), 1e-14)


@pytest.mark.slow
def test_jax_gradient_at_a_zero_norm_is_torch_autograds() -> None:
    jax = import_framework("jax")
    for text, params, data in _cases():
        want = _torch_reference(text, params, data)
        module = sb.compile(Model.parse(text), backend="jax")
        jparams = {k: jax.numpy.array(v) for k, v in params.items()}
        _, grads = module.loss_and_grads(jparams, *(jax.numpy.array(d) for d in data))
        for name, value in want.items():
            np.testing.assert_array_equal(np.asarray(grads[name]), value)
