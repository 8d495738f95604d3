"""hostile50a #1: a loss's adjoint, computed once where two statements repeat it, was moved
to just above its first new reader, below a statement that already read it: for
``mse(w X + q (w X), Y)`` the module computed ``dq = (t1 * dt3).sum(...)`` above ``dt3 = ...``
and raised UnboundLocalError on every backend (``check`` exited 3). The derivation was right;
the code now computes the adjoint no later than where it stood."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model

HEAD = "X : 3 x m\nY : 1 x m\nw : 1 x 3\nq : 1 x 1\nr : 1 x 1\nu : 1 x 3\n"
CASES = [
    "J = mse(w X + q (w X), Y)",
    "v = w X\nJ = mse(v + q v, Y)",
    "v = w X\nJ = mse(q v + v, Y)",
    "v = w X\nJ = mse(v + v q, Y)",
    "v = w X\nJ = mse(v + q ⊙ v, Y)",
    "v = w X\nJ = mse(v + sum(u) v, Y)",
    "v = w X\nJ = mse(v + (q ⊙ q) v, Y)",
    "v = w X\nJ = mse(v + q v + r v, Y)",
    "J = mse((u X) - (u X) + q (w X), Y)",
]


def _model(equations: str) -> Model:
    used = [name for name in ("q", "r", "u") if name in equations.replace("sum", "")]
    declared = "".join(
        line + "\n" for line in HEAD.splitlines() if line.split(" ")[0] in ("X", "Y", "w", *used)
    )
    return Model.parse(f"{declared}{equations}\ndata: X, Y\n")


@pytest.mark.parametrize("equations", CASES)
def test_every_adjoint_is_computed_before_it_is_read(equations: str) -> None:
    module = sb.compile(_model(equations))
    params = module.init_params(seed=1)
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    module.loss_and_grads(params, X, Y)  # UnboundLocalError before
    assert sb.gradcheck(module, params, X, Y).ok


@pytest.mark.slow  # two framework modules compiled per case
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_the_framework_modules_compute_it_in_order_too(backend: str) -> None:
    pytest.importorskip(backend)
    module = sb.compile(_model(CASES[0]), backend=backend)
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    params = {k: np.asarray(v, dtype=np.float64) for k, v in module.init_params(seed=1).items()}
    assert sb.gradcheck(module, params, X, Y).ok
