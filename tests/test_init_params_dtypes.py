"""init_params takes exactly the dtypes its module computes in (hostile34b #5, #7).

Before: the NumPy modules made bfloat16 parameters that their loss_and_grads then refused, and
answered a torch dtype in NumPy's words; the torch modules made float8 parameters that failed
in the first call inside torch, and answered NumPy's longdouble with "module 'torch' has no
attribute 'float128'"; the JAX modules failed inside JAX on longdouble. Now every dtype either
gives parameters that the module's loss_and_grads turns into gradients of that dtype, or is
refused in one line that lists the dtypes the module takes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "batch_norm.model"
REFUSED = r"^dtype must be a (NumPy )?floating type"


def _dtypes(backend: str) -> list[tuple[str, Any]]:
    """Every spelling of a dtype a user may hand any backend's init_params."""
    out: list[tuple[str, Any]] = [
        (name, getattr(np, name))
        for name in ("float16", "float32", "float64", "longdouble", "int64", "complex64")
    ]
    out += [("float", float), ("'float32'", "float32"), ("object", object), ("'nope'", "nope")]
    ml_dtypes = pytest.importorskip("ml_dtypes") if backend != "numpy" else None
    if ml_dtypes is not None:
        out += [("bfloat16", ml_dtypes.bfloat16), ("float8", ml_dtypes.float8_e4m3fn)]
    if backend == "torch":
        torch = import_framework("torch")
        out += [
            (f"torch.{name}", getattr(torch, name))
            for name in ("float16", "bfloat16", "float32", "float64", "float8_e4m3fn", "int32")
        ]
    return out


def _module(backend: str, kind: str) -> tuple[Any, tuple[int, int]]:
    if backend != "numpy":
        import_framework(backend)
    target = "4-3-2-1" if kind == "network" else Model.from_file(MODEL)
    return sb.compile(target, backend=backend), (4, 1) if kind == "network" else (3, 1)


def _data(backend: str, like: Any, rows: int) -> tuple[Any, Any]:
    X = np.random.default_rng(1).standard_normal((rows, 5))
    Y = (np.arange(5) % 2 * 1.0).reshape(1, 5)
    if backend == "torch":
        torch = import_framework("torch")
        return torch.as_tensor(X).to(like.dtype), torch.as_tensor(Y).to(like.dtype)
    if backend == "jax":
        jnp = import_framework("jax").numpy
        return jnp.asarray(X, like.dtype), jnp.asarray(Y, like.dtype)
    return X.astype(like.dtype), Y.astype(like.dtype)


@pytest.mark.parametrize("kind", ["network", "model"])
@pytest.mark.parametrize(
    "backend",
    ["numpy", "torch", pytest.param("jax", marks=pytest.mark.slow)],  # a jit a dtype
)
def test_init_params_takes_a_dtype_exactly_when_its_gradients_do(backend: str, kind: str) -> None:
    module, (rows, _) = _module(backend, kind)
    taken, refused = [], []
    for label, dtype in _dtypes(backend):
        try:
            params = module.init_params(seed=0, dtype=dtype)
        except ValueError as error:
            assert len(str(error).splitlines()) == 1
            assert re.match(REFUSED, str(error)), error
            refused.append(label)
            continue
        first = next(iter(params.values()))
        X, Y = _data(backend, first, rows)
        _, grads = module.loss_and_grads(params, X, Y)
        assert all(g.dtype == first.dtype for g in grads.values()), label
        taken.append(label)
    floats = {"float16", "float32", "float64", "float", "'float32'"}
    assert floats <= set(taken)
    assert {"int64", "complex64", "object", "'nope'"} <= set(refused)
    assert ("longdouble" in taken) == (backend == "numpy")  # JAX and torch have no float128
    if backend == "numpy":  # ml_dtypes' types are the other modules'
        assert not any(label.startswith("torch.") for label in taken)
    if backend == "torch":
        assert {"torch.bfloat16", "torch.float32"} <= set(taken)
        assert {"torch.float8_e4m3fn", "torch.int32", "float8"} <= set(refused)


def test_torch_init_params_names_the_dtype_as_passed() -> None:
    # review35 #8: np.int32 was reported as "torch.int32"
    module, _ = _module("torch", "network")
    with pytest.raises(ValueError, match=r"or NumPy's\), got int32$"):
        module.init_params(dtype=np.int32)
