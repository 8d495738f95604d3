"""No two gradients a model module returns are one array (hostile38a #1).

With ``Q = W + P`` the gradients of W and P are both dJ/dQ: the module wrote ``dW = dQ`` and
``dP = dQ``, one array, so weight decay added to ``grads["W"]`` in place changed ``grads["P"]``
too (0.13 off). A gradient that views an array an earlier gradient is (or views) is copied.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb

HEAD = "X : n x m\nY : 1 x m\nW : n x n\nP : n x n\nsizes: n = 3\n"
COSTS = {
    "sum": "Q = W + P\nJ = mse(v^T tanh(Q X), Y)\ndata: X, Y",
    "transposed": "Q = W + P^T\nJ = mse(v^T tanh(Q X), Y)\ndata: X, Y",
    "three": "R : n x n\nQ = W + P + R\nJ = mse(v^T tanh(Q X), Y)\ndata: X, Y",
}


def _shares(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return bool(np.shares_memory(a, b))
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("key", sorted(COSTS))
def test_every_gradient_is_an_array_of_its_own(key: str, backend: str) -> None:
    if backend == "torch":
        import_framework("torch")  # a skip without torch, before compiling for it
    module = sb.compile(sb.Model.parse(HEAD + COSTS[key]), backend=backend)
    rng = np.random.default_rng(0)
    data = [rng.standard_normal((3, 8)), rng.standard_normal((1, 8))]
    params = module.init_params(seed=1)
    if backend == "torch":
        torch = import_framework("torch")
        data = [torch.as_tensor(a) for a in data]
    _, grads = module.loss_and_grads(params, *data)
    for (a, ga), (b, gb) in itertools.combinations(grads.items(), 2):
        assert not _shares(ga, gb), (a, b)
    before = {name: _values(grad) for name, grad in grads.items()}
    grads["W"] += 0.1 * params["W"]  # weight decay, in place
    for name in grads:
        if name != "W":
            assert np.array_equal(_values(grads[name]), before[name]), name


def _values(array: object) -> np.ndarray:
    """A NumPy copy of a NumPy array or a torch tensor."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return array.detach().cpu().numpy().copy()  # type: ignore[attr-defined]
