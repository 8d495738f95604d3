"""sb.gradcheck skips the finite steps across every kink of a periodic activation, not only
those of one period (hostile42d #3): abs(sin(z)) at z = -pi, 2pi or 3pi failed a right gradient
(the step measured a secant across the kink), as SymPy's solve gives the kinks at 0 and pi only."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.records.kinks import kink_periods
from symbackprop.records.scalars import z


def test_the_periods_of_the_kinks() -> None:
    found = kink_periods(abs(sp.sin(z)))
    assert [v for pair in found for v in pair] == pytest.approx(
        [0, 2 * math.pi, math.pi, 2 * math.pi]
    )
    assert kink_periods(abs(z - 1)) == () and kink_periods(None) == ()


@pytest.mark.parametrize("at", [-math.pi, 2 * math.pi, 3 * math.pi])
def test_a_right_gradient_passes_on_a_kink_of_another_period(at: float) -> None:
    module = sb.compile(sb.Network.parse("3-3-1", hidden="f", define={"f": "abs(sin(z))"}))
    params = module.init_params(seed=0)
    params["W1"][:] = 0.0
    params["b1"][:] = np.array([[at], [0.4], [-0.7]])  # the first unit on a kink
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 4)), rng.uniform(size=(1, 4))
    result = sb.gradcheck(module, params, X, Y, mode="full")
    assert result.ok, result
    # a gradient 1% off in an entry away from the kink still fails
    right = module.loss_and_grads

    def wrong(p, *data, **kw):  # type: ignore[no-untyped-def]
        cost, grads = right(p, *data, **kw)
        grads = dict(grads)
        grads["W1"] = grads["W1"].copy()
        grads["W1"][1, 0] *= 1.01
        return cost, grads

    module.loss_and_grads = wrong
    try:
        assert sb.gradcheck(module, params, X, Y, mode="full").failed
    finally:
        module.loss_and_grads = right
