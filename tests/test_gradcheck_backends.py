"""``sb.gradcheck`` on torch and JAX modules (hostile14 #3).

gradcheck works in float64 NumPy arrays. It used to hand them to every module as they were:
a torch module refused them ("X is a ndarray, not a torch tensor") although the user had
passed tensors, and a JAX module with JAX's default 32-bit mode computed in float32, so
central differences were rounding noise and a right gradient "FAILED" with relative errors
near 1. Now each module gets float64 arrays of its own framework (JAX: inside
``jax.enable_x64(True)``), and a wrong gradient still fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.check.frameworks import module_arrays

NET = sb.Network.parse("3-2:relu-1")


def _problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    params = sb.compile(NET).init_params(seed=3)
    X = np.random.default_rng(0).standard_normal((3, 5))
    Y = np.random.default_rng(1).uniform(0.0, 1.0, (1, 5))
    return params, X, Y


class _Scaled:
    """A module whose W1 gradient is 1% off (a wrong gradient gradcheck must fail)."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.DATA = module.DATA
        self.forward = module.forward
        self.kinked = module.kinked
        self.kink_formulas = module.kink_formulas
        for name in ("torch", "jax", "jnp"):
            if hasattr(module.module, name):
                setattr(self, name, getattr(module.module, name))

    def loss_and_grads(self, params: Any, *data: Any) -> Any:
        cost, grads = self.module.loss_and_grads(params, *data)
        return cost, {**grads, "W1": grads["W1"] * 1.01}


def _verdicts(module: Any, convert: Any) -> None:
    """A right gradient passes from NumPy arrays and from the framework's own (float32)
    arrays; a gradient 1% off fails, on its row only."""
    params, X, Y = _problem()
    for args in (
        (params, X, Y),
        ({k: convert(v) for k, v in params.items()}, convert(X), convert(Y)),
    ):
        right = sb.gradcheck(module, *args)
        assert right.ok, str(right)
        assert max(row.relative_error for row in right.rows) < 1e-6
    wrong = sb.gradcheck(_Scaled(module), *args)
    assert not wrong.ok and wrong.failed, str(wrong)
    assert [row.parameter for row in wrong.rows if not row.ok] == ["W1"]


@pytest.mark.usefixtures("needs_torch")
def test_gradcheck_checks_a_torch_module_in_float64() -> None:
    import torch

    module = sb.compile(NET, backend="torch")
    assert module_arrays(module).framework == "torch"
    _verdicts(module, lambda a: torch.tensor(a, dtype=torch.float32))


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.usefixtures("needs_jax")
def test_gradcheck_checks_a_jax_module_in_64_bit_mode_even_when_jax_is_in_32() -> None:
    import jax
    import jax.numpy as jnp

    module = sb.compile(NET, backend="jax")
    assert module_arrays(module).framework == "jax"
    with jax.enable_x64(False):  # JAX's default, which the fixture turns on for other tests
        assert jnp.asarray(1.0).dtype == jnp.float32
        _verdicts(module, jnp.asarray)
        assert jnp.asarray(1.0).dtype == jnp.float32  # nothing changed outside the call


def test_a_numpy_module_is_recognised_as_numpy() -> None:
    assert module_arrays(sb.compile(NET)).framework == "numpy"


@pytest.mark.usefixtures("needs_torch")
def test_gradcheck_takes_a_torch_nets_params_table_as_it_is() -> None:
    """hostile15 5a: ``net.params`` (README: read as a dict is) was refused ("params must be
    a dict of arrays, got Parameters"); it is checked as ``dict(net.params)`` is, and a wrong
    gradient still fails; a list of arrays is still refused."""
    import torch

    module = sb.compile(NET, backend="torch")
    net = module.module.Net(seed=3)
    _, X, Y = _problem()
    X, Y = torch.tensor(X), torch.tensor(Y)
    right = sb.gradcheck(module, net.params, X, Y)
    assert right.ok and max(row.relative_error for row in right.rows) < 1e-6, str(right)
    wrong = sb.gradcheck(_Scaled(module), net.params, X, Y)
    assert wrong.failed and [row.parameter for row in wrong.rows if not row.ok] == ["W1"]
    with pytest.raises(ValueError, match="params must be a dict of arrays, got list"):
        sb.gradcheck(module, list(net.params.values()), X, Y)
