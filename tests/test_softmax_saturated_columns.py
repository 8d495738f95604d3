"""A saturated softmax column under mse: its gradient is about 1e-26, not rounding noise
(hostile40a #2).

softmax's backward is a ⊙ (g - 1 1^T (a ⊙ g)). NumPy's and torch's modules made g = (A - Y)/m
as (A - Y) * (1/m) and then computed (A - Y) / m again for the column sums: the two round
apart, so at a = (0, 0, 1) g_3 - a_3 g_3 was 6e-17 in float64 (2e-8 in float32), where the
true value is -1e-26 and JAX's module (one spelling) gives 0. The column sums now read g's
own array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework


def _case() -> tuple[Any, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    network = sb.Network.parse("2-3:softmax", loss="mse")
    params = {"W1": np.array([[0.0, 0.0], [0.0, 0.0], [60.0, 0.0]]), "b1": np.zeros((3, 1))}
    X = np.ones((2, 7))
    Y = np.random.default_rng(0).random((3, 7))
    return network, params, X, Y


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_saturated_column_s_gradient_is_not_rounding_noise(backend: str, dtype: str) -> None:
    network, params, X, Y = _case()
    if backend == "torch":  # a skip first where torch is missing
        torch = import_framework("torch")
        convert: Any = lambda a: torch.tensor(a, dtype=getattr(torch, dtype))  # noqa: E731
    else:
        convert = lambda a: a.astype(dtype)  # noqa: E731
    module = sb.compile(network, backend=backend)
    _, grads = module.loss_and_grads(
        {k: convert(v) for k, v in params.items()}, convert(X), convert(Y)
    )
    db1 = np.asarray(grads["b1"].tolist(), float)
    # a = (e^-60, e^-60, 1 - 2e^-60) in every column: the third unit's gradient is ~1e-26
    assert abs(db1[2, 0]) <= 1e-20, db1
    assert abs(db1[0, 0]) <= 1e-20 and abs(db1[1, 0]) <= 1e-20
