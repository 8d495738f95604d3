"""A model's gradients never share memory with a parameter or a data array (hostile22 F2).

A gradient that is a view of a parameter or data array (``dJ/dx = w`` in J = x^T w) is copied,
since a plain in-place SGD step (``params["w"] -= lr * g["w"]``) would change it before it is
used. Single transposes were copied; a transpose of a transpose through a backward value
(``dt1 = w.T``, ``dx = dt1.T``) was returned as a view of w, and an in-place update of w moved
x by the wrong step. NumPy and torch (JAX arrays are immutable).
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop import Model

MODELS = {
    "x^T w": "x : n x 1\nw : n x 1\nsizes: n = 3\nJ = x^T w\ndata:\n",
    "x^T y, y data": "x : n x 1\ny : n x 1\nsizes: n = 3\nJ = x^T y\ndata: y\n",
    "y^T x, y data": "x : n x 1\ny : n x 1\nsizes: n = 3\nJ = y^T x\ndata: y\n",
    "tr(W^T X)": "X : n x k\nW : n x k\nsizes: n = 3, k = 2\nJ = tr(W^T X)\ndata: X\n",
    "tr(W X)": "X : k x n\nW : n x k\nsizes: n = 3, k = 2\nJ = tr(W X)\ndata: X\n",
    "tr(A^T B)": "A : n x k\nB : n x k\nsizes: n = 3, k = 2\nJ = tr(A^T B)\ndata:\n",
    "sum(W ⊙ X)": "X : n x k\nW : n x k\nsizes: n = 3, k = 2\nJ = sum(W ⊙ X)\ndata: X\n",
}


def _shares(backend: str, a: Any, b: Any) -> bool:
    if backend == "numpy":
        return bool(np.shares_memory(a, b))
    return bool(a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr())


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_no_gradient_is_a_view_of_an_input(backend: str, name: str) -> None:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    module = sb.compile(Model.parse(MODELS[name]), backend=backend)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(shape) for shape in module.DATA_SHAPES.values()]
    if backend == "torch":
        import torch

        data = [torch.as_tensor(a) for a in data]
    _, grads = module.loss_and_grads(params, *data)
    for key, gradient in grads.items():
        for other in [*params.values(), *data]:
            assert not _shares(backend, gradient, other), key


def test_an_in_place_step_uses_the_gradient_before_the_step() -> None:
    """J = x^T w: dJ/dx = w and dJ/dw = x; w updated first must not move x's step."""
    module = sb.compile(Model.parse(MODELS["x^T w"]))
    params = {"x": np.array([[1.0], [2.0], [3.0]]), "w": np.array([[10.0], [20.0], [30.0]])}
    want = params["x"] - 0.1 * params["w"]
    _, grads = module.loss_and_grads(params)
    for key in ("w", "x"):
        params[key] -= 0.1 * grads[key]
    assert np.array_equal(params["x"], want)
