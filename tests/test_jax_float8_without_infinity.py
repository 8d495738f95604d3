"""A JAX module refuses a float8 without an infinity (hostile37b #4).

``float8_e4m3fn`` (448 at most, no inf): exp overflows to NaN there, and ``jax.nn.softmax``
is NaN in it even at small inputs; the module returned a NaN cost and NaN gradients, and its
README said "float8 included". It is refused on entry (network and model modules, and
``init_params``) in one line; ``float8_e5m2``, which has an infinity, is computed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "residual_mlp.model"
REFUSED = r"with an infinity \(not float8_e4m3fn: exp overflows to NaN there\)"


def _cast(params: dict, dtype: object) -> dict:
    return {name: value.astype(dtype) for name, value in params.items()}


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_network_module_refuses_float8_e4m3fn_and_computes_float8_e5m2() -> None:
    jnp = import_framework("jax").numpy
    module = sb.compile(sb.Network.parse("5-4:tanh-3:softmax", loss="ce"), backend="jax")
    with pytest.raises(ValueError, match=r"^dtype must be a floating type JAX has, with an inf"):
        module.init_params(dtype=jnp.float8_e4m3fn)
    params = module.init_params(seed=0, dtype=jnp.float32)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((5, 4)), np.eye(3)[:, [0, 1, 2, 0]]
    fn = jnp.float8_e4m3fn
    with pytest.raises(ValueError, match=r"^X has dtype float8_e4m3fn; expected .*" + REFUSED):
        module.loss_and_grads(_cast(params, fn), jnp.asarray(X, fn), jnp.asarray(Y, fn))
    e5 = jnp.float8_e5m2
    cost, grads = module.loss_and_grads(_cast(params, e5), jnp.asarray(X, e5), jnp.asarray(Y, e5))
    assert np.isfinite(float(cost))
    for grad in grads.values():
        assert grad.dtype == e5 and np.isfinite(np.asarray(grad, np.float32)).all()


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_model_module_refuses_float8_e4m3fn() -> None:
    jnp = import_framework("jax").numpy
    module = sb.compile(Model.from_file(MODEL), backend="jax")
    fn = jnp.float8_e4m3fn
    params = _cast(module.init_params(seed=0, dtype=jnp.float32), fn)
    rng = np.random.default_rng(1)
    X = jnp.asarray(rng.standard_normal((4, 3)), fn)
    Y = jnp.asarray((rng.random((1, 3)) > 0.5) * 1.0, fn)
    with pytest.raises(ValueError, match=REFUSED):
        module.loss_and_grads(params, X, Y)
