"""What the torch backend's tests share: the import (skipped without torch only outside CI),
compiled modules, and a cost written directly in torch, independent of the generated code.

``SYMBACKPROP_REQUIRE_TORCH=1`` (set by .ci/run) turns a missing torch into a failure.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from framework_support import Deferred, import_framework

import symbackprop as sb

#: torch for a test module's top level: imported by the first test that uses it, not while
#: pytest collects (tests/framework_support.py says why)
torch = Deferred("torch")


def import_torch() -> Any:
    """``torch``, or a skip of the calling test (a failure when SYMBACKPROP_REQUIRE_TORCH=1)."""
    return import_framework("torch")


@functools.cache
def compiled(spec: str, loss: str = "bce", l2: float = 0.0, swish: bool = False) -> Any:
    """The torch module of a network (``swish`` defines swish = z*sigmoid(z))."""
    define = {"swish": "z*sigmoid(z)"} if swish else None
    net = sb.Network.parse(spec, loss=loss, l2=l2, define=define)
    return sb.compile(net, backend="torch")


def direct_cost(torch: Any, module: Any, params: dict[str, Any], X: Any, Y: Any) -> Any:
    """J written directly in torch from the network's record names (not the generated code)."""
    net = module.network
    A = X
    depth = len(net.layers)
    for layer in range(1, depth + 1):
        Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
        A = ACTIVATIONS[net.layers[layer - 1].activation](torch, Z)
    m = X.shape[1]
    if net.loss == "bce":
        J = -(Y * torch.log(A) + (1 - Y) * torch.log(1 - A)).sum() / m
    elif net.loss == "ce":
        J = -(Y * torch.log(A)).sum() / m
    else:
        J = 0.5 * ((A - Y) ** 2).sum() / m
    for layer in range(1, depth + 1):
        J = J + net.l2 / (2 * m) * (params[f"W{layer}"] ** 2).sum()
    return J


ACTIVATIONS = {
    "sigmoid": lambda t, z: t.sigmoid(z),
    "tanh": lambda t, z: t.tanh(z),
    "relu": lambda t, z: t.relu(z),
    "leaky_relu": lambda t, z: t.where(z > 0, z, 0.01 * z),
    "identity": lambda t, z: z,
    "softplus": lambda t, z: t.log1p(t.exp(z)),
    "softmax": lambda t, z: t.softmax(z, dim=0),
    "swish": lambda t, z: z * t.sigmoid(z),
}


def data(torch: Any, module: Any, m: int, seed: int = 3, dtype: Any = None) -> tuple[Any, Any]:
    """Random X and valid Y for a network's module, as tensors."""
    rng = np.random.default_rng(seed)
    n0, n_out = module.SHAPES["W1"][1], module.SHAPES[f"W{module.module.DEPTH}"][0]
    X = rng.standard_normal((n0, m))
    loss = module.network.loss
    if loss == "ce":
        Y = np.zeros((n_out, m))
        Y[rng.integers(0, n_out, m), range(m)] = 1.0
    elif loss == "bce":
        Y = rng.integers(0, 2, (n_out, m)).astype(float)
    else:
        Y = rng.standard_normal((n_out, m))
    dtype = dtype or torch.float64
    return torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=dtype)


def leaves(torch: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Copies of ``params`` that autograd tracks."""
    return {k: v.detach().clone().requires_grad_() for k, v in params.items()}


def assert_close(got: dict[str, Any], want: dict[str, Any], rtol: float = 1e-10) -> None:
    assert got.keys() == want.keys()
    for name in want:
        a, b = got[name].detach().numpy(), want[name].detach().numpy()
        scale = max(1.0, float(np.abs(b).max()))
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=name)
