"""A model module's backward reads arrays from the cache: one of another shape (a cache
edited by hand, or from another call) gave a gradient of the wrong shape silently (residual_mlp:
a cached X of 3 rows made dJ/dW1 3 x 3, not 3 x 4) or failed deep inside NumPy's broadcasting.
Each is now a one-line ValueError naming the cache entry, in every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from example_models import per_example

import symbackprop as sb
from symbackprop.model import Model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"
MODELS = sorted(EXAMPLES.glob("*.model"))


def _data(module: Any, backend: str, dtype: Any) -> list[Any]:
    """The module's data arrays at m = 5, each column summing to 1 (a softmax target's)."""
    arrays = []
    for shape in module.module.DATA_SHAPES.values():
        rows, cols = (5 if size == "m" else size for size in shape)
        value = np.random.default_rng(1).random((rows, cols)) + 0.1
        arrays.append(value / value.sum(0, keepdims=True))
    if backend == "torch":
        torch = pytest.importorskip("torch")
        return [torch.tensor(a) for a in arrays]
    if backend == "jax":
        jnp = pytest.importorskip("jax.numpy")
        return [jnp.asarray(a, dtype=dtype) for a in arrays]
    return arrays


def _check(path: Path, backend: str) -> None:
    module = sb.compile(Model.from_file(path), backend=backend)
    params = module.init_params(seed=0, **per_example(module, 5))
    data = _data(module, backend, next(iter(params.values())).dtype)
    _, cache = module.forward(params, *data)
    module.backward(params, cache)  # the case itself is fine
    tampered = [k for k, v in cache.items() if getattr(v, "ndim", 0) == 2 and v.shape[0] > 1]
    for name in tampered:
        shorter = cache[name][:-1]
        expected = tuple(cache[name].shape)
        rows = shorter.shape[0]
        message = rf"^cache\['{name}'\] has shape \({rows}, \d+\), expected \({expected[0]}, "
        with pytest.raises(ValueError, match=message):
            module.backward(params, {**cache, name: shorter})


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_a_cached_array_of_another_shape_is_named_numpy(path: Path) -> None:
    _check(path, "numpy")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "jax"])
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_a_cached_array_of_another_shape_is_named(path: Path, backend: str) -> None:
    _check(path, backend)


def test_residual_mlps_cached_x_no_longer_gives_a_3_by_3_gradient() -> None:
    module = sb.compile(Model.from_file(EXAMPLES / "residual_mlp.model"))
    params = module.init_params(seed=0)
    _, cache = module.forward(params, *_data(module, "numpy", np.float64))
    assert module.backward(params, cache)["W1"].shape == params["W1"].shape
    with pytest.raises(ValueError, match=r"^cache\['X'\] has shape \(3, 5\), expected \(4, 5\)"):
        module.backward(params, {**cache, "X": cache["X"][:-1]})


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_every_cached_array_is_of_the_first_ones_dtype(backend: str) -> None:
    """hostile50a #4: only the first cached array's dtype was checked: a float32 h1 beside
    float64 arrays was torch's own error from inside a product, and NumPy and JAX computed on
    in mixed precision."""
    if backend != "numpy":
        pytest.importorskip(backend)
    module = sb.compile(Model.from_file(EXAMPLES / "rnn_3.model"), backend=backend)
    if backend == "jax":
        import jax

        with jax.enable_x64(True):
            params = module.init_params(seed=0, dtype=np.float64)
            data = _data(module, backend, np.float64)
            _, cache = module.forward(params, *data)
            narrowed = {**cache, "h1": cache["h1"].astype(np.float32)}
            with pytest.raises(
                ValueError, match=r"^cache\['h1'\] has dtype float32 but cache\['X1'\]"
            ):
                module.backward(params, narrowed)
        return
    params = module.init_params(seed=0, dtype=np.float64)
    data = _data(module, backend, np.float64)
    _, cache = module.forward(params, *data)
    h1 = cache["h1"]
    narrowed = {**cache, "h1": h1.float() if backend == "torch" else h1.astype(np.float32)}
    with pytest.raises(ValueError, match=r"^cache\['h1'\] has dtype (torch\.)?float32 but cache"):
        module.backward(params, narrowed)
