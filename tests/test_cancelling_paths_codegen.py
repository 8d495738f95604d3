"""Two paths whose ones adjoints cancel generate code that runs (hostile37a #1).

``J = sum(W x - W x) + ...``: the adjoints of the two ``W x`` are the ones column and its
negative, and the gradient written out was ``(1_2 - 1_2) x^T``, printed ``(1.0 - 1.0) @ x.T``:
every call of every backend failed (a matmul of a number), and ``check`` exited 3. A sum of
constant matrices is folded now (the zero matrix, removed), proved equal as every settled form.
"""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = {
    "difference": "W : 2 x 2\nx : 2 x 1\nJ = sum(W x - W x) + sum(x)\ndata: x\n",
    "negated": "W : 2 x 2\nx : 2 x 1\nJ = sum(W x) + sum(-(W x)) + sum(x)\ndata: x\n",
    "batch": "W : 3 x 3\nX : 3 x m\nY : 3 x m\nH = W X\nJ = sum(H - W X) + mse(W X, Y)\n"
    "data: X, Y\n",
}


def _data(name: str) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    if name == "batch":
        return rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    return (rng.standard_normal((2, 1)),)


@pytest.mark.parametrize("name", list(MODELS))
def test_the_numpy_module_runs_and_is_right(name: str) -> None:
    module = sb.compile(Model.parse(MODELS[name]))
    params = module.init_params(seed=0)
    result = sb.gradcheck(module, params, *_data(name))
    assert result.ok, result
    if name != "batch":  # the cost does not depend on W
        _, grads = module.loss_and_grads(params, *_data(name))
        assert not np.any(grads["W"])


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_the_framework_modules_run(backend: str) -> None:
    import_framework(backend)
    module = sb.compile(Model.parse(MODELS["batch"]), backend=backend)
    assert sb.gradcheck(module, module.init_params(seed=0), *_data("batch")).ok
