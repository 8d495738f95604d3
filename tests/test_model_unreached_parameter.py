"""A parameter that does not reach the cost (``h = W X`` with J not reading h) has an exactly
zero gradient and no step of the derivation: its gradient in the module says so in a comment,
as every other gradient line is under the step it is read off."""

from __future__ import annotations

import numpy as np

import symbackprop as sb

MODEL = "X : 3 x m\nW : 2 x 3\nV : 1 x 3\nh = W X\nJ = sum(V X)\ndata: X\n"


def test_an_unreached_parameters_zero_gradient_says_why() -> None:
    module = sb.compile(sb.Model.parse(MODEL))
    lines = module.source.splitlines()
    (at,) = [i for i, text in enumerate(lines) if '"W": np.zeros((2, 3)' in text]
    assert lines[at - 1].strip() == (
        "# dJ/dW = 0: W does not reach J, so no step of the derivation differentiates it"
    )
    params = module.init_params(seed=0, dtype=np.float32)
    _, grads = module.loss_and_grads(params, np.ones((3, 4), np.float32))
    assert grads["W"].dtype == np.float32 and not grads["W"].any()
