"""Hostile round 12, finding 7: a custom activation whose derivative is a sum or difference of
indicators (hard-tanh ``relu(z + 1) - relu(z - 1) - 1``, ``relu(z) - relu(z - 1)``) made the
network modules subtract bool arrays (``dZ1 *= (Z1 > 0) - (Z1 > 1)``): NumPy, torch and JAX
raised, and ``check`` exited 3. A network printer now prints an indicator as 0.0/1.0 in the
arrays' dtype wherever it takes part in arithmetic, as the model printers do; a bool mask is
kept only where it multiplies a floating-point array (relu's ``dZ1 *= A1 > 0``).

Each backend's gradients are compared with central differences of its own cost (float64),
at a point whose pre-activations stay away from the kinks at -1 and 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb

HARD_TANH = {"cl": "relu(z + 1) - relu(z - 1) - 1"}
#: W1 = I and these inputs put the hidden pre-activations at -2.5 ... 2.5, none within 0.1
#: of a kink (-1, 1): every finite-difference step stays on one side
X = np.array([[-2.5, -0.5, 0.4, 2.5, 1.5], [0.5, 2.0, -1.5, -0.3, 0.2]])
Y = np.array([[0.3, -0.2, 0.9, 0.1, -0.7]])


def _network() -> sb.Network:
    return sb.Network.parse("2-2:cl-1", define=HARD_TANH, loss="mse", output="identity")


def _params(module: Any) -> dict[str, np.ndarray]:
    params = {k: np.asarray(v, dtype=float) for k, v in module.init_params(seed=0).items()}
    params["W1"] = np.eye(2)
    params["b1"] = np.zeros_like(params["b1"])
    return params


def _finite_differences(cost: Any, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    eps, out = 1e-6, {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up, down = dict(params), dict(params)
            up[name], down[name] = value.copy(), value.copy()
            up[name][index] += eps
            down[name][index] -= eps
            grad[index] = (cost(up) - cost(down)) / (2 * eps)
        out[name] = grad
    return out


def _check_backend(backend: str, convert: Any, back: Any) -> None:
    module = sb.compile(_network(), backend=backend)
    params = _params(module)

    def run(p: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
        cost, grads = module.loss_and_grads(
            {k: convert(v) for k, v in p.items()}, convert(X), convert(Y)
        )
        return float(cost), {k: back(v) for k, v in grads.items()}

    _, grads = run(params)
    numeric = _finite_differences(lambda p: run(p)[0], params)
    for name in params:
        assert grads[name].dtype == np.float64, (backend, name, grads[name].dtype)
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-8)
    # the hidden layer's slope 1 (|z| < 1) and 0 (|z| > 1) are both reached
    assert np.any(grads["W1"] != 0) and np.any(np.abs(X) > 1)


def test_hard_tanh_network_numpy_equals_finite_differences() -> None:
    _check_backend("numpy", np.asarray, np.asarray)


@pytest.mark.slow  # a framework import (or a CLI run): the NumPy case is the default one
def test_hard_tanh_network_torch_equals_finite_differences() -> None:
    torch = import_framework("torch")
    _check_backend("torch", torch.tensor, lambda t: t.detach().numpy())


@pytest.mark.slow  # a framework import (or a CLI run): the NumPy case is the default one
def test_hard_tanh_network_jax_equals_finite_differences() -> None:
    jnp = import_framework("jax.numpy")
    _check_backend("jax", jnp.asarray, np.asarray)


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_relu_network_keeps_the_bool_mask(backend: str) -> None:
    """relu's derivative alone multiplies in place as before: no conversion is printed."""
    code = sb.codegen(sb.Network.parse("4-3:relu-2:relu-1"), backend=backend)
    # backward and, where its arithmetic is a function of its own, _backward
    start = code.index("\ndef backward")
    # up to the cost (torch's cost_from_cache, JAX's _cost: they cast a 16-bit cost)
    end = min(
        code.find(name, start) % len(code)
        for name in ("\ndef cost", "\ndef _cost", "\ndef loss_and")
    )
    backward = code[start:end]
    assert "> 0" in backward
    assert ".astype(" not in backward and ".to(" not in backward


@pytest.mark.slow  # a framework import (or a CLI run): the NumPy case is the default one
def test_check_passes_on_a_difference_of_relus() -> None:
    """``symbackprop check`` on the reproducer exits 0 (it was an internal error, exit 3)."""
    run = subprocess.run(
        [sys.executable, "-m", "symbackprop.cli", "check", "4-3-2-1"]
        + ["--define", "mx=relu(z) - relu(z - 1)", "--hidden", "mx"],
        capture_output=True,
        text=True,
        env={**os.environ, "SYMBACKPROP_DEBUG": "1"},
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
