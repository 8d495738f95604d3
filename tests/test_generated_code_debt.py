"""Generated code says what it does and keeps the arrays' dtype (session 8 debt):

* a step activation's comment names no cached array it does not read (it said "from the
  cached Z1", which the module never caches);
* a custom activation with numeric pieces (``1{z>0}``) computes in the arrays' dtype: a
  ``where`` between two numbers made float64 (float32 in torch) whatever the inputs;
* a zero derivative is an exact zero: ``inf * 0.0`` was NaN in the gradients behind a step;
* GELU's decimals print as decimals (``0.044715``), not as fractions of 15-digit integers.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pytest
import sympy as sp
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

DEFINE = {"f": "1{z>0}"}
MODEL_TEXT = (
    "X : 4 x m\nY : 1 x m\nW1 : 3 x 4\nW2 : 1 x 3\nz1 = W1 X + b1\na1 = f(z1)\n"
    "J = bce(sigmoid(W2 a1 + b2), Y)\n"
)
#: the frameworks' imports and first calls take seconds: their cases run with the slow suite
BACKENDS = (
    "numpy",
    pytest.param("torch", marks=pytest.mark.slow),
    pytest.param("jax", marks=pytest.mark.slow),
)
KINDS = ("network", "model")


@functools.cache
def _source(kind: str) -> Any:
    if kind == "network":
        return sb.Network.parse("4-3:f-1", define=DEFINE)
    return Model.parse(MODEL_TEXT, define=DEFINE)


@functools.cache
def _module(kind: str, backend: str) -> Any:
    if backend != "numpy":
        import_framework(backend)
    return sb.compile(_source(kind), backend=backend)


def _arrays(backend: str, dtype: Any) -> tuple[dict[str, Any], Any, Any, Any]:
    """Parameters, X, Y (and the converter) in ``backend``'s arrays of ``dtype``."""
    reference = _module("network", "numpy")
    params = reference.init_params(seed=1, dtype=np.float64)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)), (rng.random((1, 5)) > 0.5).astype(np.float64)
    if backend == "numpy":
        convert = lambda v: np.asarray(v, dtype)  # noqa: E731
    elif backend == "torch":
        torch = import_framework("torch")
        convert = lambda v: torch.tensor(np.asarray(v), dtype=getattr(torch, dtype))  # noqa: E731
    else:
        jax = import_framework("jax")
        jax.config.update("jax_enable_x64", True)
        convert = lambda v: jax.numpy.asarray(np.asarray(v, dtype))  # noqa: E731
    return {k: convert(v) for k, v in params.items()}, convert(x), convert(y), convert


@pytest.mark.parametrize("spec", ["4-3:f-1", "3-2-1:f"])
def test_step_comment_names_only_cached_arrays(spec: str) -> None:
    # 3-2-1:f with mse: the output's f' = 0 makes every delta zero, sigmoid' of layer 1 too
    loss = "mse" if spec.endswith(":f") else None
    text = sb.codegen(sb.Network.parse(spec, define=DEFINE, loss=loss))
    cached = set(re.search(r"CACHE_READS = \((.*)\)", text).group(1).replace('"', "").split(", "))
    said = set(re.findall(r"from the cached (\w+)", re.sub(r"\n *# ", " ", text)))
    assert said <= cached, (said, cached)
    assert "f'(Z1) = 0, a constant: reads no array" in text or "f'(Z2) = 0, a" in text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_numeric_pieces_keep_the_dtype(kind: str, backend: str) -> None:
    # float32 where the default is float64 (NumPy, JAX with x64), float64 in torch (float32)
    dtype = "float64" if backend == "torch" else "float32"
    params, x, y, _ = _arrays(backend, dtype)
    _, grads = _module(kind, backend).loss_and_grads(params, x, y)
    for name, value in grads.items():
        assert str(value.dtype).endswith(dtype), (name, value.dtype)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_derivative_is_exact_where_upstream_overflows(kind: str, backend: str) -> None:
    module = _module(kind, backend)
    params, x, y, convert = _arrays(backend, "float64")
    _, cache = module.forward(params, x, y) if kind == "model" else module.forward(params, x)
    # W2 infinite in backward only: W2^T dZ2, the factor beside f' = 0, is inf
    params = {**params, "W2": convert(np.full((1, 3), np.inf))}
    grads = (
        module.backward(params, cache) if kind == "model" else module.backward(params, cache, y)
    )
    for name in ("W1", "b1"):
        value = np.asarray(grads[name])
        assert value.shape == np.asarray(params[name]).shape
        assert np.array_equal(value, np.zeros_like(value)), (name, value)


GELU = "0.5*z*(1 + tanh(0.7978845608*(z + 0.044715*z^3)))"


@pytest.mark.parametrize("backend", BACKENDS)
def test_decimal_constants_print_as_decimals(backend: str) -> None:
    net = sb.Network.parse("3-2:gelu-1", define={"gelu": GELU})
    text = sb.codegen(net, backend=backend)
    # SymPy keeps 0.7978845608 * 0.044715 exact (8919352034043/250000000000000); its code is
    # the decimal Python reads back to the same float
    product = sp.Rational(8919352034043, 250000000000000)
    assert f"{float(product)!r} * Z1**3" in text and "0.7978845608 * Z1" in text
    assert not re.search(r"\b\d{6,}\.0\b", text), "a long exact fraction is printed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_power_zero_is_a_fill_of_ones_in_every_backend(backend: str) -> None:
    """hostile27 #2: torch wrote ``t1 = 1.0.expand(3, 1).clone()`` for sum(x^0) (x^0 prints as
    1.0 though it names x); every backend gives the gradient 2 x."""
    model = Model.parse("x : n x 1\nsizes: n = 3\nJ = sum(x^0) + sum(x ⊙ x)\ndata:\n")
    if backend != "numpy":
        import_framework(backend)
    module = sb.compile(model, backend=backend)
    params = module.init_params(seed=0)
    cost, grads = module.loss_and_grads(params)
    x = np.asarray(params["x"])
    assert np.isclose(cost, 3 + float((x * x).sum()))
    assert np.allclose(np.asarray(grads["x"]), 2 * x)


def test_a_model_modules_forward_refuses_a_work_that_is_no_dict() -> None:
    """hostile27 #6: forward(params, X, Y, work=[]) of a model module failed with
    AttributeError: 'list' object has no attribute 'get'."""
    module = sb.compile(Model.parse(MODEL_TEXT, define=DEFINE))
    params, x, y, _ = _arrays("numpy", "float64")
    with pytest.raises(TypeError, match=r"^forward\(params, X, Y, \*, work=None\): work must be"):
        module.forward(params, x, y, work=[])
    with pytest.raises(TypeError, match="work must be None or a workspace dict"):
        module.loss_and_grads(params, x, y, work=[])
