"""Hostile round 12, finding 8: the finite-difference check skipped a step as "crossing a kink"
when it changed the sign of a kinked pre-activation, which assumes every kink is at z = 0. For
``hr = relu(z - 1)`` (kink at z = 1) a dead first layer leaves z2 = b2 = 0 exactly, so every
step on b2 was skipped ("0 of 2 checked") and ``check`` failed a right gradient. Now the check
watches each activation's own breakpoints (:func:`symbackprop.check.interpret.breakpoints`):
a step across z = 0 is compared, a step across z = 1 is the one skipped.
"""

from __future__ import annotations

import numpy as np

import symbackprop as sb

NET = sb.Network.parse("4-3:hr-2:hr-1", define={"hr": "relu(z - 1)"}, loss="mse")
X = np.random.default_rng(0).standard_normal((4, 3))
Y = np.array([[0.2, -0.4, 0.7]])


def _params(module: sb.Network, b2: float) -> dict[str, np.ndarray]:
    """The first layer dead (z1 < -4 < 1, a1 = 0): z2 = b2 exactly, in every entry."""
    params = {k: np.asarray(v, dtype=float) for k, v in module.init_params(seed=0).items()}
    params["W1"] = np.full_like(params["W1"], 0.01)
    params["b1"] = np.full_like(params["b1"], -5.0)
    params["b2"] = np.full_like(params["b2"], b2)
    return params


def test_a_step_across_zero_is_compared_when_the_kink_is_at_one() -> None:
    module = sb.compile(NET)
    result = sb.gradcheck(module, _params(module, 0.0), X, Y)
    rows = {row.parameter: row for row in result.rows}
    assert result.ok, rows
    assert rows["b2"].skipped == 0 and rows["b2"].checked == 2


def test_a_step_across_the_kink_at_one_is_skipped() -> None:
    module = sb.compile(NET)
    rows = {row.parameter: row for row in sb.gradcheck(module, _params(module, 1.0), X, Y).rows}
    assert rows["b2"].skipped == 2 and rows["b2"].checked == 0
