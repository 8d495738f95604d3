"""A constant a model's forward makes (x^0 is a matrix of ones) has the parameters' dtype.

It was a float64 ``np.full`` / float32 ``torch.full`` whatever the parameters were: a float32
model computed its forward in float64, cached a float64 array, and its own ``backward`` refused
that cache ("A has dtype float32 but cache['t1'] has float64"); a float64 torch model refused
its float32 one (review37 #5).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop import Model

#: models whose forward fills a matrix with a number (A^0, x^0)
FILLS = {
    "entrywise_power_zero": "A : r x c\nsizes: r = 3, c = 2\nJ = sum(A ⊙ A^0)",
    "added_ones": "x : n x 1\nW : n x n\nsizes: n = 2\nJ = sum(tanh(W x + x^0))\ndata: x",
    "batch": "X : n x m\nW : n x n\nsizes: n = 2\nJ = sum(tanh(W X) ⊙ X^0) / m\ndata: X",
}


@functools.cache
def _compiled(key: str, backend: str) -> Any:
    """The module of ``FILLS[key]`` on ``backend``, compiled once for both dtypes."""
    return sb.compile(Model.parse(FILLS[key]), backend=backend)


def _arrays(backend: str, dtype_name: str) -> tuple[Any, Any]:
    """The dtype called ``dtype_name`` and a converter of NumPy arrays, for ``backend``."""
    if backend == "torch":
        torch = import_framework("torch")
        dtype = getattr(torch, dtype_name)
        return dtype, lambda a: torch.tensor(a, dtype=dtype)
    if backend == "jax":
        jnp = import_framework("jax.numpy")
        dtype = np.dtype(dtype_name)  # what a JAX array's .dtype is
        return dtype, lambda a: jnp.asarray(a, dtype=dtype)
    dtype = np.dtype(dtype_name)
    return dtype, lambda a: np.asarray(a, dtype=dtype)


# JAX jit-compiles each model at each dtype: about 5 s, in the slow suite
@pytest.mark.parametrize(
    "backend", ["numpy", "torch", pytest.param("jax", marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("key", sorted(FILLS))
def test_forward_fills_have_the_parameters_dtype(key: str, dtype_name: str, backend: str) -> None:
    dtype, convert = _arrays(backend, dtype_name)
    module = _compiled(key, backend)
    rng = np.random.default_rng(4)
    params = {name: convert(rng.standard_normal(shape)) for name, shape in module.SHAPES.items()}
    data = [convert(rng.standard_normal((2, 5 if key == "batch" else 1))) for _ in module.DATA]
    cost, cache = module.forward(params, *data)
    assert {value.dtype for name, value in cache.items() if name != "m"} == {dtype}
    grads = module.backward(params, cache, *data[len(data) :])
    assert {grad.dtype for grad in grads.values()} == {dtype}
    # and the gradient itself: the fill is ones, so dJ/dA is ones in the first model
    _, again = module.loss_and_grads(params, *data)
    for name, grad in grads.items():
        assert np.allclose(np.asarray(grad, dtype=np.float64), np.asarray(again[name]))
    if key == "entrywise_power_zero":
        assert np.array_equal(np.asarray(grads["A"], dtype=np.float64), np.ones((3, 2)))
    assert np.isfinite(cost)


@pytest.mark.parametrize(
    "text",
    [
        "s : 1 x 1\nw : 3 x 1\nJ = s sum(w)\ndata:\n",
        "X : n x m\nW : k x n\ns : 1 x 1\nsizes: n = 2, k = 3\nJ = s sum(tanh(W X))\ndata: X\n",
    ],
)
def test_a_fill_read_from_a_one_by_one_parameter_runs_under_autograd(text: str) -> None:
    """hostile38a #4: ``torch.full((1, 1), s[0, 0])`` in the backward of BackpropCost, where s
    requires grad: "fill_value must be Number, not Tensor"."""
    torch = import_framework("torch")
    module = _compiled_text(text, "torch")
    net = module.Model(dtype=torch.float64)
    data = [torch.randn(2, 4, dtype=torch.float64)] if "X" in text else []
    net(*data).backward()
    params = {name.split(".")[-1]: value.detach() for name, value in net.named_parameters()}
    _, grads = module.loss_and_grads(params, *data)
    for name, value in net.named_parameters():
        assert torch.equal(value.grad, grads[name.split(".")[-1]]), name


@functools.cache
def _compiled_text(text: str, backend: str) -> Any:
    return sb.compile(Model.parse(text), backend=backend)
