"""Arrays in the other byte order (big-endian ``>f8``, as a FITS file gives) are refused in one
line that says how to convert them (hostile34b #4).

The NumPy network module took a big-endian X in forward and failed in backward, telling the
caller to convert the cache to ``np.>f8`` (not Python); mixed with native parameters it told
them to convert the parameters to ``np.>f8``; JAX failed inside jnp. Every module that takes
NumPy arrays (networks and models, NumPy and JAX) now names the array and the conversion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "batch_norm.model"


def _refused(name: str) -> str:
    return rf"^{name} has dtype >f8, whose byte order is not this machine's: " + (
        rf"{name}\.astype\(np\.float64\) converts it$"
    )


def _native(params: dict[str, Any]) -> dict[str, Any]:
    return {name: np.asarray(value) for name, value in params.items()}


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_network_module_refuses_the_other_byte_order(backend: str) -> None:
    if backend == "jax":
        import_framework("jax")
    module = sb.compile("4-3-2-1", backend=backend)
    params = _native(module.init_params(seed=0))
    X, Y = np.random.default_rng(0).standard_normal((4, 5)), np.ones((1, 5))
    with pytest.raises(ValueError, match=_refused("X")):
        module.forward(params, X.astype(">f8"))
    with pytest.raises(ValueError, match=_refused("X")):  # every array big-endian
        big = {name: value.astype(">f8") for name, value in params.items()}
        module.loss_and_grads(big, X.astype(">f8"), Y.astype(">f8"))
    with pytest.raises(ValueError, match=_refused("W2")):
        module.loss_and_grads(dict(params, W2=params["W2"].astype(">f8")), X, Y)
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match=_refused("Y")):
        module.backward(params, cache, Y.astype(">f8"))
    # converted as told, the gradients are the native arrays' gradients
    want = module.loss_and_grads(params, X, Y)[1]
    got = module.loss_and_grads(params, X.astype(">f8").astype(np.float64), Y)[1]
    assert all(np.array_equal(np.asarray(got[k]), np.asarray(want[k])) for k in want)


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_model_module_refuses_the_other_byte_order(backend: str) -> None:
    if backend == "jax":
        import_framework("jax")
    module = sb.compile(Model.from_file(MODEL), backend=backend)
    params = _native(module.init_params(seed=0))
    X, Y = np.random.default_rng(0).standard_normal((3, 6)), np.ones((1, 6))
    with pytest.raises(ValueError, match=_refused("Y")):
        module.loss_and_grads(params, X, Y.astype(">f8"))
    with pytest.raises(ValueError, match=_refused("X")):  # every array big-endian
        big = {name: value.astype(">f8") for name, value in params.items()}
        module.loss_and_grads(big, X.astype(">f8"), Y.astype(">f8"))
    with pytest.raises(ValueError, match=_refused("gamma")):
        module.forward(dict(params, gamma=params["gamma"].astype(">f8")), X, Y)


def test_an_integer_array_in_the_other_byte_order_is_told_the_float() -> None:
    # review35 #8: it was told to convert to np.int64, which the next call refused
    module = sb.compile("4-3-2-1")
    with pytest.raises(ValueError, match=r"^X has dtype >i8; expected float16, .*np\.float64"):
        module.forward(_native(module.init_params(seed=0)), np.ones((4, 3), ">i8"))
