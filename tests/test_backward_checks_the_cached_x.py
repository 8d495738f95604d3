"""backward reads the cache's X for dJ/dW1 = dZ1 X^T: an X of the wrong row count gave a
gradient of the wrong shape (3 x 3 for a 4-input network's 3 x 4 W1), silently, in every
backend; an X of other columns was reported as Y's fault. Both now name cache['X']."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework

BACKENDS = ["numpy", "torch", "jax"]


def _case(backend: str) -> tuple[Any, dict[str, Any], Any, Any]:
    # the framework first: compiling for a missing one raises (a skip without it, not a failure)
    framework = None if backend == "numpy" else import_framework(backend)
    module = sb.compile(sb.Network.parse("4-3-2-1"), backend=backend)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((4, 5)), rng.random((1, 5))
    if backend == "torch":
        X, Y = framework.tensor(X), framework.tensor(Y)
    elif backend == "jax":
        jnp = import_framework("jax.numpy")
        dtype = params["W1"].dtype
        X, Y = jnp.asarray(X, dtype=dtype), jnp.asarray(Y, dtype=dtype)
    return module, params, X, Y


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cached_x_of_other_rows_is_refused_naming_the_cache(backend: str) -> None:
    module, params, X, Y = _case(backend)
    _, cache = module.forward(params, X)
    grads = module.backward(params, cache, Y)
    assert tuple(grads["W1"].shape) == (3, 4)
    with pytest.raises(ValueError, match=r"^cache\['X'\] has shape \(3, 5\), expected \(4, m\)"):
        module.backward(params, {**cache, "X": X[:3]}, Y)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cached_x_of_other_columns_is_named_beside_y(backend: str) -> None:
    module, params, X, Y = _case(backend)
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match=r"a column per example of cache\['X'\]$"):
        module.backward(params, {**cache, "X": X[:, :3]}, Y)
    # forward's own X is X
    with pytest.raises(ValueError, match=r"^X has shape \(3, 5\), expected \(4, m\)"):
        module.forward(params, X[:3])
