"""Hostile round 12, finding 9: a generated module's ``init_params(scheme="scaled-identity:c")``
took any float c (nan, inf, 1e400, -1, 0: NaN, inf or zero weights, silently; an empty c a bare
``could not convert string to float``), where the CLI refuses c outside 1e-6 ... 1e6. Now the
module refuses it in one ValueError naming the scheme and the range, as the CLI does."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb

BAD = ["nan", "inf", "1e400", "-1", "0", "", "1e-7", "2e6", "x"]
MODEL = "x : 2 x 1\nW : 2 x 2\nJ = sum(tanh(W x))\ndata: x\n"


@pytest.mark.parametrize("source", ["3-3-3", MODEL])
def test_scaled_identity_refuses_a_scale_out_of_range(source: str) -> None:
    module = sb.compile(sb.Model.parse(source) if "\n" in source else source)
    for c in BAD:
        with pytest.raises(ValueError, match=r"scaled-identity:c with c a number from 1e-6"):
            module.init_params(seed=0, scheme=f"scaled-identity:{c}")
    params = module.init_params(seed=0, scheme="scaled-identity:1.5")
    weights = params["W1"] if "W1" in params else params["W"]
    np.testing.assert_array_equal(weights, 1.5 * np.eye(weights.shape[0]))
