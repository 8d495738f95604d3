"""One dtype rule on every backend (hostile8 item 8d): every array a module is given has one
floating-point dtype, and a mix is one ValueError naming both arrays and their dtypes.

Mixed, the gradients came in several dtypes depending on the backend: the NumPy network module
promoted float32 parameters and float64 X to float64 gradients, the NumPy model module
refused, JAX promoted silently and torch refused. The NumPy and torch checks are on entry
(tuple and dtype compares); JAX's dtypes are static under jit."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

LINE = "J = mse(w^T x + c, y)"
MODEL = Model.parse(f"x : 2 x m\ny : 1 x m\n{LINE}")
MIXED = "{} has dtype {}float32 but {} has {}float64: every {} must have one floating-point dtype"


def _data(convert: Any = np.asarray) -> tuple[Any, Any]:
    return convert(np.ones((2, 3))), convert(np.zeros((1, 3)))


def _refuses(module: Any, names: tuple[str, str, str], convert: Any, how: tuple[str, str]) -> None:
    """float32 parameters with float64 data, and a float32 target: refused, naming both."""
    first, data, target = names
    prefix, noun = how
    X, Y = _data(convert)
    low = {k: convert(np.asarray(v)) for k, v in module.init_params(dtype=np.float32).items()}
    with pytest.raises(ValueError, match=MIXED.format(first, prefix, data, prefix, noun)):
        module.loss_and_grads(low, X, Y)
    params = {k: convert(np.asarray(v)) for k, v in module.init_params().items()}
    Y32 = convert(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=MIXED.format(target, prefix, data, prefix, noun)):
        module.loss_and_grads(params, X, Y32)


def test_the_numpy_network_module_refuses_mixed_dtypes() -> None:
    net = sb.compile("2-1")
    _refuses(net, ("W1", "X", "Y"), np.asarray, ("", "array"))
    X, Y = _data()
    params = net.init_params()
    with pytest.raises(ValueError, match=MIXED.format("Y", "", "X", "", "array")):
        net.backward(params, net.forward(params, X)[1], Y.astype(np.float32))
    # one dtype: its own gradients; an equal dtype object of its own (unpickled) is one dtype
    low = net.init_params(dtype=np.float32)
    grads = net.loss_and_grads(low, X.astype(np.float32), Y.astype(np.float32))[1]
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    net.loss_and_grads(pickle.loads(pickle.dumps(params)), X, Y)


#: NumPy's modules expect "a floating-point array", JAX's name its four floating dtypes
INTEGER = r"X has dtype int64; expected [^;]*\(X\.astype\(np\.float64\) conv"


def _refuses_integer_data(module: Any, convert: Any = np.asarray) -> None:
    """Integer X, with float parameters or with integer ones too: X named, float64 advised
    (hostile10 #3: the network modules advised W1.astype(np.int64), and all-int64 arrays then
    passed the entry check and failed inside NumPy's maximum with a traceback)."""
    X, Y = (convert(value.astype(np.int64)) for value in _data())
    params = module.init_params()
    for given in (params, {k: convert(np.asarray(v).astype(np.int64)) for k, v in params.items()}):
        with pytest.raises(ValueError, match=INTEGER):
            module.loss_and_grads(given, X, convert(np.asarray(Y).astype(np.float64)))
        with pytest.raises(ValueError, match=INTEGER):
            module.loss_and_grads(given, X, Y)


def test_the_numpy_network_module_refuses_integer_data_naming_x() -> None:
    _refuses_integer_data(sb.compile("2-1"))  # compiled for the test above too


@pytest.mark.slow
def test_the_jax_network_module_refuses_integer_data_naming_x() -> None:
    jax = import_framework("jax")  # a failure, not a skip, under SYMBACKPROP_REQUIRE_JAX
    jax.config.update("jax_enable_x64", True)
    module = sb.compile("2-3:sigmoid-1", backend="jax")
    _refuses_integer_data(module, jax.numpy.asarray)
    with pytest.raises(ValueError, match=INTEGER):  # the same under jit: the dtypes are static
        X, Y = (value.astype(np.int64) for value in _data())
        jax.jit(module.loss_and_grads)(module.init_params(), X, Y)
    low = module.init_params(dtype=jax.numpy.bfloat16)  # floating-point: taken
    X, Y = (jax.numpy.asarray(value, jax.numpy.bfloat16) for value in _data())
    assert module.loss_and_grads(low, X, Y)[1]["W1"].dtype == jax.numpy.bfloat16


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_every_backend_refuses_mixed_dtypes_with_the_same_message(backend: str) -> None:
    convert, how = np.asarray, ("", "array")
    if backend != "numpy":
        framework = import_framework(backend)  # fails under SYMBACKPROP_REQUIRE_<BACKEND>
    if backend == "jax":
        framework.config.update("jax_enable_x64", True)
        convert = framework.numpy.asarray
    if backend == "torch":
        convert, how = framework.as_tensor, ("torch.", "tensor")
    _refuses(sb.compile(MODEL, backend=backend), ("w", "x", "y"), convert, how)
    if backend != "numpy":
        _refuses(sb.compile("2-1", backend=backend), ("W1", "X", "Y"), convert, how)
    if backend == "jax":  # the same under jit: the dtypes are static
        module = sb.compile(MODEL, backend=backend)
        X, Y = _data(convert)
        low = {k: convert(v) for k, v in module.init_params(dtype=np.float32).items()}
        with pytest.raises(ValueError, match=MIXED.format("w", "", "x", "", "array")):
            framework.jit(module.loss_and_grads)(low, X, Y)
