"""Two sentences of the generated code that were false (hostile reader, round 22).

1. "the only arrangement that is (4, 4)": the derivation's argument is over the generic
   dimensions; at 4-4-4-1's sizes dZ2 A1^T and A1 dZ2^T are both (4, 4). The comment now
   names the generic shape and gives the concrete one as such.
2. "overflow-free" sigmoid: exp(min(z, 80)) overflows in float16 (exp(80) > 65504), and a
   float16 layer with z above 11 gave NaN for the cost and every gradient.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_only_arrangement_is_claimed_over_the_generic_dimensions(backend: str) -> None:
    text = sb.codegen("4-4-4-1", backend=backend)
    claims = re.findall(r"the only arrangement that is ([^\n;]*)", text)
    assert claims, text
    for claim in claims:
        assert re.fullmatch(r"n\d x (n\d|m) at every size, \(\d, (\d|m)\) here", claim), claim


@pytest.mark.parametrize("spec", ["4-4-4-1", "3-2:sigmoid-2:tanh-2:sigmoid"])
def test_a_float16_sigmoid_layer_stays_finite_and_silent(spec: str) -> None:
    module = sb.compile(sb.Network.parse(spec, loss="bce"))
    params = module.init_params(seed=0, dtype=np.float16)
    n0 = params["W1"].shape[1]
    X = np.zeros((n0, 5), np.float16)  # columns 1.. : z1 = b1
    X[:, 0] = -20.0
    params["b1"] = params["b1"] + np.float16(30.0)  # z1 above 11 in every row: exp(z1) > 65504
    first = params["W1"].astype(np.float64) @ X.astype(np.float64) + params["b1"]
    assert first[:, 1:].min() > 11.5  # the test reaches the overflow it guards against
    Y = np.full((params[f"W{module.DEPTH}"].shape[0], 5), 0.5, np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        cost, grads = module.loss_and_grads(params, X, Y)
    assert np.isfinite(cost)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_the_sigmoid_helper_is_finite_and_silent_in_float16() -> None:
    """A model module's ``sigmoid`` helper (residual_mlp's head), at z past 11."""
    module = sb.compile(sb.Model.from_file(ROOT / "examples" / "models" / "residual_mlp.model"))
    z = np.array([-100.0, -5.0, 0.0, 11.0, 12.0, 100.0], np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = module.sigmoid(z)
    want = 1 / (1 + np.exp(-z.astype(np.float64)))
    assert s.dtype == np.float16 and np.allclose(s.astype(np.float64), want, atol=1e-3)
