"""A JAX model module's backward jits on its own (hostile42a #1): m is read off a cached
array's shape, static under jit, not from the int forward stores in the cache, which jit
traces (the shape check comparing with it raised TracerBoolConversionError). A network's
backward jitted already."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _data(module, rng):  # type: ignore[no-untyped-def]
    jnp = import_framework("jax.numpy")
    out = []
    for name in module.DATA:
        rows, cols = (5 if d == "m" else d for d in module.DATA_SHAPES[name])
        if name.startswith("Y") and rows > 1:  # one-hot targets of a softmax
            out.append(jnp.asarray(np.eye(rows)[:, rng.integers(0, rows, cols)]))
        elif name.startswith("Y"):
            out.append(jnp.asarray((rng.random((rows, cols)) > 0.5) * 1.0))
        else:
            out.append(jnp.asarray(rng.normal(size=(rows, cols))))
    return out


# two_heads: 8 s of jit compiles, in the slow suite
@pytest.mark.parametrize(
    "name", ["softmax_l2", pytest.param("two_heads", marks=pytest.mark.slow), "batch_norm"]
)
@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_jitted_backward_equals_the_eager_one(name: str) -> None:
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")
    module = sb.compile(Model.from_file(MODELS / f"{name}.model"), backend="jax")
    backward = module.source.split("def backward", 1)[1].split("\ndef ")[0]
    assert 'm = cache["m"] if isinstance(cache["m"], int) else ' in backward
    rng = np.random.default_rng(0)
    params = {k: jnp.asarray(rng.normal(size=shape)) for k, shape in module.SHAPES.items()}
    data = _data(module, rng)
    _, cache = module.forward(params, *data)
    eager = module.backward(params, cache)
    jitted = jax.jit(module.backward)(params, cache)
    for key in eager:
        np.testing.assert_allclose(
            np.asarray(jitted[key]), np.asarray(eager[key]), rtol=1e-12, atol=1e-14
        )
    # a jitted forward's cache too
    _, traced_cache = jax.jit(module.forward)(params, *data)
    again = jax.jit(module.backward)(params, traced_cache)
    for key in eager:
        np.testing.assert_allclose(
            np.asarray(again[key]), np.asarray(eager[key]), rtol=1e-12, atol=1e-14
        )
