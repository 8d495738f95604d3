"""A 1 x 1 value times the 1 x 1 one (``c I_1``) is the number c in generated code, on every
backend: ``J = t2 + m``, ``np.full((1, 1), t1[0, 0])``, not ``m * 1.0`` / ``t1[0, 0] * 1.0``
(the product with 1.0 changes no value). Each module is compared with the closed form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

W = np.array([[0.5, -1.0], [2.0, 1.5], [0.25, -0.75]])
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])


def _lse(w: np.ndarray) -> float:
    z = w @ X
    return float(np.log(np.exp(z).sum()) - np.log(X.shape[1]))


def _lse_grad(w: np.ndarray) -> np.ndarray:
    e = np.exp(w @ X)
    return (e / e.sum()) @ X.T


#: name -> (model text, cost at W, dJ/dW at W)
CASES: dict[str, tuple[str, Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]]
CASES = {
    "plus_m": (
        "W : 3 x 2\nX : 2 x m\nJ = sum(W X) + m\ndata: X\n",
        lambda w: float((w @ X).sum() + X.shape[1]),
        lambda w: np.ones((3, 1)) @ X.sum(axis=1, keepdims=True).T,
    ),
    "square": (
        "W : 3 x 2\nJ = sum(W) * sum(W)\ndata:\n",
        lambda w: float(w.sum() ** 2),
        lambda w: 2 * w.sum() * np.ones_like(w),
    ),
    "log_mean_exp": ("W : 3 x 2\nX : 2 x m\nJ = log(sum(exp(W X))/m)\ndata: X\n", _lse, _lse_grad),
}
ONE_TIMES = re.compile(r"\* 1\.0\b|\b1\.0 \*")


def _run(key: str, backend: str, convert: Callable[[np.ndarray], Any]) -> None:
    text, cost, grad = CASES[key]
    module = sb.compile(Model.parse(text), backend=backend)
    assert not ONE_TIMES.search(module.source), module.source
    data = [convert(X)] if "X" in module.DATA else []
    value, grads = module.loss_and_grads({"W": convert(W.copy())}, *data)
    assert float(value) == pytest.approx(cost(W), rel=1e-12)
    np.testing.assert_allclose(np.asarray(grads["W"]), grad(W), rtol=1e-12)


@pytest.mark.parametrize("key", sorted(CASES))
def test_no_product_with_one_numpy(key: str) -> None:
    _run(key, "numpy", np.array)


@pytest.mark.parametrize(
    "key",
    # one case by default (the torch printer inherits the NumPy printer's rule); all in slow
    [k if k == "square" else pytest.param(k, marks=pytest.mark.slow) for k in sorted(CASES)],
)
@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_no_product_with_one_torch(key: str) -> None:
    _run(key, "torch", import_framework("torch").tensor)


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_no_product_with_one_jax() -> None:
    _run("square", "jax", import_framework("jax").numpy.asarray)
