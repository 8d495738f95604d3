"""The generated NumPy module on wide layers: products spelled for large arrays, same numbers.

A product with a width of at least 256 is ``np.matmul`` (NumPy's ``A.dot`` zeroes its output
before BLAS writes it: one more pass over a large array), an outer product (inner width 1,
``W2^T dZ2`` under a one-unit output) is ``np.multiply`` with broadcasting; small networks keep
``A.dot``. The gradients are those of the plain backprop formulas, with a workspace or without,
and for one example.
"""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb


def reference(params: dict, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """The textbook backprop of a tanh layer under a sigmoid/BCE output, in float64."""
    W1, b1, W2, b2 = (params[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
    A1 = np.tanh(W1 @ X + b1)
    A2 = 1.0 / (1.0 + np.exp(-(W2 @ A1 + b2)))
    dZ2 = (A2 - Y) / X.shape[1]
    dZ1 = (W2.T @ dZ2) * (1.0 - A1**2)
    grads = {"W2": dZ2 @ A1.T, "b2": dZ2.sum(axis=1, keepdims=True)}
    grads.update(W1=dZ1 @ X.T, b1=dZ1.sum(axis=1, keepdims=True))
    return grads


@pytest.fixture(scope="module")
def wide() -> sb.GradientModule:
    return sb.compile(sb.Network.parse("260-256:tanh-1:sigmoid", loss="bce"))


def test_large_products_are_matmul_and_the_outer_product_a_multiply(wide) -> None:  # type: ignore[no-untyped-def]
    body = wide.source.split("\ndef forward(")[1]
    assert "Z1 = np.matmul(W1, X, out.Z1)" in body
    assert "dZ1 = np.multiply(W2.T, dZ2, out.dZ1)" in body
    assert "dW1 = np.matmul(dZ1, X.T, out.dW1)" in body
    small = sb.compile(sb.Network.parse("4-3:tanh-1:sigmoid", loss="bce")).source
    assert "np.matmul(" not in small and "W2.T.dot(dZ2, out.dZ1)" in small


@pytest.mark.parametrize("m", [1, 5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_wide_gradients_equal_the_textbook_ones(wide, m: int, dtype: type) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(m)
    params = wide.init_params(seed=m, dtype=dtype)
    params["b1"] = (0.1 * rng.standard_normal((256, 1))).astype(dtype)
    X = rng.standard_normal((260, m)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    want = reference(params, X.astype(np.float64), Y.astype(np.float64))
    tol = 1e-12 if dtype == np.float64 else 2e-5
    work: dict = {}
    for _ in range(2):  # a fresh workspace, then the same one again
        for grads in (
            wide.loss_and_grads(params, X, Y)[1],
            wide.loss_and_grads(params, X, Y, work)[1],
        ):
            for key, value in want.items():
                assert grads[key].dtype == dtype
                scale = np.abs(value).max()
                np.testing.assert_allclose(grads[key], value, rtol=tol, atol=tol * scale)
