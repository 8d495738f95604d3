"""A step activation (``--define 'f=1{z>0}'``, f' = 0) in every backend, network and model
(hostile7 item 8): its zero derivative once printed as ``np.zeros((n1, m))``, a width the
module never defines (NameError). The gradients behind it are zeros of the parameters' shapes
and dtypes; the others are those of finite differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

DEFINE = {"f": "1{z>0}"}
NETWORK = sb.Network.parse("4-3:f-1", define=DEFINE)
MODEL = Model.parse(
    "X : 4 x m\nY : 1 x m\nW1 : 3 x 4\nW2 : 1 x 3\nz1 = W1 X + b1\na1 = f(z1)\n"
    "J = bce(sigmoid(W2 a1 + b2), Y)\n",
    define=DEFINE,
)
SOURCES = {"network": NETWORK, "model": MODEL}


def _inputs(module: Any, dtype: Any = np.float64) -> tuple[dict[str, Any], Any, Any]:
    params = module.init_params(seed=1, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)).astype(dtype)
    y = (rng.random((1, 5)) > 0.5).astype(dtype)
    return params, x, y


def _zero_behind_the_step(grads: dict[str, Any], params: dict[str, Any]) -> None:
    for name in ("W1", "b1"):
        value = np.asarray(grads[name])
        assert value.shape == np.asarray(params[name]).shape
        assert not value.any(), name


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_step_activation_numpy(kind: str) -> None:
    module = sb.compile(SOURCES[kind])
    params, x, y = _inputs(module)
    _, grads = module.loss_and_grads(params, x, y)
    _zero_behind_the_step(grads, params)
    check = sb.gradcheck(module, params, x, y)
    assert check.ok, str(check)
    work: dict[str, Any] = {}
    for _ in range(2):  # the workspace's arrays, made and then reused
        _, again = module.loss_and_grads(params, x, y, work=work)
        for name, value in grads.items():
            np.testing.assert_array_equal(again[name], value)


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_step_activation_torch(kind: str) -> None:
    torch = import_framework("torch")
    reference = sb.compile(SOURCES[kind])
    module = sb.compile(SOURCES[kind], backend="torch")
    params, x, y = _inputs(reference)
    _, want = reference.loss_and_grads(params, x, y)
    tensors = {k: torch.tensor(v) for k, v in params.items()}
    _, grads = module.loss_and_grads(tensors, torch.tensor(x), torch.tensor(y))
    for name, value in want.items():
        np.testing.assert_allclose(grads[name].numpy(), value, rtol=1e-10, atol=1e-14)


@pytest.mark.slow  # JAX compiles per case; the NumPy and torch cases stay in the default suite
@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_step_activation_jax(kind: str) -> None:
    jax = import_framework("jax")
    reference = sb.compile(SOURCES[kind])
    module = sb.compile(SOURCES[kind], backend="jax")
    params, x, y = _inputs(reference, np.float32)
    _, want = reference.loss_and_grads(params, x, y)
    arrays = {k: jax.numpy.asarray(v) for k, v in params.items()}
    _, grads = module.loss_and_grads(arrays, jax.numpy.asarray(x), jax.numpy.asarray(y))
    for name, value in want.items():
        np.testing.assert_allclose(np.asarray(grads[name]), value, rtol=1e-4, atol=1e-6)
