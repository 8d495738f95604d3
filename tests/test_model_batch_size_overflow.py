"""A function of the batch size alone (``exp(m)``) is Python's math on a number in every
backend's module; past the float range it is inf, as NumPy, torch and JAX arrays give it and
as jax.grad of the same cost does, not an OverflowError from math.exp (m >= 710)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb

MODEL = "X : 2 x m\nw : 1 x 2\nJ = exp(m) sum(w X) + exp(-m) sum(w ⊙ w)\ndata: X\n"
W = np.array([[0.5, -0.3]])


def test_exp_of_m_past_the_float_range_is_inf_numpy() -> None:
    module = sb.compile(sb.Model.parse(MODEL))
    assert "_math(math.exp, m)" in module.source
    x = np.full((2, 800), 0.01)
    cost, grads = module.loss_and_grads({"w": W}, x)  # raised OverflowError before
    assert cost == np.inf
    np.testing.assert_array_equal(grads["w"], [[np.inf, np.inf]])
    cost, grads = module.loss_and_grads({"w": W}, x[:, :3])  # ordinary m: unchanged
    assert cost == pytest.approx(np.exp(3) * 0.006 + np.exp(-3) * 0.34, rel=1e-15)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_exp_of_m_matches_jax_grad(backend: str) -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    convert = {"numpy": np.asarray, "jax": jnp.asarray}.get(backend)
    if convert is None:
        convert = import_framework("torch").tensor
    module = sb.compile(sb.Model.parse(MODEL), backend=backend)
    for m in (3, 710, 800):
        x = np.linspace(0.01, 0.03, 2 * m).reshape(2, m)  # one sign: no inf - inf

        def cost(w: Any, x: Any = x, m: int = m) -> Any:
            return jnp.exp(m) * jnp.sum(w @ x) + jnp.exp(-m) * jnp.sum(w * w)

        want_cost, want = cost(jnp.asarray(W)), jax.grad(cost)(jnp.asarray(W))
        got_cost, grads = module.loss_and_grads({"w": convert(W)}, convert(x))
        np.testing.assert_allclose(float(got_cost), float(want_cost), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(grads["w"]), np.asarray(want), rtol=1e-12)
