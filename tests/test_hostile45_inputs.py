"""Session 45: inputs to generated modules and commands that gave wrong results or false words."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import symbackprop as sb

HEAD = "X : 3 x m\nY : 1 x m\nW : 4 x 3\n"
BODIES = ["h = (W X) ⊙ (W X)", "h = tanh(W X)", "h = relu(W X) + W X", "h = exp(W X)"]


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(BODIES, 2)))
def test_two_models_sharing_one_workspace_keep_arrays_of_their_own(
    first: str, second: str
) -> None:
    """hostile45a #1: model modules kept their arrays under the values' names alone ("t1"),
    so a second model's forward with the same work dict wrote over the first's cached t1,
    and the first's backward gave a wrong gradient with no error. Each model's keys carry a
    digest of it now, as a network's do."""
    a = sb.compile(sb.Model.parse(f"{HEAD}{first}\nJ = mse(v^T h, Y)\ndata: X, Y"))
    b = sb.compile(sb.Model.parse(f"{HEAD}{second}\nJ = mse(v^T h, Y)\ndata: X, Y"))
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 5)), rng.standard_normal((1, 5))
    pa, pb = a.init_params(seed=1), b.init_params(seed=2)  # type: ignore[attr-defined]
    right_a = a.loss_and_grads(pa, X, Y)[1]  # type: ignore[attr-defined]
    right_b = b.loss_and_grads(pb, X, Y)[1]  # type: ignore[attr-defined]
    work: dict = {}
    _, cache_a = a.forward(pa, X, Y, work=work)  # type: ignore[attr-defined]
    _, cache_b = b.forward(pb, X, Y, work=work)  # type: ignore[attr-defined]
    got_a = a.backward(pa, cache_a, work=work)  # type: ignore[attr-defined]
    got_b = b.backward(pb, cache_b, work=work)  # type: ignore[attr-defined]
    for got, right in ((got_a, right_a), (got_b, right_b)):
        for name in right:
            np.testing.assert_array_equal(got[name], right[name])
