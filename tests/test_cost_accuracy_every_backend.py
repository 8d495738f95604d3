"""The cost of bce and ce from the logits is as exact on torch and JAX as on NumPy.

torch's ``binary_cross_entropy_with_logits`` takes a log where log1p is needed, and torch's and
JAX's ``log_softmax`` take the log of the column sum: at a margin of 30 the cost of a confident
right answer was 1e-2 (bce) and 1e-3 (ce) off, and at 40 it was 0 (hostile38a #2). NumPy's was
exact; every backend now computes the log of a sum near 1 as log1p of its small part.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb


def _convert(backend: str) -> Any:
    if backend == "torch":
        return import_framework("torch").as_tensor
    if backend == "jax":
        return import_framework("jax.numpy").asarray
    return np.asarray


def _cases(margin: float) -> dict[str, tuple[Any, dict[str, np.ndarray], list[np.ndarray]]]:
    """Each network and model, its parameters and its data, whose cost is log1p(exp(-margin))."""
    bce_net = sb.Network.parse("1-1", loss="bce")
    ce_net = sb.Network.parse("1-2:softmax", loss="ce")
    bce_model = sb.Model.parse("X : 1 x m\nY : 1 x m\nw : 1 x 1\nJ = bce(sigmoid(w X), Y)")
    ce_model = sb.Model.parse("X : 1 x m\nY : 2 x m\nW : 2 x 1\nJ = ce(softmax(W X), Y)")
    zero, ones = np.zeros((1, 1)), np.ones((1, 1))
    pair, column = np.array([[1.0], [-1.0]]), np.zeros((2, 1))
    return {
        "bce network": (bce_net, {"W1": ones, "b1": zero}, [-margin * ones, zero]),
        "ce network": (
            ce_net,
            {"W1": pair, "b1": column},
            [margin / 2 * ones, pair > 0],
        ),
        "bce model": (bce_model, {"w": ones}, [-margin * ones, zero]),
        "ce model": (ce_model, {"W": pair}, [margin / 2 * ones, pair > 0]),
    }


@functools.cache
def _compiled(case: str, backend: str) -> Any:
    """The module of ``case`` on ``backend``, compiled once for every margin."""
    return sb.compile(_cases(0.0)[case][0], backend=backend)


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize("margin", [30.0, 40.0, 100.0])
@pytest.mark.parametrize("case", ["bce network", "ce network", "bce model", "ce model"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_tiny_cost_is_exact_to_rounding(case: str, margin: float, backend: str) -> None:
    convert = _convert(backend)
    _, params, data = _cases(margin)[case]
    module = _compiled(case, backend)
    cost, _ = module.loss_and_grads(
        {k: convert(v) for k, v in params.items()}, *(convert(d.astype(float)) for d in data)
    )
    true = math.log1p(math.exp(-margin))
    assert abs(cost - true) <= 1e-14 * true, (cost, true)
