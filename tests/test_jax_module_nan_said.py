"""The JAX model module's docstring says how a NaN in the data reaches the gradients."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_jax_module_says_how_a_nan_reaches_its_gradients() -> None:
    """A NaN in X: the jax module's db1 of residual_mlp came out finite (XLA's select for
    x * (a1 > 0), as jax.grad of relu gives) while its docstring said a NaN propagates "as in
    NumPy" (hostile30). The docstring now says what happens; the numbers are JAX's own."""
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    path = Path(__file__).resolve().parents[1] / "examples" / "models" / "residual_mlp.model"
    model = sb.Model.from_file(path)
    source = sb.codegen(sb.derive(model), backend="jax")
    assert "as in NumPy" not in source and "may stay finite" in source
    module = sb.compile(model, backend="jax")
    params = module.init_params(seed=0)
    X = np.random.default_rng(0).standard_normal((4, 5))
    X[0, 0] = np.nan
    Y = np.random.default_rng(1).random((1, 5))
    dtype = params["W1"].dtype
    cost, grads = module.loss_and_grads(params, jnp.asarray(X, dtype), jnp.asarray(Y, dtype))
    assert np.isnan(cost)
    assert np.isnan(np.asarray(grads["W1"])).any()  # the NaN example's column reaches dW1
