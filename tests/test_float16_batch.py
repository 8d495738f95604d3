"""NumPy network modules in float16 with more examples than float16 can count (hostile14 LOW).

float16's largest number is 65504: at m = 70000, 1/m and the mean over the examples left the
cost 0.0 (with an overflow warning) and every gradient 0. The module now refuses that batch
size in float16 with one ValueError, checked once per m and dtype (where backward's constants
are made), so no call pays for it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symbackprop as sb


def test_float16_with_more_than_65504_examples_is_one_clear_error() -> None:
    module = sb.compile(sb.Network.parse("2-2-1"))
    params = module.init_params(dtype=np.float16)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 70_000)).astype(np.float16)
    Y = (rng.random((1, 70_000)) < 0.5).astype(np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the cost's own overflow, first
        with pytest.raises(ValueError, match=r"^m = 70000 examples in float16, whose largest"):
            module.loss_and_grads(params, X, Y)
    cost, grads = module.loss_and_grads(params, X[:, :65504], Y[:, :65504])
    assert 0.3 < cost < 1.5 and all(np.isfinite(g).all() for g in grads.values())
    cost32, _ = module.loss_and_grads(
        {k: v.astype(np.float32) for k, v in params.items()},
        X.astype(np.float32),
        Y.astype(np.float32),
    )
    assert 0.3 < cost32 < 1.5
