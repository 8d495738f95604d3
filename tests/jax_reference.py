"""What the tests of a model's stable forms share (logits of +-1000 beside ordinary ones): the
arrays of each backend, and the comparison of a compiled module's cost and gradients with
``jax.grad`` of the same cost written directly in JAX, from its library's stable functions.

Used by tests/test_model_log_sum_exp.py, test_log_of_shared_value.py,
test_hand_written_stable_model.py and test_log_softmax_model.py (their slow cases, one per
backend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

#: every backend a model compiles to
BACKENDS = ("numpy", "torch", "jax")


def converter(backend: str) -> Callable[[Any], Any]:
    """``np.asarray``, ``torch.tensor`` or ``jnp.asarray``: the backend's array of a NumPy one
    (a skip, or a failure under SYMBACKPROP_REQUIRE_*, without the framework)."""
    if backend == "numpy":
        return np.asarray
    if backend == "torch":
        return import_framework("torch").tensor  # type: ignore[no-any-return]
    return import_framework("jax.numpy").asarray  # type: ignore[no-any-return]


def assert_matches_jax_grad(
    module: Any,
    backend: str,
    cost: Callable[..., Any],
    params: dict[str, np.ndarray],
    data: tuple[np.ndarray, ...],
    *,
    rtol: float = 1e-12,
    atol: float = 0.0,
) -> None:
    """``module.loss_and_grads(params, *data)`` in ``backend`` against ``cost`` and its
    ``jax.grad`` (float64: jax_enable_x64).

    ``cost`` takes the parameters as JAX arrays, positionally in the order of ``params``; J
    agrees to ``rtol``, every dJ/dparameter to ``rtol`` and ``atol``.
    """
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")
    args = tuple(jnp.asarray(value) for value in params.values())
    want_cost = cost(*args)
    want = jax.grad(cost, argnums=tuple(range(len(args))))(*args)
    convert = converter(backend)
    got_cost, grads = module.loss_and_grads(
        {name: convert(value) for name, value in params.items()}, *map(convert, data)
    )
    assert float(got_cost) == pytest.approx(float(want_cost), rel=rtol)
    for name, expected in zip(params, want, strict=True):
        np.testing.assert_allclose(
            np.asarray(grads[name]), np.asarray(expected), rtol=rtol, atol=atol, err_msg=name
        )
