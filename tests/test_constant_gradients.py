"""Models whose gradient is a constant matrix or reads a ones matrix inside a product
(hostile7 items 6 and 7), in every backend.

``J = sum(W^T)`` has dJ/dW = 1_2 1_3^T: the plan once kept it as the transpose of a ones
matrix, printed ``np.full((2, 3), 1.0.T)``; ``J = sum(inv(W))`` has dJ/dW = -inv(W)^T 1 1^T
inv(W)^T, whose ones matrix was printed as the number 1.0 inside ``@``. Each module here is
compared with the closed form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

W23 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
W22 = np.array([[2.0, 0.5], [-1.0, 1.5]])
S11 = np.array([[0.7]])


def _inv_sum(w: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(w)
    return -inv.T @ np.ones_like(w) @ inv.T


#: name -> (model text, parameter value, its gradient)
CASES: dict[str, tuple[str, np.ndarray, Callable[[np.ndarray], np.ndarray]]] = {
    "sum_wt": ("W : 2 x 3\nJ = sum(W^T)\ndata:\n", W23, np.ones_like),
    "sum_2wt": ("W : 2 x 3\nJ = sum(2 W^T)\ndata:\n", W23, lambda w: 2 * np.ones_like(w)),
    "sum_wtt": ("W : 2 x 3\nJ = sum((W^T)^T)\ndata:\n", W23, np.ones_like),
    "sum_st": ("s : 1 x 1\nJ = sum(s^T)\ndata:\n", S11, np.ones_like),
    "sum_inv": ("W : 2 x 2\nJ = sum(inv(W))\ndata:\n", W22, _inv_sum),
    "sum_inv_t": ("W : 2 x 2\nJ = sum(inv(W)^T)\ndata:\n", W22, _inv_sum),
}


def _gradient(key: str, backend: str, convert: Callable[[np.ndarray], Any]) -> np.ndarray:
    text, value, _ = CASES[key]
    module = sb.compile(Model.parse(text), backend=backend)
    (name,) = module.SHAPES
    _, grads = module.loss_and_grads({name: convert(value)})
    return np.asarray(grads[name])


@pytest.mark.parametrize("key", sorted(CASES))
def test_constant_and_ones_gradients_numpy(key: str) -> None:
    text, value, truth = CASES[key]
    np.testing.assert_allclose(_gradient(key, "numpy", np.array), truth(value), rtol=1e-12)
    module = sb.compile(Model.parse(text))
    check = sb.gradcheck(module, {next(iter(module.SHAPES)): value.copy()})
    assert check.ok, str(check)


@pytest.mark.parametrize("key", sorted(CASES))
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_constant_and_ones_gradients_torch(key: str) -> None:
    torch = import_framework("torch")
    got = _gradient(key, "torch", torch.tensor)
    np.testing.assert_allclose(got, CASES[key][2](CASES[key][1]), rtol=1e-12)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("key", [pytest.param("sum_2wt", marks=pytest.mark.slow), "sum_inv"])
def test_constant_and_ones_gradients_jax(key: str) -> None:
    jax = import_framework("jax")
    got = _gradient(key, "jax", jax.numpy.asarray)
    np.testing.assert_allclose(got, CASES[key][2](CASES[key][1]), rtol=1e-5)
